"""Every work queue of Kenzen, measured one way for the staff overview and for /metrics.

A queue is one entry of ``QUEUES``: the rows waiting (a table, a condition on it) and the
column whose smallest value is the oldest item. `measure_queues` reads them all in one
session; the overview page shows its figures and the Prometheus scrape exports the same
figures, so the two can never disagree. Adding a queue is adding an entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kenzen import access
from kenzen.access import Action, Actor
from kenzen.appeals.models import PENDING, Appeal
from kenzen.complaints.models import Dispute, DisputeStatus
from kenzen.i18n import N_
from kenzen.outbox.models import DeliveryStatus, Notice, WebhookDelivery
from kenzen.policy.models import EnforcementProposal, ProposalStatus
from kenzen.sellers.models import EvaluationMark, Marketplace
from kenzen.support.models import Callback, CallbackStatus

Condition = Callable[[Session, datetime], ColumnElement[bool]]


@dataclass(frozen=True)
class Queue:
    key: str
    """The queue's name in /metrics (label ``queue``) and in the page's test ids."""
    title: str
    """Message id of the queue's name on the overview page."""
    oldest: InstrumentedAttribute[Any]
    """The column whose smallest value among the waiting rows is the oldest item."""
    waiting: Condition
    """Which rows wait, at a given time."""
    link: str | None = None
    """The page that works the queue, if there is one."""
    worked_by: Action | None = None
    """The permission that page needs; the link is shown only to those who have it."""


@dataclass(frozen=True)
class QueueFigure:
    queue: Queue
    depth: int
    oldest: datetime | None

    def age_seconds(self, now: datetime) -> float:
        """How long the oldest item has waited (0 for an empty queue or a future item)."""
        return max((now - self.oldest).total_seconds(), 0.0) if self.oldest else 0.0


def _callbacks_due_today(session: Session, now: datetime) -> ColumnElement[bool]:
    """Calls booked or claimed whose slot starts before the end of today in the
    marketplace's own time zone (overdue ones included)."""
    due = []
    for marketplace_id, zone in session.execute(select(Marketplace.id, Marketplace.time_zone)):
        local = now.astimezone(ZoneInfo(zone))
        midnight = datetime.combine(local.date() + timedelta(days=1), time(), local.tzinfo)
        due.append(and_(Callback.marketplace_id == marketplace_id, Callback.slot_start < midnight))
    return and_(
        Callback.status.in_((CallbackStatus.BOOKED, CallbackStatus.CLAIMED)),
        or_(false(), *due),
    )


QUEUES: tuple[Queue, ...] = (
    Queue(
        "appeals",
        N_("ops.queue.appeals"),
        Appeal.submitted_at,
        lambda _session, _now: Appeal.status.in_(PENDING),
        link="/staff/appeals",
        worked_by=Action.DECIDE_APPEAL,
    ),
    Queue(
        "proposals",
        N_("ops.queue.proposals"),
        EnforcementProposal.created_at,
        lambda _session, _now: EnforcementProposal.status == ProposalStatus.PENDING,
        link="/staff/proposals",
        worked_by=Action.DECIDE_ENFORCEMENT_PROPOSAL,
    ),
    Queue(
        "disputes",
        N_("ops.queue.disputes"),
        Dispute.filed_at,
        lambda _session, _now: Dispute.status == DisputeStatus.PENDING,
        link="/staff/disputes",
        worked_by=Action.DECIDE_DISPUTE,
    ),
    Queue(
        "callbacks_today",
        N_("ops.queue.callbacks_today"),
        Callback.slot_start,
        _callbacks_due_today,
        link="/staff/callbacks",
        worked_by=Action.CLAIM_CALLBACK,
    ),
    Queue(
        "notices",
        N_("ops.queue.notices"),
        Notice.created_at,
        lambda _session, _now: Notice.status == DeliveryStatus.QUEUED,
    ),
    Queue(
        "webhooks",
        N_("ops.queue.webhooks"),
        WebhookDelivery.created_at,
        lambda _session, _now: WebhookDelivery.status == DeliveryStatus.QUEUED,
    ),
    Queue(
        "evaluation",
        N_("ops.queue.evaluation"),
        EvaluationMark.marked_at,
        lambda _session, _now: EvaluationMark.seller_id.is_not(None),
    ),
)


def measure_queues(session: Session, now: datetime) -> list[QueueFigure]:
    """Depth and oldest item of every queue: no seller's data, only counts and times."""
    figures = []
    for queue in QUEUES:
        depth, oldest = session.execute(
            select(func.count(), func.min(queue.oldest)).where(queue.waiting(session, now))
        ).one()
        figures.append(QueueFigure(queue, depth, oldest))
    return figures


def queue_overview(session: Session, actor: Actor, now: datetime) -> list[QueueFigure]:
    """The staff overview: every queue's figures, for staff who may see them."""
    access.authorize(actor, Action.GET_QUEUE_OVERVIEW)
    return measure_queues(session, now)


def may_work(actor: Actor, queue: Queue) -> bool:
    """Whether the actor may open the page that works ``queue``."""
    return queue.link is not None and (
        queue.worked_by is None or access.allows(actor, queue.worked_by)
    )
