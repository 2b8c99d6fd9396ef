"""The files of the dated tables (metric snapshots, order volumes, daily ratings) that a
committed transaction staged and has not published: one table for every writer, replacing
the metric runs' own record.

A metric run that stopped between its commit and its publication before this upgrade is
forgotten (its row deleted), so the next run computes its date in full again: its record
did not say how to publish into a table other than the metrics'.

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_publications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("table", sa.Text(), nullable=False),
        sa.Column("staged", sa.Text(), nullable=False),
        sa.Column("staged_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_publications")),
    )
    op.execute("DELETE FROM metric_runs WHERE publishing IS NOT NULL")
    with op.batch_alter_table("metric_runs") as batch:
        batch.drop_column("publishing")


def downgrade() -> None:
    with op.batch_alter_table("metric_runs") as batch:
        batch.add_column(sa.Column("publishing", sa.Text(), nullable=True))
    op.drop_table("pending_publications")
