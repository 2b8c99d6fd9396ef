"""Delivery attempts recorded before they are made: outcome open until known, and the moment
a notice was handed over to the relay.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notice_attempts", schema=None) as batch_op:
        batch_op.alter_column("outcome", existing_type=sa.String(length=16), nullable=True)
        batch_op.add_column(sa.Column("handed_over_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.alter_column("outcome", existing_type=sa.String(length=16), nullable=True)


def downgrade() -> None:
    """Attempts still open are settled as RETRY: their outcome column is required again."""
    for table in ("notice_attempts", "webhook_attempts"):
        op.execute(
            sa.text(f"UPDATE {table} SET outcome = 'RETRY' WHERE outcome IS NULL")  # noqa: S608
        )
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.alter_column("outcome", existing_type=sa.String(length=16), nullable=False)
    with op.batch_alter_table("notice_attempts", schema=None) as batch_op:
        batch_op.drop_column("handed_over_at")
        batch_op.alter_column("outcome", existing_type=sa.String(length=16), nullable=False)
