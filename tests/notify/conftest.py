"""Real parts for the notice tests: an SMTP server and a webhook receiver on loopback, keys
on disk, and a worker whose clock the test moves (no sleeping through backoff)."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import dkim  # type: ignore[import-untyped]
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from kenzen.access import SYSTEM
from kenzen.db import Database
from kenzen.notify import service as notices
from kenzen.notify import webhooks
from kenzen.notify.keys import Keyring
from kenzen.notify.smtp import SmtpTransport
from kenzen.notify.worker import Backoff, Worker
from tests.conftest import World

MAIL_DOMAIN = "amazon.co.jp"
"""The sending domain of marketplace JP in these tests (the issue's lookalike example)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    data: bytes


@dataclass
class MailHandler:
    """Stores every message; answers with queued SMTP replies first (e.g. a 451)."""

    messages: list[Received] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.replies:
            return self.replies.pop(0)
        content = envelope.original_content or b""
        self.messages.append(
            Received(str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], content)
        )
        return "250 OK"


@dataclass
class SmtpServer:
    handler: MailHandler
    port: int

    def transport(self, **options: Any) -> SmtpTransport:
        return SmtpTransport(host="127.0.0.1", port=self.port, starttls=False, **options)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    handler = MailHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(handler, controller.port)
    finally:
        controller.stop()


@dataclass
class Hook:
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.body)
        return document


@dataclass
class WebhookReceiver:
    url: str
    hooks: list[Hook] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    """Answers to give before answering 200."""


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    state = WebhookReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.hooks.append(Hook(dict(self.headers.items()), body))
            self.send_response(state.statuses.pop(0) if state.statuses else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def keyring(tmp_path: Path, world: World) -> Keyring:
    """Keys for JP, sending from account-health@amazon.co.jp."""
    ring = Keyring(tmp_path / "keys")
    with world.database.transaction() as session:
        notices.set_mail_domain(session, SYSTEM, "JP", MAIL_DOMAIN)
        for algorithm in ("rsa", "ed25519"):
            notices.generate_dkim_key(session, SYSTEM, ring, "JP", algorithm=algorithm)
    return ring


def dns_from(keyring: Keyring) -> Callable[..., bytes | None]:
    """A resolver answering from the keyring: DKIM checked against the key itself, no DNS."""

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        selector, _, domain = name.decode().rstrip(".").partition("._domainkey.")
        record = keyring.public_record(domain, selector)
        return record.encode() if record else None

    return lookup


def dkim_valid(message: bytes, keyring: Keyring) -> list[bool]:
    """Each DKIM signature of ``message``, verified with dkimpy."""
    count = message.split(b"\r\n\r\n", 1)[0].lower().count(b"dkim-signature:")
    lookup = dns_from(keyring)
    return [bool(dkim.DKIM(message).verify(idx=i, dnsfunc=lookup)) for i in range(count)]


BACKOFF = Backoff(base=timedelta(minutes=1), cap=timedelta(minutes=30), max_attempts=4)


@pytest.fixture
def make_worker(
    database: Database, keyring: Keyring, smtp_server: SmtpServer
) -> Callable[..., Worker]:
    def build(**options: Any) -> Worker:
        options.setdefault("transport", smtp_server.transport())
        return Worker(database, keyring, backoff=BACKOFF, **options)

    return build


@pytest.fixture
def subscription(world: World, keyring: Keyring, receiver: WebhookReceiver) -> str:
    """A loopback subscription for JP; returns its secret."""
    with world.database.transaction() as session:
        _, secret = webhooks.add_webhook(
            session,
            SYSTEM,
            keyring,
            marketplace_id="JP",
            url=receiver.url,
            allow_loopback_http=True,
        )
    return secret


def tls_context_pair(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1: the server's context and a client trusting it."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    # OpenSSL checks validity against the machine's real time, not a test's moved clock
    # (pytest --clock travels up to a day back): valid two days either side
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=2))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client
