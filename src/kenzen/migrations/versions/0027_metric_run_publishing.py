"""The history files a metric run staged, published once its transaction commits.

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("metric_runs") as batch:
        batch.add_column(sa.Column("publishing", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("metric_runs") as batch:
        batch.drop_column("publishing")
