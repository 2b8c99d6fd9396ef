"""Waiting items with their due times: for the seller's pages, the staff queues and the
worker's overdue notices. Every query is built from a :class:`~kenzen.deadlines.queues.Queue`
entry, so each queue is read the same way."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import Row, literal, select, union_all
from sqlalchemy.orm import Session

from kenzen import access, clock
from kenzen.access import Actor, Scope
from kenzen.cases.schemas import DecisionDue
from kenzen.deadlines.due import Hold, due_at, held_due, is_overdue_under
from kenzen.deadlines.models import DeadlineAlert
from kenzen.deadlines.queues import BY_NAME, QUEUES, Queue
from kenzen.errors import NotFound
from kenzen.i18n import N_
from kenzen.policy.document import DeadlineRules
from kenzen.sellers.models import Marketplace, Seller


@dataclass(frozen=True)
class Waiting:
    """One item waiting for a decision, and when it is due."""

    queue: Queue
    item_id: int
    seller_id: str
    case_id: int | None
    started_at: datetime
    due_at: datetime
    time_zone: str
    """The seller's marketplace's: the seller reads the due time there."""
    hold: Hold | None = None
    """What keeps the item from being decided for now (``due_at`` already follows it)."""

    def overdue(self, now: datetime) -> bool:
        return is_overdue_under(self.due_at, self.hold, now)

    @property
    def held(self) -> bool:
        """Deciding the item is refused for now: it cannot be late."""
        return self.hold is not None and self.hold.forbids

    @property
    def local_due(self) -> datetime:
        return self.due_at.astimezone(ZoneInfo(self.time_zone))

    def due_text(self, language: str) -> str:
        """The due time as the seller reads it: in its marketplace's zone and language."""
        return format_datetime(
            self.due_at, format="long", tzinfo=ZoneInfo(self.time_zone), locale=language
        )

    @property
    def link(self) -> str:
        return self.queue.link.format(id=self.item_id, case_id=self.case_id)


def waiting(
    session: Session,
    rules: DeadlineRules,
    queues: Iterable[Queue] = QUEUES,
    *,
    seller_id: str | None = None,
    owner_id: int | None = None,
    case_ids: Collection[int] | None = None,
    item_ids: Collection[int] | None = None,
    unalerted_before: datetime | None = None,
) -> list[Waiting]:
    """Items waiting in ``queues``, the earliest due first (reads only; callers authorise).
    With ``unalerted_before``: only items started before it that staff were not yet told
    about (no item is due before its clock started)."""
    selects = []
    for queue in queues:
        query = (
            select(
                literal(queue.name).label("queue"),
                queue.id.label("item_id"),
                queue.seller_id.label("seller_id"),
                queue.case_id.label("case_id"),
                queue.started.label("started"),
                Marketplace.time_zone.label("zone"),
            )
            .join(Seller, Seller.id == queue.seller_id)
            .join(Marketplace, Marketplace.id == Seller.marketplace_id)
            .where(queue.waiting, queue.started.is_not(None))
        )
        if seller_id is not None:
            query = query.where(queue.seller_id == seller_id)
        if owner_id is not None:
            if queue.owner_id is None:
                continue
            query = query.where(queue.owner_id == owner_id)
        if case_ids is not None:
            query = query.where(queue.case_id.in_(case_ids))
        if item_ids is not None:
            query = query.where(queue.id.in_(item_ids))
        if unalerted_before is not None:
            query = query.outerjoin(
                DeadlineAlert,
                (DeadlineAlert.queue == queue.name) & (DeadlineAlert.item_id == queue.id),
            ).where(DeadlineAlert.item_id.is_(None), queue.started < unalerted_before)
        selects.append(query)
    if not selects:
        return []
    # one round trip for every queue: a case page or listCases asks all of them at once
    rows = session.execute(union_all(*selects)).all()
    holds = _holds(session, rows)
    found: list[Waiting] = []
    for name, item_id, seller, case_id, started, zone in rows:
        assert started is not None  # the query leaves out items whose clock has not started
        queue = BY_NAME[name]
        hold = holds.get((name, item_id))
        found.append(
            Waiting(
                queue=queue,
                item_id=item_id,
                seller_id=seller,
                case_id=case_id,
                started_at=started,
                due_at=held_due(due_at(rules, queue.target, started, zone), hold),
                time_zone=zone,
                hold=hold,
            )
        )
    return sorted(found, key=lambda item: (item.due_at, item.queue.name, item.item_id))


def _holds(session: Session, rows: Sequence[Row[Any]]) -> dict[tuple[str, int], Hold]:
    """The holds on the waiting items of the queues that have them, one look-up per queue."""
    held: dict[tuple[str, int], Hold] = {}
    for queue in QUEUES:
        ids = [row.item_id for row in rows if row.queue == queue.name]
        if queue.holds is not None and ids:
            held |= {(queue.name, item): hold for item, hold in queue.holds(session, ids).items()}
    return held


def staff_queue(session: Session, actor: Actor, rules: DeadlineRules, name: str) -> list[Waiting]:
    """A queue as staff work it: the earliest due first; a seller sees only its own items,
    a rights owner only those about its complaints."""
    queue = BY_NAME.get(name)
    if queue is None:
        raise NotFound(N_("error.deadlines.queue_not_found"), name=name)
    if access.authorize(actor, queue.reader) is Scope.ANY:
        return waiting(session, rules, [queue])
    if actor.seller_id is not None:
        return waiting(session, rules, [queue], seller_id=actor.seller_id)
    if actor.user_id is not None and queue.owner_id is not None:
        return waiting(session, rules, [queue], owner_id=actor.user_id)
    return []


def due_by_case(
    session: Session, rules: DeadlineRules, case_ids: Collection[int]
) -> dict[int, Waiting]:
    """For cases the caller may already read: the earliest decision each one waits for."""
    earliest: dict[int, Waiting] = {}
    for item in waiting(session, rules, case_ids=case_ids):
        if item.case_id is not None:
            earliest.setdefault(item.case_id, item)
    return earliest


def due_of_items(
    session: Session, rules: DeadlineRules, queue: str, item_ids: Collection[int]
) -> dict[int, Waiting]:
    """For items of one queue the caller may already read: those waiting, by item id."""
    if not item_ids:
        return {}
    return {
        item.item_id: item for item in waiting(session, rules, [BY_NAME[queue]], item_ids=item_ids)
    }


def api_dues(
    session: Session, rules: DeadlineRules, queue: str, item_ids: Collection[int]
) -> dict[int, DecisionDue]:
    """:func:`due_of_items` as the API tells it (for items nested in another answer)."""
    now = clock.now()
    return {
        item_id: as_due(item, now)
        for item_id, item in due_of_items(session, rules, queue, item_ids).items()
    }


class HasId(Protocol):
    @property
    def id(self) -> int: ...


Item = TypeVar("Item", bound=HasId)


def with_dues(
    session: Session, rules: DeadlineRules, queue: str, items: Sequence[Item]
) -> list[tuple[Item, Waiting | None]]:
    """Items of one queue the caller may already read, each with its due time if it still
    waits: the waiting ones first, earliest due first, the others in the order given."""
    dues = due_of_items(session, rules, queue, [item.id for item in items])
    waiting_first = sorted(
        (item for item in items if item.id in dues), key=lambda item: dues[item.id].due_at
    )
    rest = [item for item in items if item.id not in dues]
    return [(item, dues[item.id]) for item in waiting_first] + [(item, None) for item in rest]


def in_due_order(
    session: Session, rules: DeadlineRules, queue: str, items: Sequence[Item]
) -> list[tuple[Item, DecisionDue | None]]:
    """:func:`with_dues` as the API tells it: the due time in the seller's time zone."""
    now = clock.now()
    return [
        (item, None if due is None else as_due(due, now))
        for item, due in with_dues(session, rules, queue, items)
    ]


def unalerted_overdue(session: Session, rules: DeadlineRules, now: datetime) -> list[Waiting]:
    """Overdue items staff have not been told about yet."""
    return [item for item in waiting(session, rules, unalerted_before=now) if item.overdue(now)]


def as_due(item: Waiting, now: datetime) -> DecisionDue:
    """What the API tells about an item's due time: in the seller's time zone."""
    return DecisionDue(
        decision=item.queue.target.value,
        due_at=item.local_due,
        time_zone=item.time_zone,
        overdue=item.overdue(now),
        held=item.held,
    )
