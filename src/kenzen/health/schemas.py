"""Response body of getSellerHealth."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from kenzen.cases.schemas import CaseSummary
from kenzen.health.service import RatingHistory, RatingWhatIf, SellerHealth
from kenzen.metrics.values import MetricValue
from kenzen.policy.rating import Rating
from kenzen.sellers.status import AccountStatus


class MetricOut(BaseModel):
    metric: str
    window_from: date
    window_to: date
    numerator: int
    denominator: int
    rate: float | None
    status: str
    target_value: float
    target_condition: str
    breakdown: dict[str, int]

    @classmethod
    def of(cls, value: MetricValue) -> MetricOut:
        return cls(
            metric=value.metric,
            window_from=value.window_from,
            window_to=value.window_to,
            numerator=value.numerator,
            denominator=value.denominator,
            rate=value.rate,
            status=value.status,
            target_value=value.target_value,
            target_condition=value.target_condition,
            breakdown=value.breakdown,
        )


class RatingLineOut(BaseModel):
    points: int
    cause: str
    text: str
    violation_id: str | None


class RatingOut(BaseModel):
    value: int
    band: str
    ahr_status: str
    lines: list[RatingLineOut]
    """Every point with its cause; the points sum to ``value``."""


class ViolationOut(BaseModel):
    id: int
    category: str
    severity: str
    status: str
    occurred_at: datetime
    points: int
    title: str
    explanation: str
    what_to_do: str
    listing_ids: list[str]
    case_id: int | None


class ReviewUnderWayOut(BaseModel):
    """An action proposed for the seller that specialists are reviewing (never who)."""

    action: str
    since: datetime
    case_id: int | None


class SellerHealthOut(BaseModel):
    seller_id: str
    marketplace_id: str
    display_name: str
    language: str
    status: AccountStatus
    status_meaning: str
    status_changed_at: datetime | None
    open_cases: list[CaseSummary]
    as_of: date
    metrics: list[MetricOut]
    rating: RatingOut
    violations: list[ViolationOut]
    policy_version: str
    reviews_under_way: list[ReviewUnderWayOut]

    @classmethod
    def of(cls, health: SellerHealth) -> SellerHealthOut:
        seller = health.seller
        rating = health.rating
        return cls(
            seller_id=seller.id,
            marketplace_id=seller.marketplace_id,
            display_name=seller.display_name,
            language=seller.language.value,
            status=seller.status,
            status_meaning=health.status_meaning,
            status_changed_at=seller.status_changed_at,
            open_cases=[CaseSummary.of(c, seller.language.value) for c in health.open_cases],
            as_of=health.as_of,
            metrics=[MetricOut.of(m) for m in health.metrics],
            rating=_rating_out(rating, seller.language.value),
            violations=[
                ViolationOut(
                    id=view.violation.id,
                    category=view.violation.category,
                    severity=view.severity,
                    status=view.violation.status.value,
                    occurred_at=view.violation.occurred_at,
                    points=view.points,
                    title=view.text.title,
                    explanation=view.text.explanation,
                    what_to_do=view.text.what_to_do,
                    listing_ids=view.violation.listing_ids,
                    case_id=view.violation.case_id,
                )
                for view in health.violations
            ],
            policy_version=health.policy_version,
            reviews_under_way=[
                ReviewUnderWayOut(action=p.kind, since=p.created_at, case_id=p.case_id)
                for p in health.reviews
            ],
        )


def _rating_out(rating: Rating, language: str) -> RatingOut:
    return RatingOut(
        value=rating.value,
        band=rating.band.value,
        ahr_status=rating.ahr_status,
        lines=[
            RatingLineOut(
                points=line.points,
                cause=line.cause,
                text=line.text.render(language),
                violation_id=line.violation_id,
            )
            for line in rating.lines
        ],
    )


class RatingWhatIfOut(BaseModel):
    now: RatingOut
    if_resolved: RatingOut
    resolved: list[str]

    @classmethod
    def of(cls, result: RatingWhatIf, language: str) -> RatingWhatIfOut:
        return cls(
            now=_rating_out(result.now, language),
            if_resolved=_rating_out(result.if_resolved, language),
            resolved=list(result.resolved),
        )


class DailyRatingOut(BaseModel):
    day: date
    rating: int
    band: str


class SellerRatingOut(RatingWhatIfOut):
    """The rating now, what-if, and the daily ratings recorded from ``history_from`` to
    ``history_to`` (a day nobody recorded is absent)."""

    history_from: date
    history_to: date
    history: list[DailyRatingOut]

    @classmethod
    def of_history(
        cls, result: RatingWhatIf, history: RatingHistory, language: str
    ) -> SellerRatingOut:
        now = RatingWhatIfOut.of(result, language)
        return cls(
            now=now.now,
            if_resolved=now.if_resolved,
            resolved=now.resolved,
            history_from=history.start,
            history_to=history.end,
            history=[
                DailyRatingOut(day=d.day, rating=d.rating, band=d.band.value) for d in history.days
            ],
        )
