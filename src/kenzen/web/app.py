"""Builds the FastAPI application around one database."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles

from kenzen import __version__, logs
from kenzen.config import Settings, get_settings
from kenzen.db import Database
from kenzen.errors import KenzenError
from kenzen.i18n import N_
from kenzen.identity.throttle import LoginThrottle
from kenzen.policy.document import PolicyHolder
from kenzen.spapi.ratelimit import RateLimiter
from kenzen.web import api, errors, sp_api, telemetry
from kenzen.web.pages.routes import router as pages_router

STATIC_DIR = Path(__file__).parent / "static"

#: Every request body is counted while it streams and refused (413) past this size; the
#: upload routes set larger limits of their own and read their bodies only once the caller
#: is authorised (`web/uploads.py`).
MAX_BODY_BYTES = 1024 * 1024

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class NotMigrated(KenzenError):
    """The database schema is older than the code."""


async def _security_headers(request: Request, call_next: RequestResponseEndpoint) -> Response:
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def served_app() -> FastAPI:
    """The app of one ``kenzen serve`` process, configured from the environment: uvicorn
    calls this in each process it starts (``KENZEN_WORKERS`` of them)."""
    logs.configure()  # a process uvicorn spawns starts without the parent's log set-up
    # uvicorn set its own logging up before calling this; Kenzen writes its own access lines
    logging.getLogger("uvicorn.access").disabled = True
    settings = get_settings()
    return create_app(
        settings, Database(settings.resolved_database_url), processes=settings.workers or 1
    )


def create_app(settings: Settings, database: Database, *, processes: int = 1) -> FastAPI:
    """The app; refuses a database whose schema is behind the code. ``processes``: how many
    serve the same database, each with its share of the in-memory rate limits."""
    app = FastAPI(
        title="Kenzen",
        version=__version__,
        description="Open, explainable account health for online marketplaces.",
        docs_url=None,
        redoc_url=None,
        max_body_size=MAX_BODY_BYTES,
    )
    attach(app, settings, database, processes=processes)
    errors.install(app)
    app.include_router(api.router)
    app.include_router(sp_api.token_router)
    app.include_router(sp_api.router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(BaseHTTPMiddleware, dispatch=_security_headers)
    telemetry.install(app)
    return app


def attach(
    app: FastAPI,
    settings: Settings,
    database: Database,
    policy: PolicyHolder | None = None,
    *,
    processes: int = 1,
) -> None:
    """Points the app at a database, its settings and their policy (loaded from
    ``settings.policy`` unless given). The test suite points one app at each test's own
    database instead of building the app again."""
    if database.pending_migrations():
        raise NotMigrated(N_("error.database_not_migrated"))
    app.state.settings = settings
    app.state.database = database
    app.state.policy = policy or PolicyHolder(settings.policy)
    # Rate-limit buckets are keyed by the database's app ids, so they go with the database.
    app.state.sp_api_limiter = RateLimiter(time.monotonic, processes)
    app.state.login_throttle = LoginThrottle(
        settings.login_failures_per_account, settings.login_failures_per_client, processes
    )
