"""The complaint's life on both sides: design rights and each kind's evidence (registration
number, protected work, test-buy order id), evidence files, disputes, retraction requests,
accepted letters of authorisation, and complaints found invalid.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS_BEFORE = ("trademark", "copyright", "patent", "counterfeit", "counterfeit_test_buy")
KINDS = ("design", *KINDS_BEFORE)
STATUSES_BEFORE = ("FILED", "RETRACTED")
STATUSES = (*STATUSES_BEFORE, "INVALID")


def _checks(kinds: tuple[str, ...], statuses: tuple[str, ...]) -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_constraint("ck_complaints_kind", type_="check")
        batch_op.create_check_constraint("ck_complaints_kind", sa.column("kind").in_(kinds))
        batch_op.drop_constraint("ck_complaints_status", type_="check")
        batch_op.create_check_constraint("ck_complaints_status", sa.column("status").in_(statuses))


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    _checks(KINDS, STATUSES)
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registration_number", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("work", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("test_buy_order_id", sa.String(length=64), nullable=True))
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column(
            "reason",
            _enum(
                "ck_disputes_reason",
                "authentic_with_invoices",
                "licence_or_authorisation",
                "no_infringement",
                "wrong_listing",
            ),
            nullable=False,
        ),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column(
            "status",
            _enum("ck_disputes_status", "PENDING", "COMPLAINT_UPHELD", "COMPLAINT_INVALID"),
            nullable=False,
        ),
        sa.Column("filed_by", sa.String(length=320), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=320), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_disputes_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_disputes_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        for column in ("complaint_id", "seller_id", "status"):
            batch_op.create_index(batch_op.f(f"ix_disputes_{column}"), [column], unique=False)
    op.create_table(
        "retraction_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "status",
            _enum("ck_retraction_requests_status", "PENDING", "RETRACTED", "DECLINED"),
            nullable=False,
        ),
        sa.Column("requested_by", sa.String(length=320), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("answered_by", sa.String(length=320), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answer_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_retraction_requests_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_retraction_requests_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_retraction_requests_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retraction_requests")),
    )
    with op.batch_alter_table("retraction_requests", schema=None) as batch_op:
        for column in ("complaint_id", "owner_id", "seller_id", "status"):
            batch_op.create_index(
                batch_op.f(f"ix_retraction_requests_{column}"), [column], unique=False
            )
    op.create_table(
        "brand_authorisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("accepted_by", sa.String(length=320), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_brand_authorisations_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["disputes.id"],
            name=op.f("fk_brand_authorisations_dispute_id_disputes"),
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_brand_authorisations_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_authorisations")),
        sa.UniqueConstraint("brand_id", "seller_id", name=op.f("uq_brand_authorisations_brand_id")),
    )
    with op.batch_alter_table("brand_authorisations", schema=None) as batch_op:
        for column in ("brand_id", "seller_id"):
            batch_op.create_index(
                batch_op.f(f"ix_brand_authorisations_{column}"), [column], unique=False
            )
    op.create_table(
        "complaint_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("dispute_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=320), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_files_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["disputes.id"], name=op.f("fk_complaint_files_dispute_id_disputes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_files")),
    )
    with op.batch_alter_table("complaint_files", schema=None) as batch_op:
        for column in ("complaint_id", "dispute_id"):
            batch_op.create_index(
                batch_op.f(f"ix_complaint_files_{column}"), [column], unique=False
            )


def downgrade() -> None:
    op.drop_table("complaint_files")
    op.drop_table("brand_authorisations")
    op.drop_table("retraction_requests")
    op.drop_table("disputes")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("test_buy_order_id")
        batch_op.drop_column("work")
        batch_op.drop_column("registration_number")
    _checks(KINDS_BEFORE, STATUSES_BEFORE)
