"""Alembic environment: migrates the engine Kenzen hands over (or the configured database)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from kenzen import models  # noqa: F401  (registers every table on Base.metadata)
from kenzen.config import get_settings
from kenzen.db import Base, make_engine

engine: Engine = context.config.attributes.get("engine") or make_engine(
    get_settings().resolved_database_url
)

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration rebuilds a table other tables point at; SQLite checks foreign keys
        # again below, after the rebuild (the pragma only works outside a transaction).
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        # Python's sqlite3 opens a transaction only before a row is written, so each
        # CREATE or DROP before the first row would commit on its own: an upgrade that
        # stopped or failed midway would leave tables its version does not account for,
        # and the next upgrade would fail on them. One transaction for the whole upgrade.
        connection.exec_driver_sql("BEGIN")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
            raise RuntimeError("the migration left rows whose foreign keys point nowhere")
    connection.commit()
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
