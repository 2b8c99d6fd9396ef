"""Letters of authorisation a specialist may revoke: who, when and why, kept on the row;
one standing letter per brand and seller (a revoked one may be followed by a new one).

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STANDING = "revoked_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("brand_authorisations", schema=None) as batch_op:
        batch_op.drop_constraint("uq_brand_authorisations_brand_id", type_="unique")
        batch_op.add_column(sa.Column("revoked_by", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("revocation_reason", sa.Text(), nullable=True))
        batch_op.create_index(
            "uq_brand_authorisations_standing",
            ["brand_id", "seller_id"],
            unique=True,
            sqlite_where=sa.text(STANDING),
            postgresql_where=sa.text(STANDING),
        )


def downgrade() -> None:
    op.execute("DELETE FROM brand_authorisations WHERE revoked_at IS NOT NULL")
    with op.batch_alter_table("brand_authorisations", schema=None) as batch_op:
        batch_op.drop_index("uq_brand_authorisations_standing")
        batch_op.drop_column("revocation_reason")
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("revoked_by")
        batch_op.create_unique_constraint(
            "uq_brand_authorisations_brand_id", ["brand_id", "seller_id"]
        )
