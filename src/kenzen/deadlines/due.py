"""When a decision is due — pure arithmetic over the policy's targets, no database.

Every waiting item starts a clock (an appeal when it is submitted, a dispute when it is
filed, …); its target is one of the policy's ``[deadlines]``. A callback is different: it is
due on the day it was booked for, in the marketplace's time zone, whatever the hour.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kenzen.policy.document import DeadlineRules


class Target(enum.StrEnum):
    """The decision a waiting item needs, each with its own target in the policy."""

    APPEAL_DECISION = "appeal_decision"
    DISPUTE_DECISION = "dispute_decision"
    RETRACTION_ANSWER = "retraction_answer"
    PROPOSAL_DECISION = "proposal_decision"
    CALLBACK = "callback"


def due_at(rules: DeadlineRules, target: Target, started_at: datetime, time_zone: str) -> datetime:
    """The instant (UTC) by which ``target`` is due for an item started at ``started_at``."""
    if started_at.tzinfo is None:
        raise ValueError("started_at must be time-zone aware")
    if target is Target.CALLBACK:
        return end_of_local_day(started_at, time_zone, days_after=rules.callback_days_after_booked)
    hours = {
        Target.APPEAL_DECISION: rules.appeal_decision_hours,
        Target.DISPUTE_DECISION: rules.dispute_decision_hours,
        Target.RETRACTION_ANSWER: rules.retraction_answer_hours,
        Target.PROPOSAL_DECISION: rules.proposal_decision_hours,
    }[target]
    return (started_at + timedelta(hours=hours)).astimezone(UTC)


def end_of_local_day(instant: datetime, time_zone: str, *, days_after: int = 0) -> datetime:
    """Midnight after ``instant``'s local date (plus ``days_after`` days), in UTC: the first
    instant that is no longer "that day" where the marketplace is."""
    zone = ZoneInfo(time_zone)
    day = instant.astimezone(zone).date() + timedelta(days=1 + days_after)
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def is_overdue(due: datetime, now: datetime) -> bool:
    """Due means "by then": at the due instant itself the item is not late yet."""
    return now > due


def overdue_by(due: datetime, now: datetime) -> timedelta:
    """How late an item is (zero when it is not)."""
    return max(now - due, timedelta())


@dataclass(frozen=True)
class Hold:
    """What keeps an item from being decided for now — Account Health Assurance's hold on a
    protected seller's deactivation. The law's deadline does not run against a decision it
    forbids: the item is due when the hold allows deciding it, if that is later, and is not
    overdue while the hold lasts."""

    reason: str
    """Message id saying what holds the item, for the pages."""
    forbids: bool
    """Deciding is refused now."""
    allowed_from: datetime
    """When deciding was allowed, or the earliest it can be while the hold lasts."""


def held_due(due: datetime, hold: Hold | None) -> datetime:
    """The due time of an item under ``hold``: never before the hold allows deciding it."""
    return due if hold is None else max(due, hold.allowed_from.astimezone(UTC))


def is_overdue_under(due: datetime, hold: Hold | None, now: datetime) -> bool:
    """Overdue, unless a hold forbids deciding the item now."""
    return not (hold is not None and hold.forbids) and is_overdue(due, now)
