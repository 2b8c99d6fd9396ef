"""Enforcement proposals: actions the policy demands and specialists decide, and their reviews;
an enforcement action names the proposal it applies.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REVIEW = sa.Enum(
    "automatic",
    "specialist",
    "four_eyes",
    name="ck_enforcement_proposals_review",
    native_enum=False,
    create_constraint=True,
    length=32,
)
_STATUS = sa.Enum(
    "PENDING",
    "CONFIRMED",
    "REJECTED",
    "WITHDRAWN",
    name="ck_enforcement_proposals_status",
    native_enum=False,
    create_constraint=True,
    length=32,
)
_VERDICT = sa.Enum(
    "CONFIRM",
    "REJECT",
    name="ck_enforcement_proposal_reviews_verdict",
    native_enum=False,
    create_constraint=True,
    length=32,
)


def upgrade() -> None:
    op.create_table(
        "enforcement_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("review", _REVIEW, nullable=False),
        sa.Column("status", _STATUS, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_enforcement_proposals_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_enforcement_proposals_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_proposals")),
    )
    with op.batch_alter_table("enforcement_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enforcement_proposals_seller_id"), ["seller_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enforcement_proposals_status"), ["status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enforcement_proposals_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            "uq_enforcement_proposals_pending",
            ["seller_id", "kind"],
            unique=True,
            sqlite_where=sa.text("status = 'PENDING'"),
            postgresql_where=sa.text("status = 'PENDING'"),
        )
    op.create_table(
        "enforcement_proposal_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=320), nullable=False),
        sa.Column("verdict", _VERDICT, nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["enforcement_proposals.id"],
            name=op.f("fk_enforcement_proposal_reviews_proposal_id_enforcement_proposals"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_enforcement_proposal_reviews_reviewer_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_proposal_reviews")),
        sa.UniqueConstraint(
            "proposal_id",
            "reviewer_id",
            name=op.f("uq_enforcement_proposal_reviews_proposal_id"),
        ),
    )
    with op.batch_alter_table("enforcement_proposal_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enforcement_proposal_reviews_proposal_id"),
            ["proposal_id"],
            unique=False,
        )

    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_enforcement_actions_proposal_id_enforcement_proposals"),
            "enforcement_proposals",
            ["proposal_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("enforcement_actions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_enforcement_actions_proposal_id_enforcement_proposals"),
            type_="foreignkey",
        )
        batch_op.drop_column("proposal_id")
    op.drop_table("enforcement_proposal_reviews")
    op.drop_table("enforcement_proposals")
