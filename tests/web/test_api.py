"""The HTTP API's contract: operationIds, authentication and bad input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kenzen.access import Role
from kenzen.audit import AuditEntry
from kenzen.cases import service as cases_service
from kenzen.cases.models import Case
from kenzen.config import Settings
from kenzen.sellers.models import AccountStatusChange, Seller
from kenzen.sellers.status import AccountStatus
from kenzen.web.app import create_app
from tests.conftest import World

OPERATION_IDS = {
    "whoAmI",
    "getSellerHealth",
    "setAccountStatus",
    "listCases",
    "getCase",
    "addCaseNote",
}


def test_openapi_publishes_the_operation_ids(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    found = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert found >= OPERATION_IDS
    assert all(path.startswith("/api/v1/") for path in spec["paths"])


def test_who_am_i(client: TestClient, world: World) -> None:
    response = client.get("/api/v1/me", headers=world.headers(Role.SELLER))
    assert response.json() == {"email": "seller@example.test", "role": "seller", "seller_id": "S1"}


def test_missing_or_bad_token_is_401(client: TestClient, world: World) -> None:
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer kz_forged"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_invalid_body_is_422_naming_the_field(client: TestClient, world: World) -> None:
    response = client.post(
        "/api/v1/sellers/S1/status",
        headers=world.headers(Role.ACCOUNT_SPECIALIST),
        json={"status": "SUSPENDED", "reason": "x"},
    )
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", "status"]]


def test_unknown_seller_is_404_and_illegal_transition_409(client: TestClient, world: World) -> None:
    headers = world.headers(Role.ACCOUNT_SPECIALIST)
    unknown = client.post(
        "/api/v1/sellers/S404/status", headers=headers, json={"status": "AT_RISK", "reason": "x"}
    )
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "seller S404 not found"})
    body = {"status": "DEACTIVATED", "reason": "IP complaints"}
    assert client.post("/api/v1/sellers/S1/status", headers=headers, json=body).status_code == 200
    illegal = client.post(
        "/api/v1/sellers/S1/status", headers=headers, json={"status": "AT_RISK", "reason": "x"}
    )
    assert illegal.status_code == 409
    assert "cannot go from DEACTIVATED to AT_RISK" in illegal.json()["detail"]


def test_body_over_one_mebibyte_is_413_and_writes_nothing(client: TestClient, world: World) -> None:
    response = client.post(
        "/api/v1/sellers/S1/status",
        headers=world.headers(Role.ACCOUNT_SPECIALIST),
        json={"status": "AT_RISK", "reason": "x" * (1024 * 1024)},
    )
    assert response.status_code == 413
    with world.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AccountStatusChange)) == 0


def test_streamed_body_over_the_limit_is_413(client: TestClient, world: World) -> None:
    def chunks() -> object:
        for _ in range(17):
            yield b"x" * 65536

    response = client.post(
        "/api/v1/cases/1/notes",
        headers={**world.headers(Role.AHS_AGENT), "Content-Type": "application/json"},
        content=chunks(),  # type: ignore[arg-type]
    )
    assert response.status_code == 413


def test_streamed_body_within_the_limit_reaches_the_route(client: TestClient, world: World) -> None:
    headers = world.headers(Role.ACCOUNT_SPECIALIST)
    change = client.post(
        "/api/v1/sellers/S2/status", headers=headers, json={"status": "AT_RISK", "reason": "ODR"}
    ).json()

    def chunks() -> object:
        yield b'{"text": "streamed ",'
        yield b' "visibility": "seller"}'

    response = client.post(
        f"/api/v1/cases/{change['case_id']}/notes",
        headers={**headers, "Content-Type": "application/json"},
        content=chunks(),  # type: ignore[arg-type]
    )
    assert (response.status_code, response.json()["text"]) == (201, "streamed")


def test_case_note_round_trip(client: TestClient, world: World) -> None:
    headers = world.headers(Role.ACCOUNT_SPECIALIST)
    change = client.post(
        "/api/v1/sellers/S2/status", headers=headers, json={"status": "AT_RISK", "reason": "ODR"}
    ).json()
    note = client.post(
        f"/api/v1/cases/{change['case_id']}/notes",
        headers=headers,
        json={"text": "Reviewed the defects.", "visibility": "seller_performance"},
    )
    assert note.status_code == 201
    case = client.get(f"/api/v1/cases/{change['case_id']}", headers=headers).json()
    assert [e["kind"] for e in case["entries"]] == ["account_status", "note"]
    assert case["entries"][0]["text"].startswith("Your account status changed from Normal")
    with world.database.transaction() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
        assert {"setAccountStatus", "addCaseNote"} <= actions


def test_responses_carry_security_headers(client: TestClient) -> None:
    headers = client.get("/login").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_a_request_failing_after_its_first_write_leaves_nothing(
    settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_entry(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    # set_account_status has already changed the seller and added the change record
    # when it writes the case entry; that write fails here.
    monkeypatch.setattr(cases_service, "append_entry", broken_entry)
    with TestClient(create_app(settings, world.database), raise_server_exceptions=False) as client:
        response = client.post(
            "/api/v1/sellers/S1/status",
            headers=world.headers(Role.ACCOUNT_SPECIALIST),
            json={"status": "DEACTIVATED", "reason": "IP complaints"},
        )
    assert response.status_code == 500
    with world.database.transaction() as session:
        seller = session.get(Seller, "S1")
        assert seller is not None
        assert seller.status is AccountStatus.NORMAL
        assert session.scalar(select(func.count()).select_from(AccountStatusChange)) == 0
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert "setAccountStatus" not in set(session.scalars(select(AuditEntry.action)))
