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
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
