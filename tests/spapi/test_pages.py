"""Apps and authorisations in the browser's pages, through real HTTP requests."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from kenzen.access import SYSTEM, Role
from kenzen.identity import service as identity
from kenzen.spapi import credentials
from tests.conftest import World

PASSWORD = "page-password"


def _log_in(client: TestClient, world: World, role: Role) -> None:
    email = f"pages-{role.value}@example.test"
    with world.database.transaction() as session:
        identity.add_user(
            session,
            SYSTEM,
            email=email,
            role=role,
            password=PASSWORD,
            seller_id="S1" if role is Role.SELLER else None,
        )
    answer = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": _csrf(client, "/login")},
        follow_redirects=False,
    )
    assert answer.status_code == 303


def _csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match
    return match.group(1)


def test_an_administrator_registers_an_app_and_sees_the_secret_once(
    client: TestClient, world: World
) -> None:
    _log_in(client, world, Role.ADMIN)
    page = client.post(
        "/staff/apps", data={"name": "Repricer", "csrf_token": _csrf(client, "/staff/apps")}
    )
    assert page.status_code == 200
    secret = re.search(r"client_secret: (kzsec_\S+)", page.text)
    assert secret
    again = client.get("/staff/apps")
    assert "Repricer" in again.text
    assert secret.group(1) not in again.text


def test_a_seller_authorises_lists_and_revokes_an_app(client: TestClient, world: World) -> None:
    with world.database.transaction() as session:
        app = credentials.add_app(session, SYSTEM, name="Repricer").app
        client_id = app.client_id
    _log_in(client, world, Role.SELLER)
    page = client.get("/apps")
    assert page.status_code == 200
    assert "Repricer" in page.text
    granted = client.post(
        "/apps/authorize", data={"client_id": client_id, "csrf_token": _csrf(client, "/apps")}
    )
    token = re.search(r"<code>(Atzr\|[^<]+)</code>", granted.text)
    assert token
    listed = client.get("/apps").text
    assert listed.count('data-testid="grant"') == 1
    assert token.group(1) not in listed
    grant_id = re.search(r"/apps/authorizations/(\d+)/revoke", listed)
    assert grant_id
    revoked = client.post(
        f"/apps/authorizations/{grant_id.group(1)}/revoke",
        data={"csrf_token": _csrf(client, "/apps")},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert 'data-testid="grant"' not in client.get("/apps").text
    with world.database.transaction() as session:
        assert credentials.list_authorizations(session, SYSTEM, "S1") == []


def test_a_seller_cannot_revoke_another_sellers_authorisation(
    client: TestClient, world: World
) -> None:
    with world.database.transaction() as session:
        app = credentials.add_app(session, SYSTEM, name="Repricer").app
        theirs = credentials.authorize_app(
            session, SYSTEM, client_id=app.client_id, seller_id="S2"
        ).authorization.id
    _log_in(client, world, Role.SELLER)
    answer = client.post(
        f"/apps/authorizations/{theirs}/revoke",
        data={"csrf_token": _csrf(client, "/apps")},
        follow_redirects=False,
    )
    assert answer.status_code == 404
    with world.database.transaction() as session:
        assert len(credentials.list_authorizations(session, SYSTEM, "S2")) == 1


def test_only_administrators_open_the_staff_apps_page(client: TestClient, world: World) -> None:
    _log_in(client, world, Role.SELLER)
    assert client.get("/staff/apps").status_code == 403
