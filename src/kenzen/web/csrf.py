"""Cross-site request forgery, refused in one place for the pages and for the JSON API.

A logged-in browser's form token is derived from its session token (an HMAC keyed by it),
so a cookie planted by a neighbouring site cannot stand in for it and the session cookie,
being HttpOnly, cannot be read to compute it. A visitor without a session (the login form)
gets a double-submit cookie. Every unsafe page request must carry the token and must not
come from a foreign ``Origin``: ``require_form_token`` is a dependency of the whole page
router, so no page route can forget it.

The JSON API takes a browser session too; a cookie-authenticated unsafe call must send the
token in ``X-CSRF-Token`` or an ``Origin`` naming this site (``require_api_token``). Bearer
tokens are not sent by browsers on their own, so bearer calls are not affected.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response

from kenzen.errors import Forbidden
from kenzen.i18n import N_

SESSION_COOKIE = "kenzen_session"
CSRF_COOKIE = "kenzen_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

FORM_EXPIRED = N_("error.csrf.form_expired")
FOREIGN_ORIGIN = N_("error.csrf.foreign_origin")
API_WITHOUT_TOKEN = N_("error.csrf.api_without_token")


def _bound_to(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"kenzen-csrf", hashlib.sha256).hexdigest()


def _expected(request: Request) -> str | None:
    """The session's own token; without a session, the double-submit cookie."""
    session_token = request.cookies.get(SESSION_COOKIE)
    if session_token:
        return _bound_to(session_token)
    return request.cookies.get(CSRF_COOKIE)


def token_for(request: Request) -> str:
    """The token a page rendered for this request puts in its forms."""
    return _expected(request) or secrets.token_urlsafe(32)


def remember(request: Request, response: Response, token: str, *, secure: bool) -> None:
    """Keeps a visitor's token in a cookie; a session needs none (its token is derived)."""
    if request.cookies.get(SESSION_COOKIE) or request.cookies.get(CSRF_COOKIE) == token:
        return
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/"
    )


def _names_this_host(request: Request, origin: str) -> bool:
    """The Origin's host and port are the ones the request was sent to. The scheme is not
    compared: behind a proxy that ends TLS, the browser's https is the server's http."""
    return urlsplit(origin).netloc == request.url.netloc


def _from_own_site(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is not None and _names_this_host(request, origin)


def _from_foreign_site(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is not None and not _names_this_host(request, origin)


def _matches(request: Request, submitted: object) -> bool:
    """Compared as bytes: ``compare_digest`` refuses non-ASCII text with an error."""
    expected = _expected(request)
    if not expected or not isinstance(submitted, str):
        return False
    return secrets.compare_digest(expected.encode(), submitted.encode())


async def require_form_token(request: Request) -> None:
    """Router dependency of every page: an unsafe request carries its page's token."""
    if request.method in SAFE_METHODS:
        return
    if _from_foreign_site(request):
        raise Forbidden(FOREIGN_ORIGIN)
    form = await request.form()
    if not _matches(request, form.get(CSRF_FIELD)):
        raise Forbidden(FORM_EXPIRED)


def require_api_token(request: Request) -> None:
    """For an API call authenticated by the session cookie: the header token or our Origin."""
    if request.method in SAFE_METHODS:
        return
    if _matches(request, request.headers.get(CSRF_HEADER)) or _from_own_site(request):
        return
    raise Forbidden(API_WITHOUT_TOKEN, header=CSRF_HEADER)
