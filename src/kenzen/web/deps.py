"""Request dependencies: the database and the authenticated actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from kenzen.access import Actor
from kenzen.db import Database
from kenzen.errors import Unauthenticated
from kenzen.i18n import N_, Language, negotiate
from kenzen.identity import service as identity
from kenzen.identity.models import TokenKind
from kenzen.ids import MAX_ID
from kenzen.policy.document import Policy, PolicyHolder
from kenzen.sellers.models import Seller
from kenzen.web.csrf import SESSION_COOKIE, require_api_token

#: A row id in a path: out of range is 422, never a lookup the database cannot make.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]

bearer = HTTPBearer(auto_error=False, description="A token from `kenzen token create`.")


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


Db = Annotated[Database, Depends(get_database)]


def current_actor(
    request: Request,
    database: Db,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The caller, from a bearer token or else from the browser session cookie; a session
    changes data only with its CSRF token or from Kenzen's own pages."""
    if credentials is not None:
        token, kind = credentials.credentials, TokenKind.API
    elif cookie := request.cookies.get(SESSION_COOKIE):
        token, kind = cookie, TokenKind.SESSION
    else:
        raise Unauthenticated(N_("error.bearer_required"))
    with database.transaction() as session:
        actor = identity.actor_for_token(session, token, kind)
    request.state.actor = actor
    if kind is TokenKind.SESSION:
        require_api_token(request)
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def language_for(session: Session, actor: Actor | None, accept_language: str | None) -> Language:
    """The reader's language, for pages and API alike: the user's chosen language, else their
    seller account's, else the best match of the browser's ``Accept-Language``."""
    chosen = identity.user_language(session, actor) if actor is not None else None
    seller = session.get(Seller, actor.seller_id) if actor and actor.seller_id else None
    account = seller.language.value if seller is not None else None
    return negotiate(chosen, account, accept_language=accept_language)


def error_language(request: Request) -> Language:
    """The language a refusal is answered in: the reader's (``language_for``) once the
    caller is known (an API token's, an SP-API app's or a page session's actor), else the
    browser's; never a database error in place of the refusal."""
    state = request.state
    actor: Actor | None = getattr(state, "actor", None) or getattr(state, "session_actor", None)
    accept_language = request.headers.get("accept-language")
    if actor is None:
        return negotiate(accept_language=accept_language)
    with get_database(request).transaction() as session:
        return language_for(session, actor, accept_language)


def reader_language(request: Request, database: Db, actor: CurrentActor) -> Language:
    with database.transaction() as session:
        return language_for(session, actor, request.headers.get("accept-language"))


ReaderLanguage = Annotated[Language, Depends(reader_language)]


def current_policy(request: Request) -> Policy:
    holder: PolicyHolder = request.app.state.policy
    return holder.current


CurrentPolicy = Annotated[Policy, Depends(current_policy)]
