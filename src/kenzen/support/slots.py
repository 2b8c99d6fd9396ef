"""Callback slots within AHS hours, as plain functions (tested without a database).

The seed: AHS answers every day 09:00–17:00 Japan Standard Time. A marketplace may set
other hours, another time zone and a public-holiday calendar (the ``holidays`` package).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

#: Never look further ahead than this for a free slot.
HORIZON_DAYS = 14


@dataclass(frozen=True)
class Hours:
    time_zone: str = "Asia/Tokyo"
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    slot_minutes: int = 30
    holiday_country: str | None = None
    """ISO country whose public holidays close the line (None: open every day)."""


@cache
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


def is_open_day(hours: Hours, day: date) -> bool:
    return hours.holiday_country is None or day not in _holidays(hours.holiday_country, day.year)


def slots(hours: Hours, after: datetime) -> Iterator[datetime]:
    """Slot starts (UTC) at or after ``after``, in opening hours, for HORIZON_DAYS days."""
    zone = ZoneInfo(hours.time_zone)
    local = after.astimezone(zone)
    step = timedelta(minutes=hours.slot_minutes)
    for offset in range(HORIZON_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        if not is_open_day(hours, day):
            continue
        start = datetime.combine(day, hours.opens, zone)
        end = datetime.combine(day, hours.closes, zone)
        while start + step <= end:
            if start >= local:
                yield start.astimezone(UTC)
            start += step


def local(hours: Hours, instant: datetime) -> datetime:
    return instant.astimezone(ZoneInfo(hours.time_zone))
