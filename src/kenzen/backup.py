"""Backup and restore of an installation: the operational database and the event store.

A backup is a directory::

    backup.json          what it holds: the database backend and its migration revision
    database.sqlite3     SQLite's online backup of the database (or database.dump, pg_dump's
                         custom format, for PostgreSQL)
    events/              the event store's manifest and exactly the files it names, and
                         each history table's (events/history/<table>/: snapshots, ratings)

Both copies are consistent while the server runs: SQLite's backup API copies one snapshot,
``pg_dump`` runs in one transaction, and the event store is copied from one manifest (its
commit point): the files it names are never changed, and a concurrent compaction only
moves them to ``trash/``, where the copy still finds them.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import URL, func, inspect, make_url, select, table

from kenzen.access import Action, Actor, authorize, record
from kenzen.db import Database
from kenzen.errors import Conflict, InvalidInput, KenzenError
from kenzen.events.dated import HISTORY, DatedManifest
from kenzen.events.dated import MANIFEST as DATED_MANIFEST
from kenzen.events.segments import MANIFEST, TRASH, Manifest, to_trash
from kenzen.i18n import N_

DESCRIPTION = "backup.json"
EVENTS = "events"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class BackupSummary:
    backend: str
    revision: str | None
    event_files: int


def backup(database: Database, events_dir: Path, target: Path, actor: Actor) -> BackupSummary:
    """Copy the database and the event store into the new directory ``target``."""
    authorize(actor, Action.BACKUP)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InvalidInput(N_("error.backup.exists_not_empty_directory"), target=str(target))
    # Logged first, so the backup holds the entry of its own making.
    with database.transaction() as session:
        session.add(record(actor, Action.BACKUP, f"backup:{target}"))
    target.mkdir(parents=True, exist_ok=True)
    url = make_url(database.url)
    revision = database.current_revision()
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_path(url), target / SQLITE_FILE)
    else:
        _run_postgres_tool(
            "pg_dump", url, "--format=custom", "--no-owner", f"--file={target / POSTGRES_FILE}"
        )
    event_files = copy_event_store(events_dir, target / EVENTS)
    backend = url.get_backend_name()
    description = {"format": FORMAT_VERSION, "backend": backend, "revision": revision}
    (target / DESCRIPTION).write_text(json.dumps(description, indent=1), "utf-8")
    return BackupSummary(backend=backend, revision=revision, event_files=event_files)


def restore(
    source: Path, database: Database, events_dir: Path, actor: Actor, *, force: bool
) -> BackupSummary:
    """Bring back a backup into the configured database and event store, then migrate it
    to the head; an installation holding data is overwritten only when ``force`` is given."""
    authorize(actor, Action.RESTORE)
    description = _read_description(source)
    url = make_url(database.url)
    backend = url.get_backend_name()
    if description["backend"] != backend:
        raise InvalidInput(
            N_("error.backup.other_backend"),
            source=str(source),
            kind=str(description["backend"]),
            backend=backend,
        )
    _refuse_unknown_revision(source, database, description["revision"])
    if not force:
        _refuse_non_empty(database, events_dir)
    database.dispose()
    if backend == "sqlite":
        _sqlite_copy(source / SQLITE_FILE, _sqlite_path(url))
    else:
        _run_postgres_tool(
            "pg_restore",
            url,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            str(source / POSTGRES_FILE),
        )
    event_files = copy_event_store(source / EVENTS, events_dir, replace=True)
    database.upgrade()
    with database.transaction() as session:
        session.add(record(actor, Action.RESTORE, f"backup:{source}"))
    return BackupSummary(
        backend=backend, revision=database.current_revision(), event_files=event_files
    )


def _refuse_unknown_revision(source: Path, database: Database, revision: str | None) -> None:
    """A backup from a newer Kenzen would leave a schema this code cannot migrate."""
    if revision is None:
        return
    try:
        ScriptDirectory.from_config(database.alembic_config()).get_revision(revision)
    except CommandError:
        raise Conflict(
            N_("error.backup.made_newer_kenzen_revision"), source=str(source), revision=revision
        ) from None


def copy_event_store(source: Path, target: Path, *, replace: bool = False) -> int:
    """Copy the manifest of ``source`` as it is now and exactly the files it names; the
    manifest is written last, under its own name only once every file is in place.

    With ``replace``, the files of the manifest it replaces go to ``trash/``."""
    manifest_path = source / MANIFEST
    if not manifest_path.exists():
        return 0
    committed = manifest_path.read_bytes()
    manifest = Manifest.load_bytes(committed)
    target.mkdir(parents=True, exist_ok=True)
    replaced = Manifest.load(target).named_files() if replace else []
    named = manifest.named_files()
    for name in named:
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_committed_file(source, name), destination)
    temporary = target / f".{MANIFEST}.restoring"
    temporary.write_bytes(committed)
    os.replace(temporary, target / MANIFEST)
    to_trash(target, sorted(set(replaced) - set(named)))
    return len(named) + _copy_history(source, target)


def _copy_history(source: Path, target: Path) -> int:
    """The tables by date beside the events (``history/<table>/``), each from one manifest:
    the files it names, then the manifest. A file a later run stopped naming stays for
    minutes (``kenzen.events.dated``), long enough for the copy to find it."""
    copied = 0
    for manifest_path in sorted(source.glob(f"{HISTORY}/*/{DATED_MANIFEST}")):
        committed = manifest_path.read_bytes()
        names = DatedManifest.load_bytes(committed).named_files()
        table = target / manifest_path.parent.relative_to(source)
        table.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copyfile(manifest_path.parent / name, table / name)
        temporary = table / f".{DATED_MANIFEST}.restoring"
        temporary.write_bytes(committed)
        os.replace(temporary, table / DATED_MANIFEST)
        copied += len(names)
    return copied


def _committed_file(store: Path, name: str) -> Path:
    """A file the manifest named: in place, or in the trash if a compaction replaced it."""
    for candidate in (store / name, store / TRASH / name.replace("/", "__")):
        if candidate.exists():
            return candidate
    raise Conflict(
        N_("error.backup.vanished_during_copy_two_compactions_ran"), store=str(store), name=name
    )


def _read_description(source: Path) -> dict[str, str | None]:
    path = source / DESCRIPTION
    if not path.is_file():
        raise InvalidInput(
            N_("error.backup.not_kenzen_backup_no"), source=str(source), description=DESCRIPTION
        )
    try:
        data = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(
            N_("error.backup.unreadable"), path=str(path), error=str(error)
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise InvalidInput(N_("error.backup.not_backup_format_kenzen_reads"), path=str(path))
    return {"backend": str(data.get("backend")), "revision": data.get("revision")}


def _refuse_non_empty(database: Database, events_dir: Path) -> None:
    with database.engine.connect() as connection:
        for name in inspect(connection).get_table_names():
            if name == "alembic_version":
                continue
            if connection.execute(select(func.count()).select_from(table(name))).scalar():
                raise Conflict(N_("error.backup.database_holds_data_table"), name=name)
    if Manifest.load(events_dir).named_files():
        raise Conflict(N_("error.backup.event_store_holds_data"), events_dir=str(events_dir))


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise InvalidInput(N_("error.backup.kenzen_database_url_backup_needs_sqlite"))
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: one consistent snapshot, also while others write."""
    if not source.is_file():
        raise InvalidInput(N_("error.backup.no_such_database_file"), source=str(source))
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as reading,
        closing(sqlite3.connect(target)) as writing,
    ):
        reading.backup(writing)


def _libpq_url(url: URL) -> str:
    """The URL in the form libpq's tools read, without the password (given in PGPASSWORD)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run_postgres_tool(tool: str, url: URL, *args: str) -> None:
    """``pg_dump`` or ``pg_restore`` on the database at ``url``; its last error line if it
    fails."""
    if shutil.which(tool) is None:
        raise KenzenError(N_("error.backup.tool_missing"), tool=tool)
    command = [tool, f"--dbname={_libpq_url(url)}", *args]
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise KenzenError(
            N_("error.backup.tool_failed"),
            tool=tool,
            reason=lines[-1] if lines else done.returncode,
        )
