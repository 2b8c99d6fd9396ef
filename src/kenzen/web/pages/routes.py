"""Login, logout, and the home page of the logged-in user."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from kenzen import i18n
from kenzen.access import Actor, Role
from kenzen.cases import service as cases
from kenzen.config import Settings
from kenzen.errors import Unauthenticated
from kenzen.health import service as health_service
from kenzen.identity import service as identity
from kenzen.identity.models import TokenKind
from kenzen.web.deps import SESSION_COOKIE, Db
from kenzen.web.pages import csrf
from kenzen.web.templates import TEMPLATES_DIR

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=TEMPLATES_DIR)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _render(
    request: Request, name: str, language: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    token = csrf.token_for(request)

    def translate(key: str, **values: object) -> str:
        return i18n.t(key, language, **values)

    response = templates.TemplateResponse(
        request,
        name,
        {"t": translate, "lang": language, "csrf_token": token, **context},
        status_code=status_code,
    )
    csrf.remember(response, token, secure=_settings(request).secure_cookies)
    return response


def _page_language(request: Request) -> str:
    preferred = request.headers.get("accept-language", "")
    return "ja" if preferred.lower().startswith("ja") else "en"


def _session_actor(request: Request, db: Db) -> Actor | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        with db.transaction() as session:
            return identity.actor_for_token(session, token, TokenKind.SESSION)
    except Unauthenticated:
        return None


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return _render(request, "login.html", _page_language(request))


@router.post("/login", response_class=HTMLResponse)
def log_in(
    request: Request,
    db: Db,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form()],
) -> Response:
    csrf.check(request, csrf_token)
    settings = _settings(request)
    try:
        with db.transaction() as session:
            token = identity.log_in(
                session, email=email, password=password, session_days=settings.session_days
            )
    except Unauthenticated:
        return _render(
            request,
            "login.html",
            _page_language(request),
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
def log_out(request: Request, db: Db, csrf_token: Annotated[str, Form()]) -> Response:
    csrf.check(request, csrf_token)
    if token := request.cookies.get(SESSION_COOKIE):
        with db.transaction() as session:
            identity.log_out(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: Db) -> Response:
    actor = _session_actor(request, db)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    if actor.role is not Role.SELLER or actor.seller_id is None:
        return _render(request, "staff.html", _page_language(request), actor=actor)
    with db.transaction() as session:
        policy = request.app.state.policy.current
        health = health_service.get_seller_health(session, actor, policy, actor.seller_id)
        all_cases = cases.list_cases(session, actor)
        return _render(
            request,
            "seller_home.html",
            health.seller.language.value,
            actor=actor,
            health=health,
            cases=all_cases,
        )
