"""What every page shares: the session's actor, the page language, rendering, and turning a
service's refusal into a 404 or 403 page.

Pages never decide permissions: they call services with the session's actor, and
``PageRoute`` renders the error a service raised with the status ``web.errors`` gives it, so
a seller who edits a URL to reach another seller's page sees the same 404 as for a page that
does not exist. Page responses are never stored by a browser or proxy cache: they carry one
user's data and a form token.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from kenzen import clock, i18n
from kenzen.access import Actor, Role
from kenzen.config import Settings
from kenzen.db import Database
from kenzen.errors import KenzenError, Unauthenticated
from kenzen.i18n import N_
from kenzen.identity import service as identity
from kenzen.identity.models import TokenKind
from kenzen.metrics.definitions import METRIC_NAMES
from kenzen.policy.document import DeadlineRules, Policy
from kenzen.web import csrf
from kenzen.web.csrf import SESSION_COOKIE
from kenzen.web.deps import language_for
from kenzen.web.errors import status_of
from kenzen.web.pages import labels
from kenzen.web.templates import TEMPLATES_DIR
from kenzen.web.uploads import NoFields, authorised_upload

templates = Jinja2Templates(directory=TEMPLATES_DIR)
i18n.install(templates.env)
templates.env.globals["labels"] = labels


def in_zone(instant: datetime, time_zone: str) -> datetime:
    """An instant as read where it is shown: in the marketplace's (or AHS's) time zone."""
    return instant.astimezone(ZoneInfo(time_zone))


templates.env.globals["in_zone"] = in_zone

#: The menu each role sees: (path, message id). The server enforces access; this only reflects it.
MENUS: dict[Role, tuple[tuple[str, str], ...]] = {
    Role.SELLER: (
        ("/", N_("ui.menu.health")),
        ("/cases", N_("ui.menu.cases")),
        ("/callbacks", N_("ui.menu.callback")),
        ("/assurance", N_("ui.menu.assurance")),
        ("/apps", N_("ui.menu.apps")),
        ("/verify", N_("page.verify")),
    ),
    Role.AHS_AGENT: (
        ("/staff/callbacks", N_("ui.menu.callbacks")),
        ("/staff/sellers", N_("ui.menu.sellers")),
        ("/staff/transparency", N_("ui.menu.transparency")),
        ("/staff/overview", N_("ui.menu.overview")),
    ),
    Role.ACCOUNT_SPECIALIST: (
        ("/staff/appeals", N_("ui.menu.queue")),
        ("/staff/disputes", N_("ui.menu.disputes")),
        ("/staff/proposals", N_("ui.menu.proposals")),
        ("/staff/sellers", N_("ui.menu.sellers")),
        ("/staff/transparency", N_("ui.menu.transparency")),
        ("/staff/overview", N_("ui.menu.overview")),
    ),
    Role.RIGHTS_OWNER: (("/rights", N_("ui.menu.rights")),),
    Role.ADMIN: (
        ("/staff/audit", N_("ui.menu.audit")),
        ("/staff/overview", N_("ui.menu.overview")),
        ("/staff/apps", N_("ui.menu.staff_apps")),
        ("/staff/transparency", N_("ui.menu.transparency")),
    ),
}


class LoginRequired(Unauthenticated):
    """No valid session: the page answers with a redirect to the login form."""

    def __init__(self) -> None:
        super().__init__(N_("error.log_in_first"))


def deadline_rules(request: Request) -> DeadlineRules:
    """The decision targets of the policy in force."""
    policy: Policy = request.app.state.policy.current
    return policy.document.deadlines


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def browser_language(request: Request) -> i18n.Language:
    return i18n.negotiate(accept_language=request.headers.get("accept-language"))


def session_actor(request: Request, db: Database) -> Actor | None:
    """The logged-in visitor, looked up once per request (the router's upload check, the
    route and the page language all ask)."""
    if hasattr(request.state, "session_actor"):
        found: Actor | None = request.state.session_actor
        return found
    found = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            with db.transaction() as session:
                found = identity.actor_for_token(session, token, TokenKind.SESSION)
        except Unauthenticated:
            found = None
    request.state.session_actor = found
    return found


def require_actor(request: Request) -> Actor:
    actor = session_actor(request, database_of(request))
    if actor is None:
        raise LoginRequired
    return actor


def uploads_need_a_session(request: Request) -> None:
    """Router dependency of every page, before the CSRF check reads the form: a multipart
    body (an upload) is read only from a logged-in visitor. Page routes take their bodies
    through dependencies (``Posted``, ``web/uploads.py``), never as ``Form``/``File``
    parameters, which FastAPI would read before any dependency runs."""
    content_type = request.headers.get("content-type", "")
    if request.method not in csrf.SAFE_METHODS and content_type.startswith("multipart/"):
        require_actor(request)


async def _posted(request: Request) -> FormData:
    return await request.form()


#: A page form's fields, read after the router's session and CSRF checks.
Posted = Annotated[FormData, Depends(_posted)]
#: A page's file upload (the ``upload`` part, nothing else), read after the session check.
page_upload = authorised_upload(require_actor, NoFields, "upload")


def language_of(request: Request, actor: Actor | None) -> i18n.Language:
    """The page's language (``deps.language_for``: the user's, the account's, the browser's)."""
    with database_of(request).transaction() as session:
        return language_for(session, actor, request.headers.get("accept-language"))


def metric_name(metric: str, language: str) -> str:
    """A metric's name for people; its id when the catalogue has none."""
    key = METRIC_NAMES.get(metric)
    return i18n.t(key, language) if key else metric


def category_name(request: Request, category: str | None, language: str) -> str:
    """A violation category's title in the policy, in the page's language."""
    policy: Policy = request.app.state.policy.current
    known = policy.violations.get(category or "")
    return i18n.pick(known.text, language).title if known else (category or "")


def render(
    request: Request,
    name: str,
    language: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    token = csrf.token_for(request)
    actor: Actor | None = context.get("actor")
    response = templates.TemplateResponse(
        request,
        name,
        {
            "lang": language,
            "csrf_token": token,
            "menu": MENUS.get(actor.role, ()) if actor else (),
            "path": request.url.path,
            "metric_name": lambda metric: metric_name(metric, language),
            "category_name": lambda category: category_name(request, category, language),
            "now": clock.now(),
            **context,
        },
        status_code=status_code,
    )
    csrf.remember(request, response, token, secure=settings_of(request).secure_cookies)
    return response


def refusal(request: Request, error: KenzenError) -> str:
    """A service's refusal in the page's language, for a form to show above its fields."""
    return error.in_language(language_of(request, session_actor(request, database_of(request))))


def _error_page(request: Request, error: KenzenError) -> Response:
    """A refusal as a page: the login form for a visitor without a session, else the error."""
    status = status_of(error)
    if status == 401:
        return RedirectResponse("/login", status_code=303)
    actor = session_actor(request, database_of(request))
    language = language_of(request, actor)
    return render(
        request,
        "error.html",
        language,
        status_code=status,
        actor=actor,
        status=status,
        message=error.in_language(language),
    )


class PageRoute(APIRoute):
    """Answers a service's refusal (any ``KenzenError``) with an HTML page, and keeps every
    page out of caches."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except KenzenError as error:
                response = _error_page(request, error)
            response.headers["Cache-Control"] = "no-store"
            return response

        return page_handler
