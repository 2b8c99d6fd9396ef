"""Request bodies: nothing is read before the caller is authorised, and every limit holds
at and past its size, with and without Content-Length."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI

from kenzen.access import Role
from kenzen.config import Settings
from kenzen.web.api.events import MAX_EVENT_FILE_BYTES
from kenzen.web.app import MAX_BODY_BYTES, create_app
from kenzen.web.uploads import MAX_ATTACHMENT_BODY
from tests.conftest import World

CHUNK = 64 * 1024
BOUNDARY = "kenzen-test-boundary"


@dataclass
class Exchange:
    """One request driven through the ASGI app, counting the body chunks it pulled."""

    status: int = 0
    body: bytes = b""
    chunks_read: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def detail(self) -> object:
        return json.loads(self.body)["detail"]


def call(
    app: FastAPI,
    path: str,
    chunks: list[bytes],
    *,
    headers: dict[str, str],
    content_length: bool,
) -> Exchange:
    exchange = Exchange()
    sent = [*chunks]
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if content_length:
        raw_headers.append((b"content-length", str(sum(map(len, chunks))).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": raw_headers,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }

    async def receive() -> dict[str, object]:
        if not sent:
            return {"type": "http.disconnect"}
        exchange.chunks_read += 1
        chunk = sent.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(sent)}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            exchange.status = int(message["status"])  # type: ignore[call-overload]
            exchange.headers = {
                k.decode(): v.decode()
                for k, v in message["headers"]  # type: ignore[attr-defined]
            }
        elif message["type"] == "http.response.body":
            exchange.body += message.get("body", b"")  # type: ignore[operator]

    # A thread of its own: the browser tests leave an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, app(scope, receive, send)).result()  # type: ignore[arg-type]
    return exchange


def multipart(fields: dict[str, str], filename: str, size: int) -> list[bytes]:
    """A multipart body whose file part has ``size`` bytes, in 64 KiB chunks."""
    head = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    head += (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
        f'name="file"; filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    payload = head + b"%" * size + tail
    return [payload[i : i + CHUNK] for i in range(0, len(payload), CHUNK)]


FORM = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


@pytest.fixture
def app(settings: Settings, world: World) -> FastAPI:
    return create_app(settings, world.database)


@pytest.mark.parametrize("content_length", [True, False])
@pytest.mark.parametrize(
    ("path", "fields", "refusal"),
    [
        ("/api/v1/events/orders", {}, 401),
        ("/api/v1/attachments", {"appeal_id": "1", "kind": "invoice"}, 401),
        ("/api/v1/cases/1/appeal/file", {}, 401),
        ("/api/v1/appeals/check/file", {}, 401),
        # the pages send an anonymous visitor to the login form
        ("/cases/1/appeal/attachments", {"kind": "invoice"}, 303),
        ("/cases/1/appeal/file", {}, 303),
        ("/verify", {}, 303),
        ("/rights/complaints/1/files", {}, 303),
        ("/cases/1/complaint/dispute/files", {}, 303),
        ("/api/v1/dispute-files", {"dispute_id": "1"}, 401),
        ("/api/v1/complaint-files", {"complaint_id": "1"}, 401),
    ],
)
def test_an_anonymous_upload_is_refused_before_its_body_is_read(
    app: FastAPI, path: str, fields: dict[str, str], refusal: int, content_length: bool
) -> None:
    # under every route's size limit, so only the missing login can refuse it
    body = multipart(fields, "orders.csv", MAX_BODY_BYTES // 2)
    answer = call(app, path, body, headers=FORM, content_length=content_length)
    assert (answer.status, answer.chunks_read) == (refusal, 0)


@pytest.mark.parametrize(
    ("role", "path", "fields"),
    [
        (Role.SELLER, "/api/v1/events/orders", {}),
        (Role.AHS_AGENT, "/api/v1/events/orders", {}),
        (Role.RIGHTS_OWNER, "/api/v1/attachments", {"appeal_id": "1", "kind": "invoice"}),
        (Role.ADMIN, "/api/v1/attachments", {"appeal_id": "1", "kind": "invoice"}),
        (Role.RIGHTS_OWNER, "/api/v1/cases/1/appeal/file", {}),
        (Role.SELLER, "/api/v1/complaint-files", {"complaint_id": "1"}),
    ],
)
def test_an_upload_the_role_may_not_make_is_refused_before_its_body_is_read(
    app: FastAPI, world: World, role: Role, path: str, fields: dict[str, str], settings: Settings
) -> None:
    body = multipart(fields, "orders.csv", 4 * 1024 * 1024)
    headers = {**FORM, **world.headers(role)}
    answer = call(app, path, body, headers=headers, content_length=False)
    assert (answer.status, answer.chunks_read) == (403, 0)
    assert not settings.attachments_dir.exists()


def _json_of_size(size: int) -> list[bytes]:
    """A JSON note of exactly ``size`` bytes, in 64 KiB chunks."""
    frame = b'{"visibility": "seller", "text": ""}'
    payload = frame[:-2] + b"x" * (size - len(frame)) + frame[-2:]
    assert len(payload) == size
    return [payload[i : i + CHUNK] for i in range(0, size, CHUNK)]


@pytest.mark.parametrize("content_length", [True, False])
def test_a_json_body_at_the_general_limit_is_read_and_one_byte_more_is_413(
    app: FastAPI, world: World, content_length: bool
) -> None:
    headers = {**world.headers(Role.AHS_AGENT), "content-type": "application/json"}
    at_limit = call(
        app,
        "/api/v1/cases/1/notes",
        _json_of_size(MAX_BODY_BYTES),
        headers=headers,
        content_length=content_length,
    )
    # Read in full and parsed: the case does not exist (the note is too long for a case
    # entry too, but the case is looked up first).
    assert at_limit.status in {404, 422}
    past = call(
        app,
        "/api/v1/cases/1/notes",
        _json_of_size(MAX_BODY_BYTES + 1),
        headers=headers,
        content_length=content_length,
    )
    assert past.status == 413
    # Counted while streaming: refused at the chunk that crossed the limit.
    assert past.chunks_read <= MAX_BODY_BYTES // CHUNK + 1


def test_an_attachment_body_at_its_limit_is_read_and_past_it_is_413(
    app: FastAPI, world: World
) -> None:
    headers = {**FORM, **world.headers(Role.SELLER)}
    fields = {"appeal_id": "1", "kind": "invoice"}
    overhead = sum(map(len, multipart(fields, "a.pdf", 0)))
    at_limit = call(
        app,
        "/api/v1/attachments",
        multipart(fields, "a.pdf", MAX_ATTACHMENT_BODY - overhead),
        headers=headers,
        content_length=False,
    )
    # Read in full: the file is larger than an attachment may be, or the appeal is unknown.
    assert (at_limit.status, at_limit.detail) == (404, "申し立て 1 が見つかりません")  # S1: ja
    past = call(
        app,
        "/api/v1/attachments",
        multipart(fields, "a.pdf", MAX_ATTACHMENT_BODY - overhead + 1),
        headers=headers,
        content_length=False,
    )
    assert past.status == 413


def test_an_event_file_declared_past_its_limit_is_413_unread(app: FastAPI, world: World) -> None:
    headers = {
        **FORM,
        **world.headers(Role.ADMIN),
        "content-length": str(MAX_EVENT_FILE_BYTES + 1),
    }
    answer = call(app, "/api/v1/events/orders", [b"--"], headers=headers, content_length=False)
    assert (answer.status, answer.chunks_read) == (413, 0)


def test_an_upload_without_its_file_is_422_naming_the_field(app: FastAPI, world: World) -> None:
    body = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="skip_invalid"\r\n\r\n'
    body += f"true\r\n--{BOUNDARY}--\r\n"
    headers = {**FORM, **world.headers(Role.ADMIN)}
    answer = call(
        app, "/api/v1/events/orders", [body.encode()], headers=headers, content_length=True
    )
    assert answer.status == 422
    assert [e["loc"] for e in answer.detail] == [["body", "file"]]  # type: ignore[attr-defined]
