"""Each seller's facts stamp: renewed with every fact the policy reads about the seller, it
keys the assessment the serving processes keep.

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-29
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sellers") as batch:
        batch.add_column(sa.Column("facts_stamp", sa.String(32), nullable=False, server_default=""))
    sellers = sa.table("sellers", sa.column("id", sa.String), sa.column("facts_stamp", sa.String))
    connection = op.get_bind()
    ids = connection.execute(sa.select(sellers.c.id)).scalars().all()
    if ids:  # a stamp of its own for each, as a seller added later gets
        connection.execute(
            sellers.update()
            .where(sellers.c.id == sa.bindparam("seller"))
            .values(facts_stamp=sa.bindparam("stamp")),
            [{"seller": i, "stamp": uuid.uuid4().hex} for i in ids],
        )


def downgrade() -> None:
    with op.batch_alter_table("sellers") as batch:
        batch.drop_column("facts_stamp")
