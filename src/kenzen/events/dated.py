"""Tables by date stored as Parquet beside the events: metric snapshots, daily ratings.

Layout of one table's directory (``<event store>/history/<name>/``; a backup copies each
from its manifest, :mod:`kenzen.backup`)::

    manifest.json                        the committed state; replaced atomically
    2026-11-28-r000042-….parquet         the rows one run wrote for one date

A run writes its rows for one date as one new file, then commits by renaming a new
manifest over the old one (under an exclusive lock on ``.lock``), so a reader (DuckDB
here, Spark elsewhere) sees either the old set of files or the new one, never half a run.
Every file carries the ``run`` number the manifest gave it, and a date's rows are
resolved by key with the highest run winning: a rerun of the same date replaces what the
earlier run wrote (latest run wins), a partial run (some sellers) overrides only its own
sellers. A run of a ``scope`` (a marketplace, ``*`` for everything) drops the date's
earlier files of the same scope from the manifest, and a date's many partial runs are
merged into one file; a crash before the commit leaves a
file no manifest names, swept away by a later run once it is :data:`SWEEP_AFTER_SECONDS`
old (so a reader that listed the files just before still finds them).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from kenzen.events.location import exclusive_lock
from kenzen.events.readers import configure
from kenzen.events.validation import ident, lit

MANIFEST = "manifest.json"
#: The folder of the event store's directory that holds the tables by date.
HISTORY = "history"
EVERYTHING = "*"
RUN = "run"
#: Files a date may have before a run merges them into one.
MAX_FILES_PER_DAY = 6
#: Files the manifest no longer names are deleted once this old.
SWEEP_AFTER_SECONDS = 600.0


@dataclass
class DatedFile:
    path: str
    run: int
    scope: str | None
    """What the run covered: a marketplace, ``*`` for everything, None for some keys."""
    rows: int


@dataclass
class DatedManifest:
    run: int = 0
    days: dict[str, list[DatedFile]] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path) -> DatedManifest:
        path = directory / MANIFEST
        if not path.exists():
            return cls()
        return cls.load_bytes(path.read_bytes())

    @classmethod
    def load_bytes(cls, committed: bytes) -> DatedManifest:
        data = json.loads(committed.decode("utf-8"))
        return cls(
            run=int(data["run"]),
            days={d: [DatedFile(**f) for f in files] for d, files in data["days"].items()},
        )

    def save(self, directory: Path) -> None:
        temporary = directory / f".{MANIFEST}.{uuid.uuid4().hex}"
        temporary.write_text(json.dumps(asdict(self), indent=1), "utf-8")
        os.replace(temporary, directory / MANIFEST)

    def named_files(self) -> list[str]:
        return [f.path for files in self.days.values() for f in files]


@dataclass(frozen=True)
class Committed:
    """A table's committed state as one reader found it."""

    version: str
    """A digest of the manifest: every commit changes it, in every process at once (a
    manifest is replaced, never edited), so it keys what a reader caches of the table."""
    manifest: DatedManifest

    @classmethod
    def of(cls, directory: Path) -> Committed:
        try:
            committed = (directory / MANIFEST).read_bytes()
        except FileNotFoundError:
            return cls("", DatedManifest())
        digest = hashlib.blake2b(committed, digest_size=16).hexdigest()
        return cls(digest, DatedManifest.load_bytes(committed))


class DatedTable:
    """One table of rows by date (``day_column``), unique by ``key`` within a date."""

    def __init__(
        self, directory: Path, schema: pa.Schema, *, day_column: str, key: Sequence[str]
    ) -> None:
        self.directory = directory
        self.schema = schema
        self.day_column = day_column
        self.key = tuple(key)

    def manifest(self) -> DatedManifest:
        return DatedManifest.load(self.directory)

    def committed(self) -> Committed:
        """The committed state, to read from and to key a cache by."""
        return Committed.of(self.directory)

    def days(self) -> list[date]:
        """The dates that hold rows, oldest first."""
        return sorted(date.fromisoformat(d) for d in self.manifest().days)

    def write(self, day: date, rows: pa.Table, *, scope: str | None) -> int:
        """Commit ``rows`` (all of date ``day``) as one run of ``scope``; returns the run.

        The run replaces the date's earlier files of the same scope (all of them for
        ``*``); a run of no scope (some keys) replaces none, its rows win by key."""
        table = rows.select(self.schema.names).cast(self.schema)
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._lock():
            manifest = self.manifest()
            run = manifest.run + 1
            name = f"{day.isoformat()}-r{run:06d}-{uuid.uuid4().hex[:8]}.parquet"
            with _connection() as con:
                con.register("written", table)
                _write_parquet(con, "SELECT * FROM written", run, self.directory / name)
            kept = [
                f
                for f in manifest.days.get(day.isoformat(), [])
                if scope != EVERYTHING and (scope is None or f.scope != scope)
            ]
            files = [*kept, DatedFile(name, run, scope, table.num_rows)]
            if len(files) > MAX_FILES_PER_DAY:
                files = [self._merged(day, files, run)]
            manifest.days[day.isoformat()] = files
            manifest.run = run
            manifest.save(self.directory)
            self._sweep(manifest)
        return run

    def read(
        self, start: date, end: date, where: str = "TRUE", *, state: Committed | None = None
    ) -> pa.Table:
        """The rows of the dates ``start``..``end`` (inclusive) matching the DuckDB
        condition ``where``, the latest run's row of each key and date, by date; of the
        committed ``state`` when given (else the current one)."""
        files = self._files(start, end, (state or self.committed()).manifest)
        if not files:
            return self.schema.empty_table()
        with _connection() as con:
            return con.sql(self._resolved(files, where)).to_arrow_table().cast(self.schema)

    def latest_day(self, on_or_before: date, where: str = "TRUE") -> date | None:
        """The latest date on or before ``on_or_before`` with a row matching ``where``."""
        files = self._files(date.min, on_or_before, self.manifest())
        if not files:
            return None
        paths = ", ".join(lit(str(self.directory / f)) for f in files)
        with _connection() as con:
            found = con.execute(
                f"SELECT max({ident(self.day_column)}) FROM read_parquet([{paths}]) WHERE {where}"
            ).fetchall()[0][0]
        return found if isinstance(found, date) else None

    def _files(self, start: date, end: date, manifest: DatedManifest) -> list[str]:
        return [
            f.path
            for day, entries in manifest.days.items()
            if start <= date.fromisoformat(day) <= end
            for f in entries
        ]

    def _resolved(self, files: list[str], where: str) -> str:
        paths = ", ".join(lit(str(self.directory / f)) for f in files)
        partition = ", ".join(ident(c) for c in (self.day_column, *self.key))
        columns = ", ".join(ident(c) for c in self.schema.names)
        return (
            f"SELECT {columns} FROM read_parquet([{paths}]) WHERE {where} "
            f"QUALIFY row_number() OVER (PARTITION BY {partition} ORDER BY {RUN} DESC) = 1 "
            f"ORDER BY {partition}"
        )

    def _merged(self, day: date, files: list[DatedFile], run: int) -> DatedFile:
        """The date's resolved rows as one file (a date written by many partial runs)."""
        name = f"{day.isoformat()}-r{run:06d}-merged-{uuid.uuid4().hex[:8]}.parquet"
        with _connection() as con:
            resolved = self._resolved([f.path for f in files], "TRUE")
            rows = _write_parquet(con, resolved, run, self.directory / name)
        return DatedFile(name, run, "merged", rows)

    def _sweep(self, manifest: DatedManifest) -> None:
        named = set(manifest.named_files())
        cutoff = time.time() - SWEEP_AFTER_SECONDS
        for path in self.directory.glob("*.parquet"):
            if path.name not in named and path.stat().st_ctime < cutoff:
                path.unlink(missing_ok=True)

    def _lock(self) -> AbstractContextManager[None]:
        """One writer per table across processes."""
        return exclusive_lock(self.directory / ".lock")


def _write_parquet(con: duckdb.DuckDBPyConnection, query: str, run: int, path: Path) -> int:
    """The rows of ``query`` stamped with ``run``, written by DuckDB straight into a Parquet
    file (no Python rows; pyarrow's writer would import pandas); returns how many."""
    written = con.execute(
        f"COPY (SELECT *, CAST({run} AS BIGINT) AS {RUN} FROM ({query})) "
        f"TO {lit(str(path))} (FORMAT parquet)"
    ).fetchall()
    return int(written[0][0])


@contextmanager
def _connection() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(config={"threads": 2, "memory_limit": "512MB"})
    try:
        configure(con)
        yield con
    finally:
        con.close()
