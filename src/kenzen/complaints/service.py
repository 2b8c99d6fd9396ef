"""Use cases of rights owners: register brands and terms, file and retract IP complaints.

A complaint becomes a violation of the seller and a case with a seller-visible notice
listing the affected listings, in the same transaction; the policy decides whether the
listings are suppressed. A rights owner sees only its own brands and complaints.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor, Scope, Visibility
from kenzen.cases import service as cases
from kenzen.cases.models import CaseKind, EntryKind
from kenzen.complaints.catalogue import ListingRef, resolve_listings
from kenzen.complaints.models import (
    KIND_NAMES,
    Brand,
    Complaint,
    ComplaintKind,
    ComplaintListing,
    ComplaintStatus,
    ProtectedTerm,
)
from kenzen.db import utcnow
from kenzen.errors import Conflict, InvalidInput
from kenzen.i18n import N_, Message
from kenzen.policy import violations
from kenzen.policy.document import Policy
from kenzen.policy.models import Violation, ViolationStatus
from kenzen.sellers.models import Seller
from kenzen.text import check_name

IP_CATEGORY = "receivedIntellectualPropertyComplaints"
MAX_TERMS = 200
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
    """Register a brand; its name and the given terms are screened in listings from now on."""
    access.authorize(actor, Action.REGISTER_BRAND)
    name = check_name(name, "name").strip()
    if not name:
        raise InvalidInput("name: must not be empty")
    for term in terms:
        check_name(term, "terms")
    if not registration_number.strip():
        raise InvalidInput("registration_number: must not be empty")
    country = country.strip().upper()
    if not _COUNTRY.fullmatch(country):
        raise InvalidInput(f"country: {country!r} is not an ISO 3166 alpha-2 code")
    cleaned = list(dict.fromkeys(t.strip() for t in (name, *terms) if t.strip()))
    if len(cleaned) > MAX_TERMS:
        raise InvalidInput(f"terms: at most {MAX_TERMS}")
    if session.scalar(select(Brand.id).where(Brand.name == name, Brand.country == country)):
        raise Conflict(f"brand {name} is already registered in {country}")
    if actor.user_id is None:
        raise InvalidInput("a brand belongs to a rights owner's user account")
    brand = Brand(
        owner_id=actor.user_id,
        name=name,
        registration_number=registration_number.strip(),
        country=country,
    )
    brand.terms = [ProtectedTerm(term=term) for term in cleaned]
    session.add(brand)
    session.flush()
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
) -> Complaint:
    """File against listings named by their public id; all must be one seller's."""
    brand = access.load(
        session, actor, Action.FILE_COMPLAINT, Brand, brand_id, noun="brand", owned_by="user"
    )
    evidence = evidence.strip()
    if not evidence:
        raise InvalidInput("evidence: describe the infringement and attach proof")
    named = resolve_listings(session, listings)
    sellers = {listing.seller_id for listing in named}
    if len(sellers) != 1:
        raise InvalidInput("listings: one complaint concerns the listings of one seller")
    seller = session.get(Seller, sellers.pop())
    assert seller is not None
    now = utcnow()
    complaint = Complaint(
        owner_id=brand.owner_id,
        brand_id=brand.id,
        seller_id=seller.id,
        kind=kind,
        evidence=evidence,
        filed_at=now,
    )
    complaint.listings = [ComplaintListing(listing_id=listing.id) for listing in named]
    session.add(complaint)
    session.flush()
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
            "kind": Message(KIND_NAMES[kind]),
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
            "kind": kind.value,
            "brand": brand.name,
            "registration_number": brand.registration_number,
            "country": brand.country,
            "evidence": evidence,
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
    session.add(
        access.record(
            actor,
            Action.FILE_COMPLAINT,
            f"seller:{seller.id}",
            {"complaint_id": complaint.id, "violation_id": violation.id, "case_id": case.id},
        )
    )
    return complaint


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
        noun="complaint",
        owned_by="user",
    )
    if complaint.status is ComplaintStatus.RETRACTED:
        raise Conflict(f"complaint {complaint_id} is already retracted")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason: say why the complaint is withdrawn")
    now = utcnow()
    complaint.status = ComplaintStatus.RETRACTED
    complaint.retracted_at = now
    complaint.retraction_reason = reason
    if complaint.violation_id is not None:
        violation = session.get(Violation, complaint.violation_id)
        assert violation is not None
        if violation.status is ViolationStatus.ACTIVE:
            violations.resolve_violation(session, violation, reason="complaint retracted")
    if complaint.case_id is not None:
        case = cases.get_case(session, access.SYSTEM, complaint.case_id).case
        cases.append_entry(
            session,
            case,
            access.SYSTEM,
            visibility=Visibility.SELLER,
            kind=EntryKind.COMPLAINT,
            message=Message(N_("entry.complaint_retracted")),
        )
    session.add(
        access.record(
            actor,
            Action.RETRACT_COMPLAINT,
            f"seller:{complaint.seller_id}",
            {"complaint_id": complaint.id, "reason": reason},
        )
    )
    return complaint


def list_complaints(
    session: Session, actor: Actor, *, seller_id: str | None = None
) -> list[Complaint]:
    scope = access.authorize(actor, Action.LIST_COMPLAINTS)
    query = select(Complaint).order_by(Complaint.id.desc())
    if scope is Scope.OWN:
        query = query.where(Complaint.owner_id == actor.user_id)
    if seller_id is not None:
        query = query.where(Complaint.seller_id == seller_id)
    return list(session.scalars(query))
