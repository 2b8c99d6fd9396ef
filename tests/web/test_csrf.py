"""Cross-site request forgery: every unsafe page request needs the session's own token, and
the JSON API refuses a browser session's unsafe call without a token or our Origin."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from kenzen.access import SYSTEM, Role
from kenzen.identity.service import add_user, log_in
from kenzen.support.models import Callback, CallbackStatus
from kenzen.web.csrf import CSRF_HEADER
from kenzen.web.pages import routes as pages
from tests.conftest import World
from tests.web.forms import booked_callback, page_token

PASSWORD = "a seller password"
OWN_ORIGIN = "http://testserver"
FOREIGN_ORIGIN = "https://attacker.example"


def _logged_in(client: TestClient, world: World) -> None:
    """The client holds the session of a seller user of S1."""
    with world.database.transaction() as session:
        add_user(
            session,
            SYSTEM,
            email="csrf@s1.example.test",
            role=Role.SELLER,
            password=PASSWORD,
            seller_id="S1",
        )
        token = log_in(session, email="csrf@s1.example.test", password=PASSWORD, session_days=1)
    client.cookies.set("kenzen_session", token)


def _status(world: World, callback_id: int) -> CallbackStatus:
    with world.database.transaction() as session:
        status = session.scalar(select(Callback.status).where(Callback.id == callback_id))
        assert status is not None
        return status


def _unsafe_page_paths() -> list[str]:
    """Every page route that changes something, with 1 for each path parameter."""
    routers = [pages.router] + [area.router for area in pages.AREAS]
    return [
        re.sub(r"\{[^}]+\}", "1", route.path)
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and (route.methods or set()) - {"GET", "HEAD"}
    ]


def test_every_unsafe_page_route_refuses_a_request_without_the_token(
    client: TestClient, world: World
) -> None:
    _logged_in(client, world)
    paths = _unsafe_page_paths()
    assert {"/login", "/logout", "/language", "/callbacks/1/cancel", "/verify"} <= set(paths)
    for path in paths:
        response = client.post(path, data={"language": "ja"}, follow_redirects=False)
        assert response.status_code == 403, path
        assert "フォームの有効期限が切れました" in response.text, path  # S1's seller: ja


def test_a_non_ascii_form_token_is_refused_not_an_error(client: TestClient, world: World) -> None:
    _logged_in(client, world)
    response = client.post("/language", data={"language": "ja", "csrf_token": "トークン"})
    assert response.status_code == 403


def test_a_planted_csrf_cookie_does_not_stand_in_for_the_sessions_token(
    client: TestClient, world: World
) -> None:
    _logged_in(client, world)
    client.cookies.set("kenzen_csrf", "planted-by-a-neighbour")
    forged = client.post(
        "/language", data={"language": "ja", "csrf_token": "planted-by-a-neighbour"}
    )
    assert forged.status_code == 403
    switched = client.post(
        "/language",
        data={"language": "ja", "csrf_token": page_token(client, "/")},
        follow_redirects=False,
    )
    assert switched.status_code == 303


def test_the_page_token_belongs_to_one_session(client: TestClient, world: World) -> None:
    _logged_in(client, world)
    first = page_token(client, "/")
    with world.database.transaction() as session:
        other = log_in(session, email="csrf@s1.example.test", password=PASSWORD, session_days=1)
    client.cookies.set("kenzen_session", other)
    assert page_token(client, "/") != first
    refused = client.post("/language", data={"language": "ja", "csrf_token": first})
    assert refused.status_code == 403


def test_a_page_form_posted_from_another_site_is_refused(client: TestClient, world: World) -> None:
    _logged_in(client, world)
    callback_id = booked_callback(world, days_ahead=2)
    token = page_token(client, "/callbacks")
    forged = client.post(
        f"/callbacks/{callback_id}/cancel",
        data={"csrf_token": token},
        headers={"Origin": FOREIGN_ORIGIN},
    )
    assert forged.status_code == 403
    assert _status(world, callback_id) is CallbackStatus.BOOKED
    own = client.post(
        f"/callbacks/{callback_id}/cancel",
        data={"csrf_token": token},
        headers={"Origin": OWN_ORIGIN},
        follow_redirects=False,
    )
    assert own.status_code == 303
    assert _status(world, callback_id) is CallbackStatus.CANCELLED


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": FOREIGN_ORIGIN},
        {"Origin": "http://testserver.attacker.example"},
        {"Origin": "null"},
        {},
        {CSRF_HEADER: "guessed"},
        {CSRF_HEADER: "töken".encode()},
    ],
    ids=[
        "foreign-origin",
        "lookalike-origin",
        "null-origin",
        "no-origin",
        "wrong-token",
        "non-ascii-token",
    ],
)
def test_the_api_refuses_a_cookie_session_s_body_less_post_from_elsewhere(
    client: TestClient, world: World, headers: dict[str, str | bytes]
) -> None:
    _logged_in(client, world)
    callback_id = booked_callback(world, days_ahead=2)
    raw = [
        (name.encode(), v if isinstance(v, bytes) else v.encode()) for name, v in headers.items()
    ]
    response = client.post(f"/api/v1/callbacks/{callback_id}/cancel", headers=raw)
    assert response.status_code == 403
    assert CSRF_HEADER in response.json()["detail"]
    assert _status(world, callback_id) is CallbackStatus.BOOKED


@pytest.mark.parametrize("proof", ["origin", "origin-through-a-tls-proxy", "token"])
def test_the_api_accepts_a_cookie_session_with_our_origin_or_its_token(
    client: TestClient, world: World, proof: str
) -> None:
    _logged_in(client, world)
    callback_id = booked_callback(world, days_ahead=2)
    headers = {
        "origin": {"Origin": OWN_ORIGIN},
        "origin-through-a-tls-proxy": {"Origin": "https://testserver"},
        "token": {CSRF_HEADER: page_token(client, "/")},
    }[proof]
    response = client.post(f"/api/v1/callbacks/{callback_id}/cancel", headers=headers)
    assert response.status_code == 200
    assert _status(world, callback_id) is CallbackStatus.CANCELLED


def test_bearer_calls_need_no_csrf_token(client: TestClient, world: World) -> None:
    callback_id = booked_callback(world, days_ahead=2)
    response = client.post(
        f"/api/v1/callbacks/{callback_id}/cancel",
        headers={**world.headers(Role.SELLER), "Origin": FOREIGN_ORIGIN},
    )
    assert response.status_code == 200


def test_a_cookie_session_still_reads_the_api_without_a_token(
    client: TestClient, world: World
) -> None:
    _logged_in(client, world)
    assert client.get("/api/v1/me").status_code == 200


def test_pages_are_never_stored_by_a_cache(client: TestClient, world: World) -> None:
    assert client.get("/login").headers["cache-control"] == "no-store"
    _logged_in(client, world)
    for path in ("/", "/cases", "/callbacks", "/verify", "/staff/audit"):
        assert client.get(path).headers["cache-control"] == "no-store", path
