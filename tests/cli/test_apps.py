"""``kenzen app``, run in-process against the test database."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from kenzen.db import Database
from tests.cli.test_commands import kenzen
from tests.conftest import World


def test_an_operator_registers_an_app_and_authorises_it_for_a_seller(
    database: Database, tmp_path: Path, world: World, client: TestClient
) -> None:
    added = kenzen(database.url, tmp_path, "app", "add", "--name", "Repricer")
    assert added.exit_code == 0, added.stderr
    lines = dict(line.split(": ", 1) for line in added.stdout.splitlines())
    assert set(lines) == {"client_id", "client_secret"}

    authorized = kenzen(
        database.url,
        tmp_path,
        "app",
        "authorize",
        "--client-id",
        lines["client_id"],
        "--seller",
        "S1",
    )
    assert authorized.exit_code == 0, authorized.stderr
    refresh_token = authorized.stdout.strip()
    issued = client.post(
        "/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": lines["client_id"],
            "client_secret": lines["client_secret"],
            "refresh_token": refresh_token,
        },
    )
    assert issued.status_code == 200, issued.text

    unknown = kenzen(
        database.url, tmp_path, "app", "authorize", "--client-id", "nope", "--seller", "S1"
    )
    assert unknown.exit_code == 2
    assert unknown.stderr.strip() == "kenzen: app nope not found"
