"""Account Health Assurance holds on protected sellers' deactivation proposals, and priority
callbacks: AHS calls the seller before a deadline.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("callbacks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("priority", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("deadline", sa.DateTime(), nullable=True))
    op.create_table(
        "assurance_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("response_hours", sa.Integer(), nullable=False),
        sa.Column("bypassed_by", sa.JSON(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["enforcement_proposals.id"],
            name=op.f("fk_assurance_holds_proposal_id_enforcement_proposals"),
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_assurance_holds_seller_id_sellers")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_assurance_holds_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assurance_holds")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_assurance_holds_proposal_id")),
    )
    with op.batch_alter_table("assurance_holds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assurance_holds_seller_id"), ["seller_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assurance_holds_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_table("assurance_holds")
    with op.batch_alter_table("callbacks", schema=None) as batch_op:
        batch_op.drop_column("deadline")
        batch_op.drop_column("priority")
