"""Foundation: marketplaces, sellers, listings, cases, users, tokens and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "ok",
                "denied",
                name="ck_audit_log_outcome",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_target"), ["target"], unique=False)

    op.create_table(
        "marketplaces",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "language",
            sa.Enum(
                "ja",
                "en",
                name="ck_marketplaces_language",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplaces")),
    )
    op.create_table(
        "sellers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("marketplace_id", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column(
            "language",
            sa.Enum(
                "ja", "en", name="ck_sellers_language", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "NORMAL",
                "AT_RISK",
                "DEACTIVATED",
                name="ck_sellers_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("status_changed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_sellers_marketplace_id_marketplaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers")),
    )
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sellers_marketplace_id"), ["marketplace_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sellers_status"), ["status"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "account_status",
                "performance",
                "policy_violation",
                "ip_complaint",
                "general",
                name="ck_cases_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "OPEN",
                "AWAITING_SELLER",
                "UNDER_REVIEW",
                "RESOLVED",
                "CLOSED",
                name="ck_cases_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_cases_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_seller_id"), ["seller_id"], unique=False)

    op.create_table(
        "listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("listing_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("brand", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "INACTIVE",
                "SUPPRESSED",
                name="ck_listings_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_listings_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
        sa.UniqueConstraint("seller_id", "sku", name=op.f("uq_listings_seller_id")),
    )
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listings_listing_id"), ["listing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_listings_seller_id"), ["seller_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "seller",
                "rights_owner",
                "ahs_agent",
                "account_specialist",
                "admin",
                "system",
                name="ck_users_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("seller_id", sa.String(length=64), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "(role = 'seller') = (seller_id IS NOT NULL)", name=op.f("ck_users_seller_binding")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_users_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_seller_id"), ["seller_id"], unique=False)

    op.create_table(
        "account_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column(
            "previous_status",
            sa.Enum(
                "NORMAL",
                "AT_RISK",
                "DEACTIVATED",
                name="ck_account_status_changes_previous_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "NORMAL",
                "AT_RISK",
                "DEACTIVATED",
                name="ck_account_status_changes_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_account_status_changes_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_account_status_changes_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_status_changes")),
    )
    with op.batch_alter_table("account_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_status_changes_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_account_status_changes_seller_id"), ["seller_id"], unique=False
        )

    op.create_table(
        "case_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(length=320), nullable=False),
        sa.Column("author_role", sa.String(length=32), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum(
                "seller",
                "ahs",
                "seller_performance",
                name="ck_case_entries_visibility",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "note",
                "account_status",
                name="ck_case_entries_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_entries_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_entries")),
    )
    with op.batch_alter_table("case_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_entries_case_id"), ["case_id"], unique=False)

    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "api",
                "session",
                name="ck_tokens_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_tokens_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_tokens_digest")),
    )
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tokens_user_id"), ["user_id"], unique=False)

    _make_audit_log_append_only()


_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)

_POSTGRES_TRIGGERS = (
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
)


def _make_audit_log_append_only() -> None:
    """Refuse UPDATE and DELETE on the audit log in the database itself."""
    dialect = op.get_bind().dialect.name
    statements = _POSTGRES_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tokens_user_id"))

    op.drop_table("tokens")
    with op.batch_alter_table("case_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_entries_case_id"))

    op.drop_table("case_entries")
    with op.batch_alter_table("account_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_status_changes_seller_id"))
        batch_op.drop_index(batch_op.f("ix_account_status_changes_case_id"))

    op.drop_table("account_status_changes")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_seller_id"))

    op.drop_table("users")
    with op.batch_alter_table("listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listings_seller_id"))
        batch_op.drop_index(batch_op.f("ix_listings_listing_id"))

    op.drop_table("listings")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_seller_id"))

    op.drop_table("cases")
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sellers_status"))
        batch_op.drop_index(batch_op.f("ix_sellers_marketplace_id"))

    op.drop_table("sellers")
    op.drop_table("marketplaces")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_target"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_action"))

    op.drop_table("audit_log")
