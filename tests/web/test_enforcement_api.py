"""Brands, complaints, listings, rating and policy over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kenzen.access import Role
from tests.conftest import World


def _setup(client: TestClient, world: World) -> tuple[int, str]:
    rights = world.headers(Role.RIGHTS_OWNER)
    brand = client.post(
        "/api/v1/brands",
        headers=rights,
        json={
            "name": "Sorano",
            "registration_number": "JP-1",
            "country": "JP",
            "terms": ["ソラノ"],
        },
    )
    assert brand.status_code == 201, brand.text
    listing = client.put(
        "/api/v1/sellers/S1/listings/SKU-1",
        headers=world.headers(Role.SELLER),
        json={
            "listing_id": "B0TEST0001",
            "title": "ｿﾗﾉ ワイヤレスイヤホン",
            "brand": "ノーブランド",
        },
    )
    assert listing.status_code == 200, listing.text
    assert "id" not in listing.json()  # a row number is nobody's business
    return brand.json()["id"], listing.json()["listing_id"]


def test_listing_is_screened_on_create(client: TestClient, world: World) -> None:
    response = client.put(
        "/api/v1/sellers/S1/listings/SKU-9",
        headers=world.headers(Role.SELLER),
        json={"listing_id": "B0TEST0009", "title": "ケーブル", "brand": ""},
    )
    assert response.json()["findings"] == []
    _setup(client, world)
    flagged = client.put(
        "/api/v1/sellers/S1/listings/SKU-1",
        headers=world.headers(Role.SELLER),
        json={
            "listing_id": "B0TEST0001",
            "title": "ｿﾗﾉ ワイヤレスイヤホン",
            "brand": "ノーブランド",
        },
    ).json()
    [finding] = flagged["findings"]
    assert (finding["kind"], finding["field"], finding["matched"]) == (
        "NO_BRAND_NAMES_TERM",
        "title",
        "ｿﾗﾉ",
    )
    assert "Sorano" in finding["message"]
    other = client.put(
        "/api/v1/sellers/S2/listings/SKU-1",
        headers=world.headers(Role.SELLER),
        json={"listing_id": "B0TEST0002", "title": "x"},
    )
    assert other.status_code == 404


def test_complaint_shows_in_health_and_rating_what_if(client: TestClient, world: World) -> None:
    brand_id, listing_id = _setup(client, world)
    filed = client.post(
        "/api/v1/complaints",
        headers=world.headers(Role.RIGHTS_OWNER),
        json={
            "brand_id": brand_id,
            "kind": "trademark",
            "listings": [{"listing_id": listing_id, "seller_id": "S1"}],
            "evidence": "Test buy 2026-11-01",
        },
    )
    assert filed.status_code == 201, filed.text
    health = client.get("/api/v1/sellers/S1/health", headers=world.headers(Role.SELLER)).json()
    assert (health["rating"]["value"], health["rating"]["band"]) == (192, "AT_RISK")
    assert sum(line["points"] for line in health["rating"]["lines"]) == 192
    [violation] = health["violations"]
    assert violation["listing_ids"] == ["B0TEST0001"]
    assert violation["what_to_do"]
    what_if = client.get(
        f"/api/v1/sellers/S1/rating?resolve={violation['id']}",
        headers=world.headers(Role.AHS_AGENT),
    ).json()
    assert (what_if["now"]["value"], what_if["if_resolved"]["value"]) == (192, 200)
    report = client.get(
        "/api/v1/sellers/S1/performance-report", headers=world.headers(Role.SELLER)
    ).json()
    metrics = report["performanceMetrics"][0]
    assert metrics["receivedIntellectualPropertyComplaints"]["defectsCount"] == 1
    assert metrics["accountHealthRating"]["ahrStatus"] == "WARNED"
    retracted = client.post(
        f"/api/v1/complaints/{filed.json()['id']}/retract",
        headers=world.headers(Role.RIGHTS_OWNER),
        json={"reason": "licensed after all"},
    )
    assert retracted.json()["status"] == "RETRACTED"
    after = client.get("/api/v1/sellers/S1/health", headers=world.headers(Role.SELLER)).json()
    assert (after["rating"]["value"], after["violations"]) == (200, [])


def test_policy_is_readable_and_a_bad_reload_keeps_it(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = client.get("/api/v1/policy", headers=world.headers(Role.SELLER)).json()
    assert policy["source"] == "kenzen default"
    assert policy["document"]["caps"]["ip_complaints"]["at_least"] == 5
    holder = client.app.state.policy  # type: ignore[attr-defined]
    # a file, but not a policy; the holder is shared by the tests of this process: put back
    monkeypatch.setattr(holder, "path", Path(__file__))
    response = client.post("/api/v1/policy/reload", headers=world.headers(Role.ADMIN))
    assert response.status_code == 422
    assert response.json()["detail"].startswith("policy: not valid TOML")
    assert holder.current.version == policy["version"]
