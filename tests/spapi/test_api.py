"""Every SP-API operation over HTTP, above all with bad input: Amazon's error shape, the
status Amazon gives, and a message naming the parameter."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kenzen.access import SYSTEM, Role
from kenzen.audit import AuditEntry, Outcome
from kenzen.config import Settings
from kenzen.db import Database
from kenzen.errors import Forbidden, Unauthenticated
from kenzen.outbox.models import WebhookDelivery
from kenzen.policy.document import Policy
from kenzen.spapi import credentials, reports
from kenzen.spapi.generation import ReportWorker
from kenzen.spapi.models import ProcessingStatus, Report
from kenzen.web.app import create_app
from tests.conftest import World
from tests.spapi.conftest import AppKeys, access_token, amazon_model, check_amazon

PERFORMANCE = "GET_V2_SELLER_PERFORMANCE_REPORT"
REPORTS = "/reports/2021-06-30"


def errors_of(response: Any, status: int) -> list[dict[str, str]]:
    """The response's Amazon error list, after checking the status and the shape."""
    assert response.status_code == status, response.text
    body = response.json()
    check_amazon("reports_2021-06-30.json", "ErrorList", body)
    assert all(set(e) == {"code", "message", "details"} for e in body["errors"])
    errors: list[dict[str, str]] = body["errors"]
    return errors


def create(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post(
        f"{REPORTS}/reports",
        headers=headers,
        json={"reportType": PERFORMANCE, "marketplaceIds": ["JP"], **body},
    )


# -- tokens ---------------------------------------------------------------------------------


def test_the_token_endpoint_answers_as_login_with_amazon(
    client: TestClient, app_keys: AppKeys
) -> None:
    form = {
        "grant_type": "refresh_token",
        "client_id": app_keys.client_id,
        "client_secret": app_keys.client_secret,
        "refresh_token": app_keys.refresh_tokens["S1"],
    }
    issued = client.post("/auth/o2/token", data=form)
    assert issued.status_code == 200
    body = issued.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"].startswith("Atza|")

    refused = {
        "client_secret": ("wrong", 401, "invalid_client"),
        "refresh_token": ("Atzr|unknown", 400, "invalid_grant"),
        "grant_type": ("password", 400, "unsupported_grant_type"),
    }
    for name, (value, status, error) in refused.items():
        answer = client.post("/auth/o2/token", data={**form, name: value})
        assert answer.status_code == status, name
        assert answer.json()["error"] == error
    grantless = {**form, "grant_type": "client_credentials", "scope": "other"}
    assert client.post("/auth/o2/token", data=grantless).json()["error"] == "invalid_scope"


def test_a_refresh_token_works_for_its_app_only(
    client: TestClient, app_keys: AppKeys, world: World
) -> None:
    with world.database.transaction() as session:
        other = credentials.add_app(session, SYSTEM, name="Other tool")
    answer = client.post(
        "/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": other.app.client_id,
            "client_secret": other.client_secret,
            "refresh_token": app_keys.refresh_tokens["S1"],
        },
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_missing_and_unknown_access_tokens_are_refused(client: TestClient, world: World) -> None:
    for headers in ({}, {"x-amz-access-token": "Atza|forged"}, world.headers(Role.SELLER)):
        errors = errors_of(
            client.get("/sellers/v1/marketplaceParticipations", headers=headers), 403
        )
        assert errors[0]["code"] == "Unauthorized"


def test_a_grantless_token_cannot_reach_a_sellers_data(
    client: TestClient, app_keys: AppKeys
) -> None:
    issued = client.post(
        "/auth/o2/token",
        data={
            "grant_type": "client_credentials",
            "scope": credentials.NOTIFICATIONS_SCOPE,
            "client_id": app_keys.client_id,
            "client_secret": app_keys.client_secret,
        },
    ).json()
    headers = {"x-amz-access-token": issued["access_token"]}
    errors = errors_of(create(client, headers), 403)
    assert "seller's authorisation" in errors[0]["details"]


def test_an_expired_access_token_is_refused(world: World, app_keys: AppKeys) -> None:
    issued_at = datetime(2026, 11, 1, 9, tzinfo=UTC)
    with world.database.transaction() as session:
        token = credentials.exchange(
            session,
            grant_type="refresh_token",
            client_id=app_keys.client_id,
            client_secret=app_keys.client_secret,
            refresh_token=app_keys.refresh_tokens["S1"],
            clock=lambda: issued_at,
        ).access_token
    last_second = issued_at + timedelta(seconds=3599)
    with world.database.transaction() as session:
        actor = credentials.actor_for_access_token(session, token, clock=lambda: last_second)
        assert actor.seller_id == "S1"
        with pytest.raises(Unauthenticated):
            credentials.actor_for_access_token(
                session, token, clock=lambda: issued_at + timedelta(seconds=3600)
            )


# -- reports --------------------------------------------------------------------------------


@pytest.fixture
def s1(client: TestClient, app_keys: AppKeys) -> dict[str, str]:
    return access_token(client, app_keys, "S1")


def test_create_report_refuses_bad_input_naming_the_parameter(
    client: TestClient, s1: dict[str, str]
) -> None:
    cases: dict[str, dict[str, Any]] = {
        "reportType": {"reportType": "GET_FLAT_FILE_OPEN_LISTINGS_DATA"},
        "dataStartTime": {"dataStartTime": "2026-13-45T00:00:00Z"},
        "dataEndTime": {"dataEndTime": "yesterday"},
        "marketplaceIds": {"marketplaceIds": ["US"]},
    }
    for name, body in cases.items():
        errors = errors_of(create(client, s1, **body), 400)
        assert errors[0]["code"] == "InvalidInput"
        assert errors[0]["message"].startswith(f"{name}:"), errors
    backwards = create(
        client, s1, dataStartTime="2026-11-02T00:00:00Z", dataEndTime="2026-11-01T00:00:00Z"
    )
    assert errors_of(backwards, 400)[0]["message"].startswith("dataStartTime:")
    future = create(client, s1, dataEndTime="2999-01-01T00:00:00Z")
    assert errors_of(future, 400)[0]["message"].startswith("dataEndTime:")


def test_create_report_queues_and_get_report_follows_it(
    client: TestClient, s1: dict[str, str]
) -> None:
    created = create(client, s1, dataEndTime="2026-11-27T15:30:00Z")
    assert created.status_code == 202
    assert created.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    check_amazon("reports_2021-06-30.json", "CreateReportResponse", created.json())
    report = client.get(f"{REPORTS}/reports/{created.json()['reportId']}", headers=s1).json()
    check_amazon("reports_2021-06-30.json", "Report", report)
    assert report["processingStatus"] == "IN_QUEUE"
    assert report["dataEndTime"] == "2026-11-27T15:30:00.000Z"


def test_the_report_day_is_the_marketplaces_local_day(world: World, app_keys: AppKeys) -> None:
    """15:30 UTC on the 27th is already the 28th in Tokyo."""
    actor = _app_actor(world, app_keys, "S1")
    with world.database.transaction() as session:
        report = reports.create_report(
            session,
            actor,
            report_type=PERFORMANCE,
            marketplace_ids=["JP"],
            data_end_time=datetime(2026, 11, 27, 15, 30, tzinfo=UTC),
        )
        assert str(report.as_of) == "2026-11-28"


def _app_actor(world: World, keys: AppKeys, seller: str) -> Any:
    with world.database.transaction() as session:
        token = credentials.exchange(
            session,
            grant_type="refresh_token",
            client_id=keys.client_id,
            client_secret=keys.client_secret,
            refresh_token=keys.refresh_tokens[seller],
        ).access_token
        return credentials.actor_for_access_token(session, token)


def test_someone_elses_and_missing_reports_answer_the_same_403(
    client: TestClient, app_keys: AppKeys, s1: dict[str, str]
) -> None:
    s2 = access_token(client, app_keys, "S2")
    theirs = create(client, s2).json()["reportId"]
    answers = [
        errors_of(client.get(f"{REPORTS}/reports/{report_id}", headers=s1), 403)
        for report_id in (theirs, "424242", "not-a-number")
    ]
    assert answers[0] == answers[1] == answers[2]
    assert errors_of(client.delete(f"{REPORTS}/reports/{theirs}", headers=s1), 403) == answers[0]


def test_get_reports_filters_and_pages(client: TestClient, s1: dict[str, str]) -> None:
    made = [create(client, s1).json()["reportId"] for _ in range(3)]
    first = client.get(
        f"{REPORTS}/reports", headers=s1, params={"reportTypes": PERFORMANCE, "pageSize": 2}
    ).json()
    check_amazon("reports_2021-06-30.json", "GetReportsResponse", first)
    assert [r["reportId"] for r in first["reports"]] == made[::-1][:2]
    second = client.get(
        f"{REPORTS}/reports", headers=s1, params={"nextToken": first["nextToken"]}
    ).json()
    assert [r["reportId"] for r in second["reports"]] == [made[0]]
    assert "nextToken" not in second
    done = client.get(
        f"{REPORTS}/reports",
        headers=s1,
        params={"reportTypes": PERFORMANCE, "processingStatuses": "DONE"},
    ).json()
    assert done["reports"] == []


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({}, "reportTypes"),
        ({"reportTypes": PERFORMANCE, "pageSize": 0}, "pageSize"),
        ({"reportTypes": PERFORMANCE, "pageSize": 101}, "pageSize"),
        ({"reportTypes": PERFORMANCE, "processingStatuses": "SOMETIME"}, "processingStatuses"),
        ({"reportTypes": PERFORMANCE, "createdSince": "not a date"}, "createdSince"),
        ({"reportTypes": ",".join(["A"] * 11)}, "reportTypes"),
        ({"nextToken": "garbage!"}, "nextToken"),
    ],
)
def test_get_reports_refuses_bad_filters(
    client: TestClient, s1: dict[str, str], params: dict[str, Any], name: str
) -> None:
    errors = errors_of(client.get(f"{REPORTS}/reports", headers=s1, params=params), 400)
    assert errors[0]["message"].startswith(f"{name}:"), errors


def test_page_size_at_the_limit_is_accepted(client: TestClient, s1: dict[str, str]) -> None:
    answer = client.get(
        f"{REPORTS}/reports", headers=s1, params={"reportTypes": PERFORMANCE, "pageSize": 100}
    )
    assert answer.status_code == 200


def test_only_queued_reports_can_be_cancelled(
    client: TestClient, s1: dict[str, str], database: Database, policy: Policy
) -> None:
    queued, generated = (create(client, s1).json()["reportId"] for _ in range(2))
    assert client.delete(f"{REPORTS}/reports/{queued}", headers=s1).status_code == 200
    cancelled = client.get(f"{REPORTS}/reports/{queued}", headers=s1).json()
    assert cancelled["processingStatus"] == "CANCELLED"
    assert ReportWorker(database, lambda: policy).run_once() == 1
    errors = errors_of(client.delete(f"{REPORTS}/reports/{generated}", headers=s1), 400)
    assert "キャンセルできるのは IN_QUEUE のレポートだけです" in errors[0]["message"]  # S1: ja


def test_a_failed_generation_is_fatal_with_a_document_saying_why(
    client: TestClient, s1: dict[str, str], database: Database
) -> None:
    report_id = create(client, s1).json()["reportId"]

    def broken_policy() -> Policy:
        raise RuntimeError("policy file unreadable")

    assert ReportWorker(database, broken_policy).run_once() == 1
    report = client.get(f"{REPORTS}/reports/{report_id}", headers=s1).json()
    assert report["processingStatus"] == "FATAL"
    link = client.get(f"{REPORTS}/documents/{report['reportDocumentId']}", headers=s1).json()
    assert "compressionAlgorithm" not in link
    document = client.get(urlsplit(link["url"]).path).json()
    assert "policy file unreadable" in document["errorDetails"]


@pytest.fixture
def public_client(database: Database, tmp_path: Path, world: World) -> Iterator[TestClient]:
    settings = Settings(
        home=tmp_path, database_url=database.url, public_url="https://kenzen.example.test/"
    )
    with TestClient(create_app(settings, database)) as test_client:
        yield test_client


def test_document_urls_are_built_on_the_public_url_and_work_without_a_token(
    public_client: TestClient, app_keys: AppKeys, database: Database, policy: Policy
) -> None:
    s1 = access_token(public_client, app_keys, "S1")
    report_id = create(public_client, s1).json()["reportId"]
    ReportWorker(database, lambda: policy).run_once()
    report = public_client.get(f"{REPORTS}/reports/{report_id}", headers=s1).json()
    link = public_client.get(
        f"{REPORTS}/documents/{report['reportDocumentId']}",
        headers={**s1, "Host": "attacker.example"},
    ).json()
    check_amazon("reports_2021-06-30.json", "ReportDocument", link)
    assert link["url"].startswith("https://kenzen.example.test/sp-api/documents/")
    assert link["compressionAlgorithm"] == "GZIP"
    content = public_client.get(urlsplit(link["url"]).path)
    assert content.status_code == 200
    assert json.loads(gzip.decompress(content.content))["accountStatuses"][0]["status"] == "NORMAL"


def test_a_document_link_expires_after_five_minutes(
    world: World, app_keys: AppKeys, database: Database, policy: Policy
) -> None:
    actor = _app_actor(world, app_keys, "S1")
    with database.transaction() as session:
        report_id = reports.create_report(
            session, actor, report_type=PERFORMANCE, marketplace_ids=["JP"]
        ).id
    ReportWorker(database, lambda: policy).run_once()
    handed_out = datetime(2026, 11, 28, 23, 58, tzinfo=UTC)
    with database.transaction() as session:
        document_id = session.get_one(Report, report_id).document_id
        assert document_id is not None
        link = reports.get_report_document(session, actor, document_id, clock=lambda: handed_out)
    with database.transaction() as session:
        last = handed_out + timedelta(seconds=reports.DOCUMENT_URL_SECONDS - 1)
        assert reports.download(session, link.token, clock=lambda: last).id == document_id
        expiry = handed_out + timedelta(seconds=reports.DOCUMENT_URL_SECONDS)
        with pytest.raises(Forbidden):
            reports.download(session, link.token, clock=lambda: expiry)


def test_an_expired_or_unknown_document_url_answers_403(client: TestClient) -> None:
    errors = errors_of(client.get("/sp-api/documents/expired-or-never-issued"), 403)
    assert errors[0]["code"] == "Unauthorized"


def test_documents_are_gzipped_past_the_threshold_only() -> None:
    at_limit = b"x" * reports.GZIP_THRESHOLD_BYTES
    assert reports.pack(at_limit) == (at_limit, None)
    content, compression = reports.pack(at_limit + b"x")
    assert compression == "GZIP"
    assert gzip.decompress(content) == at_limit + b"x"


def test_what_an_app_changes_is_audited_under_its_client_id(
    client: TestClient, s1: dict[str, str], app_keys: AppKeys, world: World
) -> None:
    report_id = create(client, s1).json()["reportId"]
    client.delete(f"{REPORTS}/reports/{report_id}", headers=s1)
    with world.database.transaction() as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.actor == f"app:{app_keys.client_id}")
            .order_by(AuditEntry.id)
        ).all()
        assert [(e.action, e.target, e.outcome) for e in entries] == [
            ("createReport", "seller:S1", Outcome.OK),
            ("cancelReport", "seller:S1", Outcome.OK),
        ]


# -- notifications --------------------------------------------------------------------------


def _grantless(client: TestClient, keys: AppKeys) -> dict[str, str]:
    issued = client.post(
        "/auth/o2/token",
        data={
            "grant_type": "client_credentials",
            "scope": credentials.NOTIFICATIONS_SCOPE,
            "client_id": keys.client_id,
            "client_secret": keys.client_secret,
        },
    ).json()
    return {"x-amz-access-token": issued["access_token"]}


def _destination(client: TestClient, headers: dict[str, str], spec: dict[str, Any]) -> Any:
    return client.post(
        "/notifications/v1/destinations",
        headers=headers,
        json={"name": "receiver", "resourceSpecification": spec},
    )


def test_destinations_are_https_receivers(client: TestClient, app_keys: AppKeys) -> None:
    app = _grantless(client, app_keys)
    made = _destination(client, app, {"https": {"url": "https://receiver.example.test/n"}})
    assert made.status_code == 200, made.text
    check_amazon("notifications.json", "CreateDestinationResponse", made.json())
    assert made.json()["payload"]["signingSecret"].startswith("whsec_")
    listed = client.get("/notifications/v1/destinations", headers=app).json()
    check_amazon("notifications.json", "GetDestinationsResponse", listed)
    assert "signingSecret" not in listed["payload"][0]
    for spec in (
        {"sqs": {"arn": "arn:aws:sqs:us-east-1:123:queue"}},
        {"eventBridge": {"region": "us-east-1", "accountId": "123"}},
        {"https": {"url": "http://receiver.example.test/n"}},
    ):
        errors = errors_of(_destination(client, app, spec), 400)
        assert errors[0]["message"].startswith(("resourceSpecification:", "url:")), errors
    destination_id = made.json()["payload"]["destinationId"]
    deleted = client.delete(f"/notifications/v1/destinations/{destination_id}", headers=app)
    assert deleted.status_code == 200
    assert client.get("/notifications/v1/destinations", headers=app).json()["payload"] == []


def test_subscriptions_check_type_destination_and_duplicates(
    client: TestClient, app_keys: AppKeys, world: World
) -> None:
    s1 = access_token(client, app_keys, "S1")
    destination = _destination(client, s1, {"https": {"url": "https://r.example.test/"}}).json()
    body = {"destinationId": destination["payload"]["destinationId"], "payloadVersion": "1.0"}
    path = "/notifications/v1/subscriptions"
    unknown = client.post(f"{path}/ORDER_CHANGE", headers=s1, json=body)
    assert errors_of(unknown, 400)[0]["message"].startswith("notificationType:")
    made = client.post(f"{path}/ACCOUNT_STATUS_CHANGED", headers=s1, json=body)
    assert made.status_code == 200, made.text
    check_amazon("notifications.json", "CreateSubscriptionResponse", made.json())
    again = client.post(f"{path}/ACCOUNT_STATUS_CHANGED", headers=s1, json=body)
    assert errors_of(again, 409)[0]["code"] == "Conflict"

    with world.database.transaction() as session:
        other = credentials.add_app(session, SYSTEM, name="Other tool")
        refresh = credentials.authorize_app(
            session, SYSTEM, client_id=other.app.client_id, seller_id="S1"
        ).refresh_token
    foreign = AppKeys(other.app.client_id, other.client_secret, {"S1": refresh})
    stolen = client.post(
        f"{path}/REPORT_PROCESSING_FINISHED", headers=access_token(client, foreign), json=body
    )
    assert errors_of(stolen, 403)[0]["code"] == "Unauthorized"

    subscription_id = made.json()["payload"]["subscriptionId"]
    gone = client.delete(f"{path}/ACCOUNT_STATUS_CHANGED/{subscription_id}", headers=s1)
    assert gone.status_code == 200
    assert errors_of(client.get(f"{path}/ACCOUNT_STATUS_CHANGED", headers=s1), 404)


def test_report_processing_finished_goes_to_the_apps_subscription_in_amazons_shape(
    client: TestClient, app_keys: AppKeys, database: Database, policy: Policy
) -> None:
    s1 = access_token(client, app_keys, "S1")
    destination = _destination(client, s1, {"https": {"url": "https://r.example.test/"}}).json()
    client.post(
        "/notifications/v1/subscriptions/REPORT_PROCESSING_FINISHED",
        headers=s1,
        json={"destinationId": destination["payload"]["destinationId"], "payloadVersion": "1.0"},
    )
    report_id = create(client, s1).json()["reportId"]
    ReportWorker(database, lambda: policy).run_once()
    with database.transaction() as session:
        (delivery,) = session.scalars(select(WebhookDelivery)).all()
        payload = delivery.payload
    jsonschema.validate(payload, amazon_model("ReportProcessingFinishedNotification.json"))
    finished = payload["payload"]["reportProcessingFinishedNotification"]
    assert finished["reportId"] == report_id
    assert finished["processingStatus"] == ProcessingStatus.DONE.value
    assert payload["notificationMetadata"]["applicationId"] == app_keys.client_id


# -- sellers and rate limits ----------------------------------------------------------------


def test_marketplace_participations_follow_the_account_status(
    client: TestClient, s1: dict[str, str], world: World
) -> None:
    answer = client.get("/sellers/v1/marketplaceParticipations", headers=s1).json()
    check_amazon("sellers.json", "GetMarketplaceParticipationsResponse", answer)
    (entry,) = answer["payload"]
    assert entry["marketplace"]["countryCode"] == "JP"
    assert entry["participation"] == {"isParticipating": True, "hasSuspendedListings": False}
    assert entry["storeName"] == "Seller S1"
