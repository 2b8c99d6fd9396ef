"""Use cases for notices: list sellers' and rights owners' notices, sellers' preferences,
and the sending domain and its DKIM keys. Queueing is the outbox's (``kenzen.outbox.queue``)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor, Scope
from kenzen.cases.models import OPTIONAL_NOTICE_KINDS, EntryKind
from kenzen.db import utcnow
from kenzen.errors import InvalidInput, NotFound
from kenzen.i18n import N_, Message
from kenzen.languages import Language
from kenzen.notify.keys import Algorithm, DkimKey, Keyring, check_domain
from kenzen.notify.sender import sender_for
from kenzen.outbox.models import Notice, NotificationPreference
from kenzen.sellers.models import Marketplace, Seller

MAX_EXTRA_RECIPIENTS = 5


def list_notices(
    session: Session, actor: Actor, *, seller_id: str | None = None, limit: int = 100
) -> list[Notice]:
    scope = access.authorize(actor, Action.LIST_NOTICES, seller_id=seller_id)
    if scope is Scope.OWN:
        seller_id = actor.seller_id
    query = (
        select(Notice)
        .where(Notice.seller_id.is_not(None))
        .order_by(Notice.created_at.desc(), Notice.id)
        .limit(limit)
    )
    if seller_id is not None:
        query = query.where(Notice.seller_id == seller_id)
    return list(session.scalars(query))


def list_owner_notices(
    session: Session, actor: Actor, *, owner_id: int | None = None, limit: int = 100
) -> list[Notice]:
    """What rights owners were told, newest first: an owner reads only its own notices
    (asking for another's is "not found"); staff read any owner's, or all."""
    hidden = Message(N_("error.rights_owner_not_found"), {"owner_id": str(owner_id)})
    scope = access.authorize(actor, Action.LIST_OWNER_NOTICES, owner_id=owner_id, not_found=hidden)
    if scope is Scope.OWN:
        owner_id = actor.user_id
        if owner_id is None:
            return []
    query = (
        select(Notice)
        .where(Notice.owner_id.is_not(None))
        .order_by(Notice.created_at.desc(), Notice.id)
        .limit(limit)
    )
    if owner_id is not None:
        query = query.where(Notice.owner_id == owner_id)
    return list(session.scalars(query))


def _seller(session: Session, seller_id: str) -> Seller:
    seller = session.get(Seller, seller_id)
    if seller is None:
        raise NotFound(N_("error.seller_not_found"), seller_id=seller_id)
    return seller


def get_preferences(session: Session, actor: Actor, seller_id: str) -> NotificationPreference:
    """The seller's preferences (defaults when never set); readable by whoever lists notices."""
    access.authorize(actor, Action.LIST_NOTICES, seller_id=seller_id)
    _seller(session, seller_id)
    found = session.get(NotificationPreference, seller_id)
    return found or NotificationPreference(
        seller_id=seller_id, language=None, extra_recipients=[], muted=[], updated_at=utcnow()
    )


def _check_recipients(values: list[str]) -> list[str]:
    if len(values) > MAX_EXTRA_RECIPIENTS:
        raise InvalidInput(
            N_("error.notify.extra_recipients_most_addresses"),
            max_extra_recipients=MAX_EXTRA_RECIPIENTS,
        )
    checked: list[str] = []
    for index, value in enumerate(values):
        try:
            address = validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise InvalidInput(
                N_("error.notify.extra_recipients_not_email_address"),
                index=index,
                value=value,
                error=str(error),
            ) from None
        checked.append(address)
    return list(dict.fromkeys(checked))


def _check_muted(values: list[str]) -> list[str]:
    kinds = {kind.value for kind in EntryKind}
    for value in values:
        if value in OPTIONAL_NOTICE_KINDS:
            continue
        if value in kinds:
            raise InvalidInput(
                N_("error.notify.muted_mandatory_notice_cannot_switched_off"), value=value
            )
        optional = ", ".join(sorted(OPTIONAL_NOTICE_KINDS))
        raise InvalidInput(
            N_("error.notify.muted_not_notice_kind_may_mute"), value=value, optional=optional
        )
    return sorted(set(values))


def set_preferences(
    session: Session,
    actor: Actor,
    seller_id: str,
    *,
    language: str | None,
    extra_recipients: list[str],
    muted: list[str],
) -> NotificationPreference:
    """Replace the seller's preferences; they apply to notices queued from now on."""
    access.authorize(actor, Action.SET_NOTIFICATION_PREFERENCES, seller_id=seller_id)
    _seller(session, seller_id)
    try:
        chosen = Language(language) if language is not None else None
    except ValueError:
        raise InvalidInput(N_("error.notify.language_not_ja_en"), language=str(language)) from None
    recipients = _check_recipients(extra_recipients)
    muted_kinds = _check_muted(muted)
    preference = session.get(NotificationPreference, seller_id)
    if preference is None:
        preference = NotificationPreference(seller_id=seller_id)
        session.add(preference)
    preference.language = chosen
    preference.extra_recipients = recipients
    preference.muted = muted_kinds
    preference.updated_at = utcnow()
    session.flush()
    session.add(
        access.record(
            actor,
            Action.SET_NOTIFICATION_PREFERENCES,
            f"seller:{seller_id}",
            {"language": language, "extra_recipients": len(recipients), "muted": muted_kinds},
        )
    )
    return preference


def _marketplace(session: Session, marketplace_id: str) -> Marketplace:
    marketplace = session.get(Marketplace, marketplace_id)
    if marketplace is None:
        raise NotFound(N_("error.marketplace_not_found"), marketplace_id=marketplace_id)
    return marketplace


def sender_domain(session: Session, actor: Actor, marketplace_id: str) -> str:
    """The domain the marketplace's notices are sent from and signed for."""
    access.authorize(actor, Action.MANAGE_KEYS)
    return sender_for(_marketplace(session, marketplace_id)).domain


def set_mail_domain(session: Session, actor: Actor, marketplace_id: str, domain: str) -> str:
    """Send the marketplace's notices from ``account-health@<domain>`` (needs keys for it)."""
    access.authorize(actor, Action.MANAGE_KEYS)
    marketplace = _marketplace(session, marketplace_id)
    marketplace.mail_domain = check_domain("domain", domain)
    session.add(
        access.record(
            actor,
            Action.MANAGE_KEYS,
            f"marketplace:{marketplace_id}",
            {"mail_domain": marketplace.mail_domain},
        )
    )
    return marketplace.mail_domain


def generate_dkim_key(
    session: Session,
    actor: Actor,
    keyring: Keyring,
    marketplace_id: str,
    *,
    algorithm: Algorithm,
    selector: str | None = None,
) -> DkimKey:
    """A new key for the marketplace's sending domain; it signs from now on (publish it)."""
    domain = sender_domain(session, actor, marketplace_id)
    key = keyring.generate_dkim(domain, algorithm, selector)
    session.add(
        access.record(
            actor,
            Action.MANAGE_KEYS,
            f"marketplace:{marketplace_id}",
            {"dkim_key": key.record_name, "algorithm": algorithm},
        )
    )
    return key
