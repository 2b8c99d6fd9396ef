"""The emergency contact number: set by the seller through the API and its page, checked
like a callback's number, stored in E.164 and audited; never another seller's."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kenzen.access import SYSTEM, Role
from kenzen.audit import AuditEntry
from kenzen.identity.service import add_user
from kenzen.sellers.models import Seller
from tests.conftest import World
from tests.web.forms import page_token

PASSWORD = "a seller password"


def log_in_as_seller(client: TestClient, world: World) -> None:
    with world.database.transaction() as session:
        add_user(
            session,
            SYSTEM,
            email="owner@s1.example.test",
            role=Role.SELLER,
            password=PASSWORD,
            seller_id="S1",
        )
    token = page_token(client)
    data = {"email": "owner@s1.example.test", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303


def _stored(world: World, seller_id: str = "S1") -> str | None:
    with world.database.transaction() as session:
        seller = session.get(Seller, seller_id)
        assert seller is not None
        return seller.emergency_phone


def test_the_seller_sets_its_number_in_e164(client: TestClient, world: World) -> None:
    response = client.put(
        "/api/v1/sellers/S1/emergency-contact",
        headers=world.headers(Role.SELLER),
        json={"phone": "090-1234-5678"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"seller_id": "S1", "phone": "+819012345678"}
    assert _stored(world) == "+819012345678"
    with world.database.transaction() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "setEmergencyContact")
        ).one()
        assert (entry.target, entry.detail) == ("seller:S1", {"phone_ending": "5678"})


@pytest.mark.parametrize("phone", ["12345", "+81 90 0000", "not a number"])
def test_a_bad_number_is_refused_naming_the_field(
    client: TestClient, world: World, phone: str
) -> None:
    response = client.put(
        "/api/v1/sellers/S1/emergency-contact",
        headers=world.headers(Role.SELLER),
        json={"phone": phone},
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("phone: ")
    assert _stored(world) is None


def test_another_sellers_number_is_out_of_reach(client: TestClient, world: World) -> None:
    response = client.put(
        "/api/v1/sellers/S2/emergency-contact",
        headers=world.headers(Role.SELLER),
        json={"phone": "090-1234-5678"},
    )
    assert response.status_code == 404
    assert _stored(world, "S2") is None


def test_the_assurance_page_sets_the_number(client: TestClient, world: World) -> None:
    log_in_as_seller(client, world)
    page = client.get("/assurance")  # S1's account language is Japanese
    assert "緊急連絡先の電話番号が登録されていません" in page.text
    token = page_token(client, "/assurance")
    refused = client.post("/assurance/emergency-contact", data={"phone": "12", "csrf_token": token})
    assert refused.status_code == 422
    assert "phone: &#39;12&#39; は" in refused.text
    saved = client.post(
        "/assurance/emergency-contact", data={"phone": "03-1234-5678", "csrf_token": token}
    )
    assert saved.status_code == 200  # after the redirect
    assert "+81312345678" in saved.text
    assert _stored(world) == "+81312345678"
