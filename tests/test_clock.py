"""The one clock: set in one place, read by services and pages alike."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from kenzen import clock
from kenzen.access import SYSTEM, Role
from kenzen.identity.service import add_user, log_in
from tests.conftest import World, started_at

JST = ZoneInfo("Asia/Tokyo")


def test_a_fixed_clock_is_what_every_reader_sees_and_is_undone_after() -> None:
    instant = datetime(2026, 12, 1, 23, 30, tzinfo=JST)
    with clock.use(clock.fixed(instant)):
        assert clock.now() == instant
        assert clock.now().tzinfo is UTC
        assert clock.today("Asia/Tokyo") == date(2026, 12, 1)
        assert clock.today("UTC") == date(2026, 12, 1)
        assert clock.today("America/Los_Angeles") == date(2026, 12, 1)
    with clock.use(clock.fixed(datetime(2026, 12, 1, 0, 30, tzinfo=JST))):
        assert clock.today("Asia/Tokyo") == date(2026, 12, 1)
        assert clock.today("UTC") == date(2026, 11, 30)
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 60


def test_a_fixed_clock_needs_a_time_zone() -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        clock.fixed(datetime(2026, 12, 1, 9, 0))


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("08:59 Asia/Tokyo", datetime(2026, 11, 29, 8, 59, tzinfo=JST)),
        ("23:00 Asia/Tokyo", datetime(2026, 11, 29, 23, 0, tzinfo=JST)),
        ("23:30 Asia/Tokyo", datetime(2026, 11, 28, 23, 30, tzinfo=JST)),
        ("00:30 Asia/Tokyo", datetime(2026, 11, 29, 0, 30, tzinfo=JST)),
    ],
)
def test_the_suite_clock_starts_at_the_latest_such_hour_never_ahead(
    option: str, expected: datetime
) -> None:
    real_now = datetime(2026, 11, 29, 23, 0, tzinfo=JST)
    assert started_at(option, real_now=real_now) == expected


@pytest.mark.parametrize("option", ["23:30", "25:00 Asia/Tokyo", "09:00 Mars/Olympus"])
def test_a_bad_suite_clock_is_a_usage_error(option: str) -> None:
    with pytest.raises(pytest.UsageError, match="--clock"):
        started_at(option, real_now=datetime.now(UTC))


@pytest.mark.parametrize(
    ("at", "first_slot"),
    [
        (datetime(2026, 12, 1, 8, 59, tzinfo=JST), "2026-12-01 (Tue) 09:00 JST"),
        (datetime(2026, 12, 1, 16, 29, tzinfo=JST), "2026-12-01 (Tue) 16:30 JST"),
        (datetime(2026, 12, 1, 16, 31, tzinfo=JST), "2026-12-02 (Wed) 09:00 JST"),
        (datetime(2026, 12, 1, 23, 30, tzinfo=JST), "2026-12-02 (Wed) 09:00 JST"),
    ],
)
def test_the_callback_page_offers_slots_from_the_clocks_now(
    client: TestClient, world: World, at: datetime, first_slot: str
) -> None:
    with world.database.transaction() as session:
        add_user(
            session,
            SYSTEM,
            email="clock@s1.example.test",
            role=Role.SELLER,
            password="a clock password",
            seller_id="S1",
        )
    with clock.use(clock.fixed(at)):
        with world.database.transaction() as session:
            token = log_in(
                session, email="clock@s1.example.test", password="a clock password", session_days=1
            )
        client.cookies.set("kenzen_session", token)
        page = client.get("/callbacks").text
    options = re.findall(r'<option value="[^"]+">([^<]+)</option>', page)
    assert options[0] == first_slot
