"""KENZEN_TLS_CERT / KENZEN_TLS_KEY / KENZEN_PUBLIC_URL, as `kenzen serve` reads them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kenzen.cli.server import tls_files
from kenzen.config import Settings
from kenzen.db import Database
from kenzen.errors import InvalidInput
from tests.spapi.conftest import Tls


def test_tls_needs_both_files_and_both_must_exist(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    assert tls_files(Settings(home=tmp_path)) is None
    with pytest.raises(InvalidInput, match="set both"):
        tls_files(Settings(home=tmp_path, tls_cert=cert))
    with pytest.raises(InvalidInput, match=r"KENZEN_TLS_KEY: .* is not a file"):
        tls_files(Settings(home=tmp_path, tls_cert=cert, tls_key=key))
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    assert tls_files(Settings(home=tmp_path, tls_cert=cert, tls_key=key)) == (cert, key)


def test_handed_out_urls_use_the_public_url_else_where_kenzen_listens(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    assert Settings(home=tmp_path).base_url == "http://127.0.0.1:8000"
    assert Settings(home=tmp_path, tls_cert=cert, port=8443).base_url == "https://127.0.0.1:8443"
    public = Settings(home=tmp_path, public_url="https://kenzen.example.test/")
    assert public.base_url == "https://kenzen.example.test"


def test_kenzen_serve_speaks_https_with_the_configured_certificate(
    database: Database, tls: Tls, tmp_path: Path
) -> None:
    """The command users run, in a process of its own, answering over TLS only."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "KENZEN_HOME": str(tmp_path),
        "KENZEN_DATABASE_URL": database.url,
        "KENZEN_PORT": str(port),
        "KENZEN_TLS_CERT": str(tls.cert),
        "KENZEN_TLS_KEY": str(tls.key),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "kenzen", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        answer = None
        for _ in range(300):
            try:
                answer = httpx.get(
                    f"https://127.0.0.1:{port}/login", verify=tls.client_context(), timeout=5
                )
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert answer is not None, "kenzen serve did not start"
        assert answer.status_code == 200
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=5)
    finally:
        server.terminate()
        server.wait(timeout=30)
