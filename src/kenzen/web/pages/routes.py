"""Login, logout, the language switch, and the router that gathers every page area; its
CSRF dependency guards every unsafe page request, so no form can forget its token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from kenzen.access import Role
from kenzen.errors import TooManyAttempts, Unauthenticated
from kenzen.identity import service as identity
from kenzen.web.csrf import SESSION_COOKIE, require_form_token
from kenzen.web.deps import Db
from kenzen.web.pages import (
    appeal,
    apps,
    assurance,
    disputes,
    operations,
    rights,
    seller,
    staff,
    transparency,
    verify,
)
from kenzen.web.pages.common import (
    PageRoute,
    browser_language,
    render,
    require_actor,
    session_actor,
    settings_of,
    uploads_need_a_session,
)

router = APIRouter(
    include_in_schema=False,
    route_class=PageRoute,
    dependencies=[Depends(uploads_need_a_session), Depends(require_form_token)],
)

#: Where each role lands after logging in: its first menu.
LANDING = {
    Role.AHS_AGENT: "/staff/callbacks",
    Role.ACCOUNT_SPECIALIST: "/staff/appeals",
    Role.RIGHTS_OWNER: "/rights",
    Role.ADMIN: "/staff/audit",
}


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", browser_language(request))


@router.post("/login", response_class=HTMLResponse)
def log_in(
    request: Request,
    db: Db,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    settings = settings_of(request)
    try:
        with db.transaction() as session:
            token = identity.log_in(
                session,
                email=email,
                password=password,
                session_days=settings.session_days,
                client=request.client.host if request.client else "unknown",
                throttle=request.app.state.login_throttle,
            )
    except TooManyAttempts as error:
        refused = render(
            request,
            "login.html",
            browser_language(request),
            status_code=429,
            throttled=True,
            email=email,
        )
        refused.headers["Retry-After"] = str(error.retry_after)
        return refused
    except Unauthenticated:
        return render(
            request,
            "login.html",
            browser_language(request),
            status_code=401,
            failed=True,
            email=email,
        )
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    return response


@router.post("/logout")
def log_out(request: Request, db: Db) -> Response:
    if token := request.cookies.get(SESSION_COOKIE):
        with db.transaction() as session:
            identity.log_out(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: Db) -> Response:
    """Each role starts on its own first page; a seller on its Account Health."""
    actor = session_actor(request, db)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    if actor.seller_id is not None:
        return seller.health_page(request, db, actor, actor.seller_id)
    return RedirectResponse(LANDING.get(actor.role, "/login"), status_code=303)


@router.post("/language")
def switch_language(
    request: Request,
    db: Db,
    language: Annotated[str, Form(max_length=2)],
    back: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Remembered on the user, so it follows them to any browser."""
    actor = require_actor(request)
    with db.transaction() as session:
        identity.set_language(session, actor, language)
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)


#: Every page area; each is included under this router, so under its CSRF dependency.
AREAS = (seller, assurance, appeal, staff, transparency, operations, rights, disputes, verify, apps)

for area in AREAS:
    router.include_router(area.router)
