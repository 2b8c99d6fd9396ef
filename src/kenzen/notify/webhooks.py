"""Webhooks: ``ACCOUNT_STATUS_CHANGED`` in SP-API's shape, signed with HMAC-SHA256.

Each post carries ``X-Kenzen-Timestamp`` (Unix seconds) and ``X-Kenzen-Signature:
sha256=<hex>``, the HMAC-SHA256 of ``<timestamp>.<body>`` under the subscription's secret.
A receiver recomputes it over the raw body, compares in constant time, and rejects a
timestamp more than five minutes away from its clock (``verify_signature`` does all three).
Secrets must be kept to sign, so they are stored encrypted with a key that lives outside the
database (``Keyring.seal``): a copy of the database alone cannot forge deliveries.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor
from kenzen.db import utcnow
from kenzen.errors import InvalidInput, NotFound
from kenzen.i18n import N_
from kenzen.notify.keys import Keyring
from kenzen.notify.smtp import PermanentFailure, TemporaryFailure
from kenzen.outbox.models import WebhookDelivery, WebhookSubscription
from kenzen.sellers.models import Marketplace

TIMESTAMP_HEADER = "X-Kenzen-Timestamp"
SIGNATURE_HEADER = "X-Kenzen-Signature"
NOTIFICATION_ID_HEADER = "X-Kenzen-Notification-Id"
REPLAY_WINDOW_SECONDS = 300
SECRET_PREFIX = "whsec_"  # noqa: S105 - marks Kenzen webhook secrets in logs and scanners
MAX_URL_LENGTH = 2000
_RETRYABLE_STATUSES = frozenset({408, 425, 429})


class WebhookSignatureError(Exception):
    """A delivery that a receiver must reject: bad signature or a replay."""


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return not ip.is_global or ip.is_multicast


def private_address(host: str) -> str | None:
    """The first loopback, private, link-local or otherwise non-public address ``host`` is
    or resolves to, or None. A name that does not resolve is judged again at delivery."""
    if host == "localhost" or host.endswith(".localhost"):
        return host
    try:
        return host if _private(host) else None
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None
    return next((str(info[4][0]) for info in found if _private(str(info[4][0]))), None)


def check_endpoint(
    url: str, *, allow_loopback_http: bool = False, allow_private: bool = False
) -> str:
    """HTTPS only, to a public address unless the operator allows private ones
    (``KENZEN_WEBHOOK_ALLOW_PRIVATE``): a subscription must not reach into the marketplace's
    own network. Plain HTTP only to a loopback address, and only when explicitly allowed
    (tests and a local demo receiver — never a production endpoint)."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(N_("error.notify.url_most_characters"), max_url_length=MAX_URL_LENGTH)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise InvalidInput(N_("error.notify.url_not_url"), url=url) from None
    if not host:
        raise InvalidInput(N_("error.notify.url_has_no_host"), url=url)
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(N_("error.notify.url_must_not_carry_credentials"))
    if parts.fragment:
        raise InvalidInput(N_("error.notify.url_must_not_have_fragment"))
    if parts.scheme == "https":
        check_destination(host, allow_private=allow_private)
        return url
    if parts.scheme == "http" and allow_loopback_http and _is_loopback(host):
        return url
    if parts.scheme == "http" and _is_loopback(host):
        raise InvalidInput(N_("error.notify.url_http_allowed_only_loopback_allow"))
    raise InvalidInput(N_("error.notify.url_must_https_got_scheme"), scheme=parts.scheme or "no")


def check_destination(host: str, *, allow_private: bool) -> None:
    """Refuse a host that is or resolves to a non-public address, unless allowed."""
    if allow_private:
        return
    if found := private_address(host):
        raise InvalidInput(
            N_("error.notify.url_loopback_private_link_local_address"), host=host, found=found
        )


def add_webhook(
    session: Session,
    actor: Actor,
    keyring: Keyring,
    *,
    marketplace_id: str,
    url: str,
    allow_loopback_http: bool = False,
    allow_private: bool = False,
) -> tuple[WebhookSubscription, str]:
    """Subscribe an endpoint; returns the signing secret, which is shown this once."""
    access.authorize(actor, Action.MANAGE_WEBHOOKS)
    endpoint = check_endpoint(
        url, allow_loopback_http=allow_loopback_http, allow_private=allow_private
    )
    if session.get(Marketplace, marketplace_id) is None:
        raise NotFound(N_("error.marketplace_not_found"), marketplace_id=marketplace_id)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    subscription = WebhookSubscription(
        marketplace_id=marketplace_id,
        url=endpoint,
        secret_ciphertext=keyring.seal(secret),
        secret_hint=secret[:10],
        created_by=actor.label,
        created_at=utcnow(),
    )
    session.add(subscription)
    session.flush()
    session.add(
        access.record(
            actor,
            Action.MANAGE_WEBHOOKS,
            f"webhook:{subscription.id}",
            {"marketplace": marketplace_id, "url": endpoint, "hint": subscription.secret_hint},
        )
    )
    return subscription, secret


def list_webhooks(
    session: Session, actor: Actor, *, marketplace_id: str | None = None
) -> list[WebhookSubscription]:
    access.authorize(actor, Action.MANAGE_WEBHOOKS)
    query = select(WebhookSubscription).order_by(WebhookSubscription.id)
    if marketplace_id is not None:
        query = query.where(WebhookSubscription.marketplace_id == marketplace_id)
    return list(session.scalars(query))


def _subscription(session: Session, subscription_id: int) -> WebhookSubscription:
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise NotFound(N_("error.notify.webhook_not_found"), subscription_id=subscription_id)
    return subscription


def disable_webhook(session: Session, actor: Actor, subscription_id: int) -> WebhookSubscription:
    """Stop queueing events for the endpoint; its delivery log stays."""
    access.authorize(actor, Action.MANAGE_WEBHOOKS)
    subscription = _subscription(session, subscription_id)
    if subscription.disabled_at is None:
        subscription.disabled_at = utcnow()
        session.add(access.record(actor, Action.MANAGE_WEBHOOKS, f"webhook:{subscription_id}"))
    return subscription


def list_deliveries(
    session: Session, actor: Actor, subscription_id: int, *, limit: int = 100
) -> list[WebhookDelivery]:
    """The subscription's delivery log, newest first, each with its attempts."""
    access.authorize(actor, Action.MANAGE_WEBHOOKS)
    _subscription(session, subscription_id)
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, notification_id: str, now: datetime) -> dict[str, str]:
    timestamp = str(int(now.timestamp()))
    return {
        "Content-Type": "application/json",
        "User-Agent": "Kenzen-Webhooks/1.0",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        NOTIFICATION_ID_HEADER: notification_id,
    }


def verify_signature(
    secret: str,
    *,
    timestamp: str | None,
    signature_header: str | None,
    body: bytes,
    now: datetime,
    tolerance_seconds: int = REPLAY_WINDOW_SECONDS,
) -> None:
    """What a receiver does: raise ``WebhookSignatureError`` unless the delivery is fresh and
    signed with ``secret``."""
    if not timestamp or not signature_header:
        raise WebhookSignatureError("missing timestamp or signature header")
    try:
        sent = int(timestamp)
    except ValueError:
        raise WebhookSignatureError("the timestamp is not a number") from None
    if abs(now.timestamp() - sent) > tolerance_seconds:
        raise WebhookSignatureError("the timestamp is outside the replay window")
    if not hmac.compare_digest(signature(secret, timestamp, body), signature_header):
        raise WebhookSignatureError("the signature does not match")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure: following it would send the signed event somewhere else."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float = 10.0,
    context: ssl.SSLContext | None = None,
) -> int:
    """POST once; return the 2xx status or raise Temporary/PermanentFailure. ``context``
    replaces the system's trust store (a private CA's receivers)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - check_endpoint allowed only https (or loopback http)
    opener = (
        _opener
        if context is None
        else urllib.request.build_opener(_NoRedirects, urllib.request.HTTPSHandler(context=context))
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as error:
        status = error.code
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        raise TemporaryFailure(f"cannot reach the endpoint: {error}") from None
    if 200 <= status < 300:
        return status
    if status >= 500 or status in _RETRYABLE_STATUSES:
        raise TemporaryFailure(f"HTTP {status}", status=status)
    raise PermanentFailure(f"HTTP {status}", status=status)


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
