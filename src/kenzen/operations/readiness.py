"""Whether this process can serve: the database answers, its schema is the code's, and the
event store's committed state can be read.

The answers are words, never errors: a probe's body is read by whoever can reach it, so it
names no path, query or server message (those go to the log).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from kenzen.db import Database
from kenzen.events.formats import EventFormatError
from kenzen.events.segments import Manifest

log = logging.getLogger("kenzen.readiness")

OK = "ok"


@dataclass(frozen=True)
class Readiness:
    database: str
    migrations: str
    event_store: str

    @property
    def ready(self) -> bool:
        return self.database == self.migrations == self.event_store == OK


def check_readiness(database: Database, events_dir: Path) -> Readiness:
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        reachable = OK
        migrations = "behind the code" if database.pending_migrations() else OK
    except SQLAlchemyError:
        log.exception("readiness: the database cannot be reached")
        reachable, migrations = "unreachable", "unknown"
    return Readiness(reachable, migrations, _event_store(events_dir))


def _event_store(directory: Path) -> str:
    """The manifest can be read and every file it names is there."""
    try:
        manifest = Manifest.load(directory)
    except (OSError, ValueError, KeyError, TypeError, EventFormatError):
        log.exception("readiness: the event store's manifest cannot be read")
        return "unreadable"
    missing = [name for name in manifest.named_files() if not (directory / name).is_file()]
    if missing:
        log.error("readiness: the event store lacks %d file(s), e.g. %s", len(missing), missing[0])
        return "files missing"
    return OK
