"""Ids out of range — past what the databases hold, zero or negative — are refused at the
boundary with 422 naming the field, in paths, bodies, forms, queries and pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kenzen.access import SYSTEM, Role
from kenzen.config import Settings
from kenzen.identity.service import add_user
from kenzen.ids import MAX_ID
from kenzen.web.app import create_app
from tests.conftest import World

OUT_OF_RANGE = [MAX_ID + 1, 2**64, 0, -1]
PASSWORD = "a password for ids"


@pytest.fixture
def lenient(settings: Settings, world: World) -> Iterator[TestClient]:
    """A client that shows a server error as the 500 a caller would see."""
    with TestClient(create_app(settings, world.database), raise_server_exceptions=False) as client:
        yield client


def _id_operations(client: TestClient) -> list[tuple[str, str, str, bool]]:
    """(method, path template, parameter, takes an upload) for every operation with an
    integer path id."""
    spec = client.get("/openapi.json").json()
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            upload = "multipart/form-data" in operation.get("requestBody", {}).get("content", {})
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                    found.append((method, path, parameter["name"], upload))
    return found


def test_every_path_id_is_bounded(lenient: TestClient, world: World) -> None:
    operations = _id_operations(lenient)
    assert len(operations) >= 12
    for method, path, name, upload in operations:
        # an upload is read only once its gate lets the caller through: the role that may
        files = {"file": ("plan.txt", b"plan")} if upload else None
        headers = world.headers(Role.SELLER if upload else Role.ADMIN)
        for value in OUT_OF_RANGE:
            url = path.replace("{" + name + "}", str(value))
            json: dict[str, object] | None = None if upload else {}
            response = lenient.request(method, url, headers=headers, files=files, json=json)
            assert response.status_code == 422, (method, url, response.text)
            assert ["path", name] in [e["loc"] for e in response.json()["detail"]], url


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize(
    ("role", "path", "body", "loc"),
    [
        (
            Role.SELLER,
            "/api/v1/sellers/S1/callbacks",
            {"phone": "090-1234-5678", "case_id": "ID"},
            ["body", "case_id"],
        ),
        (Role.SELLER, "/api/v1/appeals/check", {"poa": {}, "case_id": "ID"}, ["body", "case_id"]),
        (
            Role.ACCOUNT_SPECIALIST,
            "/api/v1/sellers/S1/status",
            {"status": "AT_RISK", "reason": "x", "case_id": "ID"},
            ["body", "case_id"],
        ),
        (
            Role.RIGHTS_OWNER,
            "/api/v1/complaints",
            {"brand_id": "ID", "kind": "trademark", "listings": [], "statement": "x"},
            ["body", "brand_id"],
        ),
        (
            Role.SELLER,
            "/api/v1/cases/1/appeal",
            {"poa": {"attachment_ids": ["ID"]}},
            ["body", "poa", "attachment_ids", 0],
        ),
    ],
)
def test_ids_in_bodies_are_bounded(
    lenient: TestClient,
    world: World,
    role: Role,
    path: str,
    body: dict[str, object],
    loc: list[object],
    value: int,
) -> None:
    text = json.dumps(body).replace('"ID"', str(value))
    response = lenient.post(
        path, headers={**world.headers(role), "Content-Type": "application/json"}, content=text
    )
    assert response.status_code == 422, response.text
    assert loc in [e["loc"] for e in response.json()["detail"]]


def test_rating_what_if_ids_are_bounded(lenient: TestClient, world: World) -> None:
    response = lenient.get(
        f"/api/v1/sellers/S1/rating?resolve={MAX_ID + 1}", headers=world.headers(Role.SELLER)
    )
    assert response.status_code == 422


def test_an_attachment_for_an_appeal_out_of_range_is_422(lenient: TestClient, world: World) -> None:
    response = lenient.post(
        "/api/v1/attachments",
        headers=world.headers(Role.SELLER),
        data={"appeal_id": str(MAX_ID + 1), "kind": "invoice"},
        files={"file": ("a.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert response.status_code == 422
    assert ["body", "appeal_id"] in [e["loc"] for e in response.json()["detail"]]


def test_a_plan_file_checked_against_a_case_out_of_range_is_422(
    lenient: TestClient, world: World
) -> None:
    response = lenient.post(
        "/api/v1/appeals/check/file",
        headers=world.headers(Role.SELLER),
        data={"case_id": str(MAX_ID + 1)},
        files={"file": ("plan.txt", b"Root cause: a brand was missed", "text/plain")},
    )
    assert response.status_code == 422
    assert ["body", "case_id"] in [e["loc"] for e in response.json()["detail"]]


@pytest.mark.parametrize(
    ("role", "page"),
    [
        (Role.SELLER, "/cases/{}"),
        (Role.SELLER, "/cases/{}/appeal"),
        (Role.SELLER, "/callbacks?case={}"),
        (Role.ACCOUNT_SPECIALIST, "/staff/appeals/{}"),
        (Role.AHS_AGENT, "/staff/callbacks/{}"),
    ],
)
def test_pages_answer_ids_out_of_range_without_a_server_error(
    lenient: TestClient, world: World, role: Role, page: str
) -> None:
    email = f"{role.value}-ids@example.test"
    with world.database.transaction() as session:
        add_user(
            session,
            SYSTEM,
            email=email,
            role=role,
            password=PASSWORD,
            seller_id="S1" if role is Role.SELLER else None,
        )
    login = lenient.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token
    lenient.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token[1]})
    for value in OUT_OF_RANGE:
        response = lenient.get(page.format(value))
        assert response.status_code in {404, 422}, (page, value)
