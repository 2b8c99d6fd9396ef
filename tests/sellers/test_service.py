"""The one function that changes an account status, and the other seller use cases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from kenzen.access import SYSTEM, Role, Visibility
from kenzen.audit import AuditEntry
from kenzen.cases.models import Case, CaseEntry, CaseKind, CaseStatus
from kenzen.cases.service import open_case
from kenzen.errors import Conflict, InvalidInput, NotFound
from kenzen.sellers import service
from kenzen.sellers.models import AccountStatusChange, Seller
from kenzen.sellers.status import AccountStatus
from tests.conftest import World


def test_status_change_is_recorded_with_case_entry_and_audit(world: World) -> None:
    specialist = world.actors[Role.ACCOUNT_SPECIALIST]
    with world.database.transaction() as session:
        change = service.set_account_status(
            session, specialist, "S1", status=AccountStatus.DEACTIVATED, reason="IP complaints"
        )
        case_id = change.case_id
    with world.database.transaction() as session:
        seller = session.get(Seller, "S1")
        assert seller is not None
        assert seller.status is AccountStatus.DEACTIVATED
        stored = session.scalars(select(AccountStatusChange)).one()
        assert (stored.previous_status, stored.status, stored.actor, stored.reason) == (
            AccountStatus.NORMAL,
            AccountStatus.DEACTIVATED,
            "account_specialist@example.test",
            "IP complaints",
        )
        case = session.get(Case, case_id)
        assert case is not None
        assert (case.kind, case.seller_id) == (CaseKind.ACCOUNT_STATUS, "S1")
        entry = session.scalars(select(CaseEntry).where(CaseEntry.case_id == case_id)).one()
        assert entry.visibility is Visibility.SELLER
        # S1's language is Japanese: the seller reads the entry in Japanese.
        assert entry.text == (
            "アカウントの状態が NORMAL から DEACTIVATED に変わりました。理由: IP complaints"
        )
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "setAccountStatus")
        ).one()
        assert audit.detail == {
            "previous": "NORMAL",
            "current": "DEACTIVATED",
            "case_id": case_id,
            "reason": "IP complaints",
        }


def test_status_change_joins_the_given_case(world: World) -> None:
    with world.database.transaction() as session:
        case = open_case(session, seller_id="S2", kind=CaseKind.PERFORMANCE, title="ODR")
        change = service.set_account_status(
            session, SYSTEM, "S2", status=AccountStatus.AT_RISK, reason="ODR 1.3%", case_id=case.id
        )
        assert change.case_id == case.id
        assert session.scalar(select(func.count()).select_from(Case)) == 1


@pytest.mark.parametrize(
    ("seller_id", "case_of", "error", "message"),
    [
        ("S9", None, NotFound, "seller S9 not found"),
        ("S1", "S2", NotFound, r"case \d+ not found for seller S1"),
    ],
)
def test_status_change_refuses_unknown_seller_or_foreign_case(
    world: World, seller_id: str, case_of: str | None, error: type[Exception], message: str
) -> None:
    with world.database.transaction() as session:
        case_id = None
        if case_of:
            case_id = open_case(session, seller_id=case_of, kind=CaseKind.GENERAL, title="x").id
        with pytest.raises(error, match=message):
            service.set_account_status(
                session,
                SYSTEM,
                seller_id,
                status=AccountStatus.AT_RISK,
                reason="r",
                case_id=case_id,
            )


def test_status_change_on_a_closed_case_is_a_conflict(world: World) -> None:
    with world.database.transaction() as session:
        case = open_case(session, seller_id="S1", kind=CaseKind.GENERAL, title="old")
        case.status = CaseStatus.CLOSED
        with pytest.raises(Conflict, match="closed"):
            service.set_account_status(
                session, SYSTEM, "S1", status=AccountStatus.AT_RISK, reason="r", case_id=case.id
            )


def test_blank_reason_is_refused(world: World) -> None:
    with world.database.transaction() as session, pytest.raises(InvalidInput, match="reason"):
        service.set_account_status(session, SYSTEM, "S1", status=AccountStatus.AT_RISK, reason=" ")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Asia/Nowhere", "timezone: 'Asia/Nowhere' is not an IANA time zone"),
        ("currency", "XYZ", "currency: 'XYZ' is not an ISO 4217 currency code"),
        ("language", "fr", "language: 'fr' is not one of ja, en"),
        ("marketplace_id", "J P", "id: use letters"),
    ],
)
def test_marketplace_fields_are_validated(
    world: World, field: str, value: str, message: str
) -> None:
    fields = {
        "marketplace_id": "US",
        "name": "United States",
        "time_zone": "America/New_York",
        "currency": "usd",
        "language": "en",
    }
    fields[field] = value
    with world.database.transaction() as session, pytest.raises(InvalidInput, match=message):
        service.add_marketplace(session, SYSTEM, **fields)


def test_marketplace_currency_is_normalised_and_duplicates_refused(world: World) -> None:
    fields = {"name": "US", "time_zone": "America/New_York", "currency": "usd", "language": "en"}
    with world.database.transaction() as session:
        marketplace = service.add_marketplace(session, SYSTEM, marketplace_id="US", **fields)
        assert marketplace.currency == "USD"
    with world.database.transaction() as session, pytest.raises(Conflict, match="already exists"):
        service.add_marketplace(session, SYSTEM, marketplace_id="US", **fields)


def test_seller_must_belong_to_a_known_marketplace(world: World) -> None:
    with world.database.transaction() as session, pytest.raises(NotFound, match="marketplace XX"):
        service.add_seller(
            session,
            SYSTEM,
            seller_id="S3",
            marketplace_id="XX",
            display_name="x",
            email="x@example.test",
            language="en",
            registered_at=datetime(2025, 1, 1, tzinfo=UTC),
        )
