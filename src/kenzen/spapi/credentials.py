"""Apps, sellers' authorisations and the Login-with-Amazon-style token exchange.

The operator registers an app (client id and secret); a seller authorises it, which yields a
refresh token for that seller and that app only; the app trades the refresh token for an
access token at ``/auth/o2/token``, as it would with Login with Amazon. Every credential is
random, shown once, and stored as its SHA-256 digest; revoking an authorisation ends its
access tokens at once because each request looks the authorisation up again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor, Role
from kenzen.db import utcnow
from kenzen.errors import InvalidInput, KenzenError, NotFound, Unauthenticated
from kenzen.i18n import N_, Param
from kenzen.sellers.models import Seller
from kenzen.spapi.models import AccessToken, App, AppAuthorization

ACCESS_TOKEN_SECONDS = 3600
MAX_APP_NAME_LENGTH = 200
CLIENT_ID_PREFIX = "kenzen.app."
SECRET_PREFIX = "kzsec_"  # noqa: S105 - marks Kenzen client secrets in logs and scanners
REFRESH_PREFIX = "Atzr|"  # Login with Amazon's prefixes, which some tools check
ACCESS_PREFIX = "Atza|"
#: The grantless scope SP-API clients ask for (notifications' destinations).
NOTIFICATIONS_SCOPE = "sellingpartnerapi::notifications"


class TokenRequestError(KenzenError):
    """A refused token request, in OAuth's terms (``error`` is e.g. ``invalid_grant``)."""

    def __init__(self, error: str, description: str, **values: Param) -> None:
        super().__init__(description, **values)
        self.error = error


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NewApp:
    app: App
    client_secret: str


def add_app(session: Session, actor: Actor, *, name: str) -> NewApp:
    """Register an app; its client secret is returned this once and stored as a digest."""
    access.authorize(actor, Action.MANAGE_APPS)
    name = name.strip()
    if not name:
        raise InvalidInput(N_("error.name_must_not_empty"))
    if len(name) > MAX_APP_NAME_LENGTH:
        raise InvalidInput(
            N_("error.spapi.name_most_characters"), max_app_name_length=MAX_APP_NAME_LENGTH
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    app = App(
        client_id=CLIENT_ID_PREFIX + secrets.token_hex(16),
        name=name,
        secret_digest=digest(secret),
        created_by=actor.label,
        created_at=utcnow(),
    )
    session.add(app)
    session.flush()
    session.add(access.record(actor, Action.MANAGE_APPS, f"app:{app.client_id}", {"name": name}))
    return NewApp(app, secret)


def list_apps(session: Session, actor: Actor, *, managing: bool = False) -> list[App]:
    """Every registered app: sellers choose among them, operators (``managing``) manage
    them on the staff page."""
    access.authorize(actor, Action.MANAGE_APPS if managing else Action.LIST_APPS)
    return list(session.scalars(select(App).order_by(App.name, App.id)))


def _app(session: Session, client_id: str) -> App:
    app = session.scalar(select(App).where(App.client_id == client_id.strip()))
    if app is None:
        raise NotFound(N_("error.spapi.app_not_found"), client_id=client_id)
    return app


@dataclass(frozen=True, slots=True)
class Grant:
    authorization: AppAuthorization
    refresh_token: str


def authorize_app(session: Session, actor: Actor, *, client_id: str, seller_id: str) -> Grant:
    """The seller's grant to one app. A new grant replaces the seller's earlier one for the
    same app (its refresh token stops working), as re-authorising does in Seller Central."""
    access.authorize(actor, Action.AUTHORIZE_APP, seller_id=seller_id)
    if session.get(Seller, seller_id) is None:
        raise NotFound(N_("error.seller_not_found"), seller_id=seller_id)
    app = _app(session, client_id)
    now = utcnow()
    for earlier in _active(session, seller_id, app.id):
        earlier.revoked_at = now
    token = REFRESH_PREFIX + secrets.token_urlsafe(48)
    grant = AppAuthorization(
        app_id=app.id,
        seller_id=seller_id,
        refresh_digest=digest(token),
        hint=token[:10],
        granted_by=actor.label,
        granted_at=now,
    )
    session.add(grant)
    session.flush()
    session.add(
        access.record(actor, Action.AUTHORIZE_APP, f"seller:{seller_id}", {"app": app.client_id})
    )
    return Grant(grant, token)


def _active(session: Session, seller_id: str, app_id: int | None = None) -> list[AppAuthorization]:
    query = select(AppAuthorization).where(
        AppAuthorization.seller_id == seller_id, AppAuthorization.revoked_at.is_(None)
    )
    if app_id is not None:
        query = query.where(AppAuthorization.app_id == app_id)
    return list(session.scalars(query.order_by(AppAuthorization.id)))


def list_authorizations(session: Session, actor: Actor, seller_id: str) -> list[AppAuthorization]:
    """The seller's active grants, oldest first."""
    access.authorize(actor, Action.LIST_APP_AUTHORIZATIONS, seller_id=seller_id)
    return _active(session, seller_id)


def revoke_authorization(session: Session, actor: Actor, authorization_id: int) -> None:
    """End a grant: its refresh token and every access token made from it stop at once."""
    grant = access.load(
        session,
        actor,
        Action.REVOKE_APP_AUTHORIZATION,
        AppAuthorization,
        authorization_id,
        missing=N_("error.not_found.authorisation"),
    )
    if grant.revoked_at is not None:
        raise NotFound(N_("error.spapi.authorisation_not_found"), authorization_id=authorization_id)
    grant.revoked_at = utcnow()
    session.add(
        access.record(
            actor,
            Action.REVOKE_APP_AUTHORIZATION,
            f"seller:{grant.seller_id}",
            {"app": grant.app.client_id},
        )
    )


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int


def _client(session: Session, client_id: str, client_secret: str) -> App:
    app = session.scalar(select(App).where(App.client_id == client_id))
    if app is None or not hmac.compare_digest(app.secret_digest, digest(client_secret)):
        raise TokenRequestError("invalid_client", N_("error.lwa.client_authentication_failed"))
    return app


def exchange(
    session: Session,
    *,
    grant_type: str,
    client_id: str,
    client_secret: str,
    refresh_token: str | None = None,
    scope: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> IssuedToken:
    """``refresh_token`` for a seller's authorisation, or ``client_credentials`` with the
    notifications scope for the app's own (grantless) operations."""
    app = _client(session, client_id, client_secret)
    authorization: AppAuthorization | None = None
    if grant_type == "refresh_token":
        if not refresh_token:
            raise TokenRequestError("invalid_request", N_("error.lwa.refresh_token_required"))
        authorization = session.scalar(
            select(AppAuthorization).where(
                AppAuthorization.refresh_digest == digest(refresh_token),
                AppAuthorization.app_id == app.id,
                AppAuthorization.revoked_at.is_(None),
            )
        )
        if authorization is None:
            raise TokenRequestError("invalid_grant", N_("error.lwa.invalid_grant"))
    elif grant_type == "client_credentials":
        if scope != NOTIFICATIONS_SCOPE:
            raise TokenRequestError(
                "invalid_scope", N_("error.lwa.scope_required"), scope=NOTIFICATIONS_SCOPE
            )
    else:
        raise TokenRequestError("unsupported_grant_type", N_("error.lwa.unsupported_grant_type"))
    token = ACCESS_PREFIX + secrets.token_urlsafe(48)
    now = clock()
    session.add(
        AccessToken(
            digest=digest(token),
            app_id=app.id,
            authorization_id=authorization.id if authorization else None,
            expires_at=now + timedelta(seconds=ACCESS_TOKEN_SECONDS),
            created_at=now,
        )
    )
    return IssuedToken(token, ACCESS_TOKEN_SECONDS)


def actor_for_access_token(
    session: Session, token: str, *, clock: Callable[[], datetime] = utcnow
) -> Actor:
    """The app acting for its seller (or for itself); refuses unknown, expired and revoked
    tokens with the same error."""
    row = session.scalar(select(AccessToken).where(AccessToken.digest == digest(token)))
    grant = row.authorization if row is not None else None
    if (
        row is None
        or row.expires_at <= clock()
        or (grant is not None and grant.revoked_at is not None)
    ):
        raise Unauthenticated(N_("error.spapi.access_token_invalid"))
    return Actor(
        email=f"app:{row.app.client_id}",
        role=Role.SELLING_PARTNER_APP,
        seller_id=grant.seller_id if grant is not None else None,
        app_id=row.app_id,
    )
