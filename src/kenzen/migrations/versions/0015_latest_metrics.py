"""Metric snapshots move to the columnar history: the database keeps the latest per seller.

``latest_metrics`` (per seller and metric) and ``latest_order_volumes`` (per seller) are
filled from the latest date of ``metric_snapshots`` and ``order_volumes``; those two keep
their rows for migration 0021, which writes them into the Parquet history beside the
events (the event store the upgrade is given) and drops them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "latest_metrics",
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("metric", sa.String(length=64), nullable=False),
        sa.Column("marketplace_id", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("window_from", sa.Date(), nullable=False),
        sa.Column("window_to", sa.Date(), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("target_condition", sa.String(length=16), nullable=False),
        sa.Column("target_inclusive", sa.Boolean(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_latest_metrics_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("seller_id", "metric", name=op.f("pk_latest_metrics")),
    )
    op.create_table(
        "latest_order_volumes",
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("fulfilled_orders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_latest_order_volumes_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("seller_id", name=op.f("pk_latest_order_volumes")),
    )
    op.execute(
        "INSERT INTO latest_metrics (seller_id, metric, marketplace_id, as_of, window_from, "
        "window_to, numerator, denominator, rate, status, target_value, target_condition, "
        "target_inclusive, breakdown) SELECT seller_id, metric, marketplace_id, as_of, "
        "window_from, window_to, numerator, denominator, rate, status, target_value, "
        "target_condition, target_inclusive, breakdown FROM metric_snapshots AS s WHERE s.as_of = "
        "(SELECT max(l.as_of) FROM metric_snapshots AS l WHERE l.seller_id = s.seller_id)"
    )
    op.execute(
        "INSERT INTO latest_order_volumes (seller_id, as_of, fulfilled_orders) "
        "SELECT seller_id, as_of, fulfilled_orders FROM order_volumes AS v WHERE v.as_of = "
        "(SELECT max(l.as_of) FROM order_volumes AS l WHERE l.seller_id = v.seller_id)"
    )


def downgrade() -> None:
    op.drop_table("latest_order_volumes")
    op.drop_table("latest_metrics")
