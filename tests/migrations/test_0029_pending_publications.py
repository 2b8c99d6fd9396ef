"""Migration 0029: a metric run that stopped between its commit and its publication
before it (recorded in its own ``metric_runs`` row) is forgotten, so the next run computes
its date in full; the other runs stay."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from kenzen.db import Database


def test_an_unpublished_run_is_forgotten_and_the_others_kept(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        command.upgrade(database.alembic_config(), "0028")
        with database.transaction() as session:  # the table as 0027 made it (0028 kept it)
            session.execute(
                text(
                    "INSERT INTO metric_runs (as_of, computed_at, events_batch, publishing) "
                    "VALUES ('2026-11-19', '2026-11-19 15:00:00', 3, NULL), "
                    "('2026-11-20', '2026-11-20 15:00:00', 4, '[{\"table\": \"x\"}]')"
                )
            )
        database.upgrade()
        with database.transaction() as session:
            runs = session.execute(text("SELECT as_of, events_batch FROM metric_runs")).all()
            pending = session.execute(text("SELECT count(*) FROM pending_publications")).one()
        assert [tuple(r) for r in runs] == [("2026-11-19", 3)]
        assert pending == (0,)
    finally:
        database.dispose()
