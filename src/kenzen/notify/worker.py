"""The delivery worker: claim outbox rows, send them, record the outcome — three steps, three
transactions, so that a worker killed at any point loses nothing.

A claim is a lease (``claimed_until``). A worker that dies after sending but before
recording leaves the row claimed; when the lease runs out another worker sends it again.
Delivery is therefore at-least-once, and the duplicate is the same message: the same
Message-ID for mail, the same ``notificationId`` for webhooks. On PostgreSQL concurrent
workers skip each other's rows (``FOR UPDATE SKIP LOCKED``); on SQLite, which has one writer
at a time, the guarded ``UPDATE`` alone decides who holds a row.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from kenzen import access, clock
from kenzen.access import SYSTEM, Action, Actor, Visibility
from kenzen.cases import service as cases
from kenzen.cases.models import Case, CaseEntry, EntryKind
from kenzen.db import Database
from kenzen.errors import InvalidInput
from kenzen.i18n import N_, Message
from kenzen.notify import email, webhooks
from kenzen.notify.keys import Keyring
from kenzen.notify.smtp import DeliveryError, PermanentFailure, TemporaryFailure, Transport
from kenzen.outbox.models import (
    AttemptOutcome,
    DeliveryStatus,
    Notice,
    NoticeAttempt,
    WebhookAttempt,
    WebhookDelivery,
)
from kenzen.sellers.models import Marketplace, Seller

log = logging.getLogger("kenzen.notify")

Poster = Callable[[str, bytes, dict[str, str]], int]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential: ``base``, 2×, 4×, … capped at ``cap``; after ``max_attempts`` tries a
    temporary failure counts as permanent."""

    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=6)
    max_attempts: int = 12

    def delay(self, attempts: int) -> timedelta:
        return min(self.base * (1 << max(attempts - 1, 0)), self.cap)


@dataclass(frozen=True, slots=True)
class Claim:
    """A row this worker holds until ``token`` is cleared or the lease runs out."""

    kind: Literal["notice", "webhook"]
    id: str
    token: str


@dataclass(frozen=True, slots=True)
class Result:
    error: DeliveryError | None = None
    http_status: int | None = None
    duration_ms: int = 0


class Unrenderable(PermanentFailure):
    """The stored rows cannot be made into a message; retrying would fail the same way."""


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    return webhooks.post(url, body, headers)


@dataclass
class Worker:
    database: Database
    keyring: Keyring
    transport: Transport
    backoff: Backoff = field(default_factory=Backoff)
    lease: timedelta = timedelta(minutes=5)
    batch: int = 20
    poster: Poster = _post
    actor: Actor = SYSTEM
    allow_private_webhooks: bool = False

    def __post_init__(self) -> None:
        access.authorize(self.actor, Action.DELIVER_NOTICES)

    # -- claiming -------------------------------------------------------------------------

    def _claim(self, model: type[Notice] | type[WebhookDelivery]) -> list[Claim]:
        now = clock.now()
        claimable = (
            model.status == DeliveryStatus.QUEUED,
            model.next_attempt_at <= now,
            or_(model.claimed_until.is_(None), model.claimed_until < now),
        )
        kind: Literal["notice", "webhook"] = "notice" if model is Notice else "webhook"
        claims: list[Claim] = []
        with self.database.transaction() as session:
            ids = session.scalars(
                select(model.id)
                .where(*claimable)
                .order_by(model.next_attempt_at, model.id)
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            ).all()
            for row_id in ids:
                token = secrets.token_hex(16)
                result = cast(
                    CursorResult[Any],
                    session.execute(
                        update(model)
                        .where(model.id == row_id, *claimable)
                        .values(
                            claimed_until=now + self.lease,
                            claim_token=token,
                            attempts=model.attempts + 1,
                        )
                        .execution_options(synchronize_session=False)
                    ),
                )
                if result.rowcount == 1:
                    claims.append(Claim(kind, str(row_id), token))
        return claims

    def claim_notices(self) -> list[Claim]:
        return self._claim(Notice)

    def claim_webhooks(self) -> list[Claim]:
        return self._claim(WebhookDelivery)

    # -- sending (no writes) --------------------------------------------------------------

    def signed_message(self, session: Session, notice: Notice) -> tuple[str, bytes]:
        """The sender address and the signed bytes of a notice."""
        entry = session.get_one(CaseEntry, notice.case_entry_id)
        case = session.get_one(Case, notice.case_id)
        seller = session.get_one(Seller, notice.seller_id)
        marketplace = session.get_one(Marketplace, notice.marketplace_id)
        sender = email.sender_for(marketplace)
        keys = self.keyring.signing_keys(sender.domain)
        if not keys:
            raise TemporaryFailure(
                f"no DKIM key for {sender.domain}: run "
                f"`kenzen dkim keygen --marketplace {marketplace.id}`"
            )
        try:
            message = email.render_notice(notice, entry, case, seller, marketplace)
        except Exception as error:
            log.exception("notice %s cannot be rendered", notice.id)
            raise Unrenderable(f"cannot be rendered: {type(error).__name__}") from error
        return sender.address, email.sign(message, keys)

    def send_notice(self, claim: Claim) -> Result:
        with self.database.transaction() as session:
            notice = session.get_one(Notice, claim.id)
            recipients = list(notice.recipients)
            try:
                sender, message = self.signed_message(session, notice)
            except DeliveryError as error:
                return Result(error)
        started = time.monotonic()
        try:
            self.transport.send(sender, recipients, message, claim.id)
        except DeliveryError as error:
            return Result(error, duration_ms=_since(started))
        return Result(duration_ms=_since(started))

    def send_webhook(self, claim: Claim) -> Result:
        with self.database.transaction() as session:
            delivery = session.get_one(WebhookDelivery, int(claim.id))
            subscription = delivery.subscription
            if subscription.disabled_at is not None:
                return Result(PermanentFailure("the subscription was disabled"))
            secret = self.keyring.unseal(subscription.secret_ciphertext)
            url, body = subscription.url, webhooks.encode(delivery.payload)
            if url.startswith("https:"):  # resolved anew: a name may point elsewhere now
                try:
                    webhooks.check_destination(
                        urlsplit(url).hostname or "", allow_private=self.allow_private_webhooks
                    )
                except InvalidInput as refusal:
                    return Result(PermanentFailure(refusal.message))
            headers = webhooks.signed_headers(secret, body, delivery.notification_id, clock.now())
        started = time.monotonic()
        try:
            status = self.poster(url, body, headers)
        except DeliveryError as error:
            return Result(error, http_status=error.status, duration_ms=_since(started))
        return Result(http_status=status, duration_ms=_since(started))

    # -- recording ------------------------------------------------------------------------

    def _outcome(self, attempts: int, error: DeliveryError | None) -> AttemptOutcome:
        if error is None:
            return AttemptOutcome.SENT
        if isinstance(error, PermanentFailure) or attempts >= self.backoff.max_attempts:
            return AttemptOutcome.FAILED
        return AttemptOutcome.RETRY

    def _settle(
        self, row: Notice | WebhookDelivery, outcome: AttemptOutcome, result: Result
    ) -> None:
        now = clock.now()
        row.claimed_until = None
        row.claim_token = None
        if outcome is AttemptOutcome.SENT:
            row.status = DeliveryStatus.SENT
            row.last_error = None
        elif outcome is AttemptOutcome.FAILED:
            row.status = DeliveryStatus.FAILED
            row.last_error = str(result.error)
        else:
            row.next_attempt_at = now + self.backoff.delay(row.attempts)
            row.last_error = str(result.error)

    def finish_notice(self, claim: Claim, result: Result) -> AttemptOutcome:
        with self.database.transaction() as session:
            notice = session.get_one(Notice, claim.id)
            outcome = self._outcome(notice.attempts, result.error)
            session.add(
                NoticeAttempt(
                    notice_id=notice.id,
                    at=clock.now(),
                    outcome=outcome,
                    transport=self.transport.name,
                    detail=str(result.error or ""),
                )
            )
            if notice.claim_token == claim.token:
                self._settle(notice, outcome, result)
                if outcome is AttemptOutcome.SENT:
                    notice.sent_at = clock.now()
                if outcome is AttemptOutcome.FAILED:
                    self._alert_staff(session, notice, str(result.error))
        log.info("notice %s: %s via %s", claim.id, outcome.value, self.transport.name)
        return outcome

    def _alert_staff(self, session: Session, notice: Notice, reason: str) -> None:
        """A notice that will never arrive is the staff's to follow up, not a silent row:
        an internal case entry both departments read, an audit entry and an error log."""
        case = session.get_one(Case, notice.case_id)
        cases.append_entry(
            session,
            case,
            self.actor,
            visibility=Visibility.SELLER_PERFORMANCE,
            kind=EntryKind.NOTE,
            message=Message(
                N_("entry.notice_failed"), {"entry_id": notice.case_entry_id, "reason": reason}
            ),
        )
        session.add(
            access.record(self.actor, "noticeFailed", f"notice:{notice.id}", {"reason": reason})
        )
        log.error("notice %s for case %s failed for good: %s", notice.id, case.id, reason)

    def finish_webhook(self, claim: Claim, result: Result) -> AttemptOutcome:
        with self.database.transaction() as session:
            delivery = session.get_one(WebhookDelivery, int(claim.id))
            outcome = self._outcome(delivery.attempts, result.error)
            session.add(
                WebhookAttempt(
                    delivery_id=delivery.id,
                    at=clock.now(),
                    outcome=outcome,
                    http_status=result.http_status,
                    duration_ms=result.duration_ms,
                    detail=str(result.error or ""),
                )
            )
            if delivery.claim_token == claim.token:
                self._settle(delivery, outcome, result)
                if outcome is AttemptOutcome.SENT:
                    delivery.delivered_at = clock.now()
        log.info("webhook delivery %s: %s", claim.id, outcome.value)
        return outcome

    # -- the loop -------------------------------------------------------------------------

    def run_once(self) -> int:
        """Claim, send and record whatever is due; returns how many rows were handled."""
        handled = 0
        for claim in self.claim_notices():
            self.finish_notice(claim, self._guarded(self.send_notice, claim))
            handled += 1
        for claim in self.claim_webhooks():
            self.finish_webhook(claim, self._guarded(self.send_webhook, claim))
            handled += 1
        return handled

    def _guarded(self, send: Callable[[Claim], Result], claim: Claim) -> Result:
        """A bug while sending one row must not stop the others: retry it later."""
        try:
            return send(claim)
        except Exception as error:
            log.exception("%s %s: unexpected error while sending", claim.kind, claim.id)
            return Result(TemporaryFailure(f"internal error: {type(error).__name__}"))

    def run(self, stop: threading.Event, *, poll_seconds: float = 2.0) -> None:
        """Deliver until ``stop`` is set, polling while there is nothing to do."""
        run_until(stop, self.run_once, poll_seconds=poll_seconds)


def run_until(stop: threading.Event, step: Callable[[], int], *, poll_seconds: float) -> None:
    """Call ``step`` until ``stop`` is set, waiting ``poll_seconds`` after an idle round."""
    while not stop.is_set():
        if step() == 0:
            stop.wait(poll_seconds)


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
