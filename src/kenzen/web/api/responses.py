"""The error answers every API operation may give, as they really are, for the OpenAPI document.

Domain errors answer ``{"detail": "<message>"}`` (``web/errors.py``); request validation
answers ``{"detail": [<issue>, …]}``. Both are 422, so the 422 body is declared as either;
the generated clients and the fuzzing in ``tests/web/test_fuzz.py`` hold the server to it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ValidationIssue(BaseModel):
    """One invalid value, as FastAPI reports it (``loc`` names the field)."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(BaseModel):
    """An error: a message naming the field, or for a malformed request every issue."""

    detail: str | list[ValidationIssue]


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("The body cannot be parsed."),
    401: _error("No valid credentials: send 'Authorization: Bearer <token>'."),
    403: _error("The caller's role may not perform the operation."),
    404: _error("Not found, or not the caller's (the two look the same)."),
    409: _error("Not possible in the current state."),
    413: _error("The body is larger than the operation accepts."),
    422: _error("A value is invalid; the message or the issues name the field."),
}
