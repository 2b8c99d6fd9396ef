"""The brands each listing names (``listing_mentions``), so a rights owner's search by brand
reads its results instead of matching the whole catalogue per request.

The rows of the listings already stored are computed here with the screening matcher
(``kenzen.complaints.screening``, pure code), in batches.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kenzen.complaints.screening import Listing, RegisteredTerm, Screener

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "listing_mentions",
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_listing_mentions_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_listing_mentions_listing_id_listings")
        ),
        sa.PrimaryKeyConstraint("brand_id", "listing_id", name=op.f("pk_listing_mentions")),
    )
    with op.batch_alter_table("listing_mentions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listing_mentions_listing_id"), ["listing_id"], unique=False
        )
    _record_existing()


def _record_existing() -> None:
    connection = op.get_bind()
    terms = connection.execute(
        sa.text(
            "SELECT t.term, b.owner_id, b.name, b.country, b.id "
            "FROM protected_terms t JOIN brands b ON b.id = t.brand_id"
        )
    ).all()
    if not terms:
        return
    matcher = Screener(
        RegisteredTerm(term, str(owner), name, "", country, brand_id)
        for term, owner, name, country, brand_id in terms
    )
    mentions = sa.table(
        "listing_mentions", sa.column("brand_id", sa.Integer), sa.column("listing_id", sa.Integer)
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT id, seller_id, sku, listing_id, title, brand, description FROM listings "
                "WHERE id > :last ORDER BY id LIMIT :batch"
            ),
            {"last": last, "batch": BATCH},
        ).all()
        if not rows:
            return
        found = [
            {"brand_id": brand_id, "listing_id": row_id}
            for row_id, *fields in rows
            for brand_id in {t.brand_id for t in matcher.mentioned(Listing(*fields))}
        ]
        if found:
            connection.execute(mentions.insert(), found)
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("listing_mentions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_mentions_listing_id"))
    op.drop_table("listing_mentions")
