"""The notices API, the /verify page, preferences and the webhook endpoint rule."""

from __future__ import annotations

import re
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kenzen.access import SYSTEM, Role, Visibility
from kenzen.cases import account_status
from kenzen.cases import service as cases
from kenzen.cases.models import Case, CaseEntry, CaseKind, EntryKind
from kenzen.config import Settings
from kenzen.errors import InvalidInput
from kenzen.i18n import Message
from kenzen.identity import service as identity
from kenzen.languages import Language
from kenzen.notify import service as notices
from kenzen.notify import webhooks
from kenzen.notify.email import render_notice
from kenzen.notify.keys import Keyring
from kenzen.notify.smtp import FileTransport
from kenzen.notify.webhooks import check_endpoint
from kenzen.notify.worker import Worker
from kenzen.outbox.models import DeliveryStatus, Notice, WebhookDelivery
from kenzen.sellers.models import Seller
from kenzen.sellers.status import AccountStatus
from kenzen.web.app import create_app
from tests.conftest import World

INQUIRY = Message("case.inquiry.title")

PASSWORD = "seller-password"


@pytest.fixture
def api_keyring(client: TestClient, world: World) -> Keyring:
    """Keys where the app looks for them (KENZEN_HOME/keys of the test's settings)."""
    ring = Keyring(client.app.state.settings.keys_dir)  # type: ignore[attr-defined]
    with world.database.transaction() as session:
        notices.generate_dkim_key(session, SYSTEM, ring, "JP", algorithm="ed25519")
    return ring


def _notice_mail(world: World, keyring: Keyring, tmp_path: Path) -> str:
    with world.database.transaction() as session:
        account_status.set_account_status(
            session, SYSTEM, "S1", status=AccountStatus.DEACTIVATED, reason="IP complaints"
        )
    Worker(world.database, keyring, FileTransport(tmp_path / "mail")).run_once()
    [written] = list((tmp_path / "mail").glob("*.eml"))
    return written.read_text()


def test_verify_notice_api(
    client: TestClient, world: World, api_keyring: Keyring, tmp_path: Path
) -> None:
    message = _notice_mail(world, api_keyring, tmp_path)
    response = client.post(
        "/api/v1/notices/verify", json={"message": message}, headers=world.headers(Role.SELLER)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "GENUINE"
    assert body["reasons"] == []
    assert "IP complaints" in body["case_entry"]["text"]

    tampered = message.replace("IP complaints", "IP complaintz", 1)
    body = client.post(
        "/api/v1/notices/verify", json={"message": tampered}, headers=world.headers(Role.SELLER)
    ).json()
    assert body["verdict"] == "SUSPICIOUS"
    assert [r["code"] for r in body["reasons"]] == ["SIGNATURE_INVALID"]
    assert "署名" in body["reasons"][0]["message"]  # S1 reads Japanese

    refused = client.post(
        "/api/v1/notices/verify",
        json={"message": message},
        headers=world.headers(Role.RIGHTS_OWNER),
    )
    assert refused.status_code == 403
    empty = client.post(
        "/api/v1/notices/verify", json={"message": ""}, headers=world.headers(Role.SELLER)
    )
    assert empty.status_code == 422
    text = client.post(
        "/api/v1/notices/verify",
        json={"message": "Is this mail really from you?"},
        headers=world.headers(Role.SELLER),
    )
    assert text.status_code == 200
    assert text.json()["verdict"] == "SUSPICIOUS"
    assert "NOT_A_MESSAGE" in [r["code"] for r in text.json()["reasons"]]


def test_list_notices_is_limited_to_the_sellers_own(
    client: TestClient, world: World, api_keyring: Keyring
) -> None:
    with world.database.transaction() as session:
        for seller_id in ("S1", "S2"):
            account_status.set_account_status(
                session, SYSTEM, seller_id, status=AccountStatus.AT_RISK, reason="r"
            )
    own = client.get("/api/v1/notices", headers=world.headers(Role.SELLER)).json()
    assert [n["seller_id"] for n in own] == ["S1"]
    foreign = client.get("/api/v1/notices?seller_id=S2", headers=world.headers(Role.SELLER))
    assert foreign.status_code == 404
    every = client.get("/api/v1/notices", headers=world.headers(Role.AHS_AGENT)).json()
    assert sorted(n["seller_id"] for n in every) == ["S1", "S2"]


def test_preferences_language_recipients_and_mandatory_notices(
    client: TestClient, world: World
) -> None:
    headers = world.headers(Role.SELLER)
    url = "/api/v1/sellers/S1/notification-preferences"
    refused = client.put(url, json={"muted": ["account_status"]}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["detail"] == (  # S1's seller reads Japanese; the field keeps its name
        "muted: 'account_status' は必須の通知のため、停止できません"
    )
    bad = client.put(url, json={"extra_recipients": ["not-an-address"]}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("extra_recipients[0]: 'not-an-address'")
    saved = client.put(
        url,
        json={"language": "en", "extra_recipients": ["ops@s1.example.com"], "muted": ["note"]},
        headers=headers,
    )
    assert saved.status_code == 200
    assert client.get(url, headers=headers).json()["muted"] == ["note"]
    assert (
        client.put(
            "/api/v1/sellers/S2/notification-preferences", json={}, headers=headers
        ).status_code
        == 404
    )

    with world.database.transaction() as session:
        case = cases.open_case(session, seller_id="S1", kind=CaseKind.GENERAL, title=INQUIRY)
        cases.append_entry(
            session,
            case,
            world.actors[Role.AHS_AGENT],
            visibility=Visibility.SELLER,
            kind=EntryKind.NOTE,
            text="muted note",
        )
        account_status.set_account_status(
            session, SYSTEM, "S1", status=AccountStatus.AT_RISK, reason="r"
        )
        [notice] = session.scalars(select(Notice)).all()  # the note was muted, not the status
        assert notice.kind == "account_status"
        assert notice.mandatory
        assert notice.language.value == "en"
        assert notice.recipients == ["s1@sellers.example.test", "ops@s1.example.com"]
        # The mail is put into words in the notice's language when it is sent; the same
        # entry reads Japanese on the pages of S1, whose account language is Japanese.
        entry, seller = session.get(CaseEntry, notice.case_entry_id), session.get(Seller, "S1")
        changed = session.get(Case, notice.case_id)
        assert entry is not None
        assert seller is not None
        assert changed is not None
        raw = render_notice(notice, entry, changed, seller, seller.marketplace)
        mail = message_from_bytes(raw, policy=email_policy.default)
        assert isinstance(mail, EmailMessage)
        assert mail["Subject"] == f"Account status: At risk (case {changed.id})"
        body = mail.get_body(("plain",))
        assert body is not None
        assert "Your account status changed from Normal to At risk." in body.get_content()
        assert body.get_content().startswith("Dear Seller S1,\r\n")
        html = mail.get_body(("html",))
        assert html is not None
        assert "only from <b>account-health@" in html.get_content()
        notice.language = Language.JA  # the seller's own language: the whole mail follows
        japanese = message_from_bytes(
            render_notice(notice, entry, changed, seller, seller.marketplace),
            policy=email_policy.default,
        )
        assert isinstance(japanese, EmailMessage)
        assert japanese["Subject"] == f"アカウントの状態: リスクあり(ケース {changed.id})"
        text = japanese.get_body(("plain",))
        assert text is not None
        assert text.get_content().startswith("Seller S1 様\r\n\r\nアカウントの状態が 正常 から")
        assert "「通知の確認」" in text.get_content()
        assert entry.text_in("ja").startswith("アカウントの状態が 正常 から リスクあり に")


def test_webhook_api_requires_https_and_admin(client: TestClient, world: World) -> None:
    admin = world.headers(Role.ADMIN)
    http = client.post(
        "/api/v1/webhooks",
        json={"marketplace_id": "JP", "url": "http://127.0.0.1:9/hooks"},
        headers=admin,
    )
    assert http.status_code == 422
    assert http.json()["detail"].startswith("url:")
    created = client.post(
        "/api/v1/webhooks",
        json={"marketplace_id": "JP", "url": "https://hooks.example.test/kenzen"},
        headers=admin,
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    listed = client.get("/api/v1/webhooks", headers=admin).json()
    assert "secret" not in listed[0]
    with world.database.transaction() as session:
        stored = session.scalars(select(Notice.id)).all()  # nothing queued by subscribing
        assert stored == []
    assert client.get("/api/v1/webhooks", headers=world.headers(Role.SELLER)).status_code == 403
    gone = client.delete(f"/api/v1/webhooks/{listed[0]['id']}", headers=admin).json()
    assert gone["disabled_at"] is not None
    log = client.get(f"/api/v1/webhooks/{listed[0]['id']}/deliveries", headers=admin)
    assert log.json() == []


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.example.test/x", True),
        ("http://127.0.0.1:8080/x", True),
        ("http://[::1]:8080/x", True),
        ("http://localhost/x", True),
        ("http://hooks.example.test/x", False),
        ("http://10.0.0.1/x", False),
        ("ftp://127.0.0.1/x", False),
        ("https://user:pw@hooks.example.test/x", False),
    ],
)
def test_http_only_for_loopback_and_only_when_allowed(url: str, allowed: bool) -> None:
    if url.startswith("https://") and allowed:
        assert check_endpoint(url) == url
    else:
        with pytest.raises(InvalidInput, match=r"^url: "):
            check_endpoint(url)  # without the flag, plain http is never allowed
    if allowed:
        assert check_endpoint(url, allow_loopback_http=True) == url
    else:
        with pytest.raises(InvalidInput, match=r"^url: "):
            check_endpoint(url, allow_loopback_http=True)


def _csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match
    return match.group(1)


def test_verify_page_for_a_logged_in_seller(
    client: TestClient, world: World, api_keyring: Keyring, tmp_path: Path
) -> None:
    assert client.get("/verify", follow_redirects=False).headers["location"] == "/login"
    with world.database.transaction() as session:
        identity.add_user(
            session,
            SYSTEM,
            email="owner@s1.example.test",
            role=Role.SELLER,
            password=PASSWORD,
            seller_id="S1",
        )
    login = client.post(
        "/login",
        data={
            "email": "owner@s1.example.test",
            "password": PASSWORD,
            "csrf_token": _csrf(client, "/login"),
        },
        follow_redirects=False,
    )
    assert login.status_code == 303
    message = _notice_mail(world, api_keyring, tmp_path)
    token = _csrf(client, "/verify")
    pasted = client.post("/verify", data={"message": message, "csrf_token": token})
    assert 'data-verdict="GENUINE"' in pasted.text
    assert "IP complaints" in pasted.text  # the matching case entry
    uploaded = client.post(
        "/verify",
        data={"csrf_token": token},
        files={
            "upload": (
                "fake.eml",
                message.replace("IP complaints", "IP complaint!"),
                "message/rfc822",
            )
        },
    )
    assert 'data-verdict="SUSPICIOUS"' in uploaded.text
    assert "検証できません" in uploaded.text
    forged = client.post("/verify", data={"message": message, "csrf_token": "wrong"})
    assert forged.status_code == 403


PRIVATE_ENDPOINTS = [
    "https://127.0.0.1/hooks",
    "https://localhost/hooks",
    "https://[::1]/hooks",
    "https://10.1.2.3/hooks",
    "https://172.16.0.9/hooks",
    "https://192.168.1.1/hooks",
    "https://169.254.169.254/latest/meta-data",
    "https://[fe80::1]/hooks",
    "https://[fd00::1]/hooks",
    "https://0.0.0.0/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
]


@pytest.mark.parametrize("url", PRIVATE_ENDPOINTS)
def test_webhooks_to_private_addresses_are_refused_unless_allowed(
    settings: Settings, world: World, url: str
) -> None:
    admin = world.headers(Role.ADMIN)
    body = {"marketplace_id": "JP", "url": url}
    with TestClient(create_app(settings, world.database)) as client:
        refused = client.post("/api/v1/webhooks", json=body, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("url: ")
    assert "KENZEN_WEBHOOK_ALLOW_PRIVATE" in refused.json()["detail"]
    allowing = settings.model_copy(update={"webhook_allow_private": True})
    with TestClient(create_app(allowing, world.database)) as client:
        assert client.post("/api/v1/webhooks", json=body, headers=admin).status_code == 201


def test_public_addresses_pass() -> None:
    assert check_endpoint("https://93.184.215.14/hooks") == "https://93.184.215.14/hooks"
    assert check_endpoint("https://[2606:2800:21f::1]/h") == "https://[2606:2800:21f::1]/h"


def test_a_subscription_now_pointing_inside_is_not_delivered(
    world: World, keyring: Keyring, tmp_path: Path
) -> None:
    with world.database.transaction() as session:
        webhooks.add_webhook(
            session,
            SYSTEM,
            keyring,
            marketplace_id="JP",
            url="https://10.0.0.7/hooks",
            allow_private=True,  # allowed when it was added, not by this worker
        )
        account_status.set_account_status(
            session, SYSTEM, "S1", status=AccountStatus.AT_RISK, reason="r"
        )
    posted: list[str] = []

    def poster(url: str, body: bytes, headers: dict[str, str]) -> int:
        posted.append(url)
        return 200

    worker = Worker(world.database, keyring, FileTransport(tmp_path / "mail"), poster=poster)
    worker.run_once()
    assert posted == []
    with world.database.transaction() as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
        assert delivery.status is DeliveryStatus.FAILED
        assert "private" in (delivery.last_error or "")
