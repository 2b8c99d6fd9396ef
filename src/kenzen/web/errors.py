"""Domain errors become HTTP answers here, and nowhere else: the status from the error's
kind, the words in the caller's language (``deps.error_language``)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kenzen.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    KenzenError,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
)
from kenzen.web.deps import error_language

STATUS_OF: dict[type[KenzenError], int] = {
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    TooManyAttempts: 429,
}


def status_of(error: KenzenError) -> int:
    for kind, status in STATUS_OF.items():
        if isinstance(error, kind):
            return status
    return 400


async def _kenzen_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, KenzenError)
    status = status_of(error)
    language = error_language(request)
    headers: dict[str, str] = {"Content-Language": language}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, TooManyAttempts):
        headers["Retry-After"] = str(error.retry_after)
    detail = error.in_language(language)
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(KenzenError, _kenzen_error)
