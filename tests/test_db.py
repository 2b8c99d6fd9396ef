"""The unit of work, the schema guard and the append-only audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from kenzen.access import SYSTEM
from kenzen.audit import AuditEntry
from kenzen.config import Settings
from kenzen.db import Database
from kenzen.schema import code_head
from kenzen.sellers import service as sellers
from kenzen.sellers.models import Marketplace
from kenzen.web.app import NotMigrated, create_app


def _add_jp(database: Database) -> None:
    with database.transaction() as session:
        sellers.add_marketplace(
            session,
            SYSTEM,
            marketplace_id="JP",
            name="Japan",
            time_zone="Asia/Tokyo",
            currency="JPY",
            language="ja",
        )


def test_a_failing_use_case_leaves_nothing_written(database: Database) -> None:
    def add_then_fail() -> None:
        with database.transaction() as session:
            sellers.add_marketplace(
                session,
                SYSTEM,
                marketplace_id="JP",
                name="Japan",
                time_zone="Asia/Tokyo",
                currency="JPY",
                language="ja",
            )
            raise RuntimeError("failure after the first write")

    with pytest.raises(RuntimeError):
        add_then_fail()
    with database.transaction() as session:
        assert session.scalars(select(Marketplace)).all() == []
        assert session.scalars(select(AuditEntry)).all() == []


def test_audit_log_refuses_update_and_delete(database: Database) -> None:
    _add_jp(database)
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with database.transaction() as session, pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
    with database.transaction() as session:
        assert [e.actor for e in session.scalars(select(AuditEntry))] == ["system"]


def test_server_refuses_an_unmigrated_database(tmp_path: pytest.TempPathFactory) -> None:
    settings = Settings(home=tmp_path)
    database = Database(settings.resolved_database_url)
    with pytest.raises(NotMigrated, match="kenzen db upgrade"):
        create_app(settings, database)
    database.dispose()


def test_migrated_database_has_no_pending_migrations(database: Database) -> None:
    assert not database.pending_migrations()
    assert database.current_revision() == code_head()


def test_the_head_read_from_the_scripts_is_alembics(database: Database) -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(database.alembic_config()).get_heads() == [code_head()]


def test_a_database_never_migrated_is_at_no_revision(tmp_path: Path) -> None:
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert fresh.current_revision() is None
    assert fresh.pending_migrations()
    fresh.dispose()


def test_sqlite_runs_in_wal_mode(database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("WAL is a SQLite setting")
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
