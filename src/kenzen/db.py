"""The operational database: engine, the unit of work, and the schema-version guard.

One use case runs in one transaction (``Database.transaction``). When a use case fails
with an error that must still leave a trace (a denied attempt), the trace is written in a
separate transaction after the rollback, so the log keeps it while the data stays unchanged.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    column,
    create_engine,
    event,
    inspect,
    select,
    table,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from kenzen import clock
from kenzen.errors import KenzenError
from kenzen.i18n import Message
from kenzen.schema import MIGRATIONS_DIR, VERSION_TABLE, code_head

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Table
    from sqlalchemy.dialects import postgresql, sqlite


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, returns aware datetimes on every backend (SQLite keeps no offset)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Kenzen stores aware datetimes only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StoredMessage(TypeDecorator[Message]):
    """An ``i18n.Message`` as JSON: ``{"id": …, "params": {…}}``, put into words when read."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Message | None, dialect: Dialect) -> Any:
        return None if value is None else value.as_json()

    def process_result_value(self, value: Any, dialect: Dialect) -> Message | None:
        return None if value is None else Message.from_json(value)


def str_enum(enum_type: type[enum.Enum], length: int = 32) -> SAEnum:
    """A portable enum column: VARCHAR plus CHECK, storing the member values."""
    return SAEnum(
        enum_type,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


#: "Now" for column defaults and services: the one injectable clock (``kenzen.clock``).
utcnow = clock.now


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # temporary tables (a metric run stages 50,000 rows in one) in memory, not a file
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def upsert_into(target: Table, dialect: str) -> postgresql.Insert | sqlite.Insert:
    """An ``INSERT`` that can take ``ON CONFLICT`` in the database's dialect; only that
    dialect is imported (PostgreSQL's loads asyncio and SSL: ~0.05 s of a command's start)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(target)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(target)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


@runtime_checkable
class Trace(Protocol):
    """A failed attempt's audit entry, which knows whether the log already holds the same
    refusal from a moment ago (then it is not written again)."""

    def repeats_recent(self, session: Session) -> bool: ...


#: The key of ``Session.info`` that names the installation's event store directory.
EVENTS_DIR = "events_dir"


def events_dir_of(session: Session) -> Path | None:
    """The event store beside this session's database (None when the caller gave none)."""
    found = session.info.get(EVENTS_DIR)
    return found if isinstance(found, Path) else None


class Database:
    """Owns the engine and hands out one transaction per use case."""

    def __init__(self, url: str, *, events_dir: Path | None = None) -> None:
        """``events_dir``: the event store of the same installation, whose columnar history
        (past metric snapshots) the use cases read beside this database (``session.info``)."""
        self.url = url
        self.events_dir = events_dir
        self.engine = make_engine(url)
        self._sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={EVENTS_DIR: events_dir}
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit when the block ends; roll back on any error and keep its audit trace."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        except KenzenError as error:
            if error.audit is not None:
                with self._sessions() as trace_session, trace_session.begin():
                    trace = error.audit
                    if not (isinstance(trace, Trace) and trace.repeats_recent(trace_session)):
                        trace_session.add(trace)
            raise
        finally:
            session.close()

    def alembic_config(self) -> Config:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["engine"] = self.engine
        # Where a migration moves what the database no longer keeps (the snapshot history).
        config.attributes["events_dir"] = self.events_dir
        return config

    def upgrade(self) -> None:
        from alembic import command

        command.upgrade(self.alembic_config(), "head")

    def current_revision(self) -> str | None:
        """The migration the schema is at; ``None`` when it was never migrated."""
        with self.engine.connect() as connection:
            if not inspect(connection).has_table(VERSION_TABLE):
                return None
            version = table(VERSION_TABLE, column("version_num"))
            return connection.execute(select(version.c.version_num)).scalar()

    def pending_migrations(self) -> bool:
        """True when the schema is behind the code (or the database was never migrated)."""
        return self.current_revision() != code_head()

    def dispose(self) -> None:
        self.engine.dispose()
