"""Use cases of the callback line: book, reschedule, cancel, claim and complete a call.

A request outside AHS hours is offered the next open slot, not refused. A slot holds at
most one call per agent on duty: each booking takes a numbered seat, and the database's
unique (slot, seat) constraint turns a race for the last seat into a retry on the next.
Call notes are for AHS only; the views below leave them out for everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor, Role, Scope, Visibility
from kenzen.cases import service as cases
from kenzen.cases.models import Case, CaseKind, EntryKind
from kenzen.db import utcnow
from kenzen.errors import Conflict, InvalidInput, NotFound
from kenzen.i18n import N_, Message
from kenzen.identity.models import User
from kenzen.policy.document import CallbackRules
from kenzen.sellers.models import Seller
from kenzen.sellers.phones import e164
from kenzen.sellers.service import get_seller
from kenzen.support.models import OUTCOME_NAMES, AhsHours, Callback, CallbackStatus, CallOutcome
from kenzen.support.slots import Hours, local, slots

MAX_NOTES = 10_000
OPEN_STATUSES = (CallbackStatus.BOOKED, CallbackStatus.CLAIMED)


def hours_of(session: Session, marketplace_id: str) -> Hours:
    row = session.get(AhsHours, marketplace_id)
    if row is None:
        return Hours()
    return Hours(row.time_zone, row.opens, row.closes, row.slot_minutes, row.holiday_country)


def agents_on_duty(session: Session) -> int:
    query = select(func.count()).select_from(User)
    return session.scalar(query.where(User.role == Role.AHS_AGENT, User.disabled_at.is_(None))) or 0


@dataclass(frozen=True)
class CallbackView:
    callback: Callback
    local_start: datetime
    """The slot in the marketplace's (the seller's) time zone."""
    offered: bool
    """The slot differs from the requested time (it was outside hours or full)."""
    notes: str | None
    """Only for AHS."""


def _view(session: Session, actor: Actor, callback: Callback) -> CallbackView:
    hours = hours_of(session, callback.marketplace_id)
    return CallbackView(
        callback=callback,
        local_start=local(hours, callback.slot_start),
        offered=callback.slot_start != callback.requested_for,
        notes=callback.notes if access.may_read(actor, Visibility.AHS) else None,
    )


def request_callback(
    session: Session,
    actor: Actor,
    seller_id: str,
    *,
    phone: str,
    preferred: datetime,
    rules: CallbackRules,
    case_id: int | None = None,
    replaces: int | None = None,
) -> CallbackView:
    """Book the first free slot at or after ``preferred`` (rescheduling ``replaces``),
    within the policy's fair use of the line."""
    seller = get_seller(session, actor, seller_id, Action.REQUEST_CALLBACK)
    number = e164(phone, seller.marketplace_id)
    if preferred.tzinfo is None:
        raise InvalidInput(N_("error.support.preferred_time_give_time_zone_offset"))
    if replaces is not None:
        cancel_callback(session, actor, replaces)
    case = _case_for(session, seller, case_id)
    _check_fair_use(session, seller, case, rules)
    if agents_on_duty(session) == 0:
        raise Conflict(N_("error.support.no_account_health_support_agent_duty"))
    booked = _first_free(session, seller, case, number, preferred, max(preferred, utcnow()))
    if booked is None:
        raise Conflict(N_("error.support.every_callback_slot_next_two_weeks"))
    when = local_time(hours_of(session, seller.marketplace_id), booked.slot_start)
    booking = Message(N_("entry.callback_booked"), {"phone": number, "time": when})
    cases.append_entry(
        session,
        case,
        actor,
        visibility=Visibility.SELLER,
        kind=EntryKind.NOTE,
        message=booking,
    )
    session.add(
        access.record(
            actor,
            Action.REQUEST_CALLBACK,
            f"seller:{seller.id}",
            {"callback_id": booked.id, "slot": booked.slot_start.isoformat()},
        )
    )
    return _view(session, actor, booked)


def local_time(hours: Hours, instant: datetime) -> str:
    """An instant as the seller reads it in a case entry: in the marketplace's AHS time."""
    return local(hours, instant).strftime("%Y-%m-%d %H:%M %Z")


def _first_free(
    session: Session,
    seller: Seller,
    case: Case,
    phone: str,
    requested_for: datetime,
    start: datetime,
    *,
    deadline: datetime | None = None,
) -> Callback | None:
    """Book a seat in the first slot at or after ``start`` that has one free; a ``deadline``
    makes it a priority call. None when no agent is on duty or two weeks are full."""
    capacity = agents_on_duty(session)
    for slot in slots(hours_of(session, seller.marketplace_id), start):
        booked = _book(session, seller, case, phone, requested_for, slot, capacity, deadline)
        if booked is not None:
            return booked
    return None


def book_priority_call(
    session: Session, seller: Seller, case: Case, *, phone: str, after: datetime, deadline: datetime
) -> Callback:
    """AHS calls the seller at the first free slot at or after ``after`` to reach it before
    ``deadline`` (Account Health Assurance), inside the caller's authorised use case. Kenzen
    books it, so the seller's fair-use limits do not apply; with no agent on duty (or two
    weeks full) it waits without a seat at the first open slot, still first in AHS's queue."""
    booked = _first_free(session, seller, case, phone, after, after, deadline=deadline)
    if booked is None:
        slot = next(slots(hours_of(session, seller.marketplace_id), after), after)
        booked = Callback(
            seller_id=seller.id,
            marketplace_id=seller.marketplace_id,
            case_id=case.id,
            phone=phone,
            requested_for=after,
            slot_start=slot,
            priority=True,
            deadline=deadline,
        )
        session.add(booked)
        session.flush()
    return booked


def _next_attempt(session: Session, failed: Callback) -> Callback | None:
    """A priority call that did not reach the seller is booked again on the next open day
    (AHS tries every open day of the window), unless that day starts after the deadline."""
    assert failed.deadline is not None
    hours = hours_of(session, failed.marketplace_id)
    tomorrow = datetime.combine(
        local(hours, utcnow()).date() + timedelta(days=1), time(0), ZoneInfo(hours.time_zone)
    )
    start = next(slots(hours, tomorrow), None)
    if start is None or start >= failed.deadline:
        return None
    seller = session.get_one(Seller, failed.seller_id)
    case = session.get_one(Case, failed.case_id)
    return book_priority_call(
        session, seller, case, phone=failed.phone, after=start, deadline=failed.deadline
    )


def cancel_priority_calls(session: Session, case_id: int) -> list[Callback]:
    """Cancel the priority calls still open on a case (its deactivation was decided or
    withdrawn), inside the caller's authorised use case; the calls cancelled."""
    open_calls = list(
        session.scalars(
            select(Callback).where(
                Callback.case_id == case_id,
                Callback.priority.is_(True),
                Callback.status.in_(OPEN_STATUSES),
            )
        )
    )
    for callback in open_calls:
        callback.status = CallbackStatus.CANCELLED
        callback.seat = None
    return open_calls


def _check_fair_use(session: Session, seller: Seller, case: Case, rules: CallbackRules) -> None:
    """Refuse a booking past the open calls the policy allows (the seller's row is locked
    first, so two simultaneous requests cannot both take the last one)."""
    session.execute(select(Seller.id).where(Seller.id == seller.id).with_for_update())
    open_cases = session.scalars(
        select(Callback.case_id).where(
            Callback.seller_id == seller.id, Callback.status.in_(OPEN_STATUSES)
        )
    ).all()
    if len(open_cases) >= rules.open_per_seller:
        raise Conflict(
            N_("error.support.callbacks_most_calls_may_booked_time"),
            open_per_seller=rules.open_per_seller,
        )
    if open_cases.count(case.id) >= rules.open_per_case:
        raise Conflict(
            N_("error.support.case_id_case_already_has_call"),
            case_id=case.id,
            open_per_case=rules.open_per_case,
        )


def _case_for(session: Session, seller: Seller, case_id: int | None) -> Case:
    if case_id is None:
        return cases.open_case(
            session,
            seller_id=seller.id,
            kind=CaseKind.GENERAL,
            title=Message(N_("case.callback.title")),
        )
    case = session.get(Case, case_id)
    if case is None or case.seller_id != seller.id:
        raise NotFound(N_("error.support.case_not_found"), case_id=case_id)
    return case


def _book(
    session: Session,
    seller: Seller,
    case: Case,
    phone: str,
    preferred: datetime,
    slot: datetime,
    capacity: int,
    deadline: datetime | None = None,
) -> Callback | None:
    taken = set(
        session.scalars(
            select(Callback.seat).where(
                Callback.marketplace_id == seller.marketplace_id,
                Callback.slot_start == slot,
                Callback.seat.is_not(None),
            )
        )
    )
    for seat in range(1, capacity + 1):
        if seat in taken:
            continue
        callback = Callback(
            seller_id=seller.id,
            marketplace_id=seller.marketplace_id,
            case_id=case.id,
            phone=phone,
            requested_for=preferred,
            slot_start=slot,
            seat=seat,
            priority=deadline is not None,
            deadline=deadline,
        )
        try:
            with session.begin_nested():
                session.add(callback)
        except IntegrityError:
            continue  # another request took this seat a moment ago
        return callback
    return None


def cancel_callback(session: Session, actor: Actor, callback_id: int) -> CallbackView:
    callback = access.load(
        session,
        actor,
        Action.CANCEL_CALLBACK,
        Callback,
        callback_id,
        missing=N_("error.not_found.callback"),
    )
    if callback.status is not CallbackStatus.BOOKED:
        raise Conflict(
            N_("error.support.callback_in_status"),
            callback_id=callback_id,
            status=callback.status.value,
        )
    if callback.priority:
        raise Conflict(N_("error.support.callback_under_assurance"), callback_id=callback_id)
    callback.status = CallbackStatus.CANCELLED
    callback.seat = None
    case = session.get(Case, callback.case_id)
    assert case is not None
    when = local_time(hours_of(session, callback.marketplace_id), callback.slot_start)
    cancelled = Message(N_("entry.callback_cancelled"), {"time": when})
    cases.append_entry(
        session, case, actor, visibility=Visibility.SELLER, kind=EntryKind.NOTE, message=cancelled
    )
    session.add(access.record(actor, Action.CANCEL_CALLBACK, f"callback:{callback.id}"))
    return _view(session, actor, callback)


def list_callbacks(
    session: Session,
    actor: Actor,
    *,
    seller_id: str | None = None,
    day: datetime | None = None,
    status: CallbackStatus | None = None,
) -> list[CallbackView]:
    """A seller's own calls; for AHS the queue by time (``day``: that local day only)."""
    scope = access.authorize(actor, Action.LIST_CALLBACKS, seller_id=seller_id)
    query = select(Callback).order_by(Callback.slot_start, Callback.id)
    if scope is Scope.OWN:
        seller_id = actor.seller_id
    if seller_id is not None:
        query = query.where(Callback.seller_id == seller_id)
    if status is not None:
        query = query.where(Callback.status == status)
    views = [_view(session, actor, c) for c in session.scalars(query)]
    if day is not None:
        views = [v for v in views if v.local_start.date() == day.date()]
    return views


def claim_callback(session: Session, actor: Actor, callback_id: int) -> CallbackView:
    callback = access.load(
        session,
        actor,
        Action.CLAIM_CALLBACK,
        Callback,
        callback_id,
        missing=N_("error.not_found.callback"),
    )
    claimed = session.execute(
        update(Callback)
        .where(Callback.id == callback.id, Callback.status == CallbackStatus.BOOKED)
        .values(status=CallbackStatus.CLAIMED, claimed_by=actor.label)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            N_("error.support.callback_was_claimed_closed_already"), callback_id=callback_id
        )
    session.refresh(callback)
    session.add(access.record(actor, Action.CLAIM_CALLBACK, f"callback:{callback.id}"))
    return _view(session, actor, callback)


def complete_callback(
    session: Session, actor: Actor, callback_id: int, *, outcome: CallOutcome, notes: str
) -> CallbackView:
    """Record how the call went; the notes join the case as an AHS-only entry. A priority
    call that did not reach the seller is booked again for the next open day."""
    callback = access.load(
        session,
        actor,
        Action.COMPLETE_CALLBACK,
        Callback,
        callback_id,
        missing=N_("error.not_found.callback"),
    )
    if callback.status is not CallbackStatus.CLAIMED or callback.claimed_by != actor.label:
        raise Conflict(
            N_("error.support.callback_not_claimed"), callback_id=callback_id, actor=actor.label
        )
    notes = notes.strip()
    if len(notes) > MAX_NOTES:
        raise InvalidInput(N_("error.support.notes_most_characters"), max_notes=MAX_NOTES)
    callback.status = CallbackStatus.COMPLETED
    callback.outcome = outcome
    callback.notes = notes
    callback.completed_at = utcnow()
    case = session.get(Case, callback.case_id)
    assert case is not None
    if notes:
        cases.append_entry(
            session,
            case,
            actor,
            visibility=Visibility.AHS,
            kind=EntryKind.NOTE,
            message=Message(
                N_("entry.call_notes"), {"outcome": Message(OUTCOME_NAMES[outcome]), "notes": notes}
            ),
        )
    retry = None
    if callback.priority and outcome is not CallOutcome.REACHED:
        retry = _next_attempt(session, callback)
    session.add(
        access.record(
            actor,
            Action.COMPLETE_CALLBACK,
            f"callback:{callback.id}",
            {"outcome": outcome.value, "next_attempt": retry.id if retry else None},
        )
    )
    return _view(session, actor, callback)
