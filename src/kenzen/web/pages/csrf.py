"""Double-submit CSRF protection for the page forms."""

from __future__ import annotations

import secrets

from fastapi import Request, Response

from kenzen.errors import Forbidden

CSRF_COOKIE = "kenzen_csrf"


def token_for(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)


def remember(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/"
    )


def check(request: Request, submitted: str) -> None:
    expected = request.cookies.get(CSRF_COOKIE)
    if not expected or not secrets.compare_digest(expected, submitted):
        raise Forbidden("the form expired; reload the page and try again")
