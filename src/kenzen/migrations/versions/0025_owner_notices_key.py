"""A rights owner's notice names its user by id without a foreign key: processes that write
through the outbox without loading the users table (the policy worker, metric runs) could
not flush with it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_notices_owner_id_users"), type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_notices_owner_id_users"), "users", ["owner_id"], ["id"]
        )
