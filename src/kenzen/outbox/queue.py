"""Queueing: a notice for a seller-visible case entry or to a rights owner, webhook
deliveries for an event.

The caller passes the facts (who, where, what); the outbox applies what it owns — the
seller's notification preferences and the marketplace's subscriptions — and adds the rows
to the caller's transaction, so a change that rolls back queues nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kenzen.db import utcnow
from kenzen.i18n import Message
from kenzen.languages import Language
from kenzen.outbox.models import (
    Notice,
    NotificationPreference,
    WebhookDelivery,
    WebhookSubscription,
)

NOTIFICATION_TYPE = "ACCOUNT_STATUS_CHANGED"


@dataclass(frozen=True, slots=True)
class Addressee:
    """The seller a notice is for, as the seller's own record says."""

    seller_id: str
    marketplace_id: str
    email: str
    language: Language


def queue_notice(
    session: Session,
    addressee: Addressee,
    *,
    case_id: int,
    case_entry_id: int,
    kind: str,
    mandatory: bool,
    at: datetime,
) -> Notice | None:
    """Queue the notice of a case entry; ``None`` when the seller muted this optional kind.

    The seller's preferences decide the language and the extra recipients; they apply to
    notices queued from the moment they are set.
    """
    preference = session.get(NotificationPreference, addressee.seller_id)
    if not mandatory and preference is not None and kind in preference.muted:
        return None
    extra = preference.extra_recipients if preference is not None else []
    notice = Notice(
        id=str(uuid.uuid4()),
        seller_id=addressee.seller_id,
        marketplace_id=addressee.marketplace_id,
        case_id=case_id,
        case_entry_id=case_entry_id,
        kind=kind,
        mandatory=mandatory,
        language=preference.language if preference and preference.language else addressee.language,
        recipients=list(dict.fromkeys([addressee.email, *extra])),
        next_attempt_at=at,
        created_at=at,
    )
    session.add(notice)
    return notice


@dataclass(frozen=True, slots=True)
class OwnerAddressee:
    """The rights owner a notice is for, as its user record says, and the marketplace its
    complaint is in (the notice is sent from there)."""

    user_id: int
    marketplace_id: str
    email: str
    language: Language


def queue_owner_notice(
    session: Session, addressee: OwnerAddressee, *, kind: str, message: Message, at: datetime
) -> Notice:
    """Queue a notice to a rights owner about its complaint; they are all mandatory (the
    owner has no preferences to mute them)."""
    notice = Notice(
        id=str(uuid.uuid4()),
        owner_id=addressee.user_id,
        marketplace_id=addressee.marketplace_id,
        message=message,
        kind=kind,
        mandatory=True,
        language=addressee.language,
        recipients=[addressee.email],
        next_attempt_at=at,
        created_at=at,
    )
    session.add(notice)
    return notice


def iso_time(value: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``, as SP-API writes times."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class StatusChange:
    """An account status change as a webhook reports it."""

    seller_id: str
    marketplace_id: str
    previous_status: str
    status: str
    at: datetime


def envelope(
    subscription: WebhookSubscription,
    *,
    notification_type: str,
    payload_version: str,
    event_time: datetime,
    payload: dict[str, Any],
    notification_id: str,
    publish_time: datetime,
) -> dict[str, Any]:
    """SP-API's notification envelope around ``payload``."""
    return {
        "notificationVersion": "1.0",
        "notificationType": notification_type,
        "payloadVersion": payload_version,
        "eventTime": iso_time(event_time),
        "payload": payload,
        "notificationMetadata": {
            "applicationId": subscription.application_id,
            "subscriptionId": str(subscription.id),
            "publishTime": iso_time(publish_time),
            "notificationId": notification_id,
        },
    }


@dataclass(frozen=True, slots=True)
class Event:
    """One notification about one seller, before it is addressed to subscriptions."""

    seller_id: str
    marketplace_id: str
    notification_type: str
    payload_version: str
    at: datetime
    payload: dict[str, Any]
    application_id: str | None = None
    """Only this app's subscriptions (an SP-API report concerns the app that asked)."""


def queue_notification(session: Session, event: Event) -> list[WebhookDelivery]:
    """One delivery per active subscription to the event's type that covers its seller: the
    marketplace's operator endpoints and the seller's own apps'."""
    query = select(WebhookSubscription).where(
        WebhookSubscription.marketplace_id == event.marketplace_id,
        WebhookSubscription.notification_type == event.notification_type,
        or_(
            WebhookSubscription.seller_id.is_(None),
            WebhookSubscription.seller_id == event.seller_id,
        ),
        WebhookSubscription.disabled_at.is_(None),
    )
    if event.application_id is not None:
        query = query.where(WebhookSubscription.application_id == event.application_id)
    now = utcnow()
    queued = []
    for subscription in session.scalars(query):
        notification_id = str(uuid.uuid4())
        delivery = WebhookDelivery(
            subscription_id=subscription.id,
            notification_id=notification_id,
            notification_type=event.notification_type,
            payload=envelope(
                subscription,
                notification_type=event.notification_type,
                payload_version=event.payload_version,
                event_time=event.at,
                payload=event.payload,
                notification_id=notification_id,
                publish_time=now,
            ),
            next_attempt_at=now,
            created_at=now,
        )
        session.add(delivery)
        queued.append(delivery)
    return queued


def queue_status_change(session: Session, change: StatusChange) -> list[WebhookDelivery]:
    """``ACCOUNT_STATUS_CHANGED`` for every subscription that covers the seller."""
    return queue_notification(
        session,
        Event(
            seller_id=change.seller_id,
            marketplace_id=change.marketplace_id,
            notification_type=NOTIFICATION_TYPE,
            payload_version="2021-01-01",
            at=change.at,
            payload={
                "accountStatusChangeNotification": {
                    "sellerId": change.seller_id,
                    "marketplaceId": change.marketplace_id,
                    "previousAccountStatus": change.previous_status,
                    "currentAccountStatus": change.status,
                }
            },
        ),
    )
