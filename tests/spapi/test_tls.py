"""KENZEN_TLS_CERT / KENZEN_TLS_KEY / KENZEN_PUBLIC_URL, as `kenzen serve` reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kenzen.config import Settings
from kenzen.errors import InvalidInput


def test_tls_needs_both_files_and_both_must_exist(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\n")
    assert Settings(home=tmp_path).tls_files() is None
    with pytest.raises(InvalidInput, match="set both"):
        Settings(home=tmp_path, tls_cert=cert).tls_files()
    with pytest.raises(InvalidInput, match=r"KENZEN_TLS_KEY: .* is not a file"):
        Settings(home=tmp_path, tls_cert=cert, tls_key=key).tls_files()
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    assert Settings(home=tmp_path, tls_cert=cert, tls_key=key).tls_files() == (cert, key)


def test_handed_out_urls_use_the_public_url_else_where_kenzen_listens(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    assert Settings(home=tmp_path).base_url == "http://127.0.0.1:8000"
    assert Settings(home=tmp_path, tls_cert=cert, port=8443).base_url == "https://127.0.0.1:8443"
    public = Settings(home=tmp_path, public_url="https://kenzen.example.test/")
    assert public.base_url == "https://kenzen.example.test"
