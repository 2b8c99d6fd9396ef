"""Continuous evaluation: sellers marked for evaluation, and each marketplace's last day.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evaluation_marks",
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_evaluation_marks_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("seller_id", name=op.f("pk_evaluation_marks")),
    )
    with op.batch_alter_table("evaluation_marks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_marks_marked_at"), ["marked_at"], unique=False
        )
    op.create_table(
        "evaluation_days",
        sa.Column("marketplace_id", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_evaluation_days_marketplace_id_marketplaces"),
        ),
        sa.PrimaryKeyConstraint("marketplace_id", name=op.f("pk_evaluation_days")),
    )


def downgrade() -> None:
    op.drop_table("evaluation_days")
    op.drop_table("evaluation_marks")
