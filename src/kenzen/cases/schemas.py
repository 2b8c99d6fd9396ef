"""Request and response bodies of the cases API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from kenzen.access import Visibility
from kenzen.cases.models import CaseKind, CaseStatus, EntryKind
from kenzen.cases.service import MAX_NOTE_LENGTH, CaseDetail


class DecisionDue(BaseModel):
    """When the decision a case or an item waits for is due (policy ``[deadlines]``)."""

    decision: str = Field(examples=["appeal_decision"])
    due_at: datetime
    """In the seller's marketplace time zone."""
    time_zone: str = Field(examples=["Asia/Tokyo"])
    overdue: bool


class CaseSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    seller_id: str
    kind: CaseKind
    status: CaseStatus
    title: str
    deadline: datetime | None
    opened_at: datetime
    updated_at: datetime
    decision_due: DecisionDue | None = None


class CaseEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    author: str
    author_role: str
    visibility: Visibility
    kind: EntryKind
    text: str


class CaseOut(CaseSummary):
    entries: list[CaseEntryOut]

    @classmethod
    def of(cls, detail: CaseDetail) -> CaseOut:
        summary = CaseSummary.model_validate(detail.case)
        entries = [CaseEntryOut.model_validate(e) for e in detail.entries]
        return cls(**summary.model_dump(), entries=entries)


class AddCaseNote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_NOTE_LENGTH)
    visibility: Visibility
