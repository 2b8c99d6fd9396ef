"""Changing an account's status: every change belongs to a case the seller reads.

``sellers`` owns the status itself (``record_status_change`` is its only writer); this use
case opens the account-status case (or takes the one given), records the change under it
and writes the entry that tells the seller, all in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kenzen.access import Action, Actor, Visibility
from kenzen.cases import service as cases
from kenzen.cases.models import Case, CaseKind, CaseStatus, EntryKind
from kenzen.errors import Conflict, NotFound
from kenzen.i18n import N_, Message, Param
from kenzen.sellers import service as sellers
from kenzen.sellers.models import AccountStatusChange, Seller
from kenzen.sellers.status import STATUS_NAMES, AccountStatus


def set_account_status(
    session: Session,
    actor: Actor,
    seller_id: str,
    *,
    status: AccountStatus,
    reason: str,
    case_id: int | None = None,
    told: Param | None = None,
) -> AccountStatusChange:
    """The one way an account status changes: checked, recorded, audited, in the caller's
    transaction. Without ``case_id`` a new account-status case is opened. ``told`` is the
    reason as the seller reads it when ``reason`` is a record for staff (enforcement's
    evidence, say); by default the seller reads ``reason`` itself."""
    seller = sellers.get_seller(session, actor, seller_id, Action.SET_ACCOUNT_STATUS)
    case = _case_for(session, seller, status, case_id)
    change = sellers.record_status_change(
        session, actor, seller, status=status, reason=reason, case_id=case.id
    )
    said = Message(
        N_("entry.account_status"),
        {
            "previous": Message(STATUS_NAMES[change.previous_status]),
            "current": Message(STATUS_NAMES[status]),
            "reason": change.reason if told is None else told,
        },
    )
    cases.append_entry(
        session,
        case,
        actor,
        visibility=Visibility.SELLER,
        kind=EntryKind.ACCOUNT_STATUS,
        message=said,
    )
    return change


def _case_for(session: Session, seller: Seller, status: AccountStatus, case_id: int | None) -> Case:
    if case_id is None:
        title = Message(N_("case.account_status.title"), {"status": Message(STATUS_NAMES[status])})
        return cases.open_case(
            session, seller_id=seller.id, kind=CaseKind.ACCOUNT_STATUS, title=title
        )
    found = session.get(Case, case_id)
    if found is None or found.seller_id != seller.id:
        raise NotFound(
            N_("error.cases.case_not_found_seller"), case_id=case_id, seller_id=seller.id
        )
    if found.status is CaseStatus.CLOSED:
        raise Conflict(N_("error.case_closed"), case_id=case_id)
    return found
