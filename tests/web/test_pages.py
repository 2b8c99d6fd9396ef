"""Login and the pages through real HTTP requests; tests/e2e drives them in a browser."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from kenzen.access import SYSTEM, Role
from kenzen.cases import account_status
from kenzen.identity import service as identity
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
        account_status.set_account_status(
            session, SYSTEM, "S2", status=AccountStatus.DEACTIVATED, reason="IP complaints"
        )


def _log_in(client: TestClient, password: str = PASSWORD) -> int:
    response = client.post(
        "/login",
        data={"email": "owner@s2.example.test", "password": password, "csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    return response.status_code


def test_the_login_page_speaks_the_browsers_best_language(client: TestClient) -> None:
    def heading(accept_language: str) -> str:
        page = client.get("/login", headers={"Accept-Language": accept_language}).text
        match = re.search(r'<html lang="(\w+)">', page)
        assert match
        return match.group(1)

    assert heading("ja-JP,ja;q=0.9,en;q=0.8") == "ja"
    assert heading("fr-FR, ja;q=0.5") == "ja"  # French is not offered: the next wish
    assert heading("ja;q=0.3, en-GB;q=0.7") == "en"  # by weight, not by position
    assert heading("de") == "en"
    assert "メールアドレス" in client.get("/login", headers={"Accept-Language": "ja"}).text


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
    assert re.search(r"Deactivated <span class=\"code\">DEACTIVATED</span>", page.text)
    assert "Account status: Deactivated" in page.text
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
    assert re.search(r"正常 <span class=\"code\">NORMAL</span>", page.text)


def test_another_sellers_page_is_a_404_page(client: TestClient, world: World) -> None:
    _seller_with_password(world)
    _log_in(client)
    response = client.get("/sellers/S1")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Seller S1" not in response.text


def test_staff_pages_refuse_a_seller_with_403(client: TestClient, world: World) -> None:
    _seller_with_password(world)
    _log_in(client)
    for path in ("/staff/sellers", "/staff/audit", "/rights"):
        assert client.get(path).status_code == 403, path


def test_a_form_without_its_csrf_token_is_refused(client: TestClient, world: World) -> None:
    _seller_with_password(world)
    _log_in(client)
    assert client.post("/language", data={"language": "ja", "csrf_token": "x"}).status_code == 403


def test_the_language_is_remembered_on_the_user(client: TestClient, world: World) -> None:
    _seller_with_password(world)
    _log_in(client)
    assert '<html lang="en">' in client.get("/").text
    token = _csrf(client)
    switched = client.post(
        "/language",
        data={"language": "ja", "csrf_token": token, "back": "/"},
        follow_redirects=False,
    )
    assert switched.status_code == 303
    client.cookies.clear()
    _log_in(client)
    assert '<html lang="ja">' in client.get("/").text


def test_pages_load_no_inline_script_or_style(client: TestClient, world: World) -> None:
    _seller_with_password(world)
    _log_in(client)
    page = client.get("/").text
    assert "<script>" not in page
    assert "<style" not in page
    assert " style=" not in page
    assert "default-src 'self'" in client.get("/").headers["content-security-policy"]


def test_unread_notices_are_marked_until_the_case_is_opened(
    client: TestClient, world: World
) -> None:
    _seller_with_password(world)  # S2 is deactivated: one case with a notice
    _log_in(client)
    listing = client.get("/cases").text
    assert listing.count('data-testid="unread"') == 1
    case_id = re.search(r'href="/cases/(\d+)"', listing)
    assert case_id is not None
    opened = client.get(f"/cases/{case_id.group(1)}").text
    assert "pill-new" in opened
    assert 'data-testid="unread"' not in client.get("/cases").text
    assert "pill-new" not in client.get(f"/cases/{case_id.group(1)}").text


def test_staff_search_shows_status_and_rating(client: TestClient, world: World) -> None:
    with world.database.transaction() as session:
        identity.add_user(
            session, SYSTEM, email="agent@example.test", role=Role.AHS_AGENT, password=PASSWORD
        )
        account_status.set_account_status(
            session, SYSTEM, "S2", status=AccountStatus.AT_RISK, reason="ODR 1.5%"
        )
    client.post(
        "/login",
        data={"email": "agent@example.test", "password": PASSWORD, "csrf_token": _csrf(client)},
    )
    page = client.get("/staff/sellers?q=S", headers={"Accept-Language": "en"}).text
    rows = re.findall(r'<tr data-testid="found-seller">(.*?)</tr>', page, re.S)
    assert len(rows) == 2
    assert "S2" in rows[1]
    assert "At risk" in rows[1]
    assert "200 · Healthy" in rows[1]
