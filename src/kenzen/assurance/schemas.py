"""Response bodies of Account Health Assurance."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from kenzen.assurance.service import AssuranceStatus
from kenzen.policy.assurance import Eligibility


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


class AssuranceStatusOut(BaseModel):
    seller_id: str
    protected: bool
    eligibility: EligibilityOut | None
    """None until the first day's ratings are stored."""

    @classmethod
    def of(cls, status: AssuranceStatus) -> AssuranceStatusOut:
        return cls(
            seller_id=status.seller_id,
            protected=status.protected,
            eligibility=EligibilityOut.of(status.eligibility) if status.eligibility else None,
        )
