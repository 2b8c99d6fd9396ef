"""Enforcement: brands, protected terms, IP complaints, violations, enforcement actions,
order volumes; listings gain fulfilment, description and a status reason; cases a topic.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ENTRY_KINDS_BEFORE = ("note", "account_status")
ENTRY_KINDS = (*ENTRY_KINDS_BEFORE, "warning", "complaint", "violation", "restriction")


def _entry_kinds(kinds: tuple[str, ...]) -> None:
    with op.batch_alter_table("case_entries", schema=None) as batch_op:
        batch_op.drop_constraint("ck_case_entries_kind", type_="check")
        batch_op.create_check_constraint("ck_case_entries_kind", sa.column("kind").in_(kinds))


def upgrade() -> None:
    _entry_kinds(ENTRY_KINDS)
    op.create_table(
        "order_volumes",
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("fulfilled_orders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_order_volumes_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("seller_id", "as_of", name=op.f("pk_order_volumes")),
    )
    op.create_table(
        "brands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("registration_number", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_brands_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brands")),
        sa.UniqueConstraint("name", "country", name=op.f("uq_brands_name")),
    )
    with op.batch_alter_table("brands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_brands_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "enforcement_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_enforcement_actions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_enforcement_actions_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_actions")),
        sa.UniqueConstraint(
            "seller_id", "kind", "rule", "as_of", name=op.f("uq_enforcement_actions_seller_id")
        ),
    )
    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enforcement_actions_as_of"), ["as_of"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_enforcement_actions_seller_id"), ["seller_id"], unique=False
        )

    op.create_table(
        "violations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "RESOLVED",
                "DISMISSED",
                "EXPIRED",
                name="ck_violations_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("listing_ids", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_violations_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_violations_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violations")),
        sa.UniqueConstraint("seller_id", "source", name=op.f("uq_violations_seller_id")),
    )
    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_violations_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_violations_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_violations_rule"), ["rule"], unique=False)
        batch_op.create_index(batch_op.f("ix_violations_seller_id"), ["seller_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_violations_status"), ["status"], unique=False)

    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "trademark",
                "copyright",
                "patent",
                "counterfeit",
                "counterfeit_test_buy",
                name="ck_complaints_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "FILED",
                "RETRACTED",
                name="ck_complaints_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("retracted_at", sa.DateTime(), nullable=True),
        sa.Column("retraction_reason", sa.Text(), nullable=True),
        sa.Column("violation_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_complaints_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_complaints_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_complaints_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_complaints_seller_id_sellers")
        ),
        sa.ForeignKeyConstraint(
            ["violation_id"], ["violations.id"], name=op.f("fk_complaints_violation_id_violations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaints_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_seller_id"), ["seller_id"], unique=False)

    op.create_table(
        "protected_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_protected_terms_brand_id_brands")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protected_terms")),
        sa.UniqueConstraint("brand_id", "term", name=op.f("uq_protected_terms_brand_id")),
    )
    with op.batch_alter_table("protected_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_protected_terms_brand_id"), ["brand_id"], unique=False)

    op.create_table(
        "complaint_listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_listings_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_complaint_listings_listing_id_listings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_listings")),
        sa.UniqueConstraint(
            "complaint_id", "listing_id", name=op.f("uq_complaint_listings_complaint_id")
        ),
    )
    with op.batch_alter_table("complaint_listings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_listings_complaint_id"), ["complaint_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_complaint_listings_listing_id"), ["listing_id"], unique=False
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topic", sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_topic"), ["topic"], unique=False)

    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column(
                "fulfillment",
                sa.Enum(
                    "merchant",
                    "marketplace",
                    name="ck_listings_fulfillment",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                nullable=False,
                server_default="merchant",
            )
        )
        batch_op.add_column(sa.Column("status_reason", sa.String(length=200), nullable=True))


def downgrade() -> None:
    _entry_kinds(ENTRY_KINDS_BEFORE)
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_column("status_reason")
        batch_op.drop_column("fulfillment")
        batch_op.drop_column("description")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_topic"))
        batch_op.drop_column("topic")

    with op.batch_alter_table("complaint_listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_listings_listing_id"))
        batch_op.drop_index(batch_op.f("ix_complaint_listings_complaint_id"))

    op.drop_table("complaint_listings")
    with op.batch_alter_table("protected_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_protected_terms_brand_id"))

    op.drop_table("protected_terms")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_seller_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_owner_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_brand_id"))

    op.drop_table("complaints")
    with op.batch_alter_table("violations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_violations_status"))
        batch_op.drop_index(batch_op.f("ix_violations_seller_id"))
        batch_op.drop_index(batch_op.f("ix_violations_rule"))
        batch_op.drop_index(batch_op.f("ix_violations_category"))
        batch_op.drop_index(batch_op.f("ix_violations_case_id"))

    op.drop_table("violations")
    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforcement_actions_seller_id"))
        batch_op.drop_index(batch_op.f("ix_enforcement_actions_as_of"))

    op.drop_table("enforcement_actions")
    with op.batch_alter_table("brands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brands_owner_id"))

    op.drop_table("brands")
    op.drop_table("order_volumes")
