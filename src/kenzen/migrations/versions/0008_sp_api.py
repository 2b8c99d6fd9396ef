"""SP-API apps, authorisations, tokens, reports, destinations; webhook subscriptions
per seller and notification type.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import kenzen.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spapi_apps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("secret_digest", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", kenzen.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spapi_apps")),
        sa.UniqueConstraint("client_id", name=op.f("uq_spapi_apps_client_id")),
    )
    op.create_table(
        "spapi_destinations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret_ciphertext", sa.Text(), nullable=False),
        sa.Column("secret_hint", sa.String(length=16), nullable=False),
        sa.Column("created_at", kenzen.db.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", kenzen.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["app_id"], ["spapi_apps.id"], name=op.f("fk_spapi_destinations_app_id_spapi_apps")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spapi_destinations")),
    )
    with op.batch_alter_table("spapi_destinations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spapi_destinations_app_id"), ["app_id"], unique=False)

    op.create_table(
        "spapi_authorizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("refresh_digest", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=16), nullable=False),
        sa.Column("granted_by", sa.String(length=320), nullable=False),
        sa.Column("granted_at", kenzen.db.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", kenzen.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["app_id"], ["spapi_apps.id"], name=op.f("fk_spapi_authorizations_app_id_spapi_apps")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_spapi_authorizations_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spapi_authorizations")),
        sa.UniqueConstraint("refresh_digest", name=op.f("uq_spapi_authorizations_refresh_digest")),
    )
    with op.batch_alter_table("spapi_authorizations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spapi_authorizations_app_id"), ["app_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_spapi_authorizations_seller_id"), ["seller_id"], unique=False
        )

    op.create_table(
        "spapi_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("marketplace_id", sa.String(length=32), nullable=False),
        sa.Column("report_type", sa.String(length=100), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("data_start_time", kenzen.db.UTCDateTime(), nullable=True),
        sa.Column("data_end_time", kenzen.db.UTCDateTime(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "IN_QUEUE",
                "IN_PROGRESS",
                "DONE",
                "FATAL",
                "CANCELLED",
                name="processingstatus",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", kenzen.db.UTCDateTime(), nullable=False),
        sa.Column("processing_started_at", kenzen.db.UTCDateTime(), nullable=True),
        sa.Column("processing_ended_at", kenzen.db.UTCDateTime(), nullable=True),
        sa.Column("claimed_until", kenzen.db.UTCDateTime(), nullable=True),
        sa.Column("document_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["app_id"], ["spapi_apps.id"], name=op.f("fk_spapi_reports_app_id_spapi_apps")
        ),
        sa.ForeignKeyConstraint(
            ["marketplace_id"],
            ["marketplaces.id"],
            name=op.f("fk_spapi_reports_marketplace_id_marketplaces"),
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_spapi_reports_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spapi_reports")),
    )
    with op.batch_alter_table("spapi_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spapi_reports_app_id"), ["app_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_spapi_reports_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_spapi_reports_seller_id"), ["seller_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_spapi_reports_status"), ["status"], unique=False)

    op.create_table(
        "spapi_access_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("authorization_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", kenzen.db.UTCDateTime(), nullable=False),
        sa.Column("created_at", kenzen.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"], ["spapi_apps.id"], name=op.f("fk_spapi_access_tokens_app_id_spapi_apps")
        ),
        sa.ForeignKeyConstraint(
            ["authorization_id"],
            ["spapi_authorizations.id"],
            name=op.f("fk_spapi_access_tokens_authorization_id_spapi_authorizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spapi_access_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_spapi_access_tokens_digest")),
    )
    with op.batch_alter_table("spapi_access_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spapi_access_tokens_app_id"), ["app_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_spapi_access_tokens_authorization_id"),
            ["authorization_id"],
            unique=False,
        )

    op.create_table(
        "spapi_report_documents",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("compression", sa.String(length=8), nullable=True),
        sa.Column("created_at", kenzen.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"], ["spapi_apps.id"], name=op.f("fk_spapi_report_documents_app_id_spapi_apps")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["spapi_reports.id"],
            name=op.f("fk_spapi_report_documents_report_id_spapi_reports"),
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_spapi_report_documents_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spapi_report_documents")),
    )
    with op.batch_alter_table("spapi_report_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spapi_report_documents_report_id"), ["report_id"], unique=False
        )

    op.create_table(
        "spapi_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("destination_id", sa.String(length=36), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column(
            "notification_type",
            sa.String(length=64),
            nullable=False,
            server_default="ACCOUNT_STATUS_CHANGED",
        ),
        sa.Column("payload_version", sa.String(length=16), nullable=False),
        sa.Column("created_at", kenzen.db.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", kenzen.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["app_id"], ["spapi_apps.id"], name=op.f("fk_spapi_subscriptions_app_id_spapi_apps")
        ),
        sa.ForeignKeyConstraint(
            ["destination_id"],
            ["spapi_destinations.id"],
            name=op.f("fk_spapi_subscriptions_destination_id_spapi_destinations"),
        ),
        sa.ForeignKeyConstraint(
            ["id"],
            ["webhook_subscriptions.id"],
            name=op.f("fk_spapi_subscriptions_id_webhook_subscriptions"),
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_spapi_subscriptions_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spapi_subscriptions")),
    )
    with op.batch_alter_table("spapi_subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spapi_subscriptions_app_id"), ["app_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_spapi_subscriptions_destination_id"), ["destination_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_spapi_subscriptions_seller_id"), ["seller_id"], unique=False
        )

    op.create_table(
        "spapi_document_links",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", kenzen.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["spapi_report_documents.id"],
            name=op.f("fk_spapi_document_links_document_id_spapi_report_documents"),
        ),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_spapi_document_links")),
    )
    with op.batch_alter_table("spapi_document_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_spapi_document_links_document_id"), ["document_id"], unique=False
        )

    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seller_id", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column(
                "notification_type",
                sa.String(length=64),
                nullable=False,
                server_default="ACCOUNT_STATUS_CHANGED",
            )
        )
        batch_op.add_column(
            sa.Column(
                "application_id", sa.String(length=64), nullable=False, server_default="kenzen"
            )
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_subscriptions_seller_id"), ["seller_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_webhook_subscriptions_seller_id_sellers"),
            "sellers",
            ["seller_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_webhook_subscriptions_seller_id_sellers"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_webhook_subscriptions_seller_id"))
        batch_op.drop_column("application_id")
        batch_op.drop_column("notification_type")
        batch_op.drop_column("seller_id")

    with op.batch_alter_table("spapi_document_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spapi_document_links_document_id"))

    op.drop_table("spapi_document_links")
    with op.batch_alter_table("spapi_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spapi_subscriptions_seller_id"))
        batch_op.drop_index(batch_op.f("ix_spapi_subscriptions_destination_id"))
        batch_op.drop_index(batch_op.f("ix_spapi_subscriptions_app_id"))

    op.drop_table("spapi_subscriptions")
    with op.batch_alter_table("spapi_report_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spapi_report_documents_report_id"))

    op.drop_table("spapi_report_documents")
    with op.batch_alter_table("spapi_access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spapi_access_tokens_authorization_id"))
        batch_op.drop_index(batch_op.f("ix_spapi_access_tokens_app_id"))

    op.drop_table("spapi_access_tokens")
    with op.batch_alter_table("spapi_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spapi_reports_status"))
        batch_op.drop_index(batch_op.f("ix_spapi_reports_seller_id"))
        batch_op.drop_index(batch_op.f("ix_spapi_reports_created_at"))
        batch_op.drop_index(batch_op.f("ix_spapi_reports_app_id"))

    op.drop_table("spapi_reports")
    with op.batch_alter_table("spapi_authorizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spapi_authorizations_seller_id"))
        batch_op.drop_index(batch_op.f("ix_spapi_authorizations_app_id"))

    op.drop_table("spapi_authorizations")
    with op.batch_alter_table("spapi_destinations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spapi_destinations_app_id"))

    op.drop_table("spapi_destinations")
    op.drop_table("spapi_apps")
