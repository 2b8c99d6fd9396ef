"""A live Kenzen over TLS on loopback (a private CA from ``trustme``), an HTTPS receiver for
notifications, and apps authorised by sellers S1 and S2 of the test world."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import trustme
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kenzen.access import SYSTEM
from kenzen.config import Settings
from kenzen.db import Database
from kenzen.spapi import credentials
from kenzen.web.app import create_app
from tests.conftest import World


@cache
def amazon_model(name: str) -> dict[str, Any]:
    """One of the vendored Amazon models (src/kenzen/spapi/schemas/)."""
    text = resources.files("kenzen.spapi").joinpath(f"schemas/{name}").read_text("utf-8")
    model: dict[str, Any] = json.loads(text)
    return model


def check_amazon(model: str, definition: str, instance: Any) -> None:
    """Validate ``instance`` against a definition of an Amazon model (Swagger 2.0 schemas
    are JSON Schema draft 4)."""
    schema = {
        "definitions": amazon_model(model)["definitions"],
        "$ref": f"#/definitions/{definition}",
    }
    jsonschema.Draft4Validator(schema).validate(instance)


@dataclass(frozen=True)
class Tls:
    ca: trustme.CA
    cert: Path
    key: Path

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    server.cert_chain_pems[0].write_to_path(cert)
    for blob in server.cert_chain_pems[1:]:
        blob.write_to_path(cert, append=True)
    server.private_key_pem.write_to_path(key)
    return Tls(ca, cert, key)


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    settings: Settings
    app: FastAPI


@pytest.fixture
def live_server(world: World, database: Database, tls: Tls, tmp_path: Path) -> Iterator[LiveServer]:
    """Kenzen serving HTTPS from KENZEN_TLS_CERT/KEY on a free loopback port."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    settings = Settings(
        home=tmp_path,
        database_url=database.url,
        host="127.0.0.1",
        port=port,
        tls_cert=tls.cert,
        tls_key=tls.key,
        webhook_allow_private=True,  # the test's receiver listens on loopback
    )
    app = create_app(settings, database)
    config = uvicorn.Config(
        app,
        ssl_certfile=str(tls.cert),
        ssl_keyfile=str(tls.key),
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        thread.join(0.01)
    assert server.started, "the server did not start"
    # The first request pays for cold imports and connections; the client under test gets
    # the server warm, so its fixed five-second token timeout measures Kenzen, not the start.
    httpx.post(
        f"{settings.base_url}/auth/o2/token",
        data={"grant_type": "refresh_token", "client_id": "-", "client_secret": "-"},
        verify=tls.client_context(),
        timeout=60,
    )
    try:
        yield LiveServer(settings.base_url, settings, app)
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()


@dataclass
class Receiver:
    """An HTTPS endpoint on loopback that keeps what it is sent."""

    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver(tls: Tls) -> Iterator[Receiver]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.ca.issue_cert("127.0.0.1").configure_cert(context)
    kept: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            kept.append((dict(self.headers.items()), self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Receiver(f"https://127.0.0.1:{server.server_address[1]}/kenzen", kept)
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class AppKeys:
    client_id: str
    client_secret: str
    refresh_tokens: dict[str, str]
    """Per seller id."""


@pytest.fixture
def app_keys(world: World) -> AppKeys:
    """One app, authorised by S1 and by S2."""
    with world.database.transaction() as session:
        new = credentials.add_app(session, SYSTEM, name="Repricer")
        tokens = {
            seller: credentials.authorize_app(
                session, SYSTEM, client_id=new.app.client_id, seller_id=seller
            ).refresh_token
            for seller in ("S1", "S2")
        }
    return AppKeys(new.app.client_id, new.client_secret, tokens)


def access_token(client: TestClient, keys: AppKeys, seller: str = "S1") -> dict[str, str]:
    """The SP-API header of an access token for ``seller``."""
    response = client.post(
        "/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": keys.client_id,
            "client_secret": keys.client_secret,
            "refresh_token": keys.refresh_tokens[seller],
        },
    )
    assert response.status_code == 200, response.text
    return {"x-amz-access-token": response.json()["access_token"]}
