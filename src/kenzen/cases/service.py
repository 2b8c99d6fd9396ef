"""Use cases for cases: open, list, read (entries filtered by who may see them), annotate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor, Role, Scope, Visibility
from kenzen.cases.models import (
    OPEN_STATUSES,
    OPTIONAL_NOTICE_KINDS,
    Case,
    CaseEntry,
    CaseKind,
    CaseRead,
    CaseStatus,
    EntryKind,
)
from kenzen.db import utcnow
from kenzen.errors import Conflict, InvalidInput
from kenzen.i18n import N_, Message
from kenzen.outbox import queue as outbox
from kenzen.sellers.models import Seller

MAX_NOTE_LENGTH = 20_000


@dataclass(frozen=True, slots=True)
class CaseDetail:
    case: Case
    entries: list[CaseEntry]


def open_case(
    session: Session,
    *,
    seller_id: str,
    kind: CaseKind,
    title: Message,
    deadline: datetime | None = None,
    topic: str | None = None,
) -> Case:
    """Open a case inside an already authorised use case (it does no access check itself)."""
    case = Case(seller_id=seller_id, kind=kind, title_message=title, deadline=deadline, topic=topic)
    session.add(case)
    session.flush()
    return case


def open_case_about(session: Session, seller_id: str, topic: str) -> Case | None:
    """The seller's open case about ``topic``, if there is one."""
    return session.scalars(
        select(Case)
        .where(Case.seller_id == seller_id, Case.topic == topic, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.id)
        .limit(1)
    ).first()


def set_case_status(
    session: Session, case: Case, status: CaseStatus, *, deadline: datetime | None = None
) -> None:
    """The one way a case's status changes, inside an already authorised use case; a
    closed case stays closed. ``deadline`` is when the seller must answer, if at all."""
    if case.status is CaseStatus.CLOSED:
        raise Conflict(N_("error.case_closed"), case_id=case.id)
    case.status = status
    if deadline is not None:
        case.deadline = deadline
    session.flush()


def append_entry(
    session: Session,
    case: Case,
    actor: Actor,
    *,
    visibility: Visibility,
    kind: EntryKind,
    message: Message | None = None,
    text: str | None = None,
) -> CaseEntry:
    """Add to the timeline what Kenzen says (``message``, put into words for each reader) or
    what a person wrote (``text``, shown as written): exactly one of them."""
    if (message is None) == (text is None):
        raise TypeError("append_entry takes a message or a text, not both or neither")
    entry = CaseEntry(
        case_id=case.id,
        author=actor.label,
        author_role=actor.role.value,
        visibility=visibility,
        kind=kind,
        message=message,
        text=text,
        at=utcnow(),
    )
    session.add(entry)
    case.updated_at = entry.at
    session.flush()
    # The case log first: a seller-visible entry queues its notice in this transaction.
    _queue_notice(session, case, entry)
    return entry


def _queue_notice(session: Session, case: Case, entry: CaseEntry) -> None:
    """Tell the seller about an entry they can read and did not write themselves, so a
    message can only ever be sent about something already in the case log."""
    if entry.visibility is not Visibility.SELLER or entry.author_role == Role.SELLER.value:
        return
    seller = session.get_one(Seller, case.seller_id)
    outbox.queue_notice(
        session,
        outbox.Addressee(
            seller_id=seller.id,
            marketplace_id=seller.marketplace_id,
            email=seller.email,
            language=seller.language,
        ),
        case_id=case.id,
        case_entry_id=entry.id,
        kind=entry.kind.value,
        mandatory=entry.kind.value not in OPTIONAL_NOTICE_KINDS,
        at=entry.at,
    )


def list_cases(
    session: Session,
    actor: Actor,
    *,
    seller_id: str | None = None,
    status: CaseStatus | None = None,
    limit: int = 100,
) -> list[Case]:
    scope = access.authorize(actor, Action.LIST_CASES, seller_id=seller_id)
    if scope is Scope.OWN:
        seller_id = actor.seller_id
    query = select(Case).order_by(Case.updated_at.desc(), Case.id.desc()).limit(limit)
    if seller_id is not None:
        query = query.where(Case.seller_id == seller_id)
    if status is not None:
        query = query.where(Case.status == status)
    return list(session.scalars(query))


def get_case(session: Session, actor: Actor, case_id: int) -> CaseDetail:
    case = access.load(
        session, actor, Action.GET_CASE, Case, case_id, missing=N_("error.not_found.case")
    )
    visible = [e for e in case.entries if access.may_read(actor, e.visibility)]
    return CaseDetail(case=case, entries=visible)


def add_case_note(
    session: Session, actor: Actor, case_id: int, *, text: str, visibility: Visibility
) -> CaseEntry:
    case = access.load(
        session, actor, Action.ADD_CASE_NOTE, Case, case_id, missing=N_("error.not_found.case")
    )
    access.authorize_note(actor, visibility, f"case:{case_id}")
    text = text.strip()
    if not text:
        raise InvalidInput(N_("error.cases.text_must_not_empty"))
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidInput(N_("error.cases.text_most_characters"), max_note_length=MAX_NOTE_LENGTH)
    if case.status is CaseStatus.CLOSED:
        raise Conflict(N_("error.case_closed"), case_id=case_id)
    entry = append_entry(
        session, case, actor, visibility=visibility, kind=EntryKind.NOTE, text=text
    )
    session.add(
        access.record(
            actor, Action.ADD_CASE_NOTE, f"case:{case_id}", {"visibility": visibility.value}
        )
    )
    return entry


def _readable(actor: Actor) -> list[Visibility]:
    return [v for v in Visibility if access.may_read(actor, v)]


def unread_case_ids(session: Session, actor: Actor, case_ids: Sequence[int]) -> set[int]:
    """The cases with an entry the actor may read that is newer than its last visit."""
    if actor.user_id is None or not case_ids:
        return set()
    latest = (
        select(CaseEntry.case_id, func.max(CaseEntry.at).label("at"))
        .where(CaseEntry.case_id.in_(case_ids), CaseEntry.visibility.in_(_readable(actor)))
        .group_by(CaseEntry.case_id)
        .subquery()
    )
    rows = session.execute(
        select(latest.c.case_id)
        .outerjoin(
            CaseRead,
            (CaseRead.case_id == latest.c.case_id) & (CaseRead.user_id == actor.user_id),
        )
        .where((CaseRead.seen_at.is_(None)) | (CaseRead.seen_at < latest.c.at))
    )
    return {int(case_id) for (case_id,) in rows}


def mark_read(session: Session, actor: Actor, case_id: int) -> datetime | None:
    """Record that the actor opened the case (after ``get_case`` authorised it); return
    the previous visit, so the page can mark what is new since."""
    if actor.user_id is None:
        return None
    read = session.get(CaseRead, (actor.user_id, case_id))
    previous = read.seen_at if read else None
    if read is None:
        session.add(CaseRead(user_id=actor.user_id, case_id=case_id, seen_at=utcnow()))
    else:
        read.seen_at = utcnow()
    return previous
