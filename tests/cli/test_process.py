"""The command as users start it: a process of its own, and the installed entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from kenzen.cli import app
from kenzen.db import Database
from tests.conftest import ON_POSTGRES


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
