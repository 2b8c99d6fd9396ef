"""Notices to rights owners: a notice is for a seller (telling a case entry) or for a
rights owner (``owner_id``, carrying its own ``message``), exactly one of the two.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("message", sa.JSON(), nullable=True))
        batch_op.alter_column("seller_id", existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("case_entry_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_notices_owner_id_users"), "users", ["owner_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_notices_owner_id"), ["owner_id"], unique=False)
        batch_op.create_check_constraint(
            "ck_notices_one_recipient", sa.text("(seller_id IS NULL) <> (owner_id IS NULL)")
        )
        batch_op.create_check_constraint(
            "ck_notices_content_of_recipient",
            sa.text(
                "(owner_id IS NULL) = (case_entry_id IS NOT NULL AND case_id IS NOT NULL "
                "AND message IS NULL)"
            ),
        )


def downgrade() -> None:
    op.execute(
        "DELETE FROM notice_attempts WHERE notice_id IN "
        "(SELECT id FROM notices WHERE owner_id IS NOT NULL)"
    )
    op.execute("DELETE FROM notices WHERE owner_id IS NOT NULL")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint("ck_notices_content_of_recipient", type_="check")
        batch_op.drop_constraint("ck_notices_one_recipient", type_="check")
        batch_op.drop_index(batch_op.f("ix_notices_owner_id"))
        batch_op.drop_constraint(batch_op.f("fk_notices_owner_id_users"), type_="foreignkey")
        batch_op.alter_column("case_entry_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("seller_id", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("message")
        batch_op.drop_column("owner_id")
