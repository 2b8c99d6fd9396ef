"""The pure part of the transparency report: the period asked for, and decision times
summarised as a median and a 90th percentile. No database."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from kenzen.errors import InvalidInput
from kenzen.i18n import N_

#: The longest period one report covers: a year (DSA reports are yearly or half-yearly).
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Whole UTC days from ``first`` to ``last``, both included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=UTC)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _day(field: str, value: str | date) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            N_("error.transparency.not_date_yyyy_mm_dd"), field=field, value=value
        ) from None


def period(first: str | date, last: str | date) -> Period:
    """The period from ``first`` to ``last`` (both included); a bad one names the field."""
    start, end = _day("from", first), _day("to", last)
    if end < start:
        raise InvalidInput(
            N_("error.transparency.to_before_from"), end=end.isoformat(), start=start.isoformat()
        )
    chosen = Period(start, end)
    if chosen.days > MAX_DAYS:
        raise InvalidInput(
            N_("error.transparency.period_too_long"), days=chosen.days, max_days=MAX_DAYS
        )
    return chosen


@dataclass(frozen=True)
class Durations:
    """How long something took, over ``count`` cases, in hours."""

    count: int
    median_hours: float | None
    p90_hours: float | None


def nearest_rank(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``fraction`` of the
    values at or below it (always one of the values, never an interpolation)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(math.ceil(fraction * len(ordered)), 1)
    return ordered[rank - 1]


def summarise(durations: list[timedelta]) -> Durations:
    hours = [d.total_seconds() / 3600 for d in durations]
    if not hours:
        return Durations(0, None, None)
    return Durations(
        count=len(hours),
        median_hours=round(statistics.median(hours), 2),
        p90_hours=round(nearest_rank(hours, 0.9), 2),
    )
