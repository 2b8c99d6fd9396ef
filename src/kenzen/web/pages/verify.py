"""The ``/verify`` page: a logged-in seller pastes or uploads a mail and sees the verdict,
every reason, and the matching entry of their case log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from kenzen.errors import InvalidInput
from kenzen.notify.keys import Keyring
from kenzen.notify.records import SessionRecords
from kenzen.notify.verify import MAX_MESSAGE_BYTES, verify_notice
from kenzen.web.deps import Db
from kenzen.web.pages.common import PageRoute, Posted, language_of
from kenzen.web.pages.common import render as _render
from kenzen.web.pages.common import session_actor as _session_actor
from kenzen.web.pages.common import settings_of as _settings

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request, db: Db) -> Response:
    actor = _session_actor(request, db)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    return _render(request, "verify.html", language_of(request, actor), actor=actor)


@router.post("/verify", response_class=HTMLResponse)
def verify_submit(request: Request, db: Db, form: Posted) -> Response:
    actor = _session_actor(request, db)
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    upload, message = form.get("upload"), form.get("message")
    raw = b""
    if isinstance(upload, UploadFile) and upload.filename:
        raw = upload.file.read(MAX_MESSAGE_BYTES + 1)
    raw = raw or (message.encode() if isinstance(message, str) else b"")
    keyring = Keyring(_settings(request).keys_dir)
    language = language_of(request, actor)
    with db.transaction() as session:
        try:
            result = verify_notice(SessionRecords(session), actor, keyring, raw)
        except InvalidInput as error:
            return _render(
                request,
                "verify.html",
                language,
                status_code=422,
                actor=actor,
                error=error.in_language(language),
            )
        return _render(
            request,
            "verify.html",
            language,
            actor=actor,
            result=result,
            reasons=[finding.message(language) for finding in result.findings],
        )
