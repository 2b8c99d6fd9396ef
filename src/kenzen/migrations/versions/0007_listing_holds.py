"""Listing holds as typed rows instead of the ``listings.status_reason`` string.

``"violation:{id}"`` becomes a violation hold, ``"restricted:{rule}"`` a restriction by
that rule (under the seller's latest case about it), ``"deactivated"`` a deactivation hold
(under the case of the seller's latest deactivation). The downgrade writes the oldest
open hold back as the string.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOLD_KINDS = ("violation", "restriction", "deactivation")

listings = sa.table(
    "listings",
    sa.column("id", sa.Integer),
    sa.column("seller_id", sa.String),
    sa.column("status_reason", sa.String),
)
holds = sa.table(
    "listing_holds",
    sa.column("id", sa.Integer),
    sa.column("listing_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("violation_id", sa.Integer),
    sa.column("rule", sa.String),
    sa.column("case_id", sa.Integer),
    sa.column("placed_at", sa.DateTime),
    sa.column("released_at", sa.DateTime),
)
violations = sa.table(
    "violations",
    sa.column("id", sa.Integer),
    sa.column("case_id", sa.Integer),
    sa.column("occurred_at", sa.DateTime),
)
cases = sa.table(
    "cases",
    sa.column("id", sa.Integer),
    sa.column("seller_id", sa.String),
    sa.column("topic", sa.String),
    sa.column("opened_at", sa.DateTime),
)
status_changes = sa.table(
    "account_status_changes",
    sa.column("id", sa.Integer),
    sa.column("seller_id", sa.String),
    sa.column("status", sa.String),
    sa.column("case_id", sa.Integer),
    sa.column("at", sa.DateTime),
)


def upgrade() -> None:
    op.create_table(
        "listing_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                *HOLD_KINDS,
                name="ck_listing_holds_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("violation_id", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(length=200), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=True),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_listing_holds_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_listing_holds_listing_id_listings")
        ),
        sa.ForeignKeyConstraint(
            ["violation_id"],
            ["violations.id"],
            name=op.f("fk_listing_holds_violation_id_violations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_holds")),
    )
    with op.batch_alter_table("listing_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listing_holds_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_listing_holds_listing_id"), ["listing_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_listing_holds_released_at"), ["released_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_listing_holds_violation_id"), ["violation_id"], unique=False
        )
    _convert_reasons(op.get_bind())
    # Not in batch mode: recreating `listings` on SQLite would break the foreign keys that
    # point at it; SQLite has dropped columns in place since 3.35.
    op.drop_column("listings", "status_reason")


def _convert_reasons(connection: sa.Connection) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    held = connection.execute(
        sa.select(listings.c.id, listings.c.seller_id, listings.c.status_reason)
        .where(listings.c.status_reason.is_not(None))
        .order_by(listings.c.id)
    ).all()
    rows = []
    for listing_id, seller_id, reason in held:
        kind, _, detail = reason.partition(":")
        row = {"listing_id": listing_id, "violation_id": None, "rule": None, "released_at": None}
        if kind == "violation":
            violation = connection.execute(
                sa.select(violations.c.case_id, violations.c.occurred_at).where(
                    violations.c.id == int(detail)
                )
            ).one()
            row |= {
                "kind": "violation",
                "violation_id": int(detail),
                "case_id": violation.case_id,
                "placed_at": violation.occurred_at,
            }
        elif kind == "restricted":
            case = connection.execute(
                sa.select(cases.c.id, cases.c.opened_at)
                .where(cases.c.seller_id == seller_id, cases.c.topic == detail)
                .order_by(cases.c.id.desc())
                .limit(1)
            ).first()
            row |= {
                "kind": "restriction",
                "rule": detail,
                "case_id": case.id if case else None,
                "placed_at": case.opened_at if case else now,
            }
        elif kind == "deactivated":
            change = connection.execute(
                sa.select(status_changes.c.case_id, status_changes.c.at)
                .where(
                    status_changes.c.seller_id == seller_id,
                    status_changes.c.status == "DEACTIVATED",
                )
                .order_by(status_changes.c.id.desc())
                .limit(1)
            ).first()
            row |= {
                "kind": "deactivation",
                "case_id": change.case_id if change else None,
                "placed_at": change.at if change else now,
            }
        else:
            raise ValueError(f"listing {listing_id}: unknown status_reason {reason!r}")
        rows.append(row)
    if rows:
        connection.execute(sa.insert(holds), rows)


def downgrade() -> None:
    op.add_column("listings", sa.Column("status_reason", sa.String(length=200), nullable=True))
    connection = op.get_bind()
    open_holds = connection.execute(
        sa.select(holds.c.listing_id, holds.c.kind, holds.c.violation_id, holds.c.rule)
        .where(holds.c.released_at.is_(None))
        .order_by(holds.c.id.desc())
    ).all()
    oldest = {hold.listing_id: hold for hold in open_holds}
    for listing_id, hold in oldest.items():
        reason = {
            "violation": f"violation:{hold.violation_id}",
            "restriction": f"restricted:{hold.rule}",
            "deactivation": "deactivated",
        }[hold.kind]
        connection.execute(
            sa.update(listings).where(listings.c.id == listing_id).values(status_reason=reason)
        )
    op.drop_table("listing_holds")
