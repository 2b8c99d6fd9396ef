"""The 72-hour hold on a protected seller's deactivation, as a plain function of its facts.

When a deactivation is proposed for a seller under Account Health Assurance, the seller
has ``response_hours`` (72) from the notice to work with us: to submit a Plan of Action, or
to complete the call Account Health Support makes. The proposal cannot be confirmed until

- AHS has reached the seller, or documented a failed attempt on each open day of the
  window (a day of AHS hours that the window overlaps), and
- the window has passed without the seller responding.

A seller reached by AHS gets the response time again from the call, if that ends later,
to write the plan the call was about. A seller who submits a Plan of Action in time is
working with us: the deactivation waits for that appeal's decision (accepted or rejected;
a request for more information is not a decision on the plan).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import takewhile
from typing import Any

from kenzen.support.slots import Hours, local, slots


class HoldState(enum.StrEnum):
    WAITING_FOR_SELLER = "WAITING_FOR_SELLER"
    """Inside the response window: the seller may still work with us."""
    WORKING_WITH_US = "WORKING_WITH_US"
    """The seller submitted a Plan of Action in time; its decision is awaited."""
    WAITING_FOR_CONTACT = "WAITING_FOR_CONTACT"
    """The window passed, but AHS has neither reached the seller nor tried every open day."""
    RELEASED = "RELEASED"
    """The proposal may be confirmed."""


@dataclass(frozen=True)
class Attempt:
    at: datetime
    reached: bool


@dataclass(frozen=True)
class HoldFacts:
    opened_at: datetime
    response_hours: int
    hours: Hours
    """AHS hours of the seller's marketplace: which days of the window are open days."""
    attempts: Sequence[Attempt] = ()
    plan_submitted_at: datetime | None = None
    """When the seller submitted its Plan of Action on the hold's case (if it did)."""
    plan_decided_at: datetime | None = None
    """When the plan was accepted or rejected (None while it awaits its decision)."""


@dataclass(frozen=True)
class HoldView:
    state: HoldState
    window_ends: datetime
    respond_by: datetime
    """The window's end, or later if AHS reached the seller late in it."""
    reached_at: datetime | None
    open_days: tuple[date, ...]
    """The open days of the window (AHS's local dates)."""
    days_without_attempt: tuple[date, ...]
    """Open days of the window with no attempt recorded; past ones block the release."""
    released_at: datetime | None = None
    """When the hold let the proposal be confirmed: the end of the time to respond, or the
    decision on the plan the seller worked with us on. None while it holds."""

    @property
    def confirmable(self) -> bool:
        return self.state is HoldState.RELEASED

    @property
    def confirmable_from(self) -> datetime:
        """When confirming was allowed, or the earliest it can be while the hold lasts (the
        end of the time to respond: later if the seller works with us or AHS has yet to
        reach them)."""
        return self.released_at or self.respond_by


def open_days(hours: Hours, start: datetime, end: datetime) -> tuple[date, ...]:
    """Local dates on which AHS hours overlap ``[start, end)``: a slot starts in it."""
    within = takewhile(lambda slot: slot < end, slots(hours, start))
    return tuple(sorted({local(hours, slot).date() for slot in within}))


def hold_view(facts: HoldFacts, now: datetime) -> HoldView:
    response = timedelta(hours=facts.response_hours)
    window_ends = facts.opened_at + response
    reached = sorted(a.at for a in facts.attempts if a.reached)
    reached_at = reached[0] if reached else None
    respond_by = max(window_ends, reached_at + response) if reached_at else window_ends
    days = open_days(facts.hours, facts.opened_at, window_ends)
    tried = {
        local(facts.hours, a.at).date()
        for a in facts.attempts
        if facts.opened_at <= a.at < window_ends
    }
    missing = tuple(day for day in days if day not in tried)

    def view(state: HoldState, released_at: datetime | None = None) -> HoldView:
        return HoldView(state, window_ends, respond_by, reached_at, days, missing, released_at)

    plan = facts.plan_submitted_at
    if plan is not None and plan <= respond_by:
        if facts.plan_decided_at is None:
            return view(HoldState.WORKING_WITH_US)
        return view(HoldState.RELEASED, facts.plan_decided_at)
    if now < respond_by:
        return view(HoldState.WAITING_FOR_SELLER)
    if reached_at is None and missing:
        return view(HoldState.WAITING_FOR_CONTACT)
    return view(HoldState.RELEASED, respond_by)


def categories_rested_on(evidence: Mapping[str, Any]) -> set[str]:
    """The violation categories a proposal rests on, read from its evidence packet: a cap's
    category; for an account-wide cause (the rating band, a rule over the counts) every
    violation that counted. A metric cause rests on no violation."""
    found: set[str] = set()
    counted = {v["category"] for v in evidence.get("violations", [])}
    for cause in evidence.get("causes", []):
        facts = cause.get("facts", {})
        if "category" in facts:
            found.add(facts["category"])
        elif "metric" not in facts:
            found |= counted
    return found


def bypassed_by(evidence: Mapping[str, Any], bypass_categories: Iterable[str]) -> list[str]:
    """The policy's bypass categories among those the proposal rests on: a deactivation
    for fraud or a critical safety issue is not held (reference §1.3)."""
    return sorted(categories_rested_on(evidence) & set(bypass_categories))
