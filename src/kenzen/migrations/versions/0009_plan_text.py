"""Each appeal version keeps the seller's own words and where they came from.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("appeal_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "source",
                sa.Enum(
                    "structured",
                    "text",
                    "boxes",
                    "file",
                    name="ck_appeal_versions_source",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                nullable=False,
                server_default="structured",
            )
        )
        batch_op.add_column(sa.Column("filename", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("appeal_versions", schema=None) as batch_op:
        batch_op.drop_column("filename")
        batch_op.drop_constraint("ck_appeal_versions_source", type_="check")
        batch_op.drop_column("source")
        batch_op.drop_column("text")
