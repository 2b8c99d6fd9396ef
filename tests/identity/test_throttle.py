"""Login throttling per account and per client address, every login audited without the
password, and a repeated refusal audited once per window."""

from __future__ import annotations

import math
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from kenzen.access import SYSTEM, Role
from kenzen.audit import AuditEntry, Outcome
from kenzen.identity import service as identity
from kenzen.identity.throttle import LoginThrottle
from tests.conftest import World

PASSWORD = "the right password"
PER_ACCOUNT = 5  # Settings.login_failures_per_account: 5 per 15 minutes
PER_CLIENT = 20  # Settings.login_failures_per_client: 20 per 15 minutes


def _user(world: World, email: str) -> None:
    with world.database.transaction() as session:
        identity.add_user(session, SYSTEM, email=email, role=Role.AHS_AGENT, password=PASSWORD)


def _log_in(client: TestClient, email: str, password: str) -> int:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token[1]},
        follow_redirects=False,
    )
    if response.status_code == 429:
        assert int(response.headers["retry-after"]) > 0
    return response.status_code


def _logins(world: World) -> list[AuditEntry]:
    with world.database.transaction() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == "logIn").order_by(AuditEntry.id)
            )
        )


def test_an_account_is_throttled_at_its_limit_even_with_the_right_password(
    client: TestClient, world: World
) -> None:
    _user(world, "agent@example.test")
    statuses = [_log_in(client, "agent@example.test", "wrong guess") for _ in range(PER_ACCOUNT)]
    assert statuses == [401] * PER_ACCOUNT  # at the limit: still refused one by one
    assert _log_in(client, "agent@example.test", PASSWORD) == 429  # past it: not checked
    page = client.get("/login")
    assert page.status_code == 200
    _user(world, "other@example.test")
    assert _log_in(client, "other@example.test", PASSWORD) == 303  # other accounts unaffected


def test_a_client_address_is_throttled_across_accounts(client: TestClient, world: World) -> None:
    for n in range(PER_CLIENT):
        assert _log_in(client, f"guess{n}@example.test", "wrong guess") == 401
    _user(world, "agent@example.test")
    assert _log_in(client, "agent@example.test", PASSWORD) == 429


def test_a_right_password_clears_the_account_count(client: TestClient, world: World) -> None:
    _user(world, "agent@example.test")
    for _ in range(PER_ACCOUNT - 1):
        assert _log_in(client, "agent@example.test", "wrong guess") == 401
    assert _log_in(client, "agent@example.test", PASSWORD) == 303
    client.cookies.clear()
    for _ in range(PER_ACCOUNT - 1):
        assert _log_in(client, "agent@example.test", "wrong guess") == 401


def test_every_login_is_audited_without_the_password(client: TestClient, world: World) -> None:
    _user(world, "agent@example.test")
    assert _log_in(client, "agent@example.test", "wrong guess") == 401
    assert _log_in(client, "nobody@example.test", "another guess") == 401
    assert _log_in(client, "agent@example.test", PASSWORD) == 303
    entries = _logins(world)
    assert [(e.actor, e.outcome) for e in entries] == [
        ("agent@example.test", Outcome.DENIED),
        ("nobody@example.test", Outcome.DENIED),
        ("agent@example.test", Outcome.OK),
    ]
    assert all(e.detail["client"] == "testclient" for e in entries)
    written = repr([(e.actor, e.target, e.detail) for e in entries])
    assert "guess" not in written
    assert PASSWORD not in written


def test_repeated_identical_refusals_are_audited_once_per_window(
    client: TestClient, world: World
) -> None:
    _user(world, "agent@example.test")
    for _ in range(PER_ACCOUNT):
        _log_in(client, "agent@example.test", "wrong guess")
    _log_in(client, "agent@example.test", "wrong guess")  # throttled: a refusal of its own kind
    reasons = [e.detail["reason"] for e in _logins(world)]
    assert reasons == ["wrong email or password", "too many failed logins"]
    seller = world.headers(Role.SELLER)
    for _ in range(10):
        assert client.get("/api/v1/sellers/S2/health", headers=seller).status_code == 404
    assert client.get("/api/v1/sellers/S3/health", headers=seller).status_code == 404
    with world.database.transaction() as session:
        denied = session.scalars(
            select(AuditEntry.target).where(
                AuditEntry.action == "getSellerHealth", AuditEntry.outcome == Outcome.DENIED
            )
        ).all()
    assert sorted(denied) == ["seller:S2", "seller:S3"]


def test_each_of_two_server_processes_allows_its_share_of_a_limit() -> None:
    """Each counts apart, so together they allow the limit plus one per extra process."""
    throttle = LoginThrottle(f"{PER_ACCOUNT} per 15 minutes", "100 per 15 minutes", processes=2)
    share = math.ceil(PER_ACCOUNT / 2)
    for _ in range(share):
        assert throttle.retry_after("agent@example.test", "10.0.0.1") is None
        throttle.failed("agent@example.test", "10.0.0.1")
    assert throttle.retry_after("agent@example.test", "10.0.0.1") is not None
