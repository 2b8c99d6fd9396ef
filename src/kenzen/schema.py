"""Which migration the code ships, and a read-only look at a SQLite database, without
SQLAlchemy or Alembic.

A command that only reads a few rows (``kenzen verify``) would spend most of its start-up
importing SQLAlchemy; on the default SQLite database it checks the schema version and reads
through the standard library instead. ``tests/test_db.py`` checks that Alembic finds the
same head as ``code_head``.
"""

from __future__ import annotations

import re
import sqlite3
from functools import cache
from pathlib import Path
from typing import Final

MIGRATIONS_DIR: Final = Path(__file__).parent / "migrations"
#: Alembic's table of the revision a database is at (its default name).
VERSION_TABLE: Final = "alembic_version"
#: The URL prefix of a SQLite database file as ``kenzen.locations`` spells it.
SQLITE_URL_PREFIX: Final = "sqlite:///"
#: How long a reader waits for a writer's lock, as the engine's connections do.
BUSY_TIMEOUT_SECONDS: Final = 10.0

_REVISION = re.compile(r'^(down_revision|revision): str(?: \| None)? = "?(\w+)"?$', re.MULTILINE)


@cache
def code_head() -> str:
    """The newest migration this code ships, read once from the scripts' ``revision`` and
    ``down_revision`` lines: the one no other revises (loading the scripts through Alembic
    would cost a command that only checks the version a third of its start-up)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for name, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            (revisions if name == "revision" else revised).add(value)
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"the migrations must have exactly one head, not {sorted(heads)}")
    return heads.pop()


def sqlite_file(url: str) -> Path | None:
    """The database file of a plain SQLite URL; ``None`` for any other database, driver or
    in-memory database, and for a URL with options (only SQLAlchemy reads those)."""
    if not url.startswith(SQLITE_URL_PREFIX):
        return None
    path = url.removeprefix(SQLITE_URL_PREFIX)
    if not path or path == ":memory:" or "?" in path:
        return None
    return Path(path)


def open_read_only(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to a migrated, current database; ``None`` when the file is
    missing, was never migrated, or its schema is behind the code (never creates the file)."""
    try:
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS
        )
    except sqlite3.OperationalError:
        return None
    try:
        row = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()  # noqa: S608
    except sqlite3.DatabaseError:
        row = None
    if row is None or row[0] != code_head():
        connection.close()
        return None
    return connection
