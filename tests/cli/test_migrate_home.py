"""An existing home brought to the current layout by one command, `kenzen events migrate`.

The old home is built as the code of its time left it: the database at revision 0008 (the
last before the event store's segments) holding every date's metric snapshots and order
volumes in its own tables, and the orders and defects in one DuckDB file with the tables
that code created, at a local ``KENZEN_EVENT_STORE`` outside ``KENZEN_HOME``. Its numbers
are those a home built today from the same events computes (the definitions did not change),
so after the command the two must answer alike: the metrics and snapshots of each date, the
ratings, the SP-API report and getSellerHealth. Running the command again changes nothing;
a run killed midway (a real process, SIGKILL) is run again to the same end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from alembic import command
from sqlalchemy import text
from typer.testing import CliRunner

from kenzen.access import SYSTEM
from kenzen.cli import app
from kenzen.db import Database
from kenzen.demo.accounts import Profile
from kenzen.demo.events import generate
from kenzen.events.formats import event_format
from kenzen.events.service import import_events
from kenzen.events.store import EventStore
from kenzen.events.validation import ident
from kenzen.health.service import get_seller_health, performance_report
from kenzen.metrics import history, service
from kenzen.metrics.definitions import BREAKDOWNS
from kenzen.policy.document import load_policy
from tests.conftest import ON_POSTGRES
from tests.migrations.accounts import insert_accounts

pytestmark = pytest.mark.skipif(
    ON_POSTGRES,
    reason="each home has a SQLite database of its own (the migration test runs on both)",
)

OLD_REVISION = "0008"
DAYS = (date(2026, 11, 19), date(2026, 11, 20))
SELLERS = [("S1", Profile.GOOD), ("S2", Profile.SLOPPY_SHIPPER), ("S3", Profile.DEFECTIVE)]
SRC = Path(__file__).resolve().parents[2] / "src"


def _accounts(database: Database) -> None:
    with database.engine.begin() as connection:
        insert_accounts(connection, [s for s, _ in SELLERS])


def _database(home: Path) -> Database:
    return Database(f"sqlite:///{home / 'kenzen.db'}", events_dir=home / "events")


@pytest.fixture(scope="module")
def today(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home built today from the demo's events: the answers the old home must give."""
    home = tmp_path_factory.mktemp("today")
    database = _database(home)
    command.upgrade(database.alembic_config(), OLD_REVISION)
    _accounts(database)
    database.upgrade()
    orders, defects = generate(
        SELLERS, marketplace_id="JP", time_zone="Asia/Tokyo", today=DAYS[1], seed=3, folder=home
    )
    with EventStore(home / "events") as store:
        with database.transaction() as session:
            import_events(session, SYSTEM, store, "orders", orders)
        with database.transaction() as session:
            import_events(session, SYSTEM, store, "defects", defects)
        for day in DAYS:
            with database.transaction() as session:
                service.compute_snapshots(session, SYSTEM, store, day, full=True)
    database.dispose()
    return home


#: The tables of the event store before segments, as that code created them (953b466^).
OLD_STORE_TABLE = "CREATE TABLE {kind} ({columns})"
OLD_INGEST_LOG = "CREATE TABLE ingest_log (batch BIGINT NOT NULL, seller_id VARCHAR NOT NULL)"
UNIQUE_STRINGS = frozenset({"order_id", "tracking_id", "defect_id"})


def _old_store(today: Path, directory: Path) -> None:
    """The orders and defects of ``today`` in one DuckDB file, each import's sellers logged."""
    directory.mkdir(parents=True)
    with EventStore(today / "events") as store:
        tables = {kind: store.query(f"SELECT * FROM {kind}") for kind in ("orders", "defects")}
    old = duckdb.connect(str(directory / "events.duckdb"))
    try:
        for kind, rows in tables.items():
            columns = ", ".join(
                f"{ident(c.name)} {c.sql_type}{' NOT NULL' if c.required else ''}"
                f"{' USING COMPRESSION uncompressed' if c.name in UNIQUE_STRINGS else ''}"
                for c in event_format(kind).columns
            )
            old.execute(OLD_STORE_TABLE.format(kind=kind, columns=columns))
            old.register("incoming", rows)
            old.execute(f"INSERT INTO {kind} SELECT * FROM incoming")
            old.unregister("incoming")
        old.execute(OLD_INGEST_LOG)
        # the import of the orders (batch 1), then of the defects (batch 2, their orders' sellers)
        old.execute("INSERT INTO ingest_log SELECT DISTINCT 1, seller_id FROM orders")
        old.execute(
            "INSERT INTO ingest_log SELECT DISTINCT 2, o.seller_id "
            "FROM defects JOIN orders AS o USING (order_id)"
        )
    finally:
        old.close()


def _old_snapshots(today: Path, database: Database) -> None:
    """Every date's snapshots and order volumes of ``today`` as rows of the old tables."""
    snapshots = history.snapshot_table(today / "events").read(DAYS[0], DAYS[1]).to_pylist()
    volumes = history.volume_table(today / "events").read(DAYS[0], DAYS[1]).to_pylist()
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO metric_snapshots (seller_id, marketplace_id, metric, as_of, "
                "window_from, window_to, numerator, denominator, rate, status, target_value, "
                "target_condition, target_inclusive, breakdown, computed_at) VALUES (:seller_id, "
                ":marketplace_id, :metric, :as_of, :window_from, :window_to, :numerator, "
                ":denominator, :rate, :status, :target_value, :target_condition, "
                ":target_inclusive, :breakdown, '2026-11-21 00:00:00')"
            ),
            [
                row
                | {"breakdown": json.dumps({n: row[n] for n in BREAKDOWNS if row[n] is not None})}
                for row in snapshots
            ],
        )
        connection.execute(
            text(
                "INSERT INTO order_volumes (seller_id, as_of, fulfilled_orders) "
                "VALUES (:seller_id, :as_of, :fulfilled_orders)"
            ),
            volumes,
        )


@pytest.fixture
def old_home(today: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    database = _database(home)
    command.upgrade(database.alembic_config(), OLD_REVISION)
    _accounts(database)
    _old_snapshots(today, database)
    database.dispose()
    _old_store(today, tmp_path / "store")
    return home


def _environment(home: Path) -> dict[str, str]:
    return {
        "KENZEN_HOME": str(home),
        "KENZEN_DATABASE_URL": f"sqlite:///{home / 'kenzen.db'}",
        "KENZEN_EVENT_STORE": str(home.parent / "store"),
    }


def _migrate(home: Path) -> str:
    result = CliRunner().invoke(app, ["events", "migrate"], env=_environment(home))
    assert result.exit_code == 0, result.output
    return result.output


def _answers(home: Path, store_location: Path) -> dict[str, Any]:
    """What a user reads of the home: every date's metrics, the SP-API report of each date,
    getSellerHealth (its rating included), the stored events."""
    database, policy = _database(home), load_policy()
    answers: dict[str, Any] = {}
    with database.transaction() as session:
        for seller, _ in SELLERS:
            answers[f"{seller} history"] = [
                asdict(v) for v in service.seller_history(session, seller, DAYS[0], DAYS[1])
            ]
            for day in DAYS:
                answers[f"{seller} report {day}"] = performance_report(
                    session, SYSTEM, policy, seller, day
                )
                answers[f"{seller} volume {day}"] = service.fulfilled_orders(session, seller, day)
            health = get_seller_health(session, SYSTEM, policy, seller)
            answers[f"{seller} health"] = (
                health.as_of,
                [asdict(m) for m in health.metrics],
                asdict(health.rating),
            )
    database.dispose()
    with EventStore(home / "events", segments=str(store_location)) as store:
        for kind, key in (("orders", "order_id"), ("defects", "defect_id")):
            answers[kind] = store.query(f"SELECT * FROM {kind} ORDER BY {key}").to_pylist()
        answers["batch"] = store.last_batch()
    return answers


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_one_command_brings_an_old_home_to_the_current_layout_and_again_changes_nothing(
    today: Path, old_home: Path
) -> None:
    store = old_home.parent / "store"
    output = _migrate(old_home)
    assert "database is up to date" in output
    orders = sum(1 for _ in _answers(today, today / "events")["orders"])
    assert f"migrated: {orders} orders" in output
    assert (store / "events.duckdb.migrated").exists()
    expected = _answers(today, today / "events")
    assert _answers(old_home, store) == expected
    files = _files(old_home.parent)
    again = _migrate(old_home)
    assert "migrate: no event store to convert" in again
    assert _files(old_home.parent) == files
    assert _answers(old_home, store) == expected


@pytest.mark.slow
@pytest.mark.parametrize(
    "sign_of_progress",
    ["home/events/history/snapshots", "store/events.duckdb.converting"],
    ids=["in the database upgrade", "in the event store's conversion"],
)
def test_a_migration_killed_midway_is_run_again_to_the_same_end(
    today: Path, old_home: Path, sign_of_progress: str
) -> None:
    """Killed as soon as its work shows on disk: the database upgrade writing the history
    of the old snapshots, or the conversion of the store started."""
    root = old_home.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), *sys.path])}
    env |= _environment(old_home)
    running = subprocess.Popen(
        [sys.executable, "-m", "kenzen", "events", "migrate"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not (root / sign_of_progress).exists() and running.poll() is None:
        assert time.monotonic() < deadline, "the migration showed no progress"
        time.sleep(0.001)
    running.send_signal(signal.SIGKILL)
    running.wait(timeout=60)
    _migrate(old_home)
    assert _answers(old_home, root / "store") == _answers(today, today / "events")
    assert not (root / "store" / "events.duckdb").exists()
    assert not (root / "store" / "events.duckdb.converting").exists()
