"""Slot arithmetic, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from itertools import islice
from zoneinfo import ZoneInfo

from kenzen.support.slots import Hours, is_open_day, slots

JST = ZoneInfo("Asia/Tokyo")


def _local(instant: datetime) -> datetime:
    return instant.astimezone(JST)


def test_after_hours_the_next_slot_is_nine_the_next_morning() -> None:
    evening = datetime(2026, 11, 30, 18, 30, tzinfo=JST)
    first = next(slots(Hours(), evening))
    assert _local(first) == datetime(2026, 12, 1, 9, 0, tzinfo=JST)
    assert first.tzinfo is UTC


def test_within_hours_the_next_half_hour_boundary() -> None:
    morning = datetime(2026, 11, 30, 10, 10, tzinfo=JST)
    found = [_local(s).time() for s in islice(slots(Hours(), morning), 3)]
    assert found == [time(10, 30), time(11, 0), time(11, 30)]


def test_the_last_slot_ends_at_closing_time() -> None:
    late = datetime(2026, 11, 30, 16, 30, tzinfo=JST)
    first, second = islice(slots(Hours(), late), 2)
    assert (_local(first).time(), _local(second)) == (
        time(16, 30),
        datetime(2026, 12, 1, 9, 0, tzinfo=JST),
    )


def test_public_holidays_close_the_line_when_configured() -> None:
    new_year = date(2027, 1, 1)
    assert is_open_day(Hours(), new_year)
    closed = Hours(holiday_country="JP")
    assert not is_open_day(closed, new_year)
    eve = datetime(2026, 12, 31, 18, 0, tzinfo=JST)
    assert _local(next(slots(closed, eve))).date() == date(2027, 1, 2)


def test_other_hours_and_zones() -> None:
    london = Hours(time_zone="Europe/London", opens=time(8), closes=time(12), slot_minutes=60)
    found = list(slots(london, datetime(2026, 11, 30, 11, 0, tzinfo=UTC)))
    assert [s.astimezone(ZoneInfo("Europe/London")).hour for s in found[:3]] == [11, 8, 9]
