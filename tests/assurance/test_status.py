"""Whether a seller is protected, with its progress: through the API, the seller's pages
(badge and "143 of 180 days at 250 or more", ja and en) and the staff's view of a seller."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from kenzen.access import SYSTEM, Role
from kenzen.identity.service import add_user, set_language
from kenzen.policy.models import AssuranceEligibility
from kenzen.sellers.models import Seller
from tests.conftest import World
from tests.web.forms import page_token

PASSWORD = "a seller password"


def store_day(world: World, *, at_or_above: int, phone: str | None) -> None:
    """What the midnight computation (tests/policy/test_assured.py) stores for S1."""
    with world.database.transaction() as session:
        seller = session.get(Seller, "S1")
        assert seller is not None
        seller.emergency_phone = phone
        session.merge(
            AssuranceEligibility(
                seller_id="S1",
                as_of=date(2026, 11, 28),
                window_days=180,
                min_rating=250,
                max_days_below=10,
                days_at_or_above=at_or_above,
                days_below=180 - at_or_above,
                days_without_rating=0,
                policy_version="test",
            )
        )


def status(client: TestClient, world: World, role: Role) -> dict[str, object]:
    response = client.get("/api/v1/sellers/S1/assurance", headers=world.headers(role))
    assert response.status_code == 200, response.text
    found: dict[str, object] = response.json()
    return found


def test_before_the_first_day_nothing_is_known(client: TestClient, world: World) -> None:
    assert status(client, world, Role.SELLER) == {
        "seller_id": "S1",
        "protected": False,
        "eligibility": None,
        "holds": [],
    }


def test_progress_and_protection(client: TestClient, world: World) -> None:
    store_day(world, at_or_above=143, phone="+819012345678")
    found = status(client, world, Role.SELLER)
    assert found["protected"] is False
    assert found["eligibility"] == {
        "as_of": "2026-11-28",
        "window_from": "2026-06-02",
        "window_days": 180,
        "min_rating": 250,
        "days_at_or_above": 143,
        "days_below": 37,
        "days_without_rating": 0,
        "max_days_below": 10,
        "days_needed": 170,
        "has_emergency_phone": True,
        "eligible": False,
    }
    store_day(world, at_or_above=170, phone="+819012345678")
    assert status(client, world, Role.AHS_AGENT)["protected"] is True
    store_day(world, at_or_above=170, phone=None)  # the number is read when asked
    assert status(client, world, Role.ACCOUNT_SPECIALIST)["protected"] is False


def test_the_seller_sees_the_badge_and_progress_in_its_language(
    client: TestClient, world: World
) -> None:
    store_day(world, at_or_above=143, phone=None)
    with world.database.transaction() as session:
        user = add_user(
            session,
            SYSTEM,
            email="owner@s1.example.test",
            role=Role.SELLER,
            password=PASSWORD,
            seller_id="S1",
        )
    data = {"email": "owner@s1.example.test", "password": PASSWORD}
    client.post("/login", data={**data, "csrf_token": page_token(client)})
    page = client.get("/assurance").text  # S1 reads Japanese
    assert "まだ保証の対象ではありません" in page
    assert "180日のうち143日が250以上" in page
    assert "緊急連絡先の電話番号が登録されていません" in page
    with world.database.transaction() as session:
        set_language(session, user.as_actor(), "en")
    store_day(world, at_or_above=175, phone="+819012345678")
    health = client.get("/").text
    assert "Protected by Account Health Assurance" in health
    assert "175 of 180 days at 250 or more" in health
