"""The seller's answers to a complaint, and their outcomes.

A seller disputes a complaint (with a reason and evidence) for a specialist to decide, or
asks the rights owner to retract it; the owner retracts or declines with a reason. A
complaint found invalid or retracted ends through :func:`service.end_complaint`: its
violation leaves the rating, its listings return, the case is resolved and the seller is
told. A letter of authorisation accepted on a dispute is recorded for the brand and seller.
Each record keeps who acted and when; each use case is one transaction with its audit entry.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor, Scope
from kenzen.complaints.brand_check import authorised_brand_ids
from kenzen.complaints.models import (
    DISPUTE_REASON_NAMES,
    BrandAuthorisation,
    Complaint,
    ComplaintFile,
    ComplaintStatus,
    Dispute,
    DisputeReason,
    DisputeStatus,
    RetractionRequest,
    RetractionStatus,
)
from kenzen.complaints.owner_notices import OwnerNoticeKind, tell_owner
from kenzen.complaints.service import attach_file, end_complaint, tell_seller
from kenzen.db import utcnow
from kenzen.errors import Conflict, InvalidInput
from kenzen.i18n import N_, Message


def _filed(session: Session, actor: Actor, action: Action, complaint_id: int) -> Complaint:
    """The seller's own complaint, still counting; another seller's is "not found"."""
    complaint = access.load(
        session, actor, action, Complaint, complaint_id, missing=N_("error.not_found.complaint")
    )
    if complaint.status is not ComplaintStatus.FILED:
        raise Conflict(
            N_("error.complaints.complaint_in_status"),
            complaint_id=complaint_id,
            status=complaint.status.value,
        )
    return complaint


def dispute_complaint(
    session: Session, actor: Actor, complaint_id: int, *, reason: DisputeReason, statement: str
) -> Dispute:
    """The seller says the complaint is wrong; one dispute per complaint."""
    complaint = _filed(session, actor, Action.DISPUTE_COMPLAINT, complaint_id)
    statement = statement.strip()
    if not statement:
        raise InvalidInput(N_("error.complaints.statement_explain_why_complaint_wrong"))
    if complaint.disputes:
        raise Conflict(N_("error.complaints.complaint_already_disputed"), complaint_id=complaint_id)
    dispute = Dispute(
        complaint_id=complaint.id,
        seller_id=complaint.seller_id,
        reason=reason,
        statement=statement,
        status=DisputeStatus.PENDING,
        filed_by=actor.label,
        filed_at=utcnow(),
    )
    complaint.disputes.append(dispute)
    session.flush()
    tell_seller(
        session,
        complaint,
        Message(N_("entry.dispute_received"), {"reason": Message(DISPUTE_REASON_NAMES[reason])}),
    )
    session.add(
        access.record(
            actor,
            Action.DISPUTE_COMPLAINT,
            f"complaint:{complaint.id}",
            {"dispute_id": dispute.id, "reason": reason.value},
        )
    )
    return dispute


def add_dispute_file(
    session: Session, actor: Actor, folder: Path, dispute_id: int, *, filename: str, data: bytes
) -> ComplaintFile:
    """Evidence for the seller's own pending dispute (invoices, a letter of authorisation)."""
    dispute = access.load(
        session,
        actor,
        Action.ADD_DISPUTE_FILE,
        Dispute,
        dispute_id,
        missing=N_("error.not_found.dispute"),
    )
    if dispute.status is not DisputeStatus.PENDING:
        raise Conflict(N_("error.complaints.dispute_decided"), dispute_id=dispute_id)
    return attach_file(
        session,
        actor,
        Action.ADD_DISPUTE_FILE,
        dispute.files,
        complaint_id=dispute.complaint_id,
        target=f"dispute:{dispute.id}",
        upload=(folder, filename, data),
    )


def decide_dispute(
    session: Session, actor: Actor, dispute_id: int, *, complaint_valid: bool, reason: str
) -> Dispute:
    """A specialist upholds the complaint or finds it invalid, and both sides are told; an
    invalid one stops counting as if it never had. On a letter of authorisation found good,
    the brand stops flagging and complaining about the seller's listings."""
    dispute = access.load(
        session,
        actor,
        Action.DECIDE_DISPUTE,
        Dispute,
        dispute_id,
        missing=N_("error.not_found.dispute"),
    )
    reason = reason.strip()
    if not reason:
        raise InvalidInput(N_("error.complaints.reason_say_why_both_sides_read"))
    if dispute.status is not DisputeStatus.PENDING:
        raise Conflict(
            N_("error.complaints.dispute_already_in_status"),
            dispute_id=dispute_id,
            status=dispute.status.value,
        )
    complaint = dispute.complaint
    if complaint.status is not ComplaintStatus.FILED:
        raise Conflict(
            N_("error.complaints.complaint_nothing_to_decide"),
            complaint_id=complaint.id,
            status=complaint.status.value,
        )
    dispute.decided_at = utcnow()
    dispute.decided_by = actor.label
    dispute.decision_reason = reason
    authorised = False
    if complaint_valid:
        dispute.status = DisputeStatus.COMPLAINT_UPHELD
        tell_seller(session, complaint, Message(N_("entry.dispute_upheld"), {"reason": reason}))
        tell_owner(session, complaint, OwnerNoticeKind.COMPLAINT_UPHELD, {"reason": reason})
    else:
        dispute.status = DisputeStatus.COMPLAINT_INVALID
        end_complaint(session, complaint, ComplaintStatus.INVALID, reason=reason)
        authorised = dispute.reason is DisputeReason.AUTHORISED
        if authorised and complaint.brand_id not in authorised_brand_ids(
            session, complaint.seller_id
        ):
            session.add(
                BrandAuthorisation(
                    brand_id=complaint.brand_id,
                    seller_id=complaint.seller_id,
                    dispute_id=dispute.id,
                    accepted_by=actor.label,
                    accepted_at=dispute.decided_at,
                )
            )
    session.flush()
    session.add(
        access.record(
            actor,
            Action.DECIDE_DISPUTE,
            f"complaint:{complaint.id}",
            {
                "dispute_id": dispute.id,
                "outcome": dispute.status.value,
                "authorisation_accepted": authorised,
            },
        )
    )
    return dispute


def request_retraction(
    session: Session, actor: Actor, complaint_id: int, *, message: str
) -> RetractionRequest:
    """The seller asks the rights owner to withdraw, and the owner is told; one open request
    at a time."""
    complaint = _filed(session, actor, Action.REQUEST_RETRACTION, complaint_id)
    message = message.strip()
    if not message:
        raise InvalidInput(N_("error.complaints.message_tell_rights_owner_why_retract"))
    if any(r.status is RetractionStatus.PENDING for r in complaint.retraction_requests):
        raise Conflict(
            N_("error.complaints.complaint_already_has_open_retraction_request"),
            complaint_id=complaint_id,
        )
    request = RetractionRequest(
        complaint_id=complaint.id,
        owner_id=complaint.owner_id,
        seller_id=complaint.seller_id,
        message=message,
        status=RetractionStatus.PENDING,
        requested_by=actor.label,
        requested_at=utcnow(),
    )
    complaint.retraction_requests.append(request)
    session.flush()
    tell_seller(session, complaint, Message(N_("entry.retraction_requested")))
    tell_owner(session, complaint, OwnerNoticeKind.RETRACTION_REQUESTED, {"message": message})
    session.add(
        access.record(
            actor,
            Action.REQUEST_RETRACTION,
            f"complaint:{complaint.id}",
            {"retraction_request_id": request.id},
        )
    )
    return request


def answer_retraction_request(
    session: Session, actor: Actor, request_id: int, *, retract: bool, reason: str
) -> RetractionRequest:
    """The rights owner retracts the complaint or declines, with a reason the seller reads;
    another owner's request is "not found"."""
    request = access.load(
        session,
        actor,
        Action.ANSWER_RETRACTION_REQUEST,
        RetractionRequest,
        request_id,
        missing=N_("error.not_found.retraction_request"),
        owned_by="user",
    )
    reason = reason.strip()
    if not reason:
        raise InvalidInput(N_("error.complaints.reason_say_why_seller_read"))
    if request.status is not RetractionStatus.PENDING:
        raise Conflict(
            N_("error.complaints.retraction_request_already_in_status"),
            request_id=request_id,
            status=request.status.value,
        )
    complaint = request.complaint
    if retract:
        end_complaint(session, complaint, ComplaintStatus.RETRACTED, reason=reason)
    else:
        if complaint.status is not ComplaintStatus.FILED:
            raise Conflict(
                N_("error.complaints.complaint_in_status"),
                complaint_id=complaint.id,
                status=complaint.status.value,
            )
        tell_seller(
            session, complaint, Message(N_("entry.retraction_declined"), {"reason": reason})
        )
    request.status = RetractionStatus.RETRACTED if retract else RetractionStatus.DECLINED
    request.answered_at = utcnow()
    request.answered_by = actor.label
    request.answer_reason = reason
    session.add(
        access.record(
            actor,
            Action.ANSWER_RETRACTION_REQUEST,
            f"complaint:{complaint.id}",
            {"retraction_request_id": request.id, "retract": retract, "reason": reason},
        )
    )
    return request


def list_disputes(
    session: Session, actor: Actor, *, status: DisputeStatus | None = None
) -> list[Dispute]:
    """A seller's own disputes, a rights owner's about its complaints; staff see all,
    oldest first (the queue)."""
    scope = access.authorize(actor, Action.LIST_DISPUTES)
    query = select(Dispute).join(Complaint, Complaint.id == Dispute.complaint_id)
    if scope is Scope.OWN:
        query = query.where(
            Dispute.seller_id == actor.seller_id
            if actor.seller_id is not None
            else Complaint.owner_id == actor.user_id
        )
    if status is not None:
        query = query.where(Dispute.status == status)
    return list(session.scalars(query.order_by(Dispute.filed_at, Dispute.id)))


def list_retraction_requests(
    session: Session, actor: Actor, *, status: RetractionStatus | None = None
) -> list[RetractionRequest]:
    """The requests a seller made or a rights owner received; staff see all."""
    scope = access.authorize(actor, Action.LIST_RETRACTION_REQUESTS)
    query = select(RetractionRequest)
    if scope is Scope.OWN:
        query = query.where(
            RetractionRequest.seller_id == actor.seller_id
            if actor.seller_id is not None
            else RetractionRequest.owner_id == actor.user_id
        )
    if status is not None:
        query = query.where(RetractionRequest.status == status)
    return list(
        session.scalars(query.order_by(RetractionRequest.requested_at, RetractionRequest.id))
    )


def complaint_of_case(session: Session, actor: Actor, case_id: int) -> Complaint | None:
    """The complaint a case was opened for, if any, for whoever may read its disputes."""
    scope = access.authorize(actor, Action.LIST_DISPUTES)
    complaint = session.scalars(select(Complaint).where(Complaint.case_id == case_id)).first()
    if complaint is None or scope is Scope.ANY:
        return complaint
    own = (
        complaint.seller_id == actor.seller_id
        if actor.seller_id is not None
        else complaint.owner_id == actor.user_id
    )
    return complaint if own else None
