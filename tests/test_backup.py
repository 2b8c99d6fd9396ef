"""``kenzen backup`` and ``kenzen restore``: every table and the event store come back as
they were, on the suite's backend; a store changed during the copy does not tear it."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from alembic import command
from sqlalchemy import MetaData, create_engine, make_url, select, text

from kenzen import backup as backups
from kenzen.access import SYSTEM, Role, record
from kenzen.audit import AuditEntry
from kenzen.db import Database
from kenzen.errors import Conflict, Forbidden
from kenzen.events.segments import Manifest
from kenzen.events.store import EventStore
from kenzen.policy.history import RATING_SCHEMA, rating_table
from kenzen.sellers import service as sellers
from tests.cli.test_commands import kenzen
from tests.conftest import ON_POSTGRES, World
from tests.metrics.conftest import batch, defect, order

T = datetime(2024, 11, 20, tzinfo=UTC)


def fill_events(events_dir: Path) -> None:
    """Two imports, the second replacing a stored order: segments, a superseded list and
    the ingest log all exist."""
    with EventStore(events_dir) as store:
        store.upsert(batch("orders", [order("O1", T), order("O2", T, seller_id="S2")]))
        store.upsert(batch("defects", [defect("D1", "O1", "feedback", T)]))
        later = order("O1", T, shipped_at=None, updated_at=T + timedelta(days=1))
        store.upsert(batch("orders", [later, order("O3", T)]))


def events(events_dir: Path) -> dict[str, list[dict[str, Any]]]:
    with EventStore(events_dir) as store:
        return {
            "orders": store.query("SELECT * FROM orders ORDER BY order_id").to_pylist(),
            "defects": store.query("SELECT * FROM defects ORDER BY defect_id").to_pylist(),
        }


def tables(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in primary-key order."""
    metadata = MetaData()
    metadata.reflect(database.engine)
    with database.engine.connect() as connection:
        return {
            name: [
                tuple(row)
                for row in connection.execute(
                    select(table).order_by(*(table.primary_key.columns or table.columns))
                )
            ]
            for name, table in metadata.tables.items()
        }


def test_round_trip_brings_back_every_table_and_the_event_store(
    world: World, tmp_path: Path
) -> None:
    database = world.database
    fill_events(tmp_path / "events")
    copy = tmp_path / "backup"

    made = kenzen(database.url, tmp_path, "backup", str(copy))
    assert made.exit_code == 0, made.output
    saved_tables, saved_events = tables(database), events(tmp_path / "events")
    assert sum(map(len, saved_tables.values())) > 20
    assert len(saved_events["orders"]) == 3

    # Life goes on after the backup: a seller is added, events are imported.
    with database.transaction() as session:
        sellers.add_seller(
            session,
            SYSTEM,
            seller_id="S3",
            marketplace_id="JP",
            display_name="Seller S3",
            email="s3@sellers.example.test",
            language="ja",
            registered_at=T,
        )
    with EventStore(tmp_path / "events") as store:
        store.upsert(batch("orders", [order("O9", T)]))
        store.compact()

    refused = kenzen(database.url, tmp_path, "restore", str(copy))
    assert refused.exit_code == 2
    assert "holds data" in refused.output
    assert "--force" in refused.output
    assert len(refused.output.strip().splitlines()) == 1

    restored = kenzen(database.url, tmp_path, "restore", str(copy), "--force")
    assert restored.exit_code == 0, restored.output
    assert not database.pending_migrations()
    now = tables(database)
    logged = now.pop("audit_log")
    assert logged[:-1] == saved_tables.pop("audit_log")
    assert now == saved_tables
    assert events(tmp_path / "events") == saved_events
    with database.transaction() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-1] == "restoreInstallation"
    assert "backupInstallation" in actions[:-1]


def test_restore_into_a_new_installation_reaches_the_migration_head(
    world: World, tmp_path: Path
) -> None:
    """A backup made at an older revision is migrated to the head when restored."""
    old = Database(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(old.alembic_config(), "head-1")
    backups.backup(old, tmp_path / "no-events", tmp_path / "backup", SYSTEM)
    old_revision = old.current_revision()
    old.dispose()
    description = json.loads((tmp_path / "backup" / "backup.json").read_text())
    assert description["revision"] == old_revision is not None

    fresh = Database(f"sqlite:///{tmp_path / 'new' / 'kenzen.db'}")
    backups.restore(tmp_path / "backup", fresh, tmp_path / "new" / "events", SYSTEM, force=False)
    assert not fresh.pending_migrations()
    fresh.dispose()


def test_a_compaction_during_the_copy_does_not_tear_it(tmp_path: Path, monkeypatch: Any) -> None:
    store_dir = tmp_path / "events"
    fill_events(store_dir)
    expected = events(store_dir)
    read_manifest = Manifest.load_bytes

    def compact_right_after(committed: bytes) -> Manifest:
        monkeypatch.undo()  # the store reads its manifest the usual way
        manifest = read_manifest(committed)
        with EventStore(store_dir) as store:
            store.compact()  # replaces (moves away) every file the manifest names
        return manifest

    monkeypatch.setattr(Manifest, "load_bytes", staticmethod(compact_right_after))
    copied = backups.copy_event_store(store_dir, tmp_path / "copy")
    assert list((store_dir / "trash").iterdir())
    assert copied == len(Manifest.load(tmp_path / "copy").named_files())
    assert events(tmp_path / "copy") == expected


def test_the_history_beside_the_events_is_copied_from_its_manifest(tmp_path: Path) -> None:
    store_dir = tmp_path / "events"
    fill_events(store_dir)
    ratings = rating_table(store_dir)
    day = date(2026, 11, 28)
    rows = pa.table(
        {"seller_id": ["S1"], "marketplace_id": ["JP"], "day": [day], "rating": [250],
         "band": ["HEALTHY"], "policy_version": ["v"]},
        schema=RATING_SCHEMA,
    )  # fmt: skip
    ratings.write(day, rows, scope="JP")
    ratings.write(day, rows, scope="JP")  # the first run's file is no longer named
    copied = backups.copy_event_store(store_dir, tmp_path / "copy")
    assert copied == len(Manifest.load(store_dir).named_files()) + 1
    assert rating_table(tmp_path / "copy").read(day, day) == ratings.read(day, day)


def test_refusals_are_one_clear_line(world: World, tmp_path: Path) -> None:
    url = world.database.url
    not_a_backup = kenzen(url, tmp_path, "restore", str(tmp_path))
    assert not_a_backup.exit_code == 2
    assert (
        not_a_backup.output.strip() == f"kenzen: {tmp_path}: not a Kenzen backup (no backup.json)"
    )

    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    occupied = kenzen(url, tmp_path, "backup", str(tmp_path / "full"))
    assert occupied.exit_code == 2
    assert "exists and is not an empty directory" in occupied.output

    assert kenzen(url, tmp_path, "backup", str(tmp_path / "b")).exit_code == 0
    description = tmp_path / "b" / "backup.json"
    newer = json.loads(description.read_text()) | {"revision": "9999_from_the_future"}
    description.write_text(json.dumps(newer))
    refused = kenzen(url, tmp_path, "restore", str(tmp_path / "b"), "--force")
    assert refused.exit_code == 2
    assert "made by a newer Kenzen (revision 9999_from_the_future)" in refused.output


@pytest.mark.parametrize("role", [Role.SELLER, Role.AHS_AGENT, Role.ACCOUNT_SPECIALIST])
def test_only_operators_back_up_and_restore(world: World, tmp_path: Path, role: Role) -> None:
    actor = world.actors[role]
    with pytest.raises(Forbidden):
        backups.backup(world.database, tmp_path / "events", tmp_path / "b", actor)
    with pytest.raises(Forbidden):
        backups.restore(tmp_path / "b", world.database, tmp_path / "events", actor, force=True)
    assert not (tmp_path / "b").exists()
    backups.backup(world.database, tmp_path / "events", tmp_path / "b", world.actors[Role.ADMIN])
    with pytest.raises(Conflict):
        backups.restore(
            tmp_path / "b",
            world.database,
            tmp_path / "events",
            world.actors[Role.ADMIN],
            force=False,
        )


@pytest.mark.postgres
@pytest.mark.skipif(shutil.which("pg_restore") is None, reason="needs pg_dump and pg_restore")
def test_postgres_restore_into_a_new_database_keeps_sequences(world: World, tmp_path: Path) -> None:
    """pg_restore into a database that was never migrated: at the head, rows equal, and
    the next row gets a fresh id (the sequences came back too)."""
    assert ON_POSTGRES
    copy = tmp_path / "backup"
    backups.backup(world.database, tmp_path / "events", copy, SYSTEM)
    saved = tables(world.database)
    url = make_url(world.database.url)
    name = f"{url.database}_restored"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    target = Database(url.set(database=name).render_as_string(hide_password=False))
    try:
        backups.restore(copy, target, tmp_path / "restored-events", SYSTEM, force=False)
        assert not target.pending_migrations()
        now = tables(target)
        logged = now.pop("audit_log")
        assert logged[:-1] == saved.pop("audit_log")
        assert now == saved
        highest = logged[-1][0]
        with target.transaction() as session:
            session.add(record(SYSTEM, "probe", "-"))
        with target.transaction() as session:
            newest = session.scalars(select(AuditEntry.id).order_by(AuditEntry.id.desc())).first()
        assert newest is not None
        assert newest > highest
    finally:
        target.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
