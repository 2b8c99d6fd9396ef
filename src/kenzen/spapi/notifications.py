"""The Notifications API: an app's destinations and a seller's subscriptions.

Amazon delivers to SQS queues or EventBridge; a Kenzen marketplace delivers to the app's
HTTPS receiver instead, through the webhook outbox: signed with the destination's secret,
retried with backoff, logged. Each subscription is a webhook subscription limited to one
seller, one notification type and one app, so the outbox needs to know nothing of apps.
"""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor
from kenzen.db import utcnow
from kenzen.errors import Conflict, InvalidInput, NotFound
from kenzen.i18n import N_
from kenzen.notify import webhooks
from kenzen.notify.keys import Keyring
from kenzen.outbox.models import WebhookSubscription
from kenzen.outbox.queue import NOTIFICATION_TYPE as ACCOUNT_STATUS_CHANGED
from kenzen.sellers.models import Seller
from kenzen.spapi.generation import REPORT_FINISHED
from kenzen.spapi.models import App, Destination, Subscription
from kenzen.spapi.reports import DENIED, acting_seller

#: The notification types a Kenzen marketplace sends, with their payload versions.
NOTIFICATION_TYPES = {
    ACCOUNT_STATUS_CHANGED: "1.0",
    REPORT_FINISHED: "2020-09-04",
}
MAX_DESTINATION_NAME = 256


def check_notification_type(notification_type: str) -> str:
    if notification_type not in NOTIFICATION_TYPES:
        raise InvalidInput(
            N_("error.spapi.notificationtype_not_supported"),
            notification_type=notification_type,
            supported=", ".join(sorted(NOTIFICATION_TYPES)),
        )
    return notification_type


def create_destination(
    session: Session,
    actor: Actor,
    keyring: Keyring,
    *,
    name: str,
    url: str,
    allow_private: bool = False,
) -> tuple[Destination, str]:
    """Register the app's HTTPS receiver (a public address unless the operator allows
    private ones); the signing secret is returned this once."""
    access.authorize(actor, Action.MANAGE_DESTINATIONS)
    name = name.strip()
    if not name or len(name) > MAX_DESTINATION_NAME:
        raise InvalidInput(
            N_("error.spapi.name_between_1_characters"), max_destination_name=MAX_DESTINATION_NAME
        )
    endpoint = webhooks.check_endpoint(url, allow_private=allow_private)
    secret = webhooks.SECRET_PREFIX + secrets.token_urlsafe(32)
    destination = Destination(
        id=str(uuid.uuid4()),
        app_id=actor.app_id,
        name=name,
        url=endpoint,
        secret_ciphertext=keyring.seal(secret),
        secret_hint=secret[:10],
        created_at=utcnow(),
    )
    session.add(destination)
    session.flush()
    session.add(
        access.record(
            actor,
            Action.MANAGE_DESTINATIONS,
            f"destination:{destination.id}",
            {"url": endpoint, "hint": destination.secret_hint},
        )
    )
    return destination, secret


def list_destinations(session: Session, actor: Actor) -> list[Destination]:
    access.authorize(actor, Action.MANAGE_DESTINATIONS)
    return list(
        session.scalars(
            select(Destination)
            .where(Destination.app_id == actor.app_id, Destination.deleted_at.is_(None))
            .order_by(Destination.created_at, Destination.id)
        )
    )


def get_destination(session: Session, actor: Actor, destination_id: str) -> Destination:
    destination = access.load(
        session,
        actor,
        Action.MANAGE_DESTINATIONS,
        Destination,
        destination_id[:36],
        missing=N_("error.not_found.destination"),
        owned_by="app",
        hidden=DENIED,
    )
    if destination.deleted_at is not None:
        raise NotFound(N_("error.spapi.destination_not_found"), destination_id=destination_id)
    return destination


def delete_destination(session: Session, actor: Actor, destination_id: str) -> None:
    """Remove the destination; subscriptions delivering to it end with it."""
    destination = get_destination(session, actor, destination_id)
    destination.deleted_at = utcnow()
    session.add(access.record(actor, Action.MANAGE_DESTINATIONS, f"destination:{destination.id}"))
    for subscription in session.scalars(
        select(Subscription).where(
            Subscription.destination_id == destination.id, Subscription.deleted_at.is_(None)
        )
    ):
        _end(session, subscription)


def _end(session: Session, subscription: Subscription) -> None:
    now = utcnow()
    subscription.deleted_at = now
    session.get_one(WebhookSubscription, subscription.id).disabled_at = now


def _active(session: Session, actor: Actor, seller_id: str, notification_type: str) -> Subscription:
    found = session.scalar(
        select(Subscription).where(
            Subscription.app_id == actor.app_id,
            Subscription.seller_id == seller_id,
            Subscription.notification_type == notification_type,
            Subscription.deleted_at.is_(None),
        )
    )
    if found is None:
        raise NotFound(
            N_("error.spapi.no_subscription_seller_app"), notification_type=notification_type
        )
    return found


def create_subscription(
    session: Session,
    actor: Actor,
    *,
    notification_type: str,
    destination_id: str,
    payload_version: str | None = None,
) -> Subscription:
    """Subscribe the acting seller's events of one type to one of the app's destinations."""
    seller_id = acting_seller(actor)
    access.authorize(actor, Action.MANAGE_SUBSCRIPTIONS, seller_id=seller_id)
    check_notification_type(notification_type)
    destination = get_destination(session, actor, destination_id)
    try:
        _active(session, actor, seller_id, notification_type)
    except NotFound:
        pass
    else:
        raise Conflict(
            N_("error.spapi.subscription_already_exists_seller"),
            notification_type=notification_type,
        )
    seller = session.get_one(Seller, seller_id)
    app = session.get_one(App, actor.app_id)
    outbox_row = WebhookSubscription(
        marketplace_id=seller.marketplace_id,
        seller_id=seller.id,
        notification_type=notification_type,
        application_id=app.client_id,
        url=destination.url,
        secret_ciphertext=destination.secret_ciphertext,
        secret_hint=destination.secret_hint,
        created_by=actor.label,
        created_at=utcnow(),
    )
    session.add(outbox_row)
    session.flush()
    subscription = Subscription(
        id=outbox_row.id,
        destination_id=destination.id,
        app_id=app.id,
        seller_id=seller.id,
        notification_type=notification_type,
        payload_version=payload_version or NOTIFICATION_TYPES[notification_type],
        created_at=utcnow(),
    )
    session.add(subscription)
    session.flush()
    session.add(
        access.record(
            actor,
            Action.MANAGE_SUBSCRIPTIONS,
            f"seller:{seller.id}",
            {"subscription": subscription.id, "type": notification_type},
        )
    )
    return subscription


def get_subscription(session: Session, actor: Actor, notification_type: str) -> Subscription:
    seller_id = acting_seller(actor)
    access.authorize(actor, Action.MANAGE_SUBSCRIPTIONS, seller_id=seller_id)
    check_notification_type(notification_type)
    return _active(session, actor, seller_id, notification_type)


def delete_subscription(
    session: Session, actor: Actor, notification_type: str, subscription_id: str
) -> None:
    """End a subscription: nothing more is queued for it from this moment."""
    check_notification_type(notification_type)
    key = int(subscription_id) if subscription_id.isdigit() and len(subscription_id) < 18 else 0
    subscription = access.load(
        session,
        actor,
        Action.MANAGE_SUBSCRIPTIONS,
        Subscription,
        key,
        missing=N_("error.not_found.subscription"),
        owned_by="app",
        hidden=DENIED,
    )
    if subscription.deleted_at is not None or subscription.notification_type != notification_type:
        raise NotFound(N_("error.spapi.subscription_not_found"), subscription_id=subscription_id)
    _end(session, subscription)
    session.add(
        access.record(
            actor,
            Action.MANAGE_SUBSCRIPTIONS,
            f"seller:{subscription.seller_id}",
            {"subscription": subscription.id, "ended": True},
        )
    )
