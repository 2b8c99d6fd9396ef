"""Account Health Assurance: each seller's eligibility, computed daily.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assurance_eligibility",
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("min_rating", sa.Integer(), nullable=False),
        sa.Column("max_days_below", sa.Integer(), nullable=False),
        sa.Column("days_at_or_above", sa.Integer(), nullable=False),
        sa.Column("days_below", sa.Integer(), nullable=False),
        sa.Column("days_without_rating", sa.Integer(), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_assurance_eligibility_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("seller_id", name=op.f("pk_assurance_eligibility")),
    )


def downgrade() -> None:
    op.drop_table("assurance_eligibility")
