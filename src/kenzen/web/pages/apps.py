"""Apps and authorisations: a seller grants, lists and revokes its tools' access; an
administrator registers apps. Secrets are shown once, on the page that made them. (The page
router checks every form's CSRF token.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from kenzen.errors import InvalidInput
from kenzen.i18n import N_
from kenzen.spapi import credentials
from kenzen.web.deps import Db
from kenzen.web.pages.common import PageRoute, language_of, render, require_actor

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _apps_page(
    request: Request, db: Db, *, refresh_token: str | None = None, granted: str | None = None
) -> Response:
    actor = require_actor(request)
    if actor.seller_id is None:
        raise InvalidInput(N_("error.web.only_seller_authorises_apps_itself"))
    with db.transaction() as session:
        return render(
            request,
            "apps.html",
            language_of(request, actor),
            actor=actor,
            apps=credentials.list_apps(session, actor),
            grants=credentials.list_authorizations(session, actor, actor.seller_id),
            refresh_token=refresh_token,
            granted=granted,
        )


@router.get("/apps", response_class=HTMLResponse)
def apps_page(request: Request, db: Db) -> Response:
    return _apps_page(request, db)


@router.get("/apps/authorize")
def after_authorize() -> Response:
    """Where a reload or the language switch lands after a grant: the list (the refresh
    token was shown once and is gone)."""
    return RedirectResponse("/apps", status_code=303)


@router.post("/apps/authorize", response_class=HTMLResponse)
def authorize_app(
    request: Request,
    db: Db,
    client_id: Annotated[str, Form(max_length=64)],
) -> Response:
    """Grant the app access; the refresh token is on this answer and nowhere else."""
    actor = require_actor(request)
    if actor.seller_id is None:
        raise InvalidInput(N_("error.web.only_seller_authorises_apps_itself"))
    with db.transaction() as session:
        grant = credentials.authorize_app(
            session, actor, client_id=client_id, seller_id=actor.seller_id
        )
        name = grant.authorization.app.name
    return _apps_page(request, db, refresh_token=grant.refresh_token, granted=name)


@router.post("/apps/authorizations/{authorization_id}/revoke")
def revoke_authorization(request: Request, db: Db, authorization_id: int) -> Response:
    actor = require_actor(request)
    with db.transaction() as session:
        credentials.revoke_authorization(session, actor, authorization_id)
    return RedirectResponse("/apps", status_code=303)


def _staff_page(
    request: Request, db: Db, registered: tuple[str, str, str] | None = None
) -> Response:
    actor = require_actor(request)
    with db.transaction() as session:
        return render(
            request,
            "staff_apps.html",
            language_of(request, actor),
            actor=actor,
            apps=credentials.list_apps(session, actor, managing=True),
            registered=registered,
        )


@router.get("/staff/apps", response_class=HTMLResponse)
def staff_apps(request: Request, db: Db) -> Response:
    return _staff_page(request, db)


@router.post("/staff/apps", response_class=HTMLResponse)
def add_app(
    request: Request,
    db: Db,
    name: Annotated[str, Form(max_length=200)],
) -> Response:
    """Register an app; its client secret is on this answer and nowhere else."""
    actor = require_actor(request)
    with db.transaction() as session:
        new = credentials.add_app(session, actor, name=name)
        registered = (new.app.name, new.app.client_id, new.client_secret)
    return _staff_page(request, db, registered)
