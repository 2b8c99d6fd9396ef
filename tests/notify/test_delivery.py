"""The case log first, then one signed mail and one signed webhook — also across a worker
that dies between queueing and sending, or after sending but before recording."""

from __future__ import annotations

import email
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import func, select

from kenzen.access import SYSTEM, Role, Visibility
from kenzen.audit import AuditEntry
from kenzen.cases import account_status
from kenzen.cases import service as cases
from kenzen.cases.models import CaseEntry, CaseKind, EntryKind
from kenzen.complaints import disputes
from kenzen.complaints.brand_check import ListingRow, upsert_listing
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import ComplaintKind
from kenzen.complaints.service import file_complaint, register_brand
from kenzen.config import Settings
from kenzen.db import Database
from kenzen.errors import Conflict
from kenzen.i18n import Message
from kenzen.notify import webhooks
from kenzen.notify.keys import Keyring
from kenzen.notify.smtp import (
    FileTransport,
    HandOver,
    SmtpTransport,
    TemporaryFailure,
    transport_for,
)
from kenzen.notify.worker import (
    INTERRUPTED_AFTER_HAND_OVER,
    INTERRUPTED_BEFORE_HAND_OVER,
    ClaimLost,
    Result,
    Worker,
)
from kenzen.outbox.models import (
    AttemptOutcome,
    DeliveryStatus,
    Notice,
    NoticeAttempt,
    WebhookDelivery,
)
from kenzen.policy.document import Policy
from kenzen.sellers.status import AccountStatus
from tests.conftest import Clock, World
from tests.notify.conftest import (
    MAIL_DOMAIN,
    MailHandler,
    SmtpServer,
    WebhookReceiver,
    dkim_valid,
    free_port,
    tls_context_pair,
)

INQUIRY = Message("case.inquiry.title")

MakeWorker = Callable[..., Worker]


def _set_status(database: Database, seller_id: str = "S1") -> None:
    with database.transaction() as session:
        account_status.set_account_status(
            session, SYSTEM, seller_id, status=AccountStatus.AT_RISK, reason="ODR above 1%"
        )


def _status_entries(database: Database) -> int:
    with database.transaction() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(CaseEntry)
                .where(CaseEntry.kind == EntryKind.ACCOUNT_STATUS)
            )
            or 0
        )


def _notice(database: Database) -> Notice:
    with database.transaction() as session:
        return session.scalars(select(Notice)).one()


def test_status_change_gives_one_entry_one_signed_mail_one_signed_webhook(
    world: World,
    keyring: Keyring,
    smtp_server: SmtpServer,
    receiver: WebhookReceiver,
    subscription: str,
    make_worker: MakeWorker,
    clock: Clock,
) -> None:
    _set_status(world.database)
    notice = _notice(world.database)
    assert notice.status is DeliveryStatus.QUEUED  # queued with the entry, not sent yet
    assert smtp_server.handler.messages == []

    worker = make_worker()
    assert worker.run_once() == 2
    assert worker.run_once() == 0

    assert _status_entries(world.database) == 1
    [mail] = smtp_server.handler.messages
    assert mail.mail_from == f"account-health@{MAIL_DOMAIN}"
    assert mail.recipients == ["s1@sellers.example.test"]
    assert dkim_valid(mail.data, keyring) == [True, True]  # RSA-SHA256 and Ed25519
    signatures = email.message_from_bytes(mail.data, policy=default_policy)
    algorithms = sorted(
        str(h).split("a=")[1].split(";")[0] for h in signatures.get_all("DKIM-Signature") or []
    )
    assert algorithms == ["ed25519-sha256", "rsa-sha256"]
    assert signatures["X-Kenzen-Notice-Id"] == notice.id
    assert signatures["X-Kenzen-Case-Id"] == str(notice.case_id)
    assert signatures["Message-ID"] == f"<{notice.id}@{MAIL_DOMAIN}>"
    assert signatures.is_multipart()
    assert [p.get_content_type() for p in signatures.iter_parts()] == ["text/plain", "text/html"]
    assert "ケース" in str(signatures["Subject"])  # S1 reads Japanese
    assert "年" in signatures.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    [hook] = receiver.hooks
    webhooks.verify_signature(
        subscription,
        timestamp=hook.headers[webhooks.TIMESTAMP_HEADER],
        signature_header=hook.headers[webhooks.SIGNATURE_HEADER],
        body=hook.body,
        now=clock(),
    )
    document = hook.json()
    assert document["notificationVersion"] == "1.0"
    assert document["notificationType"] == "ACCOUNT_STATUS_CHANGED"
    assert document["payloadVersion"] == "2021-01-01"
    assert document["eventTime"].endswith("Z")
    assert document["payload"]["accountStatusChangeNotification"] == {
        "sellerId": "S1",
        "marketplaceId": "JP",
        "previousAccountStatus": "NORMAL",
        "currentAccountStatus": "AT_RISK",
    }
    metadata = document["notificationMetadata"]
    assert metadata["notificationId"] == hook.headers[webhooks.NOTIFICATION_ID_HEADER]
    with world.database.transaction() as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
        assert delivery.status is DeliveryStatus.SENT
        assert [a.outcome for a in delivery.log] == [AttemptOutcome.SENT]
        assert delivery.log[0].http_status == 200
        assert session.get_one(Notice, notice.id).status is DeliveryStatus.SENT


def test_receiver_rejects_tampered_and_replayed_webhooks(subscription: str, clock: Clock) -> None:
    body = b'{"a":1}'
    headers = webhooks.signed_headers(subscription, body, "n-1", clock())
    timestamp, signature = headers[webhooks.TIMESTAMP_HEADER], headers[webhooks.SIGNATURE_HEADER]
    with pytest.raises(webhooks.WebhookSignatureError, match="does not match"):
        webhooks.verify_signature(
            subscription,
            timestamp=timestamp,
            signature_header=signature,
            body=b'{"a":2}',
            now=clock(),
        )
    clock.advance(minutes=5, seconds=1)
    with pytest.raises(webhooks.WebhookSignatureError, match="replay window"):
        webhooks.verify_signature(
            subscription, timestamp=timestamp, signature_header=signature, body=body, now=clock()
        )


def _attempts(database: Database) -> list[tuple[AttemptOutcome | None, str]]:
    with database.transaction() as session:
        return [
            (a.outcome, a.detail)
            for a in session.scalars(select(NoticeAttempt).order_by(NoticeAttempt.id))
        ]


def test_worker_killed_between_queueing_and_sending_loses_nothing(
    world: World,
    keyring: Keyring,
    smtp_server: SmtpServer,
    receiver: WebhookReceiver,
    subscription: str,
    make_worker: MakeWorker,
    clock: Clock,
) -> None:
    _set_status(world.database)
    first = make_worker()
    assert first.claim_notice() is not None
    assert first.claim_webhook() is not None
    assert _attempts(world.database) == [(None, "")]  # recorded before anything is sent
    # the first worker dies here, holding its leases; a restarted one waits for them
    restarted = make_worker()
    assert restarted.run_once() == 0
    clock.advance(seconds=first.lease.total_seconds() + 1)
    assert restarted.run_once() == 2

    assert _status_entries(world.database) == 1
    assert len(smtp_server.handler.messages) == 1
    assert dkim_valid(smtp_server.handler.messages[0].data, keyring) == [True, True]
    assert len(receiver.hooks) == 1
    assert _notice(world.database).status is DeliveryStatus.SENT
    assert _attempts(world.database) == [
        (AttemptOutcome.RETRY, INTERRUPTED_BEFORE_HAND_OVER),
        (AttemptOutcome.SENT, ""),
    ]


def test_a_notice_handed_over_is_not_sent_again_after_a_crash(
    world: World,
    keyring: Keyring,
    smtp_server: SmtpServer,
    receiver: WebhookReceiver,
    subscription: str,
    make_worker: MakeWorker,
    clock: Clock,
) -> None:
    _set_status(world.database)
    crashing = make_worker()
    mail_claim, hook_claim = crashing.claim_notice(), crashing.claim_webhook()
    assert mail_claim is not None
    assert hook_claim is not None
    assert crashing.send_notice(mail_claim).error is None
    assert crashing.send_webhook(hook_claim).error is None
    # killed before recording: the relay took the mail, the worker had recorded the hand-over
    clock.advance(seconds=crashing.lease.total_seconds() + 1)
    assert make_worker().run_once() == 1  # only the webhook: it has no hand-over

    assert len(smtp_server.handler.messages) == 1
    notice = _notice(world.database)
    assert (notice.status, notice.attempts) == (DeliveryStatus.SENT, 1)
    assert _attempts(world.database) == [(AttemptOutcome.SENT, INTERRUPTED_AFTER_HAND_OVER)]
    ids = [h.json()["notificationMetadata"]["notificationId"] for h in receiver.hooks]
    assert len(ids) == 2
    assert ids[0] == ids[1]  # the receiver drops the repeat
    assert _status_entries(world.database) == 1

    # the dead worker's late report does not touch what its successor recorded
    assert crashing.finish_notice(mail_claim, Result(TemporaryFailure("late"))) is (
        AttemptOutcome.SENT
    )
    assert _notice(world.database).status is DeliveryStatus.SENT
    assert _attempts(world.database) == [(AttemptOutcome.SENT, INTERRUPTED_AFTER_HAND_OVER)]


class Killed(BaseException):
    """The worker process ending in the middle of a call (nothing after it runs)."""


def test_a_worker_killed_inside_data_sends_nothing_and_the_next_sends_once(
    world: World,
    smtp_server: SmtpServer,
    make_worker: MakeWorker,
    clock: Clock,
) -> None:
    _set_status(world.database)
    dying = make_worker()
    claim = dying.claim_notice()
    assert claim is not None

    def killed_before_hand_over() -> None:
        raise Killed

    sender, message = "account-health@amazon.co.jp", b"Subject: x\r\n\r\nhi\r\n"
    with pytest.raises(Killed):  # the whole message is out, the end-of-data line is not
        smtp_server.transport().send(
            sender, ["s1@example.test"], message, claim.id, killed_before_hand_over
        )
    clock.advance(seconds=dying.lease.total_seconds() + 1)
    assert make_worker().run_once() == 1

    assert len(smtp_server.handler.messages) == 1  # the relay dropped the unfinished one
    assert _notice(world.database).status is DeliveryStatus.SENT
    assert [outcome for outcome, _ in _attempts(world.database)] == [
        AttemptOutcome.RETRY,
        AttemptOutcome.SENT,
    ]


def test_a_worker_whose_lease_ran_out_does_not_hand_over(
    world: World, smtp_server: SmtpServer, make_worker: MakeWorker, clock: Clock
) -> None:
    _set_status(world.database)
    stalled, successor = make_worker(), make_worker()
    stale = stalled.claim_notice()
    assert stale is not None
    clock.advance(seconds=stalled.lease.total_seconds() + 1)
    fresh = successor.claim_notice()
    assert fresh is not None
    assert fresh.id == stale.id

    late = stalled.send_notice(stale)
    assert isinstance(late.error, ClaimLost)
    assert smtp_server.handler.messages == []
    stalled.finish_notice(stale, late)
    assert successor.finish_notice(fresh, successor.send_notice(fresh)) is AttemptOutcome.SENT
    assert len(smtp_server.handler.messages) == 1
    notice = _notice(world.database)
    assert (notice.status, notice.attempts) == (DeliveryStatus.SENT, 2)


def test_the_lease_is_renewed_while_the_relay_is_slow(
    world: World, smtp_server: SmtpServer, make_worker: MakeWorker, clock: Clock
) -> None:
    """The heartbeat runs on real time; the relay answers only once the lease has grown."""
    _set_status(world.database)
    relay = smtp_server.transport()
    worker = make_worker(lease=timedelta(seconds=1))
    leases: list[datetime | None] = []

    class SlowRelay:
        name = "smtp"

        def send(
            self,
            sender: str,
            recipients: list[str],
            message: bytes,
            notice_id: str,
            hand_over: HandOver,
        ) -> None:
            deadline = time.monotonic() + 30
            while len(set(leases)) < 3 and time.monotonic() < deadline:
                leases.append(_notice(world.database).claimed_until)
                time.sleep(0.05)
            relay.send(sender, recipients, message, notice_id, hand_over)

    worker.transport = SlowRelay()
    assert worker.run_once() == 1
    assert len(set(leases)) == 3  # claimed, then renewed twice
    assert _notice(world.database).status is DeliveryStatus.SENT


def test_temporary_failure_backs_off_then_succeeds(
    world: World,
    keyring: Keyring,
    smtp_server: SmtpServer,
    receiver: WebhookReceiver,
    subscription: str,
    make_worker: MakeWorker,
    clock: Clock,
) -> None:
    smtp_server.handler.replies = ["451 4.3.0 try again later"]
    receiver.statuses = [503]
    _set_status(world.database)
    worker = make_worker()
    before = clock()
    worker.run_once()
    notice = _notice(world.database)
    assert (notice.status, notice.attempts) == (DeliveryStatus.QUEUED, 1)
    assert str(notice.last_error).startswith("451")
    waited = notice.next_attempt_at - before
    assert worker.backoff.delay(1) <= waited < worker.backoff.delay(1) + timedelta(seconds=5)

    # moved to each side of the retry time, so a slow machine cannot make it due early
    clock.move_to(notice.next_attempt_at - timedelta(seconds=30))
    assert worker.run_once() == 0  # not due yet
    clock.move_to(notice.next_attempt_at + timedelta(seconds=1))
    assert worker.run_once() == 2
    assert _notice(world.database).status is DeliveryStatus.SENT
    assert len(smtp_server.handler.messages) == 1
    with world.database.transaction() as session:
        outcomes = session.scalars(select(NoticeAttempt.outcome).order_by(NoticeAttempt.id)).all()
        assert outcomes == [AttemptOutcome.RETRY, AttemptOutcome.SENT]
        [delivery] = session.scalars(select(WebhookDelivery)).all()
        assert [(a.outcome, a.http_status) for a in delivery.log] == [
            (AttemptOutcome.RETRY, 503),
            (AttemptOutcome.SENT, 200),
        ]


def test_backoff_doubles_and_is_capped(make_worker: MakeWorker) -> None:
    backoff = make_worker().backoff
    assert [backoff.delay(n).total_seconds() for n in (1, 2, 3, 6, 10)] == [
        60,
        120,
        240,
        1800,
        1800,
    ]


def test_permanent_failure_is_recorded_on_the_notice(
    world: World, smtp_server: SmtpServer, make_worker: MakeWorker, clock: Clock
) -> None:
    smtp_server.handler.replies = ["550 5.1.1 mailbox unavailable"]
    _set_status(world.database)
    worker = make_worker()
    worker.run_once()
    clock.advance(hours=1)
    assert worker.run_once() == 0
    notice = _notice(world.database)
    assert notice.status is DeliveryStatus.FAILED
    assert notice.last_error == "550 5.1.1 mailbox unavailable"


def test_temporary_failures_give_up_after_max_attempts(
    world: World, smtp_server: SmtpServer, make_worker: MakeWorker, clock: Clock
) -> None:
    smtp_server.handler.replies = ["421 4.7.0 busy"] * 10
    _set_status(world.database)
    worker = make_worker()
    for _ in range(worker.backoff.max_attempts):
        worker.run_once()
        clock.advance(hours=1)
    notice = _notice(world.database)
    assert (notice.status, notice.attempts) == (DeliveryStatus.FAILED, 4)


def test_no_dkim_key_keeps_the_notice_queued(
    world: World, tmp_path: Path, smtp_server: SmtpServer, clock: Clock
) -> None:
    _set_status(world.database)
    worker = Worker(world.database, Keyring(tmp_path / "empty"), smtp_server.transport())
    worker.run_once()
    notice = _notice(world.database)
    assert notice.status is DeliveryStatus.QUEUED
    assert "kenzen dkim keygen --marketplace JP" in str(notice.last_error)
    assert smtp_server.handler.messages == []  # never unsigned


def test_starttls_and_login(world: World, keyring: Keyring, tmp_path: Path) -> None:
    server_tls, client_tls = tls_context_pair(tmp_path)

    def authenticate(
        server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"kenzen",
            b"s3cret",
        )
        return AuthResult(success=ok, handled=False)

    handler = MailHandler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_tls,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        transport = SmtpTransport(
            host="127.0.0.1",
            port=controller.port,
            username="kenzen",
            password="s3cret",
            ssl_context=client_tls,
        )
        transport.send(
            "account-health@amazon.co.jp",
            ["a@example.test"],
            b"Subject: x\r\n\r\nhi\r\n",
            "n",
            lambda: None,
        )
        assert len(handler.messages) == 1
        wrong = SmtpTransport(
            host="127.0.0.1",
            port=controller.port,
            username="kenzen",
            password="nope",
            ssl_context=client_tls,
        )
        with pytest.raises(TemporaryFailure, match="refused the login") as raised:
            wrong.send(
                "account-health@amazon.co.jp",
                ["a@example.test"],
                b"Subject: x\r\n\r\nhi\r\n",
                "n",
                lambda: None,
            )
        assert "nope" not in str(raised.value)
        assert "nope" not in repr(wrong)
    finally:
        controller.stop()


def test_without_smtp_the_worker_writes_signed_eml_files(
    world: World, keyring: Keyring, tmp_path: Path, clock: Clock
) -> None:
    settings = Settings(home=tmp_path / "home", database_url=world.database.url)
    transport = transport_for(settings)
    assert isinstance(transport, FileTransport)
    _set_status(world.database)
    Worker(world.database, keyring, transport).run_once()
    notice = _notice(world.database)
    written = (settings.mail_dir / f"{notice.id}.eml").read_bytes()
    assert dkim_valid(written, keyring) == [True, True]


def test_internal_entries_and_the_sellers_own_notes_send_nothing(world: World) -> None:
    with world.database.transaction() as session:
        case = cases.open_case(session, seller_id="S1", kind=CaseKind.GENERAL, title=INQUIRY)
        cases.append_entry(
            session,
            case,
            world.actors[Role.AHS_AGENT],
            visibility=Visibility.AHS,
            kind=EntryKind.NOTE,
            text="internal",
        )
        cases.append_entry(
            session,
            case,
            world.actors[Role.SELLER],
            visibility=Visibility.SELLER,
            kind=EntryKind.NOTE,
            text="mine",
        )
        assert session.scalars(select(Notice)).all() == []
        cases.append_entry(
            session,
            case,
            world.actors[Role.AHS_AGENT],
            visibility=Visibility.SELLER,
            kind=EntryKind.NOTE,
            text="for you",
        )
        assert len(session.scalars(select(Notice)).all()) == 1


def test_a_failed_change_queues_nothing(world: World, subscription: str) -> None:
    def change_twice() -> None:
        with world.database.transaction() as session:
            for _ in range(2):
                account_status.set_account_status(
                    session, SYSTEM, "S1", status=AccountStatus.AT_RISK, reason="r"
                )

    with pytest.raises(Conflict, match="already AT_RISK"):
        change_twice()
    with world.database.transaction() as session:
        assert session.scalars(select(Notice)).all() == []
        assert session.scalars(select(WebhookDelivery)).all() == []


def _owner_notice(world: World, policy: Policy) -> str:
    """A retraction request the rights owner is told of; the notice's id."""
    with world.database.transaction() as session:
        brand_id = register_brand(
            session,
            world.actors[Role.RIGHTS_OWNER],
            name="Sorano",
            registration_number="JP-1",
            country="JP",
        ).id
        row = ListingRow(1, "S1", "A1", "B0A1", "ソラノ イヤホン", "", "", "merchant")
        upsert_listing(session, SYSTEM, row)
        complaint = file_complaint(
            session,
            world.actors[Role.RIGHTS_OWNER],
            policy,
            brand_id=brand_id,
            kind=ComplaintKind.TRADEMARK,
            listings=[ListingRef("B0A1")],
            evidence="Not ours.",
        )
        disputes.request_retraction(
            session, world.actors[Role.SELLER], complaint.id, message="Genuine goods."
        )
        return session.scalars(select(Notice.id).where(Notice.owner_id.is_not(None))).one()


def test_a_rights_owner_notice_is_one_signed_mail_in_its_language(
    world: World,
    policy: Policy,
    keyring: Keyring,
    smtp_server: SmtpServer,
    make_worker: MakeWorker,
) -> None:
    notice_id = _owner_notice(world, policy)
    worker = make_worker()
    while worker.run_once():
        pass
    owner_mails = [
        m for m in smtp_server.handler.messages if m.recipients == ["rights_owner@example.test"]
    ]
    [mail] = owner_mails
    assert dkim_valid(mail.data, keyring) == [True, True]
    message = email.message_from_bytes(mail.data, policy=default_policy)
    assert message["X-Kenzen-Notice-Id"] == notice_id
    assert message["X-Kenzen-Case-Id"] is None  # an owner has no case
    assert "知的財産権の申立て" in str(message["Subject"])  # the marketplace's language
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "出品者 S1 から、申立て #" in body
    assert "「Genuine goods.」" in body
    assert "権利者ページ" in body
    with world.database.transaction() as session:
        assert session.get_one(Notice, notice_id).status is DeliveryStatus.SENT


def test_an_owner_notice_that_fails_for_good_is_audited(
    world: World, policy: Policy, keyring: Keyring, smtp_server: SmtpServer, make_worker: MakeWorker
) -> None:
    notice_id = _owner_notice(world, policy)
    smtp_server.handler.replies = ["550 no such user"] * 20  # every notice fails
    worker = make_worker()
    while worker.run_once():
        pass
    with world.database.transaction() as session:
        assert session.get_one(Notice, notice_id).status is DeliveryStatus.FAILED
        failed = session.scalars(
            select(AuditEntry.target).where(AuditEntry.action == "noticeFailed")
        ).all()
        assert f"notice:{notice_id}" in failed
