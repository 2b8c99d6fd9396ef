"""Migration 0013: case titles and entries written as text before it stay readable as they
were, on a small database and on the demo as main at revision 0011 made it (upgraded
through 0012); what Kenzen writes after it is a message each reader gets in their language."""

from __future__ import annotations

import gzip
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import select, text

from kenzen.access import SYSTEM, Visibility
from kenzen.cases import service as cases
from kenzen.cases.models import Case, CaseEntry, EntryKind
from kenzen.db import Database
from kenzen.i18n import Message

OLD_TITLE = "アカウントヘルス: caps.ip_complaints"
OLD_TEXT = "アカウントの状態が NORMAL から DEACTIVATED に変わりました。理由: IP complaints"


def _database_before_messages(tmp_path: Path) -> Database:
    """A database as the previous migration head left it, with a case written as text."""
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(database.alembic_config(), "0012")
    with database.transaction() as session:  # the tables as 0012 made them, not the models
        at = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None)
        session.execute(
            text(
                "INSERT INTO marketplaces (id, name, time_zone, currency, language, created_at) "
                "VALUES ('JP', 'Japan', 'Asia/Tokyo', 'JPY', 'ja', :at)"
            ),
            {"at": at},
        )
        session.execute(
            text(
                "INSERT INTO sellers "
                "(id, marketplace_id, display_name, email, language, registered_at, status) "
                "VALUES ('S1', 'JP', 'Seller S1', 's1@sellers.example.test', 'ja', :at, 'NORMAL')"
            ),
            {"at": at},
        )
        session.execute(
            text(
                "INSERT INTO cases (id, seller_id, kind, status, title, opened_at, updated_at) "
                "VALUES (1, 'S1', 'account_status', 'OPEN', :title, :at, :at)"
            ),
            {"title": OLD_TITLE, "at": at},
        )
        session.execute(
            text(
                "INSERT INTO case_entries "
                "(case_id, at, author, author_role, visibility, kind, text) "
                "VALUES (1, :at, 'system', 'system', 'seller', 'account_status', :text)"
            ),
            {"text": OLD_TEXT, "at": at},
        )
    return database


def test_text_written_before_the_migration_is_kept_as_written(tmp_path: Path) -> None:
    database = _database_before_messages(tmp_path)
    database.upgrade()
    assert not database.pending_migrations()
    with database.transaction() as session:
        case = session.get(Case, 1)
        assert case is not None
        assert case.title_message is None
        assert (case.title_in("ja"), case.title_in("en")) == (OLD_TITLE, OLD_TITLE)
        [entry] = case.entries
        assert entry.message is None
        assert entry.text_in("en") == OLD_TEXT
        # A new entry in the same case is a message, read in each reader's language.
        cases.append_entry(
            session,
            case,
            SYSTEM,
            visibility=Visibility.SELLER,
            kind=EntryKind.NOTE,
            message=Message("entry.appeal_received", {"version": 2}),
        )
    with database.transaction() as session:
        new = session.scalars(select(CaseEntry).where(CaseEntry.message.is_not(None))).one()
        assert new.text is None
        assert new.text_in("en").startswith("We received your Plan of Action (version 2).")
        assert new.text_in("ja").startswith("改善計画書(第2版)を受け付けました。")
    database.dispose()


def test_downgrade_writes_messages_out_in_the_sellers_language(tmp_path: Path) -> None:
    database = _database_before_messages(tmp_path)
    database.upgrade()
    with database.transaction() as session:
        case = session.get(Case, 1)
        assert case is not None
        cases.append_entry(
            session,
            case,
            SYSTEM,
            visibility=Visibility.SELLER,
            kind=EntryKind.NOTE,
            message=Message("entry.appeal_received", {"version": 3}),
        )
    command.downgrade(database.alembic_config(), "0012")
    with database.engine.connect() as connection:
        old, new = connection.execute(text("SELECT text FROM case_entries ORDER BY id")).scalars()
        title = connection.execute(text("SELECT title FROM cases")).scalar_one()
    assert old == OLD_TEXT
    assert new.startswith("改善計画書(第3版)を受け付けました。")  # S1 reads Japanese
    assert title == OLD_TITLE
    database.dispose()


DEMO = Path(__file__).with_name("demo-0011.sql.gz")


def _demo_at_0011(path: Path) -> Database:
    """``demo-0011.sql.gz``: ``sqlite3 kenzen.db .dump`` of ``kenzen db upgrade && kenzen demo``
    run at revision 0011, without the metric snapshot and order volume rows (thousands of rows
    the migration does not read)."""
    connection = sqlite3.connect(path)
    connection.executescript(gzip.decompress(DEMO.read_bytes()).decode("utf-8"))
    assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == ("0011",)
    connection.close()
    return Database(f"sqlite:///{path}")


def _texts(path: Path) -> tuple[dict[int, str], dict[int, str]]:
    connection = sqlite3.connect(path)
    titles = dict(connection.execute("SELECT id, title FROM cases").fetchall())
    entries = dict(connection.execute("SELECT id, text FROM case_entries").fetchall())
    connection.close()
    return titles, entries


def test_the_demo_database_reads_the_same_after_the_migration(tmp_path: Path) -> None:
    database = _demo_at_0011(tmp_path / "kenzen.db")
    titles, entries = _texts(tmp_path / "kenzen.db")
    assert len(titles) > 100
    assert len(entries) > 300
    database.upgrade()
    with database.transaction() as session:
        for case in session.scalars(select(Case)):
            assert (case.title_in("ja"), case.title_in("en")) == (titles[case.id],) * 2
        for entry in session.scalars(select(CaseEntry)):
            assert entry.text_in("en") == entries[entry.id]
        first = session.scalars(select(Case).order_by(Case.id)).first()
        assert first is not None
        cases.append_entry(
            session,
            first,
            SYSTEM,
            visibility=Visibility.SELLER,
            kind=EntryKind.NOTE,
            message=Message("entry.appeal_received", {"version": 1}),
        )
    command.downgrade(database.alembic_config(), "0011")
    database.dispose()
    after_titles, after_entries = _texts(tmp_path / "kenzen.db")
    assert after_titles == titles
    assert {k: v for k, v in after_entries.items() if k in entries} == entries
