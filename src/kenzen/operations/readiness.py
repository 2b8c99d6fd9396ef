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
from kenzen.events.location import store_location
from kenzen.events.segments import read_committed

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


def check_readiness(database: Database, event_store: Path | str) -> Readiness:
    """``event_store``: where the segments live (KENZEN_EVENT_STORE, else the events
    directory)."""
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        reachable = OK
        migrations = "behind the code" if database.pending_migrations() else OK
    except SQLAlchemyError:
        log.exception("readiness: the database cannot be reached")
        reachable, migrations = "unreachable", "unknown"
    return Readiness(reachable, migrations, _event_store(event_store))


def _event_store(where: Path | str) -> str:
    """The manifest can be read and every file it names is there. Any failure is an answer
    (an object store adds its client's errors: credentials, endpoint, network)."""
    try:
        location = store_location(where)
        manifest, _ = read_committed(location)
        missing = location.missing(manifest.named_files())
    except Exception:
        log.exception("readiness: the event store's manifest cannot be read")
        return "unreadable"
    if missing:
        log.error("readiness: the event store lacks %d file(s), e.g. %s", len(missing), missing[0])
        return "files missing"
    return OK
