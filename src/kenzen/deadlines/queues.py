"""The queues whose items wait for a decision by a deadline.

A queue is one entry of :data:`QUEUES`: which rows wait (``waiting``), when their clock
started, which policy target applies, which department is told when one is late and which
permission lets a person see the queue. Everything else — the seller's due time, the
staff's order, the overdue notice — is derived from these entries, so a new kind of
decision is one more entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from kenzen.access import Action, Visibility
from kenzen.appeals.models import PENDING, Appeal
from kenzen.assurance import service as assurance
from kenzen.complaints.models import (
    Complaint,
    Dispute,
    DisputeStatus,
    RetractionRequest,
    RetractionStatus,
)
from kenzen.deadlines.due import Hold, Target
from kenzen.i18n import N_
from kenzen.policy.models import EnforcementProposal, ProposalStatus
from kenzen.support.models import Callback, CallbackStatus

Column = InstrumentedAttribute[Any] | ScalarSelect[Any]


@dataclass(frozen=True)
class Queue:
    name: str
    target: Target
    id: InstrumentedAttribute[int]
    seller_id: InstrumentedAttribute[str]
    case_id: Column
    """The case the seller reads the due time on (a complaint's answers: the complaint's)."""
    started: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None]
    waiting: ColumnElement[bool]
    department: Visibility
    """Whose internal case entry tells that an item is overdue."""
    reader: Action
    """The permission to see the queue."""
    label: str
    """Message id of the queue's name, for staff pages and the notice."""
    link: str
    """Where staff open an item: a format string over ``id`` and ``case_id``."""
    owner_id: Column | None = None
    """The rights owner an item concerns: a rights owner reads only its own items."""
    holds: Callable[[Session, Collection[int]], Mapping[int, Hold]] | None = None
    """What keeps waiting items from being decided for now, by item id: their due time
    follows the hold."""

    @property
    def model(self) -> Any:
        return self.id.class_


def _of_complaint(
    column: InstrumentedAttribute[Any], answer: type[Dispute | RetractionRequest]
) -> Any:
    """A column of the complaint a dispute or a retraction request answers."""
    return select(column).where(Complaint.id == answer.complaint_id).scalar_subquery()


def _assurance_holds(session: Session, proposal_ids: Collection[int]) -> dict[int, Hold]:
    """Account Health Assurance's holds on deactivations: confirming is refused until the
    seller had the time to work with us and AHS reached them (or tried every open day)."""
    return {
        proposal_id: Hold(
            reason=N_("deadline.held_by_assurance"),
            forbids=not view.confirmable,
            allowed_from=view.confirmable_from,
        )
        for proposal_id, view in assurance.hold_views(session, proposal_ids).items()
    }


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
    Queue(
        name="disputes",
        target=Target.DISPUTE_DECISION,
        id=Dispute.id,
        seller_id=Dispute.seller_id,
        case_id=_of_complaint(Complaint.case_id, Dispute),
        started=Dispute.filed_at,
        waiting=Dispute.status == DisputeStatus.PENDING,
        department=Visibility.SELLER_PERFORMANCE,
        reader=Action.LIST_DISPUTES,
        label=N_("deadline.queue.disputes"),
        link="/staff/disputes#dispute-{id}",
        owner_id=_of_complaint(Complaint.owner_id, Dispute),
    ),
    Queue(
        name="retraction_requests",
        target=Target.RETRACTION_ANSWER,
        id=RetractionRequest.id,
        seller_id=RetractionRequest.seller_id,
        case_id=_of_complaint(Complaint.case_id, RetractionRequest),
        started=RetractionRequest.requested_at,
        waiting=RetractionRequest.status == RetractionStatus.PENDING,
        department=Visibility.SELLER_PERFORMANCE,
        reader=Action.LIST_RETRACTION_REQUESTS,
        label=N_("deadline.queue.retraction_requests"),
        link="/cases/{case_id}",
        owner_id=RetractionRequest.owner_id,
    ),
    Queue(
        name="proposals",
        target=Target.PROPOSAL_DECISION,
        id=EnforcementProposal.id,
        seller_id=EnforcementProposal.seller_id,
        case_id=EnforcementProposal.case_id,
        started=EnforcementProposal.created_at,
        waiting=EnforcementProposal.status == ProposalStatus.PENDING,
        department=Visibility.SELLER_PERFORMANCE,
        reader=Action.LIST_ENFORCEMENT_PROPOSALS,
        label=N_("deadline.queue.proposals"),
        link="/staff/proposals/{id}",
        holds=_assurance_holds,
    ),
)

BY_NAME = {queue.name: queue for queue in QUEUES}
