"""What the policy concludes about one seller on one date, from facts already read.

Pure: the facts come in as plain data (:class:`SellerFacts`), so evaluation, shadow runs,
backtests and the seller's health page compute the same thing, and the tests need no
database. Reading the facts is :func:`kenzen.policy.enforcement.read_facts`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from kenzen.metrics.values import MetricValue
from kenzen.policy.decide import Decision, decide, metric_statuses
from kenzen.policy.document import Policy
from kenzen.policy.rating import Rating, ViolationFact, active_counts, compute_rating
from kenzen.sellers.status import AccountStatus


def end_of_day(day: date, time_zone: str) -> datetime:
    """The last instant of ``day`` in the marketplace's time zone, in UTC."""
    midnight = datetime.combine(day + timedelta(days=1), time(), ZoneInfo(time_zone))
    return midnight.astimezone(UTC) - timedelta(microseconds=1)


class ViolationStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    RESOLVED = "RESOLVED"
    DISMISSED = "DISMISSED"
    EXPIRED = "EXPIRED"


class ViolationRecord(Protocol):
    """What the policy reads of a recorded violation (:class:`kenzen.policy.models.Violation`)."""

    @property
    def id(self) -> int: ...
    @property
    def category(self) -> str: ...
    @property
    def status(self) -> ViolationStatus: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def resolved_at(self) -> datetime | None: ...


def violation_facts(
    violations: Iterable[ViolationRecord], instant: datetime
) -> list[ViolationFact]:
    """The violations as they stood at ``instant``: a later resolution had not happened yet."""
    facts = []
    for v in violations:
        if v.occurred_at > instant:
            continue
        active = v.status is ViolationStatus.ACTIVE or (
            v.status is not ViolationStatus.DISMISSED
            and v.resolved_at is not None
            and v.resolved_at > instant
        )
        facts.append(
            ViolationFact(str(v.id), v.category, v.occurred_at, "ACTIVE" if active else "RESOLVED")
        )
    return facts


@dataclass(frozen=True)
class SellerFacts:
    """Everything the policy looks at for one seller on one date."""

    seller_id: str
    as_of: date
    instant: datetime
    """The end of ``as_of`` in the seller's marketplace."""
    account_status: AccountStatus
    metrics: list[MetricValue]
    violations: list[ViolationFact]
    """The seller's violations as they stood at ``instant``."""
    fulfilled_orders: int
    assured: bool = False
    """Under Account Health Assurance: a reviewed action then needs four eyes
    (:func:`kenzen.policy.review.review_mode`). Account Health Assurance sets it."""


@dataclass(frozen=True)
class Assessment:
    """Everything the policy concluded about one seller on one date."""

    facts: SellerFacts
    counts: dict[str, int]
    rating: Rating
    decision: Decision

    @property
    def status_after(self) -> AccountStatus:
        for action in self.decision.actions:
            if action.status is not None:
                return action.status
        return self.decision.account_status


def assess(policy: Policy, facts: SellerFacts) -> Assessment:
    """What the policy demands, given the facts."""
    rating = compute_rating(
        policy, facts.violations, fulfilled_orders=facts.fulfilled_orders, as_of=facts.instant
    )
    counts = active_counts(policy, facts.violations, facts.instant)
    decision = decide(
        policy,
        account_status=facts.account_status,
        metrics=metric_statuses(facts.metrics),
        counts=counts,
        rating=rating.value,
    )
    return Assessment(facts, counts, rating, decision)
