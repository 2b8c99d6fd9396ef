"""The schema check without SQLAlchemy: which URLs it reads itself, and what it refuses."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from kenzen.schema import VERSION_TABLE, code_head, open_read_only, sqlite_file


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////srv/kenzen/kenzen.db", Path("/srv/kenzen/kenzen.db")),
        ("sqlite:///var/kenzen.db", Path("var/kenzen.db")),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("sqlite:///var/kenzen.db?timeout=30", None),
        ("sqlite+pysqlite:///var/kenzen.db", None),
        ("postgresql+psycopg://kenzen@127.0.0.1/kenzen", None),
    ],
)
def test_only_a_plain_sqlite_file_is_read_without_sqlalchemy(
    url: str, expected: Path | None
) -> None:
    assert sqlite_file(url) == expected


def _database(path: Path, revision: str | None) -> Path:
    with closing(sqlite3.connect(path)) as connection:
        if revision is not None:
            connection.execute(f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR(32))")
            connection.execute(f"INSERT INTO {VERSION_TABLE} VALUES (?)", (revision,))
        connection.commit()
    return path


def test_a_current_database_opens_read_only(tmp_path: Path) -> None:
    connection = open_read_only(_database(tmp_path / "current.db", code_head()))
    assert connection is not None
    with closing(connection), pytest.raises(sqlite3.OperationalError, match="readonly"):
        connection.execute("CREATE TABLE written (x)")


@pytest.mark.parametrize("revision", [None, "0001_initial"])
def test_a_database_behind_the_code_or_never_migrated_is_refused(
    tmp_path: Path, revision: str | None
) -> None:
    assert open_read_only(_database(tmp_path / "old.db", revision)) is None


def test_a_missing_file_is_refused_and_not_created(tmp_path: Path) -> None:
    assert open_read_only(tmp_path / "missing.db") is None
    assert not (tmp_path / "missing.db").exists()
