"""Use cases for users and credentials."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from kenzen import access, audit, telemetry
from kenzen.access import Action, Actor, Role
from kenzen.db import utcnow
from kenzen.errors import Conflict, InvalidInput, NotFound, TooManyAttempts, Unauthenticated
from kenzen.i18n import N_
from kenzen.identity.models import Token, TokenKind, User
from kenzen.identity.throttle import LoginThrottle
from kenzen.sellers.models import Seller

TOKEN_PREFIX = "kz_"  # noqa: S105 - marks Kenzen tokens in logs and scanners
MIN_PASSWORD_LENGTH = 8
LOG_IN = "logIn"

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verifying against this keeps unknown-email logins as slow as wrong-password ones;
    made on the first failed login, not when the module is imported."""
    return _hasher.hash("kenzen-timing-equaliser")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(
    session: Session,
    actor: Actor,
    *,
    email: str,
    role: Role,
    password: str | None,
    seller_id: str | None = None,
) -> User:
    access.authorize(actor, Action.ADD_USER)
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput(N_("error.identity.email_not_email_address"), email=email)
    if role in (Role.SYSTEM, Role.SELLING_PARTNER_APP):
        raise InvalidInput(N_("error.identity.role_not_user_role"), role=role.value)
    if (role is Role.SELLER) != (seller_id is not None):
        raise InvalidInput(N_("error.identity.seller_seller_user_needs_seller_only"))
    if seller_id is not None and session.get(Seller, seller_id) is None:
        raise NotFound(N_("error.seller_not_found"), seller_id=seller_id)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            N_("error.identity.password_least_characters"), min_password_length=MIN_PASSWORD_LENGTH
        )
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(N_("error.identity.user_email_already_exists"), email=email)
    user = User(
        email=email,
        role=role,
        seller_id=seller_id,
        password_hash=_hasher.hash(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    session.add(access.record(actor, Action.ADD_USER, f"user:{email}", {"role": role.value}))
    return user


def find_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(N_("error.identity.user_not_found"), email=email)
    return user


def _issue(session: Session, user: User, kind: TokenKind, expires_at: datetime | None) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        Token(
            user_id=user.id,
            kind=kind,
            digest=_digest(token),
            hint=token[:10],
            expires_at=expires_at,
        )
    )
    session.flush()
    return token


def create_api_token(session: Session, actor: Actor, *, email: str) -> str:
    """Return a new bearer token for ``email``; it is shown once and stored only hashed."""
    access.authorize(actor, Action.CREATE_TOKEN)
    user = find_user(session, email)
    token = _issue(session, user, TokenKind.API, None)
    session.add(
        access.record(actor, Action.CREATE_TOKEN, f"user:{user.email}", {"hint": token[:10]})
    )
    return token


def revoke_token(session: Session, actor: Actor, *, token: str) -> None:
    access.authorize(actor, Action.REVOKE_TOKEN)
    row = session.scalar(select(Token).where(Token.digest == _digest(token)))
    if row is None or row.revoked_at is not None:
        raise NotFound(N_("error.identity.token_not_found_already_revoked"))
    row.revoked_at = utcnow()
    session.add(
        access.record(actor, Action.REVOKE_TOKEN, f"user:{row.user.email}", {"hint": row.hint})
    )


def actor_for_token(session: Session, token: str, kind: TokenKind) -> Actor:
    """Resolve a presented token to its user, refusing revoked, expired or disabled ones."""
    row = session.scalar(
        select(Token)
        .options(joinedload(Token.user))  # one query per request, not two
        .where(Token.digest == _digest(token), Token.kind == kind)
    )
    now = utcnow()
    if (
        row is None
        or row.revoked_at is not None
        or (row.expires_at is not None and row.expires_at <= now)
        or row.user.disabled_at is not None
    ):
        raise Unauthenticated(N_("error.identity.invalid_expired_credentials"))
    return row.user.as_actor()


def log_in(
    session: Session,
    *,
    email: str,
    password: str,
    session_days: int,
    client: str = "local",
    throttle: LoginThrottle | None = None,
) -> str:
    """Check the password and open a browser session; the same error for every failure.

    Every attempt is audited (never the password): a success, a refusal, or a refusal
    without checking because the account or the client address failed too often. The
    server passes its ``throttle``; without one (a script on the machine) nothing is limited.
    """
    email = email.strip().lower()[:320]
    if throttle is not None and (wait := throttle.retry_after(email, client)):
        telemetry.LOGIN_FAILURES.labels("throttled").inc()
        raise TooManyAttempts(
            N_("error.identity.too_many_failed_logins"),
            wait=wait,
            retry_after=wait,
            audit=_login_audit(email, client, "too many failed logins"),
        )
    user = session.scalar(select(User).where(User.email == email))
    if user is None or user.password_hash is None or user.disabled_at is not None:
        _verify(_dummy_hash(), password)
        if throttle is not None:
            throttle.failed(email, client)
        telemetry.LOGIN_FAILURES.labels("bad_credentials").inc()
        raise Unauthenticated(
            N_("error.identity.wrong_email_password"), audit=_login_audit(email, client)
        )
    if not _verify(user.password_hash, password):
        if throttle is not None:
            throttle.failed(email, client)
        telemetry.LOGIN_FAILURES.labels("bad_credentials").inc()
        raise Unauthenticated(
            N_("error.identity.wrong_email_password"), audit=_login_audit(email, client)
        )
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    if throttle is not None:
        throttle.succeeded(email)
    session.add(
        audit.entry(
            actor=user.email,
            actor_role=user.role.value,
            action=LOG_IN,
            target=f"user:{user.id}",
            detail={"client": client},
        )
    )
    return _issue(session, user, TokenKind.SESSION, utcnow() + timedelta(days=session_days))


def _login_audit(
    email: str, client: str, reason: str = "wrong email or password"
) -> audit.AuditEntry:
    """A refused login; the same entry whether or not the account exists."""
    return audit.entry(
        actor=email,
        actor_role="anonymous",
        action=LOG_IN,
        target=f"login:{email}",
        outcome=audit.Outcome.DENIED,
        detail={"client": client, "reason": reason},
    )


def log_out(session: Session, token: str) -> None:
    row = session.scalar(select(Token).where(Token.digest == _digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError):
        return False


def who_am_i(actor: Actor) -> Actor:
    access.authorize(actor, Action.WHO_AM_I)
    return actor


def user_language(session: Session, actor: Actor) -> str | None:
    """The page language the user chose, if any (``None``: not chosen yet)."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    return user.language if user is not None else None


def set_language(session: Session, actor: Actor, language: str) -> str:
    """Remember the user's page language; it follows them to every browser."""
    access.authorize(actor, Action.SET_LANGUAGE)
    if language not in ("ja", "en"):
        raise InvalidInput(N_("error.identity.language_ja_en"))
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise NotFound(N_("error.identity.user_unknown"))
    user.language = language
    session.add(
        access.record(actor, Action.SET_LANGUAGE, f"user:{user.id}", {"language": language})
    )
    return language


def audit_log(
    session: Session,
    actor: Actor,
    query: Mapping[str, str],
    *,
    before: int | None = None,
    after: int | None = None,
) -> audit.AuditPage:
    """One page of the audit log, newest first, for administrators; ``query`` holds the
    filter and page size as text, refused naming the field when wrong."""
    access.authorize(actor, Action.LIST_AUDIT_LOG)
    chosen = audit.AuditFilter.parse(query)
    size = audit.page_size(query.get("size"))
    return audit.list_page(session, chosen, size=size, before=before, after=after)


def export_audit_log(session: Session, actor: Actor, query: Mapping[str, str]) -> audit.AuditFilter:
    """Allow an export of the entries ``query`` selects (``audit.iterate`` reads them) and
    log it: who took a copy of the log, and of which part, is itself in the log."""
    access.authorize(actor, Action.EXPORT_AUDIT_LOG)
    chosen = audit.AuditFilter.parse(query)
    session.add(access.record(actor, Action.EXPORT_AUDIT_LOG, "audit_log", chosen.query_values()))
    return chosen
