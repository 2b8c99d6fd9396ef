"""Use cases of rights owners: register brands and terms, file and retract IP complaints.

A complaint becomes a violation of the seller and a case with a seller-visible notice
listing the affected listings, in the same transaction; the policy decides whether the
listings are suppressed. A rights owner sees only its own brands and complaints.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen import evidence as evidence_files
from kenzen.access import Action, Actor, Scope, Visibility
from kenzen.cases import service as cases
from kenzen.cases.models import OPEN_STATUSES, Case, CaseKind, CaseStatus, EntryKind
from kenzen.complaints import reputation
from kenzen.complaints.brand_check import authorised_brand_ids, record_brand_mentions
from kenzen.complaints.catalogue import ListingRef, resolve_listings
from kenzen.complaints.models import (
    EVIDENCE_FIELDS,
    KIND_NAMES,
    Brand,
    Complaint,
    ComplaintFile,
    ComplaintKind,
    ComplaintListing,
    ComplaintStatus,
    ProtectedTerm,
    RetractionStatus,
    evidence_fields,
)
from kenzen.complaints.owner_notices import OwnerNoticeKind, tell_owner
from kenzen.db import utcnow
from kenzen.errors import Conflict, InvalidInput
from kenzen.i18n import N_, Message
from kenzen.policy import violations
from kenzen.policy.document import Policy
from kenzen.policy.models import Violation, ViolationStatus
from kenzen.sellers import marks
from kenzen.sellers.models import Seller
from kenzen.text import check_name

IP_CATEGORY = "receivedIntellectualPropertyComplaints"
MAX_TERMS = 200
MAX_FILES = 20
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def register_brand(
    session: Session,
    actor: Actor,
    *,
    name: str,
    registration_number: str,
    country: str,
    terms: Sequence[str] = (),
) -> Brand:
    """Register a brand; its name and the given terms are screened in listings from now on,
    and the listings that name them are recorded for its searches."""
    access.authorize(actor, Action.REGISTER_BRAND)
    name = check_name(name, "name").strip()
    if not name:
        raise InvalidInput(N_("error.name_must_not_empty"))
    for term in terms:
        check_name(term, "terms")
    if not registration_number.strip():
        raise InvalidInput(N_("error.complaints.registration_number_must_not_empty"))
    country = country.strip().upper()
    if not _COUNTRY.fullmatch(country):
        raise InvalidInput(N_("error.complaints.country_not_iso_3166_alpha_2"), country=country)
    cleaned = list(dict.fromkeys(t.strip() for t in (name, *terms) if t.strip()))
    if len(cleaned) > MAX_TERMS:
        raise InvalidInput(N_("error.complaints.too_many_terms"), max_terms=MAX_TERMS)
    if session.scalar(select(Brand.id).where(Brand.name == name, Brand.country == country)):
        raise Conflict(N_("error.complaints.brand_already_registered"), name=name, country=country)
    if actor.user_id is None:
        raise InvalidInput(N_("error.complaints.brand_belongs_rights_owner_user_account"))
    brand = Brand(
        owner_id=actor.user_id,
        name=name,
        registration_number=registration_number.strip(),
        country=country,
    )
    brand.terms = [ProtectedTerm(term=term) for term in cleaned]
    session.add(brand)
    session.flush()
    record_brand_mentions(session, brand)
    session.add(
        access.record(actor, Action.REGISTER_BRAND, f"brand:{brand.id}", {"terms": cleaned})
    )
    return brand


def list_brands(session: Session, actor: Actor) -> list[Brand]:
    scope = access.authorize(actor, Action.LIST_BRANDS)
    query = select(Brand).order_by(Brand.id)
    if scope is Scope.OWN:
        query = query.where(Brand.owner_id == actor.user_id)
    return list(session.scalars(query))


def file_complaint(
    session: Session,
    actor: Actor,
    policy: Policy,
    *,
    brand_id: int,
    kind: ComplaintKind,
    listings: Sequence[ListingRef],
    evidence: str,
    registration_number: str | None = None,
    work: str | None = None,
    test_buy_order_id: str | None = None,
) -> Complaint:
    """File against listings named by their public id; all must be one seller's. Each kind
    needs its own evidence (:data:`~kenzen.complaints.models.REQUIRED_FIELD`)."""
    brand = access.load(
        session,
        actor,
        Action.FILE_COMPLAINT,
        Brand,
        brand_id,
        missing=N_("error.not_found.brand"),
        owned_by="user",
    )
    evidence = evidence.strip()
    if not evidence:
        raise InvalidInput(N_("error.complaints.evidence_describe_infringement_attach_proof"))
    fields = evidence_fields(
        kind,
        {
            "registration_number": registration_number,
            "work": work,
            "test_buy_order_id": test_buy_order_id,
        },
    )
    named = resolve_listings(session, listings)
    sellers = {listing.seller_id for listing in named}
    if len(sellers) != 1:
        raise InvalidInput(N_("error.complaints.listings_complaint_concerns_listings_seller"))
    seller = session.get(Seller, sellers.pop())
    assert seller is not None
    if brand.id in authorised_brand_ids(session, seller.id):
        raise Conflict(
            N_("error.complaints.seller_holds_accepted_letter_authorisation"),
            seller_id=seller.id,
            brand=brand.name,
        )
    now = utcnow()
    complaint = Complaint(
        owner_id=brand.owner_id,
        brand_id=brand.id,
        seller_id=seller.id,
        kind=kind,
        evidence=evidence,
        registration_number=fields["registration_number"],
        work=fields["work"],
        test_buy_order_id=fields["test_buy_order_id"],
        filed_at=now,
    )
    complaint.listings = [ComplaintListing(listing_id=listing.id) for listing in named]
    session.add(complaint)
    standing = reputation.figures(session, policy, brand.owner_id, now)
    if standing.held:
        complaint.status = ComplaintStatus.HELD
    session.flush()
    detail: dict[str, object] = {"complaint_id": complaint.id, "held": standing.held}
    if standing.held:
        tell_owner(
            session,
            complaint,
            OwnerNoticeKind.COMPLAINT_HELD,
            {"invalid": standing.found_invalid, "days": standing.window_days},
        )
    else:
        detail |= _count(session, policy, complaint, now)
    session.add(access.record(actor, Action.FILE_COMPLAINT, f"seller:{seller.id}", detail))
    return complaint


def _count(
    session: Session, policy: Policy, complaint: Complaint, now: datetime
) -> dict[str, object]:
    """The complaint starts counting: a case the seller reads, a violation (which may hold
    the listings); return what was made, for the audit entry."""
    seller = session.get_one(Seller, complaint.seller_id)
    brand = complaint.brand
    named = [link.listing for link in complaint.listings]
    names = ", ".join(f"{listing.listing_id} ({listing.sku})" for listing in named)
    case = cases.open_case(
        session,
        seller_id=seller.id,
        kind=CaseKind.IP_COMPLAINT,
        title=Message(N_("case.ip_complaint.title"), {"brand": brand.name}),
        topic=f"complaint:{complaint.id}",
    )
    received = Message(
        N_("entry.ip_complaint"),
        {
            "kind": Message(KIND_NAMES[complaint.kind]),
            "brand": brand.name,
            "registration": brand.registration_number,
            "country": brand.country,
            "listings": names,
        },
    )
    cases.append_entry(
        session,
        case,
        access.SYSTEM,
        visibility=Visibility.SELLER,
        kind=EntryKind.COMPLAINT,
        message=received,
    )
    violation = violations.record_violation(
        session,
        policy,
        seller_id=seller.id,
        category=IP_CATEGORY,
        source=f"complaint:{complaint.id}",
        occurred_at=now,
        listings=named,
        evidence={
            "complaint_id": complaint.id,
            "kind": complaint.kind.value,
            "brand": brand.name,
            "registration_number": brand.registration_number,
            "country": brand.country,
            "evidence": complaint.evidence,
            **{
                name: getattr(complaint, name)
                for name in EVIDENCE_FIELDS
                if getattr(complaint, name) is not None
            },
        },
        case_id=case.id,
    )
    complaint.violation_id = violation.id
    complaint.case_id = case.id
    if policy.violations[IP_CATEGORY].suppresses_listing:
        cases.append_entry(
            session,
            case,
            access.SYSTEM,
            visibility=Visibility.SELLER,
            kind=EntryKind.RESTRICTION,
            message=Message(N_("entry.listings_suppressed"), {"listings": names}),
        )
    return {"violation_id": violation.id, "case_id": case.id}


def add_complaint_file(
    session: Session,
    actor: Actor,
    folder: Path,
    complaint_id: int,
    *,
    filename: str,
    data: bytes,
) -> ComplaintFile:
    """Evidence for the rights owner's own complaint, checked and kept as for appeals."""
    complaint = access.load(
        session,
        actor,
        Action.ADD_COMPLAINT_FILE,
        Complaint,
        complaint_id,
        missing=N_("error.not_found.complaint"),
        owned_by="user",
    )
    if complaint.status is not ComplaintStatus.FILED:
        raise Conflict(
            N_("error.complaints.complaint_files_closed"),
            complaint_id=complaint_id,
            status=complaint.status.value,
        )
    return attach_file(
        session,
        actor,
        Action.ADD_COMPLAINT_FILE,
        complaint.files,
        complaint_id=complaint.id,
        target=f"complaint:{complaint.id}",
        upload=(folder, filename, data),
    )


#: One file too many, by what holds the files (the ``target``'s kind).
TOO_MANY_FILES = {
    "complaint": N_("error.complaints.complaint_files_full"),
    "dispute": N_("error.complaints.dispute_files_full"),
}


def attach_file(
    session: Session,
    actor: Actor,
    action: Action,
    files: list[ComplaintFile],
    *,
    complaint_id: int,
    target: str,
    upload: tuple[Path, str, bytes],
) -> ComplaintFile:
    """Store one checked evidence file into ``files`` (a complaint's or a dispute's, at most
    MAX_FILES) and audit it; the caller has loaded and authorised the holder."""
    folder, filename, data = upload
    if len(files) >= MAX_FILES:
        raise InvalidInput(TOO_MANY_FILES[target.partition(":")[0]], max_files=MAX_FILES)
    stored = evidence_files.store(folder, filename, data)
    attached = ComplaintFile(
        complaint_id=complaint_id,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by=actor.label,
    )
    files.append(attached)
    session.flush()
    session.add(
        access.record(actor, action, target, {"file_id": attached.id, "sha256": stored.sha256})
    )
    return attached


def retract_complaint(
    session: Session, actor: Actor, complaint_id: int, *, reason: str
) -> Complaint:
    """Withdraw a complaint: its violation stops counting and suppressed listings return."""
    complaint = access.load(
        session,
        actor,
        Action.RETRACT_COMPLAINT,
        Complaint,
        complaint_id,
        missing=N_("error.not_found.complaint"),
        owned_by="user",
    )
    reason = reason.strip()
    if not reason:
        raise InvalidInput(N_("error.complaints.reason_say_why_complaint_withdrawn"))
    end_complaint(session, complaint, ComplaintStatus.RETRACTED, reason=reason)
    session.add(
        access.record(
            actor,
            Action.RETRACT_COMPLAINT,
            f"seller:{complaint.seller_id}",
            {"complaint_id": complaint.id, "reason": reason},
        )
    )
    return complaint


def tell_seller(session: Session, complaint: Complaint, message: Message) -> Case | None:
    """An entry in the complaint's case (which also queues the seller's notice); the case,
    or None for a complaint that never counted (it has none)."""
    if complaint.case_id is None:
        return None
    case = cases.get_case(session, access.SYSTEM, complaint.case_id).case
    cases.append_entry(
        session,
        case,
        access.SYSTEM,
        visibility=Visibility.SELLER,
        kind=EntryKind.COMPLAINT,
        message=message,
    )
    return case


#: What the seller reads when a complaint ends each way (message ids), and what its owner is told.
_ENDED = {
    ComplaintStatus.RETRACTED: N_("entry.complaint_retracted"),
    ComplaintStatus.INVALID: N_("entry.complaint_invalid"),
}
_OWNER_TOLD = {
    ComplaintStatus.RETRACTED: OwnerNoticeKind.COMPLAINT_RETRACTED,
    ComplaintStatus.INVALID: OwnerNoticeKind.COMPLAINT_INVALID,
}


def end_complaint(
    session: Session, complaint: Complaint, status: ComplaintStatus, *, reason: str
) -> None:
    """The complaint stops counting, inside the caller's authorised use case: retracted,
    its violation is resolved; found invalid, it is dismissed (it never counted). Either
    way its listings come back, a retraction request still open is answered, the seller
    reads it in the case, the case is resolved and the seller is marked for evaluation."""
    if complaint.status is not ComplaintStatus.FILED:
        raise Conflict(
            N_("error.complaints.complaint_already_in_status"),
            complaint_id=complaint.id,
            status=complaint.status.value,
        )
    now = utcnow()
    complaint.status = status
    if status is ComplaintStatus.INVALID:
        complaint.found_invalid_at = now
    if status is ComplaintStatus.RETRACTED:
        complaint.retracted_at = now
        complaint.retraction_reason = reason
    for request in complaint.retraction_requests:
        if request.status is RetractionStatus.PENDING and status is ComplaintStatus.RETRACTED:
            request.status = RetractionStatus.RETRACTED
            request.answered_at = now
            request.answered_by = "system"
            request.answer_reason = reason
    if complaint.violation_id is not None:
        violation = session.get(Violation, complaint.violation_id)
        assert violation is not None
        if violation.status is ViolationStatus.ACTIVE:
            if status is ComplaintStatus.INVALID:
                violations.dismiss_violation(session, violation, reason="complaint invalid")
            else:
                violations.resolve_violation(session, violation, reason="complaint retracted")
    seller = session.get(Seller, complaint.seller_id)
    assert seller is not None
    case = tell_seller(session, complaint, Message(_ENDED[status], {"reason": reason}))
    if case is not None and case.status in OPEN_STATUSES:
        cases.set_case_status(session, case, CaseStatus.RESOLVED)
    marks.mark_for_evaluation(session, [seller.id], reason=f"complaint {status.value}")
    tell_owner(session, complaint, _OWNER_TOLD[status], {"reason": reason})


def decide_held_complaint(
    session: Session, actor: Actor, policy: Policy, complaint_id: int, *, count: bool, reason: str
) -> Complaint:
    """A specialist lets a held complaint count from now, or finds it invalid (it never
    counts, and weighs on its owner's reputation); the owner is told either way."""
    complaint = access.load(
        session,
        actor,
        Action.DECIDE_HELD_COMPLAINT,
        Complaint,
        complaint_id,
        missing=N_("error.not_found.complaint"),
    )
    reason = reason.strip()
    if not reason:
        raise InvalidInput(N_("error.complaints.reason_say_why_record"))
    if complaint.status is not ComplaintStatus.HELD:
        raise Conflict(
            N_("error.complaints.complaint_not_held"),
            complaint_id=complaint_id,
            status=complaint.status.value,
        )
    detail: dict[str, object] = {"complaint_id": complaint.id, "count": count, "reason": reason}
    if count:
        complaint.status = ComplaintStatus.FILED
        detail |= _count(session, policy, complaint, utcnow())
        tell_owner(session, complaint, OwnerNoticeKind.HELD_COMPLAINT_COUNTS, {"reason": reason})
    else:
        complaint.status = ComplaintStatus.INVALID
        complaint.found_invalid_at = utcnow()
        tell_owner(session, complaint, OwnerNoticeKind.COMPLAINT_INVALID, {"reason": reason})
    session.add(
        access.record(actor, Action.DECIDE_HELD_COMPLAINT, f"seller:{complaint.seller_id}", detail)
    )
    return complaint


def list_complaints(
    session: Session,
    actor: Actor,
    *,
    seller_id: str | None = None,
    status: ComplaintStatus | None = None,
) -> list[Complaint]:
    scope = access.authorize(actor, Action.LIST_COMPLAINTS)
    query = select(Complaint).order_by(Complaint.id.desc())
    if scope is Scope.OWN:
        query = query.where(Complaint.owner_id == actor.user_id)
    if seller_id is not None:
        query = query.where(Complaint.seller_id == seller_id)
    if status is not None:
        query = query.where(Complaint.status == status)
    return list(session.scalars(query))
