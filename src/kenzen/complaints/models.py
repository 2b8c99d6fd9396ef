"""Rights owners' brands and protected terms, and the IP complaints they file."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kenzen.db import Base, UTCDateTime, str_enum, utcnow
from kenzen.i18n import N_, labels
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


class ComplaintKind(enum.StrEnum):
    TRADEMARK = "trademark"
    COPYRIGHT = "copyright"
    PATENT = "patent"
    COUNTERFEIT = "counterfeit"
    COUNTERFEIT_TEST_BUY = "counterfeit_test_buy"


#: How sellers and rights owners read each kind (message ids).
KIND_NAMES = labels(
    ComplaintKind,
    {
        ComplaintKind.TRADEMARK: N_("complaint.trademark"),
        ComplaintKind.COPYRIGHT: N_("complaint.copyright"),
        ComplaintKind.PATENT: N_("complaint.patent"),
        ComplaintKind.COUNTERFEIT: N_("complaint.counterfeit"),
        ComplaintKind.COUNTERFEIT_TEST_BUY: N_("complaint.counterfeit_test_buy"),
    },
)


class ComplaintStatus(enum.StrEnum):
    FILED = "FILED"
    RETRACTED = "RETRACTED"


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
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retraction_reason: Mapped[str | None] = mapped_column(Text)
    violation_id: Mapped[int | None] = mapped_column(ForeignKey("violations.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))

    brand: Mapped[Brand] = relationship()
    listings: Mapped[list[ComplaintListing]] = relationship(order_by="ComplaintListing.id")


class ComplaintListing(Base):
    __tablename__ = "complaint_listings"
    __table_args__ = (UniqueConstraint("complaint_id", "listing_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)

    listing: Mapped[Listing] = relationship()
