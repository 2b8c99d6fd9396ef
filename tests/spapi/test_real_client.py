"""The reference client, ``python-amazon-sp-api`` (unmodified), against a live Kenzen over TLS.

The client is pointed at Kenzen only through what it offers for that: a marketplace object
(endpoint, marketplace id, region), an access-token client class with Kenzen's host, and
the private CA to trust. Tokens are cached per refresh token for the whole process, so each
test uses refresh tokens of its own and never counts on a token being fetched again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial
from types import SimpleNamespace
from typing import Any

import httpx
import jsonschema
import pytest
from sp_api.api import Notifications, Reports, Sellers
from sp_api.auth import AccessTokenClient
from sp_api.base.exceptions import (
    SellingApiForbiddenException,
    SellingApiRequestThrottledException,
)
from sqlalchemy import select

from kenzen.access import SYSTEM, Role
from kenzen.db import Database
from kenzen.health import service as health
from kenzen.metrics.report import report_schema
from kenzen.notify import webhooks
from kenzen.notify.keys import Keyring
from kenzen.notify.smtp import transport_for
from kenzen.notify.worker import Worker
from kenzen.policy.document import Policy
from kenzen.spapi import credentials
from kenzen.spapi.generation import ReportWorker
from kenzen.spapi.models import AppAuthorization, Report
from kenzen.spapi.ratelimit import RateLimiter
from tests.conftest import World
from tests.spapi.conftest import AppKeys, LiveServer, Receiver, Tls, check_amazon

PERFORMANCE = "GET_V2_SELLER_PERFORMANCE_REPORT"
DENIED = [
    {"code": "Unauthorized", "message": "Access to requested resource is denied.", "details": ""}
]


def client_options(server: LiveServer, tls: Tls, keys: AppKeys, seller: str) -> dict[str, Any]:
    """What a seller gives the client to use a Kenzen marketplace instead of Amazon."""
    token_client = type(
        "KenzenTokenClient",
        (AccessTokenClient,),
        {"host": server.base_url.removeprefix("https://")},
    )
    return {
        "marketplace": SimpleNamespace(endpoint=server.base_url, marketplace_id="JP", region="FE"),
        "refresh_token": keys.refresh_tokens[seller],
        "credentials": {"lwa_app_id": keys.client_id, "lwa_client_secret": keys.client_secret},
        "auth_token_client_class": token_client,
        "verify": tls.client_context(),
    }


def test_the_client_creates_polls_and_downloads_the_performance_report(
    live_server: LiveServer,
    tls: Tls,
    app_keys: AppKeys,
    database: Database,
    policy: Policy,
) -> None:
    api = Reports(**client_options(live_server, tls, app_keys, "S1"))
    report_id = api.create_report(reportType=PERFORMANCE).payload["reportId"]
    assert api.get_report(report_id).payload["processingStatus"] == "IN_QUEUE"

    worker = ReportWorker(database, lambda: policy)
    for _ in range(3):
        report = api.get_report(report_id).payload
        if report["processingStatus"] == "DONE":
            break
        worker.run_once()
    assert report["processingStatus"] == "DONE"
    check_amazon("reports_2021-06-30.json", "Report", report)

    document = api.get_report_document(report["reportDocumentId"], download=True).payload
    assert document["compressionAlgorithm"] == "GZIP"
    parsed = json.loads(document["document"])
    jsonschema.validate(parsed, report_schema())
    with database.transaction() as session:
        as_of = session.get_one(Report, int(report_id)).as_of
        expected = health.performance_report(session, SYSTEM, policy, "S1", as_of)
    assert parsed == json.loads(json.dumps(expected))
    assert parsed["accountStatuses"] == [{"marketplaceId": "JP", "status": "NORMAL"}]


def test_a_subscription_delivers_account_status_changed_when_a_specialist_acts(
    live_server: LiveServer,
    tls: Tls,
    app_keys: AppKeys,
    database: Database,
    world: World,
    receiver: Receiver,
) -> None:
    api = Notifications(**client_options(live_server, tls, app_keys, "S1"))
    destination = api.create_destination(name="my receiver", arn=receiver.url).payload
    subscription = api.create_subscription(
        "ACCOUNT_STATUS_CHANGED", destination_id=destination["destinationId"]
    ).payload
    assert api.get_subscription("ACCOUNT_STATUS_CHANGED").payload == subscription

    for seller in ("S2", "S1"):  # S2's change is not S1's subscription's business
        changed = httpx.post(
            f"{live_server.base_url}/api/v1/sellers/{seller}/status",
            headers=world.headers(Role.ACCOUNT_SPECIALIST),
            json={"status": "AT_RISK", "reason": "order defect rate 1.4%"},
            verify=tls.client_context(),
        )
        assert changed.status_code == 200, changed.text
    worker = Worker(
        database,
        Keyring(live_server.settings.keys_dir),
        transport_for(live_server.settings),
        poster=partial(webhooks.post, context=tls.client_context()),
        allow_private_webhooks=True,
    )
    worker.run_once()

    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    webhooks.verify_signature(
        destination["signingSecret"],
        timestamp=headers[webhooks.TIMESTAMP_HEADER],
        signature_header=headers[webhooks.SIGNATURE_HEADER],
        body=body,
        now=datetime.now(UTC),
    )
    notification = json.loads(body)
    assert notification["notificationType"] == "ACCOUNT_STATUS_CHANGED"
    assert notification["payload"]["accountStatusChangeNotification"] == {
        "sellerId": "S1",
        "marketplaceId": "JP",
        "previousAccountStatus": "NORMAL",
        "currentAccountStatus": "AT_RISK",
    }
    metadata = notification["notificationMetadata"]
    assert metadata["applicationId"] == app_keys.client_id
    assert metadata["subscriptionId"] == subscription["subscriptionId"]
    assert set(notification) == {
        "notificationVersion",
        "notificationType",
        "payloadVersion",
        "eventTime",
        "payload",
        "notificationMetadata",
    }


def test_seller_a_cannot_read_seller_b_report(
    live_server: LiveServer, tls: Tls, app_keys: AppKeys
) -> None:
    theirs = Reports(**client_options(live_server, tls, app_keys, "S1"))
    report_id = theirs.create_report(reportType=PERFORMANCE).payload["reportId"]
    mine = Reports(**client_options(live_server, tls, app_keys, "S2"))  # S2 reads English
    with pytest.raises(SellingApiForbiddenException) as refused:
        mine.get_report(report_id)
    assert refused.value.error == DENIED
    with pytest.raises(SellingApiForbiddenException) as missing:
        mine.get_report("987654")
    assert missing.value.error == DENIED


def test_a_revoked_authorisation_ends_its_access_token_at_once(
    live_server: LiveServer, tls: Tls, app_keys: AppKeys, database: Database
) -> None:
    api = Sellers(**client_options(live_server, tls, app_keys, "S1"))
    participations = api.get_marketplace_participation().payload
    check_amazon("sellers.json", "MarketplaceParticipationList", participations)
    assert [p["marketplace"]["id"] for p in participations] == ["JP"]
    with database.transaction() as session:
        grant = session.scalars(
            select(AppAuthorization).where(AppAuthorization.seller_id == "S1")
        ).one()
        credentials.revoke_authorization(session, SYSTEM, grant.id)
    with pytest.raises(SellingApiForbiddenException) as refused:
        api.get_marketplace_participation()
    assert refused.value.error[0]["code"] == "Unauthorized"


def test_the_rate_limit_answers_429_past_the_burst(
    live_server: LiveServer, tls: Tls, app_keys: AppKeys
) -> None:
    # the buckets' clock stands still: a slow machine cannot refill one during the burst
    live_server.app.state.sp_api_limiter = RateLimiter(lambda: 0.0)
    api = Sellers(**client_options(live_server, tls, app_keys, "S2"))
    for _ in range(15):  # Amazon's burst for getMarketplaceParticipations
        assert api.get_marketplace_participation().rate_limit == "0.016"
    with pytest.raises(SellingApiRequestThrottledException) as throttled:
        api.get_marketplace_participation()
    assert throttled.value.error[0]["code"] == "QuotaExceeded"
    assert throttled.value.headers["x-amzn-RateLimit-Limit"] == "0.016"
