"""A case groups everything about one matter of one seller; its entries form the timeline.

Titles and entries Kenzen writes are stored as a message id with values (``i18n.Message``)
and put into words in the reader's language when read; notes people type, and text stored
before messages were (migration 0009), are literal text shown as written.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kenzen.access import Visibility
from kenzen.db import Base, StoredMessage, UTCDateTime, str_enum, utcnow
from kenzen.i18n import Message, in_words


class CaseKind(enum.StrEnum):
    ACCOUNT_STATUS = "account_status"
    PERFORMANCE = "performance"
    POLICY_VIOLATION = "policy_violation"
    IP_COMPLAINT = "ip_complaint"
    GENERAL = "general"


class CaseStatus(enum.StrEnum):
    OPEN = "OPEN"
    AWAITING_SELLER = "AWAITING_SELLER"
    UNDER_REVIEW = "UNDER_REVIEW"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


OPEN_STATUSES = frozenset({CaseStatus.OPEN, CaseStatus.AWAITING_SELLER, CaseStatus.UNDER_REVIEW})


class EntryKind(enum.StrEnum):
    NOTE = "note"
    ACCOUNT_STATUS = "account_status"
    WARNING = "warning"
    COMPLAINT = "complaint"
    VIOLATION = "violation"
    RESTRICTION = "restriction"


OPTIONAL_NOTICE_KINDS = frozenset({EntryKind.NOTE.value})
"""Entry kinds whose notice a seller may mute. Every other seller-visible entry — warnings,
restrictions, status changes, complaints, and what appeals and support add — is mandatory."""


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("(title IS NULL) <> (title_message IS NULL)", name="ck_cases_one_title"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    kind: Mapped[CaseKind] = mapped_column(str_enum(CaseKind))
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus), default=CaseStatus.OPEN)
    title: Mapped[str | None] = mapped_column(String(300))
    """A literal title (cases opened before titles were messages)."""
    title_message: Mapped[Message | None] = mapped_column(StoredMessage(none_as_null=True))
    topic: Mapped[str | None] = mapped_column(String(200), index=True)
    """The policy rule or complaint a case is about, so enforcement finds it again."""
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entries: Mapped[list[CaseEntry]] = relationship(back_populates="case", order_by="CaseEntry.id")

    def title_in(self, language: str) -> str:
        return in_words(self.title_message, self.title, language)


class CaseEntry(Base):
    __tablename__ = "case_entries"
    __table_args__ = (
        CheckConstraint("(text IS NULL) <> (message IS NULL)", name="ck_case_entries_one_text"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author: Mapped[str] = mapped_column(String(320))
    author_role: Mapped[str] = mapped_column(String(32))
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility))
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind))
    text: Mapped[str | None] = mapped_column(Text)
    """Literal text: a note as its author typed it, or an entry stored before messages."""
    message: Mapped[Message | None] = mapped_column(StoredMessage(none_as_null=True))
    """What Kenzen said, rendered in each reader's language."""

    case: Mapped[Case] = relationship(back_populates="entries")

    def text_in(self, language: str) -> str:
        return in_words(self.message, self.text, language)


class CaseRead(Base):
    """When a user last opened a case: later entries they may read are unread."""

    __tablename__ = "case_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
