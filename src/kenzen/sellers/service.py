"""Use cases for marketplaces, sellers, listings — and the one writer of account status."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import UnknownLocaleError
from babel.numbers import get_currency_name
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from kenzen import access
from kenzen.access import Action, Actor
from kenzen.db import utcnow
from kenzen.errors import Conflict, InvalidInput, NotFound
from kenzen.i18n import N_
from kenzen.languages import Language
from kenzen.outbox import queue as outbox
from kenzen.sellers import marks
from kenzen.sellers.models import AccountStatusChange, Marketplace, Seller
from kenzen.sellers.phones import e164
from kenzen.sellers.status import AccountStatus, check_transition
from kenzen.text import check_name

MAX_REASON_LENGTH = 2_000
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _check_id(field: str, value: str) -> str:
    if not _ID.fullmatch(value):
        raise InvalidInput(N_("error.sellers.use_letters_digits_most_64"), field=field)
    return value


def _check_time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(N_("error.sellers.timezone_not_iana_time_zone"), value=value) from None
    return value


def _check_currency(value: str) -> str:
    code = value.upper()
    try:
        known = len(code) == 3 and get_currency_name(code, locale="en") != code
    except UnknownLocaleError:  # pragma: no cover - "en" always exists
        known = False
    if not known:
        raise InvalidInput(N_("error.sellers.currency_not_iso_4217_currency_code"), value=value)
    return code


def _language(value: str) -> Language:
    try:
        return Language(value)
    except ValueError:
        raise InvalidInput(N_("error.sellers.language_not_ja_en"), value=value) from None


def add_marketplace(
    session: Session,
    actor: Actor,
    *,
    marketplace_id: str,
    name: str,
    time_zone: str,
    currency: str,
    language: str,
) -> Marketplace:
    access.authorize(actor, Action.ADD_MARKETPLACE)
    marketplace = Marketplace(
        id=_check_id("id", marketplace_id),
        name=check_name(name, "name").strip() or marketplace_id,
        time_zone=_check_time_zone(time_zone),
        currency=_check_currency(currency),
        language=_language(language),
    )
    if session.get(Marketplace, marketplace.id) is not None:
        raise Conflict(
            N_("error.sellers.marketplace_already_exists"), marketplace_id=marketplace.id
        )
    session.add(marketplace)
    session.flush()
    session.add(access.record(actor, Action.ADD_MARKETPLACE, f"marketplace:{marketplace.id}"))
    return marketplace


def add_seller(
    session: Session,
    actor: Actor,
    *,
    seller_id: str,
    marketplace_id: str,
    display_name: str,
    email: str,
    language: str,
    registered_at: datetime,
) -> Seller:
    access.authorize(actor, Action.ADD_SELLER)
    if session.get(Marketplace, marketplace_id) is None:
        raise NotFound(N_("error.marketplace_not_found"), marketplace_id=marketplace_id)
    if session.get(Seller, _check_id("seller_id", seller_id)) is not None:
        raise Conflict(N_("error.sellers.seller_already_exists"), seller_id=seller_id)
    seller = Seller(
        id=seller_id,
        marketplace_id=marketplace_id,
        display_name=check_name(display_name, "display_name"),
        email=email,
        language=_language(language),
        registered_at=registered_at,
        status=AccountStatus.NORMAL,
    )
    session.add(seller)
    session.flush()
    session.add(access.record(actor, Action.ADD_SELLER, f"seller:{seller_id}"))
    return seller


def get_seller(session: Session, actor: Actor, seller_id: str, action: Action) -> Seller:
    """Authorise ``action`` on a seller, then load it with its marketplace, which every
    reader of the seller's day needs (404 either way for a foreign seller)."""
    access.authorize(actor, action, seller_id=seller_id)
    seller = session.get(Seller, seller_id, options=[joinedload(Seller.marketplace)])
    if seller is None:
        raise NotFound(N_("error.seller_not_found"), seller_id=seller_id)
    return seller


def set_emergency_phone(session: Session, actor: Actor, seller_id: str, phone: str) -> str:
    """Set the seller's emergency contact number, where AHS calls before a deactivation is
    confirmed; checked like a callback's number. Return it as stored (E.164)."""
    seller = get_seller(session, actor, seller_id, Action.SET_EMERGENCY_CONTACT)
    number = e164(phone, seller.marketplace_id)
    seller.emergency_phone = number
    marks.renew_facts_stamp(session, [seller.id])  # Assurance asks for the number
    session.add(
        access.record(
            actor,
            Action.SET_EMERGENCY_CONTACT,
            f"seller:{seller.id}",
            {"phone_ending": number[-4:]},
        )
    )
    return number


def record_status_change(
    session: Session,
    actor: Actor,
    seller: Seller,
    *,
    status: AccountStatus,
    reason: str,
    case_id: int,
) -> AccountStatusChange:
    """The only writer of an account's status, inside an authorised use case: checks the
    reason and the transition, records the change under its case, queues the webhook and
    audits it. ``kenzen.cases.account_status.set_account_status`` is the use case around it,
    which ties every change to a case the seller reads."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(N_("error.sellers.reason_must_not_empty"))
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(
            N_("error.sellers.reason_most_characters"), max_reason_length=MAX_REASON_LENGTH
        )
    check_transition(seller.status, status)
    change = AccountStatusChange(
        seller_id=seller.id,
        previous_status=seller.status,
        status=status,
        reason=reason,
        actor=actor.label,
        actor_role=actor.role.value,
        case_id=case_id,
        at=utcnow(),
    )
    session.add(change)
    seller.status = status
    seller.status_changed_at = change.at
    marks.mark_for_evaluation(session, [seller.id], reason="account status set")
    outbox.queue_status_change(
        session,
        outbox.StatusChange(
            seller_id=seller.id,
            marketplace_id=seller.marketplace_id,
            previous_status=change.previous_status.value,
            status=status.value,
            at=change.at,
        ),
    )
    session.add(
        access.record(
            actor,
            Action.SET_ACCOUNT_STATUS,
            f"seller:{seller.id}",
            {
                "previous": change.previous_status.value,
                "current": status.value,
                "case_id": case_id,
                "reason": reason,
            },
        )
    )
    session.flush()
    return change


def search_sellers(session: Session, actor: Actor, query: str, *, limit: int = 50) -> list[Seller]:
    """Staff find a seller by id, display name or email (a case-insensitive substring)."""
    access.authorize(actor, Action.SEARCH_SELLERS)
    pattern = f"%{query.strip().lower()}%"
    found = select(Seller).order_by(Seller.id).limit(limit)
    if query.strip():
        found = found.where(
            func.lower(Seller.id).like(pattern)
            | func.lower(Seller.display_name).like(pattern)
            | func.lower(Seller.email).like(pattern)
        )
    return list(session.scalars(found))
