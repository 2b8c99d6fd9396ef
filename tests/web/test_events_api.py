"""importEvents and getSellerPerformanceReport over HTTP."""

from __future__ import annotations

import jsonschema
from fastapi.testclient import TestClient

from kenzen.access import Role
from kenzen.metrics.report import report_schema
from tests.conftest import World

HEADER = "order_id,seller_id,marketplace_id,purchased_at,fulfillment,updated_at\n"
GOOD = "O1,S1,JP,2026-11-01T10:00:00+09:00,marketplace,2026-11-01T10:00:00+09:00\n"
BAD = "O2,S1,JP,2026-11-01T10:00:00,marketplace,2026-11-01T10:00:00+09:00\n"


def _upload(client: TestClient, world: World, text: str, **form: str) -> dict[str, object]:
    response = client.post(
        "/api/v1/events/orders",
        headers=world.headers(Role.ADMIN),
        files={"file": ("orders.csv", text.encode(), "text/csv")},
        data=form,
    )
    return {"status": response.status_code, **response.json()}


def test_import_reports_counts_and_is_idempotent(client: TestClient, world: World) -> None:
    first = _upload(client, world, HEADER + GOOD)
    assert (first["status"], first["inserted"], first["rejected"]) == (200, 1, 0)
    again = _upload(client, world, HEADER + GOOD)
    assert (again["inserted"], again["unchanged"]) == (0, 1)


def test_a_bad_file_is_422_with_every_bad_value(client: TestClient, world: World) -> None:
    rejected = _upload(client, world, HEADER + GOOD + BAD)
    assert rejected["status"] == 422
    assert "line 3, column purchased_at: timestamp has no UTC offset" in str(rejected["detail"])
    skipped = _upload(client, world, HEADER + GOOD + BAD, skip_invalid="true")
    assert (skipped["status"], skipped["inserted"], skipped["rejected"]) == (200, 1, 1)
    assert skipped["errors"] == [
        {
            "line": 3,
            "column": "purchased_at",
            "reason": "timestamp has no UTC offset (add Z or +HH:MM): 2026-11-01T10:00:00",
        }
    ]


def test_unknown_file_type_is_refused(client: TestClient, world: World) -> None:
    response = client.post(
        "/api/v1/events/orders",
        headers=world.headers(Role.ADMIN),
        files={"file": ("orders.xlsx", b"x", "application/octet-stream")},
    )
    assert response.status_code == 422
    assert "unknown file type" in response.json()["detail"]


def test_event_files_may_exceed_the_general_body_limit(client: TestClient, world: World) -> None:
    padding = GOOD * 20_000  # one order repeated: about 1.5 MB
    response = _upload(client, world, HEADER + padding)
    assert (response["status"], response["inserted"], response["unchanged"]) == (200, 1, 19_999)


def test_performance_report_validates(client: TestClient, world: World) -> None:
    response = client.get(
        "/api/v1/sellers/S1/performance-report", headers=world.headers(Role.SELLER)
    )
    assert response.status_code == 200
    jsonschema.validate(response.json(), report_schema())
