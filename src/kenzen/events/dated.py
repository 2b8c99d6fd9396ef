"""Tables by date stored as Parquet beside the events: metric snapshots, daily ratings.

Layout of one table's directory (``<event store>/history/<name>/``; a backup copies each
from its manifest, :mod:`kenzen.backup`)::

    manifest.json                        the committed state; replaced atomically
    2026-11-28-r000042-….parquet         the rows one run wrote for one date

A run writes its rows for one date in two steps: :meth:`DatedTable.stage` takes the next
run number (under an exclusive lock on ``.lock``) and writes a new file that no manifest
names yet; :meth:`DatedTable.publish` names it by renaming a new manifest over the old one,
so a reader (DuckDB here, Spark elsewhere) sees either the old set of files or the new one,
never half a run. Between the two a caller commits what else the run changed: a use case
stages through :mod:`kenzen.events.staging`, which publishes once its database transaction
commits and deletes the files if it rolls back; publishing is idempotent, so a publication
retried after a crash adds nothing twice.
Every file carries the ``run`` number it was staged with, and a date's rows are
resolved by key with the highest run winning: a rerun of the same date replaces what the
earlier run wrote (latest run wins), a partial run (some sellers) overrides only its own
sellers. A run of a ``scope`` (a marketplace, ``*`` for everything) drops the date's
earlier files of the same scope from the manifest, and a date's many partial runs are
merged into one file; a staged file never published (its run failed) is swept away by a
later publication once it is :data:`SWEEP_AFTER_SECONDS` old (so a reader that listed the
files just before still finds them).
"""

from __future__ import annotations

import base64
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
from typing import Any

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

    def published(self, staged: Staged) -> bool:
        """Whether the staged file was published (or a later run of its date was: runs of
        one store are published in the order they were staged)."""
        return any(f.run >= staged.file.run for f in self.days.get(staged.day, []))

    def add(self, staged: Staged) -> list[DatedFile]:
        """Name a staged file; the date's earlier files of its scope (all of them for
        ``*``) are dropped. Returns the date's files."""
        scope = staged.file.scope
        kept = [
            f
            for f in self.days.get(staged.day, [])
            if scope != EVERYTHING and (scope is None or f.scope != scope)
        ]
        files = self.days[staged.day] = [*kept, staged.file]
        return files


@dataclass(frozen=True)
class Staged:
    """A run's file of one date, written but not yet named by the table's manifest."""

    directory: Path
    day: str
    file: DatedFile

    def as_json(self, root: Path) -> dict[str, Any]:
        """What a caller records to publish it later (``directory`` relative to ``root``)."""
        return {"table": str(self.directory.relative_to(root)), "day": self.day} | asdict(self.file)

    @classmethod
    def from_json(cls, root: Path, data: dict[str, Any]) -> Staged:
        fields = dict(data)
        directory, day = root / fields.pop("table"), fields.pop("day")
        return cls(directory, day, DatedFile(**fields))


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

    def with_staged(self, staged: Sequence[Staged]) -> Committed:
        """This state as it will be once ``staged`` is published: what the transaction that
        staged the files reads before it commits."""
        waiting = [s for s in staged if not self.manifest.published(s)]
        if not waiting:
            return self
        manifest = DatedManifest(
            self.manifest.run, {d: list(f) for d, f in self.manifest.days.items()}
        )
        for s in waiting:
            manifest.add(s)
        runs = ",".join(str(s.file.run) for s in waiting)
        return Committed(f"{self.version}+{runs}", manifest)


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

    def description(self) -> dict[str, Any]:
        """What rebuilds this table elsewhere (:meth:`described`): a process that publishes
        what another staged knows the table only from this."""
        schema = base64.b64encode(self.schema.serialize().to_pybytes()).decode("ascii")
        return {"day_column": self.day_column, "key": list(self.key), "schema": schema}

    @classmethod
    def described(cls, directory: Path, description: dict[str, Any]) -> DatedTable:
        """The table at ``directory`` that :meth:`description` described."""
        schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(description["schema"])))
        return cls(directory, schema, day_column=description["day_column"], key=description["key"])

    def committed(self, staged: Sequence[Staged] = ()) -> Committed:
        """The committed state, to read from and to key a cache by; with the files of
        ``staged`` that belong to this table as if published (what the transaction that
        staged them reads)."""
        state = Committed.of(self.directory)
        mine = self.directory.resolve()
        return state.with_staged([s for s in staged if s.directory.resolve() == mine])

    def days(self) -> list[date]:
        """The dates that hold rows, oldest first."""
        return sorted(date.fromisoformat(d) for d in self.manifest().days)

    def write(self, day: date, rows: pa.Table, *, scope: str | None) -> int:
        """Stage and publish ``rows`` (all of date ``day``) as one run of ``scope``; returns
        the run. The run replaces the date's earlier files of the same scope (all of them
        for ``*``); a run of no scope (some keys) replaces none, its rows win by key."""
        staged = self.stage(day, rows, scope=scope)
        self.publish([staged])
        return staged.file.run

    def stage(self, day: date, rows: pa.Table, *, scope: str | None) -> Staged:
        """Write ``rows`` (all of date ``day``) as the file of a new run, not yet visible."""
        table = rows.select(self.schema.names).cast(self.schema)
        with _connection() as con:
            con.register("written", table)
            return self.stage_query(day, con, "SELECT * FROM written", scope=scope)

    def stage_query(
        self, day: date, con: duckdb.DuckDBPyConnection, query: str, *, scope: str | None
    ) -> Staged:
        """:meth:`stage` the rows of a DuckDB ``query`` on ``con``, whose columns carry the
        schema's names and types, straight into the file (no rows through Python), sorted
        by key (readers of one key skip the other row groups)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._lock():
            manifest = self.manifest()
            manifest.run += 1
            manifest.save(self.directory)
        run = manifest.run
        name = f"{day.isoformat()}-r{run:06d}-{uuid.uuid4().hex[:8]}.parquet"
        columns = ", ".join(ident(c) for c in self.schema.names)
        key = ", ".join(ident(c) for c in self.key)
        rows = _write_parquet(
            con, f"SELECT {columns} FROM ({query})", run, self.directory / name, order_by=key
        )
        return Staged(self.directory, day.isoformat(), DatedFile(name, run, scope, rows))

    def publish(self, staged: Sequence[Staged]) -> None:
        """Name the staged files in one new manifest, in the order given; a file published
        before is skipped. :class:`FileNotFoundError` if a staged file is gone (swept: its
        run must be computed again)."""
        with self._lock():
            manifest = self.manifest()
            waiting = [s for s in staged if not manifest.published(s)]
            for s in waiting:
                if not (self.directory / s.file.path).exists():
                    raise FileNotFoundError(self.directory / s.file.path)
                files = manifest.add(s)
                if len(files) > MAX_FILES_PER_DAY:
                    manifest.days[s.day] = [self._merged(s.day, files)]
            if not waiting:
                return
            manifest.save(self.directory)
            self._sweep(manifest)

    def discard(self, staged: Sequence[Staged]) -> None:
        """Delete staged files that will never be published (their run failed)."""
        with self._lock():
            manifest = self.manifest()
            named = set(manifest.named_files())
            for s in staged:
                if s.file.path not in named:
                    (self.directory / s.file.path).unlink(missing_ok=True)

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

    def latest_day(
        self, on_or_before: date, where: str = "TRUE", *, state: Committed | None = None
    ) -> date | None:
        """The latest date on or before ``on_or_before`` with a row matching ``where``; of
        the committed ``state`` when given (else the current one)."""
        files = self._files(date.min, on_or_before, (state or self.committed()).manifest)
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

    def _merged(self, day: str, files: list[DatedFile]) -> DatedFile:
        """The date's resolved rows as one file (a date written by many partial runs),
        stamped with the latest of their runs."""
        run = max(f.run for f in files)
        name = f"{day}-r{run:06d}-merged-{uuid.uuid4().hex[:8]}.parquet"
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


def _write_parquet(
    con: duckdb.DuckDBPyConnection, query: str, run: int, path: Path, *, order_by: str = ""
) -> int:
    """The rows of ``query`` stamped with ``run`` (sorted by ``order_by`` when given),
    written by DuckDB straight into a Parquet file (no Python rows; pyarrow's writer would
    import pandas); returns how many."""
    order = f" ORDER BY {order_by}" if order_by else ""
    written = con.execute(
        f"COPY (SELECT *, CAST({run} AS BIGINT) AS {RUN} FROM ({query}){order}) "
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
