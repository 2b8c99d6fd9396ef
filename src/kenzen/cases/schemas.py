"""Request and response bodies of the cases API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from kenzen.access import Visibility
from kenzen.cases.models import Case, CaseEntry, CaseKind, CaseStatus, EntryKind
from kenzen.cases.service import MAX_NOTE_LENGTH, CaseDetail


class DecisionDue(BaseModel):
    """When the decision a case or an item waits for is due (policy ``[deadlines]``)."""

    decision: str = Field(examples=["appeal_decision"])
    due_at: datetime
    """In the seller's marketplace time zone."""
    time_zone: str = Field(examples=["Asia/Tokyo"])
    overdue: bool
    held: bool = False
    """Deciding is refused for now (Account Health Assurance holds the deactivation): the
    due time follows the hold, and the item is not overdue while it lasts."""


class CaseSummary(BaseModel):
    id: int
    seller_id: str
    kind: CaseKind
    status: CaseStatus
    title: str
    """In the reader's language."""
    deadline: datetime | None
    opened_at: datetime
    updated_at: datetime
    decision_due: DecisionDue | None = None

    @classmethod
    def of(cls, case: Case, language: str) -> CaseSummary:
        return cls(
            id=case.id,
            seller_id=case.seller_id,
            kind=case.kind,
            status=case.status,
            title=case.title_in(language),
            deadline=case.deadline,
            opened_at=case.opened_at,
            updated_at=case.updated_at,
        )


class CaseEntryOut(BaseModel):
    id: int
    at: datetime
    author: str
    author_role: str
    visibility: Visibility
    kind: EntryKind
    text: str
    """What Kenzen said, in the reader's language; a person's note as they wrote it."""
    message_id: str | None
    """The message the text was made from (``None`` for a note or an older, literal entry)."""

    @classmethod
    def of(cls, entry: CaseEntry, language: str) -> CaseEntryOut:
        return cls(
            id=entry.id,
            at=entry.at,
            author=entry.author,
            author_role=entry.author_role,
            visibility=entry.visibility,
            kind=entry.kind,
            text=entry.text_in(language),
            message_id=entry.message.id if entry.message else None,
        )


class CaseOut(CaseSummary):
    entries: list[CaseEntryOut]

    @classmethod
    def of_detail(cls, detail: CaseDetail, language: str) -> CaseOut:
        summary = CaseSummary.of(detail.case, language)
        entries = [CaseEntryOut.of(e, language) for e in detail.entries]
        return cls(**summary.model_dump(), entries=entries)


class AddCaseNote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_NOTE_LENGTH)
    visibility: Visibility
