"""The report's period and its decision-time figures: pure, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kenzen.errors import InvalidInput
from kenzen.transparency.figures import MAX_DAYS, nearest_rank, period, summarise


def test_a_period_counts_whole_utc_days_both_included() -> None:
    chosen = period("2026-03-01", "2026-03-31")
    assert (chosen.start, chosen.end) == (
        datetime(2026, 3, 1, tzinfo=UTC),
        datetime(2026, 4, 1, tzinfo=UTC),
    )
    assert chosen.days == 31
    assert period(date(2026, 3, 1), date(2026, 3, 1)).days == 1


def test_a_year_is_the_longest_period() -> None:
    first = date(2026, 1, 1)
    assert period(first, first + timedelta(days=MAX_DAYS - 1)).days == MAX_DAYS
    with pytest.raises(InvalidInput, match=f"to: the period is {MAX_DAYS + 1} days"):
        period(first, first + timedelta(days=MAX_DAYS))


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("2026-13-01", "2026-12-31", "from: '2026-13-01' is not a date"),
        ("2026-01-01", "next week", "to: 'next week' is not a date"),
        ("2026-03-02", "2026-03-01", r"to: 2026-03-01 is before from \(2026-03-02\)"),
    ],
)
def test_a_bad_period_names_the_field(first: str, last: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        period(first, last)


def test_the_90th_percentile_is_one_of_the_values_by_nearest_rank() -> None:
    values = [float(n) for n in range(1, 11)]  # 1 … 10
    assert nearest_rank(values, 0.9) == 9.0
    assert nearest_rank([5.0], 0.9) == 5.0
    assert nearest_rank([3.0, 1.0], 0.9) == 3.0
    with pytest.raises(ValueError, match="no values"):
        nearest_rank([], 0.9)


def test_durations_in_hours() -> None:
    summary = summarise([timedelta(hours=h) for h in (24, 48, 1.5)])
    assert (summary.count, summary.median_hours, summary.p90_hours) == (3, 24.0, 48.0)
    empty = summarise([])
    assert (empty.count, empty.median_hours, empty.p90_hours) == (0, None, None)
