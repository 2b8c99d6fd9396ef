"""The one use case that changes an account status: recorded, audited, told in a case."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kenzen.access import SYSTEM, Role, Visibility
from kenzen.audit import AuditEntry
from kenzen.cases.account_status import set_account_status
from kenzen.cases.models import Case, CaseEntry, CaseKind, CaseStatus
from kenzen.cases.service import open_case
from kenzen.errors import Conflict, InvalidInput, NotFound
from kenzen.i18n import Message
from kenzen.sellers.models import AccountStatusChange, Seller
from kenzen.sellers.status import AccountStatus
from tests.conftest import World

INQUIRY = Message("case.inquiry.title")


def test_status_change_is_recorded_with_case_entry_and_audit(world: World) -> None:
    specialist = world.actors[Role.ACCOUNT_SPECIALIST]
    with world.database.transaction() as session:
        change = set_account_status(
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
        # Stored as a message: each reader gets it in their language, statuses by name.
        assert entry.text is None
        assert entry.text_in("ja") == (
            "アカウントの状態が 正常 から 停止 に変わりました。理由: IP complaints"
        )
        assert entry.text_in("en") == (
            "Your account status changed from Normal to Deactivated. Reason: IP complaints"
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
        case = open_case(session, seller_id="S2", kind=CaseKind.PERFORMANCE, title=INQUIRY)
        change = set_account_status(
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
            case_id = open_case(session, seller_id=case_of, kind=CaseKind.GENERAL, title=INQUIRY).id
        with pytest.raises(error, match=message):
            set_account_status(
                session,
                SYSTEM,
                seller_id,
                status=AccountStatus.AT_RISK,
                reason="r",
                case_id=case_id,
            )


def test_status_change_on_a_closed_case_is_a_conflict(world: World) -> None:
    with world.database.transaction() as session:
        case = open_case(session, seller_id="S1", kind=CaseKind.GENERAL, title=INQUIRY)
        case.status = CaseStatus.CLOSED
        with pytest.raises(Conflict, match="closed"):
            set_account_status(
                session, SYSTEM, "S1", status=AccountStatus.AT_RISK, reason="r", case_id=case.id
            )


def test_blank_reason_is_refused(world: World) -> None:
    with world.database.transaction() as session, pytest.raises(InvalidInput, match="reason"):
        set_account_status(session, SYSTEM, "S1", status=AccountStatus.AT_RISK, reason=" ")
