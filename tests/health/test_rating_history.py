"""The rating history as sellers and staff read it: getSellerRating, the command, the page."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kenzen.access import Role
from kenzen.config import Settings
from kenzen.policy.document import Policy
from kenzen.policy.enforcement import record_reviewed_violation
from kenzen.policy.history import record_daily_ratings
from tests.cli.test_commands import kenzen
from tests.conftest import Clock, World
from tests.web.test_staff_pages import LogIn, log_in  # noqa: F401  (the fixture)

TODAY = date(2026, 11, 20)
NOON_JST = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.fixture
def recorded(world: World, policy: Policy, settings: Settings, clock: Clock) -> Path:
    """S1 lost points on 2026-11-15; every day from 11-10 to 11-19 recorded."""
    clock.move_to(NOON_JST)
    with world.database.transaction() as session:
        record_reviewed_violation(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            policy,
            "S1",
            category="productSafetyCustomerComplaints",
            reason="found in review",
            occurred_at=datetime(2026, 11, 15, 3, 0, tzinfo=UTC),
        )
    for n in range(10):
        with world.database.transaction() as session:
            record_daily_ratings(
                session, settings.events_dir, policy, "JP", date(2026, 11, 10) + timedelta(n)
            )
    return settings.events_dir


def _history(client: TestClient, world: World, query: str, seller: str = "S1") -> dict[str, object]:
    response = client.get(
        f"/api/v1/sellers/{seller}/rating{query}", headers=world.headers(Role.SELLER)
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


@pytest.mark.usefixtures("recorded")
def test_get_seller_rating_returns_the_days_between_from_and_to(
    client: TestClient, world: World
) -> None:
    body = _history(client, world, "?from=2026-11-13&to=2026-11-16")
    assert (body["history_from"], body["history_to"]) == ("2026-11-13", "2026-11-16")
    assert body["history"] == [
        {"day": "2026-11-13", "rating": 200, "band": "HEALTHY"},
        {"day": "2026-11-14", "rating": 200, "band": "HEALTHY"},
        {"day": "2026-11-15", "rating": 192, "band": "AT_RISK"},
        {"day": "2026-11-16", "rating": 192, "band": "AT_RISK"},
    ]
    assert body["now"]["value"] == 192  # type: ignore[index]


@pytest.mark.usefixtures("recorded")
def test_by_default_the_last_180_days_up_to_today_in_the_marketplace(
    client: TestClient, world: World
) -> None:
    body = _history(client, world, "")
    assert (body["history_from"], body["history_to"]) == ("2026-05-25", "2026-11-20")
    assert isinstance(body["history"], list)
    assert [d["day"] for d in body["history"]][0::9] == ["2026-11-10", "2026-11-19"]


@pytest.mark.usefixtures("recorded")
def test_a_seller_reads_only_its_own_history(client: TestClient, world: World) -> None:
    response = client.get(
        "/api/v1/sellers/S2/rating?from=2026-11-13", headers=world.headers(Role.SELLER)
    )
    assert response.status_code == 404
    staff = client.get(
        "/api/v1/sellers/S2/rating?from=2026-11-13&to=2026-11-13",
        headers=world.headers(Role.AHS_AGENT),
    )
    assert staff.json()["history"] == [{"day": "2026-11-13", "rating": 200, "band": "HEALTHY"}]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("?from=2026-11-17&to=2026-11-16", 422, "from"),  # from after to
        ("?from=2025-11-19&to=2026-11-19", 200, None),  # 366 days: the limit
        ("?from=2025-11-18&to=2026-11-19", 422, "from"),  # 367 days
        ("?from=2026-13-01", 422, "from"),
        ("?to=yesterday", 422, "to"),
        ("?to=0001-01-02", 200, None),  # the calendar's first days: no 500
    ],
)
def test_the_range_is_checked_and_the_error_names_the_field(
    client: TestClient, world: World, clock: Clock, query: str, status: int, field: str | None
) -> None:
    clock.move_to(NOON_JST)
    response = client.get(f"/api/v1/sellers/S1/rating{query}", headers=world.headers(Role.SELLER))
    assert response.status_code == status, response.text
    if field is not None:
        detail = response.json()["detail"]
        named = detail if isinstance(detail, str) else json.dumps(detail[0]["loc"])
        assert re.match(rf'^{field}:|.*"{field}"', named), detail


def test_the_command_prints_the_days(world: World, settings: Settings, recorded: Path) -> None:
    result = kenzen(
        world.database.url, settings.home, "seller", "rating", "S1",
        "--from", "2026-11-14", "--to", "2026-11-15",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "  2026-11-14   200  HEALTHY\n  2026-11-15   192  AT_RISK\n" in result.output
    wrong = kenzen(
        world.database.url, settings.home, "seller", "rating", "S1",
        "--from", "2026-11-15", "--to", "2026-11-14",
    )  # fmt: skip
    assert wrong.exit_code == 2
    assert "from: 2026-11-15 is after to (2026-11-14)" in wrong.output


@pytest.mark.usefixtures("recorded")
def test_the_page_charts_the_history_ending_with_todays_gauge(
    client: TestClient,
    log_in: LogIn,  # noqa: F811  (the fixture imported above)
) -> None:
    log_in(Role.SELLER)
    page = client.get("/sellers/S1")
    assert page.status_code == 200
    match = re.search(r'data-rating-history="([^"]+)"', page.text)
    assert match
    chart = json.loads(unescape(match.group(1)))
    assert len(chart["days"]) == 180
    assert chart["days"][-1] == TODAY.isoformat()
    values = dict(zip(chart["days"], chart["values"], strict=True))
    assert (values["2026-11-09"], values["2026-11-14"], values["2026-11-15"]) == (None, 200, 192)
    assert values[TODAY.isoformat()] == 192  # today: the gauge's rating
    assert chart["thresholds"] == [200, 100]
