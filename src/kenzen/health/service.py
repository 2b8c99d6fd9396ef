"""The account health view: what a seller (or staff reading for one) sees at a glance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import i18n
from kenzen.access import Action, Actor
from kenzen.cases.models import OPEN_STATUSES, Case
from kenzen.errors import InvalidInput, NotFound
from kenzen.events import staging
from kenzen.health import report
from kenzen.health.assessments import current_assessment, local_today
from kenzen.i18n import N_
from kenzen.metrics import service as metrics
from kenzen.metrics.values import MetricValue
from kenzen.policy import proposals
from kenzen.policy import violations as violation_records
from kenzen.policy.document import Policy, SellerText
from kenzen.policy.history import DailyRating, seller_ratings
from kenzen.policy.models import EnforcementProposal, Violation
from kenzen.policy.rating import Rating, what_if
from kenzen.policy.records import SessionFacts
from kenzen.sellers.models import Seller
from kenzen.sellers.service import get_seller
from kenzen.sellers.status import STATUS_MEANINGS


@dataclass(frozen=True, slots=True)
class ViolationView:
    violation: Violation
    points: int
    """What it costs the rating now (0 once it no longer counts)."""
    severity: str
    text: SellerText
    """Title, explanation and what to do, in the seller's language."""


@dataclass(frozen=True, slots=True)
class SellerHealth:
    seller: Seller
    status_meaning: str
    open_cases: list[Case]
    as_of: date
    metrics: list[MetricValue]
    rating: Rating
    violations: list[ViolationView]
    policy_version: str
    reviews: list[EnforcementProposal]
    """Actions proposed for the seller and waiting for a specialist's decision."""


def get_seller_health(
    session: Session, actor: Actor, policy: Policy, seller_id: str
) -> SellerHealth:
    seller = get_seller(session, actor, seller_id, Action.GET_SELLER_HEALTH)
    language = seller.language.value
    open_cases = list(
        session.scalars(
            select(Case)
            .where(Case.seller_id == seller_id, Case.status.in_(OPEN_STATUSES))
            .order_by(Case.updated_at.desc())
        )
    )
    assessment = current_assessment(SessionFacts(session), policy, seller, local_today(seller))
    costs = {
        line.violation_id: -line.points
        for line in assessment.rating.lines
        if line.violation_id is not None
    }
    violations = violation_records.active_violations(session, seller_id)
    return SellerHealth(
        seller=seller,
        status_meaning=i18n.t(STATUS_MEANINGS[seller.status], language),
        open_cases=open_cases,
        as_of=assessment.facts.as_of,
        metrics=assessment.facts.metrics,
        rating=assessment.rating,
        violations=[
            ViolationView(
                v,
                costs.get(str(v.id), 0),
                policy.violations[v.category].severity.value,
                i18n.pick(policy.violations[v.category].text, language),
            )
            for v in violations
        ],
        policy_version=policy.version,
        reviews=proposals.pending(session, seller_id),
    )


def performance_report(
    session: Session, actor: Actor, policy: Policy, seller_id: str, as_of: date | None = None
) -> dict[str, Any]:
    """:func:`kenzen.health.report.performance_report` in this session."""
    return report.performance_report(SessionFacts(session), actor, policy, seller_id, as_of)


@dataclass(frozen=True, slots=True)
class RatingWhatIf:
    now: Rating
    if_resolved: Rating
    resolved: tuple[str, ...]


def rating_what_if(
    session: Session, actor: Actor, policy: Policy, seller_id: str, resolved: Sequence[int]
) -> RatingWhatIf:
    """The rating now, explained line by line, and what it would be were ``resolved``
    (violation ids of this seller) resolved."""
    seller = get_seller(session, actor, seller_id, Action.GET_SELLER_HEALTH)
    assessment = current_assessment(SessionFacts(session), policy, seller, local_today(seller))
    known = {line.violation_id for line in assessment.rating.lines if line.violation_id}
    chosen = tuple(str(v) for v in resolved)
    unknown = [v for v in chosen if v not in known]
    if unknown:
        raise NotFound(
            N_("error.health.no_counting_violation_seller"),
            unknown=", ".join(unknown),
            seller_id=seller_id,
        )
    if_resolved = what_if(
        policy,
        assessment.facts.violations,
        fulfilled_orders=assessment.facts.fulfilled_orders,
        as_of=assessment.facts.instant,
        resolved=chosen,
    )
    return RatingWhatIf(assessment.rating, if_resolved, chosen)


#: Days of rating history the seller's page draws, and getSellerRating returns by default.
HISTORY_DAYS = 180
#: The longest span of rating history one request may ask for.
MAX_HISTORY_DAYS = 366


@dataclass(frozen=True, slots=True)
class RatingHistory:
    start: date
    end: date
    days: list[DailyRating]
    """The recorded days between ``start`` and ``end``, oldest first."""


def rating_history(
    session: Session,
    actor: Actor,
    events_dir: Path,
    seller_id: str,
    *,
    start: date | None = None,
    end: date | None = None,
) -> RatingHistory:
    """The seller's daily ratings from ``start`` to ``end`` (inclusive; by default ``end``
    is today in the seller's marketplace and ``start`` :data:`HISTORY_DAYS` days before)."""
    seller = get_seller(session, actor, seller_id, Action.GET_SELLER_HEALTH)
    end = end or local_today(seller)
    if start is None:  # (the first days of the calendar have fewer before them)
        start = end - timedelta(days=min(HISTORY_DAYS - 1, (end - date.min).days))
    if start > end:
        raise InvalidInput(N_("error.health.from_after_to"), start=str(start), end=str(end))
    if (end - start).days >= MAX_HISTORY_DAYS:
        raise InvalidInput(
            N_("error.health.history_too_long"),
            max_history_days=MAX_HISTORY_DAYS,
            end=str(end),
            start=str(start),
        )
    days = seller_ratings(events_dir, seller.id, start, end, staged=staging.staged(session))
    return RatingHistory(start, end, days)


@dataclass(frozen=True, slots=True)
class TrendPoint:
    day: date
    rate: float | None
    status: str


def metric_trends(
    session: Session, actor: Actor, seller_id: str, *, days: int = 90
) -> dict[str, list[TrendPoint]]:
    """Each metric's stored snapshots of the last ``days`` days, oldest first, for the
    trend charts: history that the current view alone does not show."""
    seller = get_seller(session, actor, seller_id, Action.GET_SELLER_HEALTH)
    since = local_today(seller) - timedelta(days=days)
    trends: dict[str, list[TrendPoint]] = {}
    for value in metrics.seller_history(session, seller_id, since, local_today(seller)):
        trends.setdefault(value.metric, []).append(
            TrendPoint(value.as_of, value.rate, value.status)
        )
    return trends
