"""The assessment the serving processes keep: a change is seen at once, by every seller
only their own."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from kenzen.access import SYSTEM, Role
from kenzen.health.assessments import current_assessment, local_today
from kenzen.policy.assured import record_eligibility
from kenzen.policy.document import Policy
from kenzen.policy.enforcement import enforce_seller
from kenzen.policy.records import SessionFacts
from kenzen.sellers import marks
from kenzen.sellers.models import Seller
from kenzen.sellers.service import set_emergency_phone
from kenzen.sellers.status import AccountStatus
from tests.conftest import World


def _health(client: TestClient, world: World, seller_id: str, role: Role) -> dict[str, object]:
    response = client.get(f"/api/v1/sellers/{seller_id}/health", headers=world.headers(role))
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def _rating(health: dict[str, object]) -> object:
    rating = health["rating"]
    assert isinstance(rating, dict)
    return rating["value"]


def _file_complaint(client: TestClient, world: World) -> None:
    brand = client.post(
        "/api/v1/brands",
        headers=world.headers(Role.RIGHTS_OWNER),
        json={"name": "Sorano", "registration_number": "JP-1", "country": "JP"},
    )
    assert brand.status_code == 201, brand.text
    listing = client.put(
        "/api/v1/sellers/S1/listings/SKU-1",
        headers=world.headers(Role.SELLER),
        json={"listing_id": "B0TEST0001", "title": "Sorano earphones", "brand": "Sorano"},
    )
    assert listing.status_code == 200, listing.text
    filed = client.post(
        "/api/v1/complaints",
        headers=world.headers(Role.RIGHTS_OWNER),
        json={
            "brand_id": brand.json()["id"],
            "kind": "trademark",
            "listings": [{"listing_id": "B0TEST0001", "seller_id": "S1"}],
            "evidence": "Test buy 2026-11-01",
        },
    )
    assert filed.status_code == 201, filed.text


def _assessed_status(world: World, policy: Policy, seller_id: str) -> AccountStatus:
    with world.database.transaction() as session:
        seller = session.get(Seller, seller_id)
        assert seller is not None
        assessment = current_assessment(SessionFacts(session), policy, seller, local_today(seller))
        return assessment.facts.account_status


def test_a_complaint_and_the_evaluation_it_causes_are_seen_at_once(
    client: TestClient, world: World, policy: Policy
) -> None:
    assert _rating(_health(client, world, "S1", Role.SELLER)) == 200
    _file_complaint(client, world)
    after = _health(client, world, "S1", Role.SELLER)
    assert _rating(after) == 192
    assert len(after["violations"]) == 1  # type: ignore[arg-type]
    assert _assessed_status(world, policy, "S1") is AccountStatus.NORMAL  # kept now
    with world.database.transaction() as session, marks.evaluating(session, "S1"):
        seller = session.get(Seller, "S1")
        assert seller is not None
        enforce_seller(session, SYSTEM, policy, "S1", local_today(seller))  # as the worker does
    # the evaluation's own change (AT_RISK) marks nobody, yet renews the seller's stamp
    assert _assessed_status(world, policy, "S1") is AccountStatus.AT_RISK
    assert _health(client, world, "S1", Role.SELLER)["status"] == "AT_RISK"


def test_each_seller_is_assessed_on_its_own_facts(client: TestClient, world: World) -> None:
    assert _rating(_health(client, world, "S1", Role.SELLER)) == 200
    assert _rating(_health(client, world, "S2", Role.AHS_AGENT)) == 200
    _file_complaint(client, world)
    assert _rating(_health(client, world, "S1", Role.AHS_AGENT)) == 192
    assert _rating(_health(client, world, "S2", Role.AHS_AGENT)) == 200
    assert _rating(_health(client, world, "S1", Role.SELLER)) == 192
    other = client.get("/api/v1/sellers/S2/health", headers=world.headers(Role.SELLER))
    assert other.status_code == 404


def test_an_unchanged_seller_is_assessed_once(world: World, policy: Policy) -> None:
    with world.database.transaction() as session:
        seller = session.get(Seller, "S1")
        assert seller is not None
        records = SessionFacts(session)
        first = current_assessment(records, policy, seller, date(2026, 11, 20))
        assert current_assessment(records, policy, seller, date(2026, 11, 20)) is first
        assert current_assessment(records, policy, seller, date(2026, 11, 21)) is not first


def _stamp(world: World, seller_id: str) -> str:
    with world.database.transaction() as session:
        seller = session.get(Seller, seller_id)
        assert seller is not None
        return seller.facts_stamp


def test_changes_that_mark_nobody_renew_the_stamp_too(
    world: World, policy: Policy, tmp_path: Path
) -> None:
    s1, s2 = _stamp(world, "S1"), _stamp(world, "S2")
    assert s1 != s2
    with world.database.transaction() as session:
        set_emergency_phone(session, world.actors[Role.SELLER], "S1", "03-1234-5678")
    assert (_stamp(world, "S1") != s1, _stamp(world, "S2")) == (True, s2)
    s1 = _stamp(world, "S1")
    with world.database.transaction() as session:
        record_eligibility(session, tmp_path / "events", policy, "JP", date(2026, 11, 20))
    assert (_stamp(world, "S1") != s1, _stamp(world, "S2") != s2) == (True, True)
    s1, s2 = _stamp(world, "S1"), _stamp(world, "S2")
    with world.database.transaction() as session, marks.evaluating(session, "S1"):
        marks.mark_for_evaluation(session, ["S1"], reason="the evaluation's own change")
    assert (_stamp(world, "S1") != s1, _stamp(world, "S2")) == (True, s2)
