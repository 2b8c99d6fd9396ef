"""Request ids, JSON access lines, /metrics and the probes, through real HTTP requests."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from pydantic import SecretStr

from kenzen import logs
from kenzen.access import SYSTEM, Role
from kenzen.config import Settings
from kenzen.identity import service as identity
from kenzen.sellers import marks
from tests.conftest import Clock, World
from tests.web.forms import page_token

SCRAPER_TOKEN = "prometheus-scrape-token-0123456789"
PASSWORD = "correct-horse-battery-staple"
ORDERS_CSV = (
    "order_id,seller_id,marketplace_id,purchased_at,fulfillment,updated_at\n"
    "O1,S1,JP,2026-11-01T10:00:00+09:00,marketplace,2026-11-01T10:00:00+09:00\n"
    "O2,S1,JP,2026-11-02T10:00:00+09:00,marketplace,2026-11-02T10:00:00+09:00\n"
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"metrics_token": SecretStr(SCRAPER_TOKEN)})


@pytest.fixture
def written() -> Iterator[io.StringIO]:
    """What Kenzen's JSON log handler writes while the test runs, from every logger."""
    stream = io.StringIO()
    handler = logs.handler(stream)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _log_in(client: TestClient, email: str, password: str) -> int:
    form = {"email": email, "password": password, "csrf_token": page_token(client)}
    return client.post("/login", data=form, follow_redirects=False).status_code


def _scrape(client: TestClient) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {SCRAPER_TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_request_id_is_made_or_kept_when_sane(client: TestClient) -> None:
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    assert int(made, 16) >= 0
    assert client.get("/healthz").headers["X-Request-ID"] != made
    kept = "edge-7f3a.2:1"
    assert client.get("/healthz", headers={"X-Request-ID": kept}).headers["X-Request-ID"] == kept
    at_bound = "a" * 64
    assert client.get("/healthz", headers={"X-Request-ID": at_bound}).headers["X-Request-ID"] == (
        at_bound
    )
    for insane in (b"a" * 65, b"two words", b"<script>", b"-leading-dash", b"id\xc3\xa9"):
        answered = client.get("/healthz", headers={b"X-Request-ID": insane}).headers["X-Request-ID"]
        assert answered.encode() != insane
        assert len(answered) == 32


def test_each_request_logs_one_json_line_with_its_id_and_route_template(
    client: TestClient, world: World, written: io.StringIO
) -> None:
    response = client.get(
        "/api/v1/cases/4242?seller_id=S1",
        headers={**world.headers(Role.AHS_AGENT), "X-Request-ID": "trace-1"},
    )
    assert response.status_code == 404
    client.get("/healthz")
    access = [line for line in _lines(written) if line["logger"] == "kenzen.http"]
    assert access == [
        {
            "level": "INFO",
            "logger": "kenzen.http",
            "message": "GET /api/v1/cases/{case_id} 404",
            "method": "GET",
            "route": "/api/v1/cases/{case_id}",
            "status": 404,
            "duration_ms": access[0]["duration_ms"],
            "request_id": "trace-1",
            "time": access[0]["time"],
        }
    ]  # the probe is not logged; no query string, no id from the path
    assert datetime.fromisoformat(str(access[0]["time"])).tzinfo is not None


def test_secrets_never_reach_a_log_line(
    client: TestClient, world: World, written: io.StringIO
) -> None:
    with world.database.transaction() as session:
        identity.add_user(
            session, SYSTEM, email="ops@example.test", role=Role.ADMIN, password=PASSWORD
        )
    token = world.tokens[Role.ADMIN]
    assert _log_in(client, "ops@example.test", PASSWORD) == 303
    assert _log_in(client, "ops@example.test", "wrong-" + PASSWORD) == 401
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    client.get(f"/api/v1/me?token={token}&password={PASSWORD}")
    logging.getLogger("kenzen.test").warning("a careless line: %s password=%s", token, PASSWORD)
    text = written.getvalue()
    assert "kenzen.http" in text
    assert "a careless line" in text
    assert token not in text
    assert token[3:] not in text
    assert PASSWORD not in text
    assert "horse" not in text


def test_redaction_masks_credentials_and_keeps_the_rest() -> None:
    assert logs.redact("login by a@b.test with password=hunter2 from 10.0.0.1") == (
        "login by a@b.test with password=[redacted] from 10.0.0.1"
    )
    assert logs.redact("Authorization: Bearer abc.def-ghi") == "Authorization: [redacted]"
    assert logs.redact("session kz_Ab3_x-Y9 expired") == "session [redacted] expired"
    assert logs.redact("case 12 decided") == "case 12 decided"


def test_metrics_are_for_the_scraper_token_and_administrators(
    client: TestClient, world: World
) -> None:
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-scrape-token-000"})
    assert wrong.status_code == 401
    for role in (Role.SELLER, Role.RIGHTS_OWNER, Role.AHS_AGENT, Role.ACCOUNT_SPECIALIST):
        assert client.get("/metrics", headers=world.headers(role)).status_code == 403
    assert client.get("/metrics", headers=world.headers(Role.ADMIN)).status_code == 200
    assert "kenzen_queue_depth" in _scrape(client)


def test_metrics_without_a_configured_token_refuse_any_bearer(
    client: TestClient, world: World, settings: Settings
) -> None:
    client.app.state.settings = settings.model_copy(update={"metrics_token": None})  # type: ignore[attr-defined]
    assert (
        client.get("/metrics", headers={"Authorization": f"Bearer {SCRAPER_TOKEN}"}).status_code
        == 401
    )
    assert client.get("/metrics", headers=world.headers(Role.ADMIN)).status_code == 200


def test_requests_are_counted_by_route_template_never_by_raw_path(
    client: TestClient, world: World
) -> None:
    labels = {"route": "/api/v1/cases/{case_id}", "method": "GET", "status": "404"}
    before = _sample("http_requests_total", **labels)
    for case_id in (987654, 987655, 987656):
        client.get(f"/api/v1/cases/{case_id}", headers=world.headers(Role.AHS_AGENT))
    client.request("BREW", "/api/v1/cases/987657", headers=world.headers(Role.AHS_AGENT))
    client.get("/no/such/page/987658")
    assert _sample("http_requests_total", **labels) == before + 3
    assert _sample("http_request_duration_seconds_count", **labels) == before + 3
    text = _scrape(client)
    # the ids appear in no label (a histogram's sum may hold the same digits by chance)
    labels_seen = [line.partition("{")[2].partition("}")[0] for line in text.splitlines()]
    assert not any("98765" in label for label in labels_seen)
    assert 'method="other"' in text
    assert 'route="none"' in text
    assert "BREW" not in text


def test_imports_and_login_failures_are_counted(client: TestClient, world: World) -> None:
    rows = _sample("kenzen_import_rows_total", kind="orders")
    imports = _sample("kenzen_import_duration_seconds_count", kind="orders")
    failures = _sample("kenzen_login_failures_total", reason="bad_credentials")
    uploaded = client.post(
        "/api/v1/events/orders",
        headers=world.headers(Role.ADMIN),
        files={"file": ("orders.csv", ORDERS_CSV.encode(), "text/csv")},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert _log_in(client, "nobody@example.test", "guess") == 401
    assert _sample("kenzen_import_rows_total", kind="orders") == rows + 2
    assert _sample("kenzen_import_duration_seconds_count", kind="orders") == imports + 1
    assert _sample("kenzen_import_last_rows_per_second", kind="orders") > 0
    assert _sample("kenzen_login_failures_total", reason="bad_credentials") == failures + 1


def test_queue_depth_and_age_come_from_the_database(
    client: TestClient, world: World, clock: Clock
) -> None:
    clock.move_to(datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    with world.database.transaction() as session:
        marks.mark_for_evaluation(session, ["S1", "S2"], reason="complaint filed")
    clock.advance(seconds=90)
    text = _scrape(client)
    assert 'kenzen_queue_depth{queue="evaluation"} 2.0' in text
    age = next(
        line for line in text.splitlines() if line.startswith("kenzen_queue_oldest_age_seconds")
    )
    assert 'queue="appeals"} 0.0' in age
    lag = next(
        float(line.split()[-1])
        for line in text.splitlines()
        if line.startswith('kenzen_queue_oldest_age_seconds{queue="evaluation"}')
    )
    assert 90 <= lag < 120
    assert "S1" not in text
    assert "S2" not in text


def test_the_probes(client: TestClient, settings: Settings) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {
        "status": "ready",
        "database": "ok",
        "migrations": "ok",
        "event_store": "ok",
    }
    settings.events_dir.mkdir(parents=True, exist_ok=True)
    (settings.events_dir / "manifest.json").write_text("{not json", "utf-8")
    unready = client.get("/readyz")
    assert unready.status_code == 503
    assert unready.json()["event_store"] == "unreadable"
    assert str(settings.events_dir) not in unready.text
    assert client.get("/healthz").status_code == 200
