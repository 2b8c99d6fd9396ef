"""Response body of getSellerHealth."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from kenzen.cases.schemas import CaseSummary
from kenzen.health.service import SellerHealth
from kenzen.metrics.engine import MetricValue
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


class SellerHealthOut(BaseModel):
    seller_id: str
    marketplace_id: str
    display_name: str
    language: str
    status: AccountStatus
    status_meaning: str
    status_changed_at: datetime | None
    open_cases: list[CaseSummary]
    metrics_as_of: date | None
    metrics: list[MetricOut]

    @classmethod
    def of(cls, health: SellerHealth) -> SellerHealthOut:
        seller = health.seller
        return cls(
            seller_id=seller.id,
            marketplace_id=seller.marketplace_id,
            display_name=seller.display_name,
            language=seller.language.value,
            status=seller.status,
            status_meaning=health.status_meaning,
            status_changed_at=seller.status_changed_at,
            open_cases=[CaseSummary.model_validate(c) for c in health.open_cases],
            metrics_as_of=health.metrics_as_of,
            metrics=[MetricOut.of(m) for m in health.metrics],
        )
