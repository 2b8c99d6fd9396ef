"""`kenzen events migrate --to s3://…` (moto's S3 server on loopback): a local store copied
to a bucket whole, the source untouched; a copy stopped half-way leaves no store at the
destination and is completed by running it again; running it once more copies nothing; a
destination holding another store is refused."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest

from kenzen.errors import Conflict
from kenzen.events.location import ObjectPrefix
from kenzen.events.store import EventStore, migrate_to
from tests.cli.test_commands import ORDERS as ORDERS_CSV
from tests.cli.test_commands import kenzen
from tests.conftest import World
from tests.events.test_object_store import committed, objects, open_s3, rows_of
from tests.events.test_store import KNOWN, ORDERS, T, legacy_store
from tests.metrics.conftest import batch, defect, order


def local_store(directory: Path) -> EventStore:
    """Orders with a later version (a superseded list), defects, three imports."""
    store = EventStore(directory)
    store.upsert(batch("orders", ORDERS), known_sellers=KNOWN)
    store.upsert(batch("orders", [order("O1", T, updated_at=T + timedelta(hours=1), units=7)]))
    store.upsert(batch("defects", [defect("D1", "O1", "feedback", T)]))
    return store


def fingerprint(directory: Path) -> dict[str, str]:
    """Every file of a directory and a digest of its bytes."""
    return {
        path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_a_local_store_migrates_to_s3_whole_and_once(tmp_path: Path, bucket: str) -> None:
    source = tmp_path / "events"
    with local_store(source) as local:
        expected = rows_of(local)
        changed = [local.sellers_changed_after(b) for b in range(4)]
        before = fingerprint(source)
        migration = migrate_to(source, f"s3://{bucket}/events")
        assert migration.live == {"orders": 4, "defects": 1}
        assert migration.copied == len(local.manifest.named_files())
    assert fingerprint(source) == before
    with open_s3(tmp_path, bucket) as remote:
        assert rows_of(remote) == expected
        assert [remote.sellers_changed_after(b) for b in range(4)] == changed
        assert remote.last_batch() == 3
    assert objects(bucket) == {"manifest.json", *committed(bucket).named_files()}
    assert (source / "manifest.json").read_bytes() == (
        ObjectPrefix(f"s3://{bucket}/events").read_manifest().content
    )
    again = migrate_to(source, f"s3://{bucket}/events")
    assert (again.copied, again.live) == (0, migration.live)
    assert fingerprint(source) == before


def test_a_migration_stopped_half_way_is_completed_by_running_it_again(
    tmp_path: Path, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "events"
    with local_store(source) as local:
        expected = rows_of(local)
        files = len(local.manifest.named_files())
    before = fingerprint(source)
    put_file = ObjectPrefix.put_file
    copied: list[str] = []

    def interrupted(self: ObjectPrefix, path: Path, name: str) -> None:
        if len(copied) == 2:
            raise OSError("connection reset")
        put_file(self, path, name)
        copied.append(name)

    with monkeypatch.context() as patched:
        patched.setattr(ObjectPrefix, "put_file", interrupted)
        with pytest.raises(OSError, match="connection reset"):
            migrate_to(source, f"s3://{bucket}/events")
    assert fingerprint(source) == before
    assert objects(bucket) == set(copied)  # no manifest: the destination holds no store
    with open_s3(tmp_path, bucket) as remote:
        assert (remote.count("orders"), remote.count("defects")) == (0, 0)
    completed = migrate_to(source, f"s3://{bucket}/events")
    assert completed.copied == files - 2  # what the stopped run copied is not copied again
    with open_s3(tmp_path, bucket) as remote:
        assert rows_of(remote) == expected
    assert objects(bucket) == {"manifest.json", *committed(bucket).named_files()}
    assert fingerprint(source) == before


def test_a_destination_holding_another_store_is_refused(tmp_path: Path, bucket: str) -> None:
    with open_s3(tmp_path, bucket) as other:
        other.upsert(batch("orders", ORDERS[:1]), known_sellers=KNOWN)
    held = objects(bucket)
    with local_store(tmp_path / "events"):
        pass
    with pytest.raises(Conflict, match=f"s3://{bucket}/events: holds another event store"):
        migrate_to(tmp_path / "events", f"s3://{bucket}/events")
    assert objects(bucket) == held
    with pytest.raises(Conflict, match="holds no event store to migrate"):
        migrate_to(tmp_path / "empty", f"s3://{bucket}/elsewhere")
    with pytest.raises(Conflict, match="is the event store itself"):
        migrate_to(tmp_path / "events", f"file://{tmp_path}/events")


def test_kenzen_events_migrate_to_s3_then_the_bucket_serves_the_same_report(
    world: World, tmp_path: Path, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, home = world.database.url, tmp_path / "home"
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS_CSV, encoding="utf-8")
    monkeypatch.delenv("KENZEN_EVENT_STORE", raising=False)
    assert kenzen(url, home, "import", "orders", str(orders)).exit_code == 0
    assert kenzen(url, home, "metrics", "--as-of", "2026-11-20", "--full").exit_code == 0
    local_report = kenzen(url, home, "report", "sp-api", "--seller", "S1").stdout
    destination = f"s3://{bucket}/kenzen/events"
    migrated = kenzen(url, home, "events", "migrate", "--to", destination)
    assert migrated.exit_code == 0, migrated.stderr
    assert migrated.stderr.replace("\n", " ").startswith(
        "database is up to date "
        f"migrated: 1 orders, 0 defects to {destination} (2 files copied); "
        f"set KENZEN_EVENT_STORE={destination}"
    )
    again = kenzen(url, home, "events", "migrate", "--to", destination)
    assert "(0 files copied)" in again.stderr.replace("\n", " ")
    monkeypatch.setenv("KENZEN_EVENT_STORE", destination)
    assert kenzen(url, home, "report", "sp-api", "--seller", "S1").stdout == local_report
    reimported = kenzen(url, home, "import", "orders", str(orders))
    assert "0 inserted, 0 updated, 1 unchanged" in reimported.stderr
    computed = kenzen(url, home, "metrics", "--as-of", "2026-11-20", "--full")
    assert computed.stderr.startswith("metrics 2026-11-20: 1 sellers (all sellers), 7 rows")


def test_a_store_of_the_old_format_is_converted_then_copied(
    world: World, tmp_path: Path, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KENZEN_EVENT_STORE", raising=False)
    home = tmp_path / "home"
    legacy_store(home / "events")
    destination = f"s3://{bucket}/events"
    migrated = kenzen(world.database.url, home, "events", "migrate", "--to", destination)
    assert migrated.exit_code == 0, migrated.stderr
    assert migrated.stderr.startswith(
        f"database is up to date\nmigrated: 4 orders, 0 defects to {destination}"
    )
    assert (home / "events" / "events.duckdb.migrated").exists()
    with open_s3(tmp_path, bucket) as remote:
        assert remote.count("orders") == 4
        assert (remote.last_batch(), remote.sellers_changed_after(1)) == (2, {"S2"})


def test_the_store_kenzen_event_store_puts_elsewhere_is_the_one_copied(
    world: World, tmp_path: Path, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, home, elsewhere = world.database.url, tmp_path / "home", tmp_path / "store"
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS_CSV, encoding="utf-8")
    monkeypatch.setenv("KENZEN_EVENT_STORE", str(elsewhere))
    assert kenzen(url, home, "import", "orders", str(orders)).exit_code == 0
    destination = f"s3://{bucket}/events"
    migrated = kenzen(url, home, "events", "migrate", "--to", destination)
    assert migrated.exit_code == 0, migrated.stderr
    assert f"migrated: 1 orders, 0 defects to {destination}" in migrated.stderr.replace("\n", " ")
    assert not (home / "events" / "manifest.json").exists()
    with open_s3(tmp_path, bucket) as remote:
        assert remote.count("orders") == 1
