"""A computed metric as the readers of one seller see it, and the window it covers.

Kept apart from the engine (:mod:`kenzen.metrics.engine`, which needs pyarrow and SQLGlot)
so that reading a seller's stored metrics — the report, the health view, evaluation —
imports neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kenzen.metrics.definitions import Target


@dataclass(frozen=True)
class MetricValue:
    """One metric of one seller in one marketplace on one as-of date."""

    seller_id: str
    marketplace_id: str
    metric: str
    as_of: date
    window_from: date
    window_to: date
    numerator: int
    denominator: int
    rate: float | None
    status: str
    target_value: float
    target_condition: str
    target_inclusive: bool
    breakdown: dict[str, int]


def window(as_of: date, target: Target) -> tuple[date, date]:
    """First and last calendar day (inclusive) of a metric's window."""
    last = as_of - timedelta(days=target.lag_days)
    return last - timedelta(days=target.window_days - 1), last
