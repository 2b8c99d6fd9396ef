"""Who is protected by Account Health Assurance, as a plain function of the daily ratings.

It belongs to the policy: evaluation reads it (a reviewed action needs four eyes for a
protected seller), and :mod:`kenzen.assurance` holds a protected seller's deactivation.

Amazon: a rating of at least 250 "for at least 6 months", "no more than 10 days below 250",
and a valid emergency contact number on file. The window ends on the day asked about and
holds ``window_days`` days; a day without a stored rating (before the seller's history
began, say) cannot show 250 or more, so it counts like a day below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from kenzen.policy.document import AssuranceRules


@dataclass(frozen=True)
class Eligibility:
    as_of: date
    window_from: date
    """The first day of the window (``as_of`` is its last)."""
    window_days: int
    min_rating: int
    days_at_or_above: int
    days_below: int
    days_without_rating: int
    max_days_below: int
    has_emergency_phone: bool
    phone_required: bool

    @property
    def days_short(self) -> int:
        """Days of the window that do not count towards the protection."""
        return self.days_below + self.days_without_rating

    @property
    def rating_qualifies(self) -> bool:
        return self.days_short <= self.max_days_below

    @property
    def phone_qualifies(self) -> bool:
        return self.has_emergency_phone or not self.phone_required

    @property
    def eligible(self) -> bool:
        return self.rating_qualifies and self.phone_qualifies

    @property
    def days_needed(self) -> int:
        """Days at or above the rating the window must hold."""
        return self.window_days - self.max_days_below


def eligibility(
    rules: AssuranceRules,
    ratings: Mapping[date, int],
    as_of: date,
    *,
    has_emergency_phone: bool,
) -> Eligibility:
    """Eligibility on ``as_of`` from the seller's daily ratings (day → rating); days outside
    the window are ignored."""
    window_from = as_of - timedelta(days=rules.window_days - 1)
    inside = [rating for day, rating in ratings.items() if window_from <= day <= as_of]
    at_or_above = sum(1 for rating in inside if rating >= rules.min_rating)
    return Eligibility(
        as_of=as_of,
        window_from=window_from,
        window_days=rules.window_days,
        min_rating=rules.min_rating,
        days_at_or_above=at_or_above,
        days_below=len(inside) - at_or_above,
        days_without_rating=rules.window_days - len(inside),
        max_days_below=rules.max_days_below,
        has_emergency_phone=has_emergency_phone,
        phone_required=rules.require_emergency_phone,
    )


class RecordedEligibility(Protocol):
    """A seller's eligibility as computed on its latest day and stored
    (:class:`kenzen.policy.models.AssuranceEligibility`)."""

    @property
    def as_of(self) -> date: ...
    @property
    def window_days(self) -> int: ...
    @property
    def min_rating(self) -> int: ...
    @property
    def max_days_below(self) -> int: ...
    @property
    def days_at_or_above(self) -> int: ...
    @property
    def days_below(self) -> int: ...
    @property
    def days_without_rating(self) -> int: ...


def recorded_eligibility(
    row: RecordedEligibility | None, rules: AssuranceRules, *, has_emergency_phone: bool
) -> Eligibility | None:
    """The stored eligibility (None before the first computed day), with the seller's
    emergency phone as it is now (the seller changes it at any time) and what the policy in
    force asks of it."""
    if row is None:
        return None
    return Eligibility(
        as_of=row.as_of,
        window_from=row.as_of - timedelta(days=row.window_days - 1),
        window_days=row.window_days,
        min_rating=row.min_rating,
        days_at_or_above=row.days_at_or_above,
        days_below=row.days_below,
        days_without_rating=row.days_without_rating,
        max_days_below=row.max_days_below,
        has_emergency_phone=has_emergency_phone,
        phone_required=rules.require_emergency_phone,
    )
