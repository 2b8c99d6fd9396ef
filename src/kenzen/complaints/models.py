"""Rights owners' brands and protected terms, and the IP complaints they file."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kenzen.db import Base, UTCDateTime, str_enum, utcnow
from kenzen.errors import InvalidInput
from kenzen.i18n import N_, labels
from kenzen.identity.models import User
from kenzen.sellers.models import Listing


class Brand(Base):
    __tablename__ = "brands"
    __table_args__ = (UniqueConstraint("name", "country"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    registration_number: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    terms: Mapped[list[ProtectedTerm]] = relationship(
        back_populates="brand", order_by="ProtectedTerm.id"
    )


class ProtectedTerm(Base):
    """A word that names the brand in listings (the brand name itself is always one)."""

    __tablename__ = "protected_terms"
    __table_args__ = (UniqueConstraint("brand_id", "term"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    term: Mapped[str] = mapped_column(String(200))

    brand: Mapped[Brand] = relationship(back_populates="terms")


class ListingMention(Base):
    """A listing that names one of the brand's registered terms in its title, brand or
    description (folded as screening folds text). Kept when listings are stored and when a
    brand is registered, so that a rights owner's search by brand reads its results, not
    the catalogue."""

    __tablename__ = "listing_mentions"

    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), primary_key=True, index=True)


class ComplaintKind(enum.StrEnum):
    TRADEMARK = "trademark"
    DESIGN = "design"
    COPYRIGHT = "copyright"
    PATENT = "patent"
    COUNTERFEIT = "counterfeit"
    COUNTERFEIT_TEST_BUY = "counterfeit_test_buy"


#: How sellers and rights owners read each kind (message ids).
KIND_NAMES = labels(
    ComplaintKind,
    {
        ComplaintKind.TRADEMARK: N_("complaint.trademark"),
        ComplaintKind.DESIGN: N_("complaint.design"),
        ComplaintKind.COPYRIGHT: N_("complaint.copyright"),
        ComplaintKind.PATENT: N_("complaint.patent"),
        ComplaintKind.COUNTERFEIT: N_("complaint.counterfeit"),
        ComplaintKind.COUNTERFEIT_TEST_BUY: N_("complaint.counterfeit_test_buy"),
    },
)

#: The evidence field each kind cannot be filed without (besides the claim text); a
#: trademark's registration is its brand's, and a plain counterfeit claim needs no more.
REQUIRED_FIELD: dict[ComplaintKind, str] = {
    ComplaintKind.DESIGN: "registration_number",
    ComplaintKind.PATENT: "registration_number",
    ComplaintKind.COPYRIGHT: "work",
    ComplaintKind.COUNTERFEIT_TEST_BUY: "test_buy_order_id",
}
EVIDENCE_FIELDS = ("registration_number", "work", "test_buy_order_id")


def evidence_fields(kind: ComplaintKind, given: Mapping[str, str | None]) -> dict[str, str | None]:
    """The kind's evidence field, trimmed and present; any other one is refused, so a
    complaint never carries evidence nobody will read."""
    cleaned = {name: (given.get(name) or "").strip() or None for name in EVIDENCE_FIELDS}
    required = REQUIRED_FIELD.get(kind)
    if required is not None and cleaned[required] is None:
        raise InvalidInput(
            N_("error.complaints.required_complaint"), required=required, kind=kind.value
        )
    for name, value in cleaned.items():
        if value is not None and name != required:
            raise InvalidInput(
                N_("error.complaints.not_part_complaint"), name=name, kind=kind.value
            )
    return cleaned


class ComplaintStatus(enum.StrEnum):
    FILED = "FILED"
    RETRACTED = "RETRACTED"
    INVALID = "INVALID"
    """A specialist found it unfounded (on the seller's dispute, or while it was held): it
    never counted."""
    HELD = "HELD"
    """Filed by a rights owner with too many unfounded notices: it waits for a specialist
    before it counts (EU DSA Art. 23)."""


#: How people read where a complaint stands (message ids).
COMPLAINT_STATUS_NAMES = labels(
    ComplaintStatus,
    {
        ComplaintStatus.FILED: N_("complaint.status.FILED"),
        ComplaintStatus.RETRACTED: N_("complaint.status.RETRACTED"),
        ComplaintStatus.INVALID: N_("complaint.status.INVALID"),
        ComplaintStatus.HELD: N_("complaint.status.HELD"),
    },
)


class Complaint(Base):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    kind: Mapped[ComplaintKind] = mapped_column(str_enum(ComplaintKind))
    status: Mapped[ComplaintStatus] = mapped_column(
        str_enum(ComplaintStatus), default=ComplaintStatus.FILED
    )
    evidence: Mapped[str] = mapped_column(Text)
    """The rights owner's claim, in its words."""
    registration_number: Mapped[str | None] = mapped_column(String(64))
    """The design or patent registration the complaint rests on."""
    work: Mapped[str | None] = mapped_column(Text)
    """For copyright: the protected work, described or at a URL."""
    test_buy_order_id: Mapped[str | None] = mapped_column(String(64))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retraction_reason: Mapped[str | None] = mapped_column(Text)
    found_invalid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    violation_id: Mapped[int | None] = mapped_column(ForeignKey("violations.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))

    brand: Mapped[Brand] = relationship()
    owner: Mapped[User] = relationship()
    listings: Mapped[list[ComplaintListing]] = relationship(order_by="ComplaintListing.id")
    files: Mapped[list[ComplaintFile]] = relationship(
        primaryjoin="and_(Complaint.id == ComplaintFile.complaint_id, "
        "ComplaintFile.dispute_id.is_(None))",
        order_by="ComplaintFile.id",
    )
    """The rights owner's evidence (a dispute's files are the dispute's)."""
    disputes: Mapped[list[Dispute]] = relationship(
        back_populates="complaint", order_by="Dispute.id"
    )
    retraction_requests: Mapped[list[RetractionRequest]] = relationship(
        back_populates="complaint", order_by="RetractionRequest.id"
    )


class ComplaintListing(Base):
    __tablename__ = "complaint_listings"
    __table_args__ = (UniqueConstraint("complaint_id", "listing_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)

    listing: Mapped[Listing] = relationship()


class ComplaintFile(Base):
    """Evidence attached to a complaint by its owner, or to a dispute by the seller, kept
    once by content like an appeal's."""

    __tablename__ = "complaint_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    dispute_id: Mapped[int | None] = mapped_column(ForeignKey("disputes.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(320))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DisputeReason(enum.StrEnum):
    AUTHENTIC = "authentic_with_invoices"
    AUTHORISED = "licence_or_authorisation"
    NO_INFRINGEMENT = "no_infringement"
    WRONG_LISTING = "wrong_listing"


DISPUTE_REASON_NAMES = labels(
    DisputeReason,
    {
        DisputeReason.AUTHENTIC: N_("dispute.authentic_with_invoices"),
        DisputeReason.AUTHORISED: N_("dispute.licence_or_authorisation"),
        DisputeReason.NO_INFRINGEMENT: N_("dispute.no_infringement"),
        DisputeReason.WRONG_LISTING: N_("dispute.wrong_listing"),
    },
)


class DisputeStatus(enum.StrEnum):
    PENDING = "PENDING"
    COMPLAINT_UPHELD = "COMPLAINT_UPHELD"
    COMPLAINT_INVALID = "COMPLAINT_INVALID"


DISPUTE_STATUS_NAMES = labels(
    DisputeStatus,
    {
        DisputeStatus.PENDING: N_("dispute.status.PENDING"),
        DisputeStatus.COMPLAINT_UPHELD: N_("dispute.status.COMPLAINT_UPHELD"),
        DisputeStatus.COMPLAINT_INVALID: N_("dispute.status.COMPLAINT_INVALID"),
    },
)


class Dispute(Base):
    """A seller's answer that the complaint is wrong; a specialist decides it."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    reason: Mapped[DisputeReason] = mapped_column(str_enum(DisputeReason))
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[DisputeStatus] = mapped_column(
        str_enum(DisputeStatus), default=DisputeStatus.PENDING, index=True
    )
    filed_by: Mapped[str] = mapped_column(String(320))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)

    complaint: Mapped[Complaint] = relationship(back_populates="disputes")
    files: Mapped[list[ComplaintFile]] = relationship(order_by="ComplaintFile.id")


class RetractionStatus(enum.StrEnum):
    PENDING = "PENDING"
    RETRACTED = "RETRACTED"
    DECLINED = "DECLINED"


RETRACTION_STATUS_NAMES = labels(
    RetractionStatus,
    {
        RetractionStatus.PENDING: N_("retraction.status.PENDING"),
        RetractionStatus.RETRACTED: N_("retraction.status.RETRACTED"),
        RetractionStatus.DECLINED: N_("retraction.status.DECLINED"),
    },
)


class RetractionRequest(Base):
    """A seller asks the rights owner to withdraw a complaint; the owner answers."""

    __tablename__ = "retraction_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[RetractionStatus] = mapped_column(
        str_enum(RetractionStatus), default=RetractionStatus.PENDING, index=True
    )
    requested_by: Mapped[str] = mapped_column(String(320))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_by: Mapped[str | None] = mapped_column(String(320))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_reason: Mapped[str | None] = mapped_column(Text)

    complaint: Mapped[Complaint] = relationship(back_populates="retraction_requests")


class BrandAuthorisation(Base):
    """A seller's letter of authorisation for a brand, accepted by a specialist on a
    dispute: while it stands (not revoked), that brand's terms no longer flag the seller's
    listings, and its owner can no longer complain about them. A specialist may revoke it
    (a letter withdrawn or found forged); the row stays, for the record."""

    __tablename__ = "brand_authorisations"
    __table_args__ = (
        Index(
            "uq_brand_authorisations_standing",
            "brand_id",
            "seller_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"))
    accepted_by: Mapped[str] = mapped_column(String(320))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_by: Mapped[str | None] = mapped_column(String(320))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(Text)

    brand: Mapped[Brand] = relationship()
