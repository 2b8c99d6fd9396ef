"""The delivery worker: claim one outbox row and record the attempt, send, record the outcome
— separate transactions, so that a worker killed at any point loses nothing, and a notice
reaches the relay once.

A claim is a short lease (``claimed_until``) that a thread of the live worker renews while it
sends, so a dead worker's row is free again within seconds. The attempt is written with the
claim, before anything is sent. For mail the worker also records the *hand-over*, under its
claim token, right before the end-of-data line that makes the relay take the message (see
``kenzen.notify.smtp``): only the holder of the claim can hand a notice over, and a notice
once handed over is never sent again. The worker that takes over an abandoned row therefore
sends again only an attempt interrupted before the hand-over — the relay dropped that
unfinished transaction — and records one interrupted after it as sent. The one window left
is between recording the hand-over and writing the end-of-data line (one socket write): a
worker killed exactly there leaves a notice recorded as sent that the relay never took.

Webhooks have no such step: an interrupted post is sent again with the same
``notificationId`` (SP-API's at-least-once; receivers drop a repeat). On PostgreSQL
concurrent workers skip each other's rows (``FOR UPDATE SKIP LOCKED``); on SQLite, which has
one writer at a time, the guarded ``UPDATE`` alone decides who holds a row.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
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
from kenzen.identity.models import User
from kenzen.notify import email, webhooks
from kenzen.notify.keys import Keyring
from kenzen.notify.sender import sender_for
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


LEASE = timedelta(seconds=5)
"""How long a claim lasts unless renewed: a dead worker's rows wait at most this long."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A row this worker holds until ``token`` is cleared or the lease runs out, and the
    attempt it recorded for it."""

    kind: Literal["notice", "webhook"]
    id: str
    token: str
    attempt_id: int


@dataclass(frozen=True, slots=True)
class Result:
    error: DeliveryError | None = None
    http_status: int | None = None
    duration_ms: int = 0


class Unrenderable(PermanentFailure):
    """The stored rows cannot be made into a message; retrying would fail the same way."""


class ClaimLost(TemporaryFailure):
    """Another worker took the row over (this one's lease ran out unrenewed): not handed over."""


INTERRUPTED_BEFORE_HAND_OVER = (
    "the worker stopped before handing the message over; the relay dropped it, sent again"
)
INTERRUPTED_AFTER_HAND_OVER = (
    "the worker stopped after handing the message over, before the relay answered; not sent again"
)
INTERRUPTED_POST = "the worker stopped during the post; sent again with the same notificationId"


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    return webhooks.post(url, body, headers)


@dataclass
class Worker:
    database: Database
    keyring: Keyring
    transport: Transport
    backoff: Backoff = field(default_factory=Backoff)
    lease: timedelta = LEASE
    batch: int = 20
    """Rows of each kind one ``run_once`` handles, claimed one at a time."""
    poster: Poster = _post
    actor: Actor = SYSTEM
    allow_private_webhooks: bool = False

    def __post_init__(self) -> None:
        access.authorize(self.actor, Action.DELIVER_NOTICES)

    # -- claiming -------------------------------------------------------------------------

    def claim_notice(self) -> Claim | None:
        return self._claim(Notice)

    def claim_webhook(self) -> Claim | None:
        return self._claim(WebhookDelivery)

    def _claim(self, model: type[Notice] | type[WebhookDelivery]) -> Claim | None:
        """The next due row with a new attempt recorded for it, or None when none is due. A
        row a dead worker left is settled first: see the module's docstring."""
        now = clock.now()
        claimable = (
            model.status == DeliveryStatus.QUEUED,
            model.next_attempt_at <= now,
            or_(model.claimed_until.is_(None), model.claimed_until < now),
        )
        with self.database.transaction() as session:
            while True:
                row_id = session.scalars(
                    select(model.id)
                    .where(*claimable)
                    .order_by(model.next_attempt_at, model.id)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                ).first()
                if row_id is None:
                    return None
                token = secrets.token_hex(16)
                taken = cast(
                    CursorResult[Any],
                    session.execute(
                        update(model)
                        .where(model.id == row_id, *claimable)
                        .values(claimed_until=now + self.lease, claim_token=token)
                        .execution_options(synchronize_session=False)
                    ),
                )
                if taken.rowcount != 1:
                    return None  # another worker was quicker (SQLite); the next round goes on
                row: Notice | WebhookDelivery
                attempt: NoticeAttempt | WebhookAttempt
                if model is Notice:
                    row = session.get_one(Notice, row_id, populate_existing=True)
                    if self._settle_abandoned_notice(session, row):
                        continue
                    attempt = NoticeAttempt(notice_id=row.id, at=now, transport=self.transport.name)
                else:
                    row = session.get_one(WebhookDelivery, row_id, populate_existing=True)
                    self._settle_abandoned_post(session, row)
                    attempt = WebhookAttempt(delivery_id=row.id, at=now)
                row.attempts += 1
                session.add(attempt)
                session.flush()
                kind: Literal["notice", "webhook"] = "notice" if model is Notice else "webhook"
                return Claim(kind, str(row_id), token, attempt.id)

    def _settle_abandoned_notice(self, session: Session, notice: Notice) -> bool:
        """Close the attempts a dead worker left open; True when one had handed the notice
        over, which makes it sent."""
        handed_over = None
        for attempt in session.scalars(
            select(NoticeAttempt).where(
                NoticeAttempt.notice_id == notice.id, NoticeAttempt.outcome.is_(None)
            )
        ):
            if attempt.handed_over_at is None:
                attempt.outcome, attempt.detail = AttemptOutcome.RETRY, INTERRUPTED_BEFORE_HAND_OVER
            else:
                attempt.outcome, attempt.detail = AttemptOutcome.SENT, INTERRUPTED_AFTER_HAND_OVER
                handed_over = attempt.handed_over_at
        if handed_over is None:
            return False
        log.warning("notice %s: %s", notice.id, INTERRUPTED_AFTER_HAND_OVER)
        self._settle(notice, AttemptOutcome.SENT, Result())
        notice.sent_at = handed_over
        return True

    def _settle_abandoned_post(self, session: Session, delivery: WebhookDelivery) -> None:
        for attempt in session.scalars(
            select(WebhookAttempt).where(
                WebhookAttempt.delivery_id == delivery.id, WebhookAttempt.outcome.is_(None)
            )
        ):
            attempt.outcome, attempt.detail = AttemptOutcome.RETRY, INTERRUPTED_POST

    def _renew(
        self, session: Session, model: type[Notice] | type[WebhookDelivery], claim: Claim
    ) -> bool:
        """Extend the lease; False when the claim is no longer this worker's."""
        renewed = cast(
            CursorResult[Any],
            session.execute(
                update(model)
                .where(model.id == _key(model, claim), model.claim_token == claim.token)
                .values(claimed_until=clock.now() + self.lease)
                .execution_options(synchronize_session=False)
            ),
        )
        return renewed.rowcount == 1

    @contextmanager
    def _holding(self, model: type[Notice] | type[WebhookDelivery], claim: Claim) -> Iterator[None]:
        """Renew the claim from a thread every fifth of the lease while the block runs: a
        slow relay keeps its row, a dead worker's lease runs out."""
        done = threading.Event()

        def heartbeat() -> None:
            while not done.wait(self.lease.total_seconds() / 5):
                try:
                    with self.database.transaction() as session:
                        if not self._renew(session, model, claim):
                            return
                except Exception:
                    log.exception("%s %s: the lease was not renewed", claim.kind, claim.id)

        beating = threading.Thread(target=heartbeat, name=f"lease-{claim.id}", daemon=True)
        beating.start()
        try:
            yield
        finally:
            done.set()
            beating.join()

    def _hand_over(self, claim: Claim) -> None:
        """Record that the notice is about to reach the relay, if this worker still holds it."""
        with self.database.transaction() as session:
            if not self._renew(session, Notice, claim):
                raise ClaimLost("another worker took the notice over; not handed over")
            session.execute(
                update(NoticeAttempt)
                .where(NoticeAttempt.id == claim.attempt_id)
                .values(handed_over_at=clock.now())
            )

    # -- sending (no writes) --------------------------------------------------------------

    def signed_message(self, session: Session, notice: Notice) -> tuple[str, bytes]:
        """The sender address and the signed bytes of a notice."""
        marketplace = session.get_one(Marketplace, notice.marketplace_id)
        sender = sender_for(marketplace)
        keys = self.keyring.signing_keys(sender.domain)
        if not keys:
            raise TemporaryFailure(
                f"no DKIM key for {sender.domain}: run "
                f"`kenzen dkim keygen --marketplace {marketplace.id}`"
            )
        try:
            message = _render(session, notice, marketplace)
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
            self.transport.send(
                sender, recipients, message, claim.id, partial(self._hand_over, claim)
            )
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
            attempt = session.get_one(NoticeAttempt, claim.attempt_id)
            if attempt.outcome is not None:
                return self._late(claim, attempt.outcome, result)
            outcome = self._outcome(notice.attempts, result.error)
            attempt.outcome, attempt.detail = outcome, str(result.error or "")
            if notice.claim_token == claim.token:
                self._settle(notice, outcome, result)
                if outcome is AttemptOutcome.SENT:
                    notice.sent_at = clock.now()
                if outcome is AttemptOutcome.FAILED:
                    self._alert_staff(session, notice, str(result.error))
        log.info("notice %s: %s via %s", claim.id, outcome.value, self.transport.name)
        return outcome

    def _late(self, claim: Claim, settled: AttemptOutcome, result: Result) -> AttemptOutcome:
        """This worker's answer came after another worker settled its attempt (its lease ran
        out unrenewed): the settled outcome stands, the answer goes to the log."""
        log.warning(
            "%s %s: settled as %s by another worker before this answer: %s",
            claim.kind,
            claim.id,
            settled.value,
            result.error or "sent",
        )
        return settled

    def _alert_staff(self, session: Session, notice: Notice, reason: str) -> None:
        """A notice that will never arrive is the staff's to follow up, not a silent row:
        an internal case entry both departments read (a seller's notice), an audit entry
        and an error log."""
        if notice.case_id is not None and notice.case_entry_id is not None:
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
        about = f"case {notice.case_id}" if notice.case_id else f"rights owner {notice.owner_id}"
        log.error("notice %s for %s failed for good: %s", notice.id, about, reason)

    def finish_webhook(self, claim: Claim, result: Result) -> AttemptOutcome:
        with self.database.transaction() as session:
            delivery = session.get_one(WebhookDelivery, int(claim.id))
            attempt = session.get_one(WebhookAttempt, claim.attempt_id)
            if attempt.outcome is not None:
                return self._late(claim, attempt.outcome, result)
            outcome = self._outcome(delivery.attempts, result.error)
            attempt.outcome, attempt.detail = outcome, str(result.error or "")
            attempt.http_status, attempt.duration_ms = result.http_status, result.duration_ms
            if delivery.claim_token == claim.token:
                self._settle(delivery, outcome, result)
                if outcome is AttemptOutcome.SENT:
                    delivery.delivered_at = clock.now()
        log.info("webhook delivery %s: %s", claim.id, outcome.value)
        return outcome

    # -- the loop -------------------------------------------------------------------------

    def run_once(self) -> int:
        """Deliver what is due, one row at a time, up to ``batch`` rows of each kind; returns
        how many rows were handled."""
        handled = 0
        while handled < self.batch and (claim := self.claim_notice()) is not None:
            with self._holding(Notice, claim):
                result = self._guarded(self.send_notice, claim)
            self.finish_notice(claim, result)
            handled += 1
        posted = 0
        while posted < self.batch and (claim := self.claim_webhook()) is not None:
            with self._holding(WebhookDelivery, claim):
                result = self._guarded(self.send_webhook, claim)
            self.finish_webhook(claim, result)
            posted += 1
        return handled + posted

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


def _render(session: Session, notice: Notice, marketplace: Marketplace) -> bytes:
    """The unsigned message of a seller's notice (from its case entry) or an owner's."""
    if notice.owner_id is not None:
        return email.render_owner_notice(
            notice, session.get_one(User, notice.owner_id), marketplace
        )
    entry = session.get_one(CaseEntry, notice.case_entry_id)
    case = session.get_one(Case, notice.case_id)
    seller = session.get_one(Seller, notice.seller_id)
    return email.render_notice(notice, entry, case, seller, marketplace)


def _key(model: type[Notice] | type[WebhookDelivery], claim: Claim) -> str | int:
    return claim.id if model is Notice else int(claim.id)


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
