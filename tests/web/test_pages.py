"""Login and the seller's page, through real HTTP requests (the browser suite comes later)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from kenzen.access import SYSTEM, Role
from kenzen.identity import service as identity
from kenzen.sellers import service as sellers
from kenzen.sellers.status import AccountStatus
from tests.conftest import World

PASSWORD = "seller-password"


def _csrf(client: TestClient) -> str:
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def _seller_with_password(world: World) -> None:
    with world.database.transaction() as session:
        identity.add_user(
            session,
            SYSTEM,
            email="owner@s2.example.test",
            role=Role.SELLER,
            password=PASSWORD,
            seller_id="S2",
        )
        sellers.set_account_status(
            session, SYSTEM, "S2", status=AccountStatus.DEACTIVATED, reason="IP complaints"
        )


def _log_in(client: TestClient, password: str = PASSWORD) -> int:
    response = client.post(
        "/login",
        data={"email": "owner@s2.example.test", "password": password, "csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    return response.status_code


def test_unauthenticated_home_redirects_to_login(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_seller_logs_in_and_sees_own_status_and_cases(client: TestClient, world: World) -> None:
    _seller_with_password(world)
    assert _log_in(client) == 303
    cookie = client.cookies.get("kenzen_session")
    assert cookie is not None
    assert cookie.startswith("kz_")
    page = client.get("/")
    assert "Seller S2" in page.text
    assert "Deactivated (DEACTIVATED)" in page.text
    assert "Account status: DEACTIVATED" in page.text
    # the page session works for the API too, but only for the seller's own data
    assert client.get("/api/v1/sellers/S2/health").status_code == 200
    assert client.get("/api/v1/sellers/S1/health").status_code == 404


def test_session_cookie_is_http_only_and_same_site(client: TestClient, world: World) -> None:
    _seller_with_password(world)
    response = client.post(
        "/login",
        data={"email": "owner@s2.example.test", "password": PASSWORD, "csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_wrong_password_is_refused_without_a_session(client: TestClient, world: World) -> None:
    _seller_with_password(world)
    assert _log_in(client, "wrong password") == 401
    assert client.cookies.get("kenzen_session") is None


def test_login_without_the_csrf_token_is_refused(client: TestClient, world: World) -> None:
    _seller_with_password(world)
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": "owner@s2.example.test", "password": PASSWORD, "csrf_token": "forged"},
    )
    assert response.status_code == 403


def test_logout_ends_the_session(client: TestClient, world: World) -> None:
    _seller_with_password(world)
    _log_in(client)
    token = _csrf(client)
    client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_japanese_seller_page_is_in_japanese(client: TestClient, world: World) -> None:
    with world.database.transaction() as session:
        identity.add_user(
            session,
            SYSTEM,
            email="owner@s1.example.test",
            role=Role.SELLER,
            password=PASSWORD,
            seller_id="S1",
        )
    client.post(
        "/login",
        data={"email": "owner@s1.example.test", "password": PASSWORD, "csrf_token": _csrf(client)},
    )
    page = client.get("/")
    assert 'lang="ja"' in page.text
    assert "アカウントの状態" in page.text
    assert "正常 (NORMAL)" in page.text
