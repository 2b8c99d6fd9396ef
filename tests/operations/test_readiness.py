"""Readiness: each check fails on its own and says which, in words without paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import s3fs

from kenzen.db import Database
from kenzen.events.store import EventStore
from kenzen.operations.readiness import OK, check_readiness
from tests.events.test_store import KNOWN, ORDERS
from tests.metrics.conftest import batch


def test_a_migrated_database_and_an_empty_store_are_ready(
    database: Database, tmp_path: Path
) -> None:
    readiness = check_readiness(database, tmp_path / "events")
    assert readiness.ready
    assert (readiness.database, readiness.migrations, readiness.event_store) == (OK, OK, OK)


def test_a_database_behind_the_code_is_not_ready(tmp_path: Path) -> None:
    behind = Database(f"sqlite:///{tmp_path / 'new.db'}")
    readiness = check_readiness(behind, tmp_path / "events")
    behind.dispose()
    assert not readiness.ready
    assert (readiness.database, readiness.migrations) == (OK, "behind the code")


def test_an_unreachable_database_is_not_ready(tmp_path: Path) -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    unreachable = Database("postgresql+psycopg://kenzen@127.0.0.1:1/kenzen?connect_timeout=2")
    readiness = check_readiness(unreachable, tmp_path / "events")
    unreachable.dispose()
    assert (readiness.database, readiness.migrations) == ("unreachable", "unknown")
    assert not readiness.ready


def test_a_store_missing_a_committed_file_is_not_ready(database: Database, tmp_path: Path) -> None:
    events = tmp_path / "events"
    events.mkdir()
    (events / "manifest.json").write_text(
        json.dumps(
            {
                "batch": 1,
                "live": {"orders": 1, "defects": 0},
                "segments": {
                    "orders": [{"path": "orders/a.parquet", "rows": 1, "batch": 1}],
                    "defects": [],
                },
                "superseded": {"orders": [], "defects": []},
                "ingest": {},
            }
        ),
        "utf-8",
    )
    assert check_readiness(database, events).event_store == "files missing"
    (events / "orders").mkdir()
    (events / "orders" / "a.parquet").write_bytes(b"PAR1")
    assert check_readiness(database, events).event_store == OK


def test_a_store_on_s3_is_ready_while_its_objects_are_there(
    database: Database, tmp_path: Path, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = f"s3://{bucket}/events"
    assert check_readiness(database, uri).event_store == OK
    with EventStore(tmp_path / "events", segments=uri) as store:
        store.upsert(batch("orders", ORDERS), known_sellers=KNOWN)
        (segment,), _ = store.segment_paths("orders")
    assert check_readiness(database, uri).event_store == OK
    s3fs.S3FileSystem(skip_instance_cache=True).rm_file(segment)
    assert check_readiness(database, uri).event_store == "files missing"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1")  # nothing listens there
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # the client's retries would only take time
    readiness = check_readiness(database, uri)
    assert (readiness.event_store, readiness.ready) == ("unreadable", False)
