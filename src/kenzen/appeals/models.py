"""Appeals (one per case), every submitted version of the plan, decisions and attachments."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kenzen.appeals.written import PlanSource
from kenzen.db import Base, UTCDateTime, str_enum, utcnow


class AppealStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    UNDER_REVIEW = "UNDER_REVIEW"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    MORE_INFO_REQUESTED = "MORE_INFO_REQUESTED"


PENDING = frozenset({AppealStatus.SUBMITTED, AppealStatus.UNDER_REVIEW})
DECISIONS = frozenset(
    {AppealStatus.ACCEPTED, AppealStatus.REJECTED, AppealStatus.MORE_INFO_REQUESTED}
)


class Appeal(Base):
    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    status: Mapped[AppealStatus] = mapped_column(str_enum(AppealStatus), index=True)
    reviewer: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    versions: Mapped[list[AppealVersion]] = relationship(order_by="AppealVersion.number")
    decisions: Mapped[list[AppealDecision]] = relationship(order_by="AppealDecision.id")
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id")


class AppealVersion(Base):
    """One version of the plan as the seller wrote it, with the checker's findings."""

    __tablename__ = "appeal_versions"
    __table_args__ = (UniqueConstraint("appeal_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The structured view the reader made of the seller's words."""
    text: Mapped[str | None] = mapped_column(Text)
    """The seller's own words, verbatim (None for versions saved before they were kept)."""
    source: Mapped[PlanSource] = mapped_column(
        str_enum(PlanSource, 16), default=PlanSource.STRUCTURED
    )
    filename: Mapped[str | None] = mapped_column(String(200))
    """The uploaded file the text was read from."""
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AppealDecision(Base):
    """An Account Specialist's decision on one version; the seller reads the reasons."""

    __tablename__ = "appeal_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    decision: Mapped[AppealStatus] = mapped_column(str_enum(AppealStatus))
    reasons: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str] = mapped_column(String(320))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttachmentKind(enum.StrEnum):
    INVOICE = "invoice"
    LETTER_OF_AUTHORISATION = "letter_of_authorisation"
    OTHER = "other"


class Attachment(Base):
    """Evidence for an appeal, stored once by content (``sha256``) under KENZEN_HOME."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(str_enum(AttachmentKind, 32))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
