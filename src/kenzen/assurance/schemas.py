"""Response bodies of Account Health Assurance."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from kenzen.assurance.hold import HoldState
from kenzen.assurance.service import AssuranceStatus, HoldStatus
from kenzen.policy.assurance import Eligibility
from kenzen.support.models import Callback, CallbackStatus, CallOutcome


class EligibilityOut(BaseModel):
    as_of: date
    """The last day of the window (the latest finished day whose rating is stored)."""
    window_from: date
    window_days: int
    min_rating: int
    days_at_or_above: int
    """"143 of 180 days at 250 or more"."""
    days_below: int
    days_without_rating: int
    max_days_below: int
    days_needed: int
    has_emergency_phone: bool
    eligible: bool

    @classmethod
    def of(cls, e: Eligibility) -> EligibilityOut:
        return cls(
            as_of=e.as_of,
            window_from=e.window_from,
            window_days=e.window_days,
            min_rating=e.min_rating,
            days_at_or_above=e.days_at_or_above,
            days_below=e.days_below,
            days_without_rating=e.days_without_rating,
            max_days_below=e.max_days_below,
            days_needed=e.days_needed,
            has_emergency_phone=e.has_emergency_phone,
            eligible=e.eligible,
        )


class HoldCallOut(BaseModel):
    """One of AHS's calls on the held case (the notes stay with the callback, AHS only)."""

    callback_id: int
    slot_start: datetime
    priority: bool
    status: CallbackStatus
    outcome: CallOutcome | None
    completed_at: datetime | None

    @classmethod
    def of(cls, call: Callback) -> HoldCallOut:
        return cls(
            callback_id=call.id,
            slot_start=call.slot_start,
            priority=call.priority,
            status=call.status,
            outcome=call.outcome,
            completed_at=call.completed_at,
        )


class HoldOut(BaseModel):
    """A protected seller's deactivation on hold: the time to work with us and AHS's calls."""

    proposal_id: int
    case_id: int
    opened_at: datetime
    state: HoldState | Literal["BYPASSED"]
    bypassed_by: list[str]
    """The bypass categories the proposal rests on (then it is not held)."""
    respond_by: datetime | None
    """The end of the seller's time to work with us (later if AHS reached it late)."""
    open_days: list[date]
    """AHS's open days of the window (the marketplace's dates)."""
    days_without_attempt: list[date]
    confirmable: bool
    calls: list[HoldCallOut]

    @classmethod
    def of(cls, status: HoldStatus) -> HoldOut:
        hold, view = status.hold, status.view
        return cls(
            proposal_id=hold.proposal_id,
            case_id=hold.case_id,
            opened_at=hold.opened_at,
            state=view.state if view else "BYPASSED",
            bypassed_by=hold.bypassed_by,
            respond_by=view.respond_by if view else None,
            open_days=list(view.open_days) if view else [],
            days_without_attempt=list(view.days_without_attempt) if view else [],
            confirmable=status.confirmable,
            calls=[HoldCallOut.of(c) for c in status.calls],
        )


class AssuranceStatusOut(BaseModel):
    seller_id: str
    protected: bool
    eligibility: EligibilityOut | None
    """None until the first day's ratings are stored."""
    holds: list[HoldOut]
    """Holds on the seller's deactivations still pending, newest first."""

    @classmethod
    def of(cls, status: AssuranceStatus) -> AssuranceStatusOut:
        return cls(
            seller_id=status.seller_id,
            protected=status.protected,
            eligibility=EligibilityOut.of(status.eligibility) if status.eligibility else None,
            holds=[HoldOut.of(h) for h in status.holds],
        )
