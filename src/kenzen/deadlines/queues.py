"""The queues whose items wait for a decision by a deadline.

A queue is one entry of :data:`QUEUES`: which rows wait (``waiting``), when their clock
started, which policy target applies, which department is told when one is late and which
permission lets a person see the queue. Everything else — the seller's due time, the
staff's order, the overdue notice — is derived from these entries, so a new kind of
decision (a dispute, a proposal) is one more entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

from kenzen.access import Action, Visibility
from kenzen.appeals.models import PENDING, Appeal
from kenzen.deadlines.due import Target
from kenzen.i18n import N_
from kenzen.support.models import Callback, CallbackStatus


@dataclass(frozen=True)
class Queue:
    name: str
    target: Target
    id: InstrumentedAttribute[int]
    seller_id: InstrumentedAttribute[str]
    case_id: InstrumentedAttribute[int] | InstrumentedAttribute[int | None]
    started: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None]
    waiting: ColumnElement[bool]
    department: Visibility
    """Whose internal case entry tells that an item is overdue."""
    reader: Action
    """The permission to see the queue."""
    label: str
    """Message id of the queue's name, for staff pages and the notice."""
    link: str
    """Where staff open an item: a format string over ``id``."""

    @property
    def model(self) -> Any:
        return self.id.class_


QUEUES: tuple[Queue, ...] = (
    Queue(
        name="appeals",
        target=Target.APPEAL_DECISION,
        id=Appeal.id,
        seller_id=Appeal.seller_id,
        case_id=Appeal.case_id,
        started=Appeal.submitted_at,
        waiting=Appeal.status.in_(PENDING),
        department=Visibility.SELLER_PERFORMANCE,
        reader=Action.LIST_APPEALS,
        label=N_("deadline.queue.appeals"),
        link="/staff/appeals/{id}",
    ),
    Queue(
        name="callbacks",
        target=Target.CALLBACK,
        id=Callback.id,
        seller_id=Callback.seller_id,
        case_id=Callback.case_id,
        started=Callback.slot_start,
        waiting=Callback.status.in_((CallbackStatus.BOOKED, CallbackStatus.CLAIMED)),
        department=Visibility.AHS,
        reader=Action.LIST_CALLBACKS,
        label=N_("deadline.queue.callbacks"),
        link="/staff/callbacks/{id}",
    ),
)

BY_NAME = {queue.name: queue for queue in QUEUES}
