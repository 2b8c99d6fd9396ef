"""The command as users start it: a process of its own, and the installed entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from importlib import metadata
from pathlib import Path

import pytest

from kenzen.access import SYSTEM
from kenzen.cli import app
from kenzen.db import Database
from kenzen.events.service import import_events
from kenzen.events.store import EventStore
from kenzen.health.service import performance_report
from kenzen.metrics.service import compute_snapshots
from kenzen.policy.document import Policy
from tests.conftest import ON_POSTGRES, World

REPORT_DAY = date(2026, 11, 20)


@pytest.mark.slow
def test_python_m_kenzen_runs_in_a_process_of_its_own(tmp_path: Path) -> None:
    env = {**os.environ, "KENZEN_HOME": str(tmp_path)}
    env.pop("KENZEN_DATABASE_URL", None)

    def kenzen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kenzen", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )

    refused = kenzen("seller", "show", "S1")
    assert (refused.returncode, refused.stderr) == (
        2,
        "kenzen: the database is not migrated; run `kenzen db upgrade` first\n",
    )
    upgraded = kenzen("db", "upgrade")
    assert (upgraded.returncode, upgraded.stderr) == (0, "database is up to date\n")
    missing = kenzen("seller", "show", "S1")
    assert (missing.returncode, missing.stdout, missing.stderr) == (
        2,
        "",
        "kenzen: seller S1 not found\n",
    )


def test_the_console_script_is_the_kenzen_app() -> None:
    (script,) = metadata.entry_points(group="console_scripts", name="kenzen")
    assert script.load() is app


def test_building_the_command_loads_no_database_settings_or_domain() -> None:
    """What keeps ``kenzen --help`` fast (bench/startup.py measures it): every command is
    built, and none of the heavy modules a command needs only when it runs is loaded."""
    probe = (
        "import sys, typer.main\n"
        "from kenzen.cli import app\n"
        "typer.main.get_command(app)\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sqlalchemy', 'alembic', 'pydantic_settings', 'duckdb', 'numpy', 'fastapi'} "
        "or m.startswith(('kenzen.db', 'kenzen.config', 'kenzen.demo', 'kenzen.web')))))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert loaded.stdout.split() == []


@pytest.mark.skipif(ON_POSTGRES, reason="the standard-library reader serves SQLite only")
def test_verifying_a_mail_on_sqlite_loads_no_sqlalchemy(database: Database, tmp_path: Path) -> None:
    """What keeps ``kenzen verify`` fast (bench/startup.py measures it): on SQLite the
    operator's check reads its rows with the standard library, not SQLAlchemy or Alembic."""
    mail = tmp_path / "mail.eml"
    mail.write_text("From: account-health@jp.kenzen.test\r\n\r\nPlease log in.\r\n")
    probe = (
        "import sys\n"
        "from kenzen.cli import app\n"
        f"code = app(['verify', {str(mail)!r}], standalone_mode=False)\n"
        "print(code, ' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sqlalchemy', 'alembic', 'pydantic_settings'} or m.startswith('kenzen.db'))))\n"
    )
    env = {**os.environ, "KENZEN_HOME": str(tmp_path), "KENZEN_DATABASE_URL": database.url}
    loaded = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    verdict, *lines = loaded.stdout.splitlines()
    assert verdict == "SUSPICIOUS"
    assert lines[-1].split() == ["1"]


@pytest.mark.skipif(ON_POSTGRES, reason="the standard-library reader serves SQLite only")
def test_the_performance_report_on_sqlite_loads_only_what_it_uses(
    world: World, store: EventStore, policy: Policy, tmp_path: Path
) -> None:
    """What keeps ``kenzen report sp-api`` fast (bench/startup.py measures it): the operator's
    report of a seller's latest metrics reads its rows with the standard library, so neither
    SQLAlchemy nor the metric engine's libraries, nor those of other commands, are loaded;
    and it prints what the API serves."""
    orders = _one_late_order(tmp_path)
    with world.database.transaction() as session:
        import_events(session, SYSTEM, store, "orders", orders)
        compute_snapshots(session, SYSTEM, store, REPORT_DAY)
    heavy = {
        "sqlalchemy", "alembic", "pydantic_settings", "duckdb", "pyarrow", "numpy", "sqlglot",
        "phonenumbers", "babel", "jinja2", "cryptography", "fastapi",
    }  # fmt: skip
    probe = (
        "import sys\n"
        "from kenzen.cli import app\n"
        f"app(['report', 'sp-api', '--seller', 'S1', '--as-of', '{REPORT_DAY}'], "
        "standalone_mode=False)\n"
        f"print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r} "
        "or m.startswith(('kenzen.db', 'kenzen.config', 'kenzen.models')))))\n"
    )
    run = _probe(probe, tmp_path, world.database.url)
    *report, loaded = run.stdout.splitlines()
    assert loaded.split() == []
    with world.database.transaction() as session:
        served = performance_report(session, SYSTEM, policy, "S1", REPORT_DAY)
    assert json.loads("\n".join(report)) == served
    assert served["performanceMetrics"][0]["lateShipmentRate"]["status"] == "BAD"


@pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL's dialect is loaded on PostgreSQL")
def test_a_metric_run_loads_only_what_it_uses(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    """What keeps ``kenzen metrics`` quick to start (bench/scale.py measures it): the embedded
    run keeps its results in DuckDB, so it loads neither SQLGlot nor pyarrow's CSV, compute
    or Parquet modules, nor PostgreSQL's dialect on SQLite, nor other commands' libraries."""
    orders = _one_late_order(tmp_path)
    with world.database.transaction() as session:
        import_events(session, SYSTEM, store, "orders", orders)
    unused = (
        "sqlglot", "pyarrow.csv", "pyarrow.compute", "pyarrow.parquet",
        "sqlalchemy.dialects.postgresql", "alembic", "pydantic_settings", "phonenumbers",
        "babel", "jinja2", "cryptography", "fastapi", "pandas",
    )  # fmt: skip
    probe = (
        "import sys\n"
        "from kenzen.cli import app\n"
        f"app(['metrics', '--as-of', '{REPORT_DAY}', '--full'], standalone_mode=False)\n"
        f"print(' '.join(sorted(m for m in sys.modules if m.startswith({unused!r}))))\n"
    )
    run = _probe(probe, tmp_path, world.database.url)
    assert "1 sellers (all sellers), 7 rows" in run.stderr
    assert run.stdout.split() == []


def _one_late_order(directory: Path) -> Path:
    """A CSV of one merchant-fulfilled order of S1, shipped a day after its ship-by."""
    orders = directory / "orders.csv"
    orders.write_text(
        "order_id,seller_id,marketplace_id,purchased_at,fulfillment,ship_by,shipped_at,"
        "updated_at\nO1,S1,JP,2026-11-10T10:00:00+09:00,merchant,2026-11-11T23:59:00+09:00,"
        "2026-11-12T23:00:00+09:00,2026-11-12T23:00:00+09:00\n"
    )
    return orders


def _probe(probe: str, home: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    """``probe`` run as a fresh interpreter against this home and database; it must succeed."""
    env = {**os.environ, "KENZEN_HOME": str(home), "KENZEN_DATABASE_URL": database_url}
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run
