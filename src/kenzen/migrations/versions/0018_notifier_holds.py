"""Complaints held while their notifier's reputation is under review (EU DSA Art. 23), and
when a complaint was found invalid (the reputation counts it within a window).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES_BEFORE = ("FILED", "RETRACTED", "INVALID")
STATUSES = (*STATUSES_BEFORE, "HELD")


def _statuses(statuses: tuple[str, ...]) -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_constraint("ck_complaints_status", type_="check")
        batch_op.create_check_constraint("ck_complaints_status", sa.column("status").in_(statuses))


def upgrade() -> None:
    _statuses(STATUSES)
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("found_invalid_at", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE complaints SET found_invalid_at = (SELECT max(decided_at) FROM disputes "
        "WHERE disputes.complaint_id = complaints.id) WHERE status = 'INVALID'"
    )


def downgrade() -> None:
    op.execute("UPDATE complaints SET status = 'FILED' WHERE status = 'HELD'")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("found_invalid_at")
    _statuses(STATUSES_BEFORE)
