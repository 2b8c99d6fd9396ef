"""Use cases for notices: queue one per seller-visible case entry, list them, preferences,
and the sending domain and its DKIM keys."""

from __future__ import annotations

import uuid

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor, Role, Scope, Visibility
from kenzen.cases.models import Case, CaseEntry, EntryKind
from kenzen.db import utcnow
from kenzen.errors import InvalidInput, NotFound
from kenzen.notify.email import sender_for
from kenzen.notify.keys import Algorithm, DkimKey, Keyring, check_domain
from kenzen.notify.models import Notice, NotificationPreference
from kenzen.sellers.models import Language, Marketplace, Seller

OPTIONAL_KINDS = frozenset({EntryKind.NOTE.value})
"""Notice kinds a seller may mute. Every other seller-visible entry — warnings, restrictions,
status changes, complaints, and what appeals and support add — is mandatory."""
MAX_EXTRA_RECIPIENTS = 5


def queue_for_entry(session: Session, case: Case, entry: CaseEntry) -> Notice | None:
    """Queue the notice of a case entry, in the transaction that wrote the entry.

    Called by ``cases.service.append_entry`` for every entry, so a message can only ever be
    sent about something already in the case log. Internal entries and the seller's own
    notes send nothing; a muted optional kind stays in the case log only.
    """
    if entry.visibility is not Visibility.SELLER or entry.author_role == Role.SELLER.value:
        return None
    seller = session.get(Seller, case.seller_id)
    if seller is None:  # pragma: no cover - a case always belongs to a seller
        raise NotFound(f"seller {case.seller_id} not found")
    preference = session.get(NotificationPreference, seller.id)
    kind = str(entry.kind)
    mandatory = kind not in OPTIONAL_KINDS
    if not mandatory and preference is not None and kind in preference.muted:
        return None
    extra = preference.extra_recipients if preference is not None else []
    notice = Notice(
        id=str(uuid.uuid4()),
        seller_id=seller.id,
        marketplace_id=seller.marketplace_id,
        case_id=case.id,
        case_entry_id=entry.id,
        kind=kind,
        mandatory=mandatory,
        language=(preference.language if preference and preference.language else seller.language),
        recipients=list(dict.fromkeys([seller.email, *extra])),
        next_attempt_at=entry.at,
        created_at=entry.at,
    )
    session.add(notice)
    return notice


def list_notices(
    session: Session, actor: Actor, *, seller_id: str | None = None, limit: int = 100
) -> list[Notice]:
    scope = access.authorize(actor, Action.LIST_NOTICES, seller_id=seller_id)
    if scope is Scope.OWN:
        seller_id = actor.seller_id
    query = select(Notice).order_by(Notice.created_at.desc(), Notice.id).limit(limit)
    if seller_id is not None:
        query = query.where(Notice.seller_id == seller_id)
    return list(session.scalars(query))


def _seller(session: Session, seller_id: str) -> Seller:
    seller = session.get(Seller, seller_id)
    if seller is None:
        raise NotFound(f"seller {seller_id} not found")
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
        raise InvalidInput(f"extra_recipients: at most {MAX_EXTRA_RECIPIENTS} addresses")
    checked: list[str] = []
    for index, value in enumerate(values):
        try:
            address = validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise InvalidInput(
                f"extra_recipients[{index}]: {value!r} is not an email address ({error})"
            ) from None
        checked.append(address)
    return list(dict.fromkeys(checked))


def _check_muted(values: list[str]) -> list[str]:
    kinds = {kind.value for kind in EntryKind}
    for value in values:
        if value in OPTIONAL_KINDS:
            continue
        if value in kinds:
            raise InvalidInput(f"muted: {value!r} is a mandatory notice and cannot be switched off")
        optional = ", ".join(sorted(OPTIONAL_KINDS))
        raise InvalidInput(f"muted: {value!r} is not a notice kind one may mute ({optional})")
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
        raise InvalidInput(f"language: {language!r} is not one of ja, en") from None
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
        raise NotFound(f"marketplace {marketplace_id} not found")
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
