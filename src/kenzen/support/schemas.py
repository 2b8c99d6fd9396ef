"""Request and response bodies of the callback line."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from kenzen.ids import RowId
from kenzen.support.models import CallbackStatus, CallOutcome
from kenzen.support.service import CallbackView

_STRICT = ConfigDict(extra="forbid")


class RequestCallback(BaseModel):
    model_config = _STRICT

    phone: str = Field(min_length=3, max_length=40)
    preferred_time: datetime
    case_id: RowId | None = None
    replaces: int | None = Field(default=None, ge=1, description="A booking to move")


class CompleteCallback(BaseModel):
    model_config = _STRICT

    outcome: CallOutcome
    notes: str = Field(default="", max_length=10_000)


class CallbackOut(BaseModel):
    id: int
    seller_id: str
    case_id: int
    phone: str
    status: CallbackStatus
    slot_start: datetime
    """In the marketplace's time zone (the seller's)."""
    offered: bool
    claimed_by: str | None
    outcome: CallOutcome | None
    notes: str | None
    """Present for Account Health Support only."""

    @classmethod
    def of(cls, view: CallbackView) -> CallbackOut:
        callback = view.callback
        return cls(
            id=callback.id,
            seller_id=callback.seller_id,
            case_id=callback.case_id,
            phone=callback.phone,
            status=callback.status,
            slot_start=view.local_start,
            offered=view.offered,
            claimed_by=callback.claimed_by,
            outcome=callback.outcome,
            notes=view.notes,
        )
