"""The columnar event store: Parquet segments that DuckDB and Spark both read in place.

Orders and defects live as Parquet files under one directory (layout and reading rules in
:mod:`kenzen.events.segments`). An import validates the file in place (including the
rules that need the store: a defect's order must already be stored, an order may not move
to another seller) and then adds one segment. A later ``updated_at`` replaces a stored
row, an equal or older one is ignored, so importing the same file twice changes nothing.

Two paths lead to the segment. A file whose rows are all valid and all new (the usual
bulk load) becomes a segment as it is: a Parquet file with the store's own schema is
copied byte for byte, any other file is written once in that schema. Otherwise the valid
rows are staged, versions are resolved against the store, and only the rows that win
are written, with the stored versions they replace listed as superseded.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kenzen.events.formats import EventFormat, EventFormatError, event_format
from kenzen.events.readers import (
    SOURCE,
    FileFormat,
    ValidatedBatch,
    configure,
    detect_format,
    register_known_sellers,
    register_source,
)
from kenzen.events.segments import (
    LEGACY_DATABASE,
    MANIFEST,
    STORED_KINDS,
    Manifest,
    Segment,
    StoredKind,
    empty_trash,
    live_relation,
    new_file,
    relative,
    to_trash,
)
from kenzen.events.validation import (
    Check,
    Lookup,
    Validation,
    build_plan,
    collect_errors,
    ident,
    lit,
    passed,
    source_types,
    v,
)

__all__ = ["STORED_KINDS", "EventStore", "ImportOutcome", "ImportResult", "StoredKind"]

STORED = "__stored_updated_at"
OWNER = "__owner_seller_id"
#: Rows per Parquet row group in the segments Kenzen writes: the unit both engines skip
#: by min/max statistics and Spark splits work by.
ROW_GROUP_ROWS = 1_000_000


@dataclass(frozen=True)
class ImportResult:
    """What an import changed. inserted + updated + unchanged = valid rows read."""

    inserted: int
    updated: int
    unchanged: int
    touched_seller_ids: frozenset[str]


@dataclass(frozen=True)
class ImportOutcome:
    """The validation of a file and, unless it was rejected as a whole, what changed."""

    validation: Validation
    result: ImportResult | None

    @property
    def imported(self) -> bool:
        return self.result is not None


class EventStore:
    """Orders and defects as Parquet segments under ``directory``; one writer at a time.

    ``directory`` may be a path or a ``file://`` URI. ``threads`` and ``memory_limit``
    bound DuckDB; larger work spills to ``<directory>/tmp``. Each query reads the state
    the manifest held when it started, also when another process imported since.
    """

    def __init__(
        self, directory: Path | str, *, threads: int = 2, memory_limit: str = "1GB"
    ) -> None:
        self.directory = store_path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(
            config={
                "threads": threads,
                "memory_limit": memory_limit,
                "temp_directory": str(self.directory / "tmp"),
                "preserve_insertion_order": False,
            },
        )
        configure(self.con)
        self.manifest = Manifest()
        self._seen: tuple[int, int] | None = None
        self._refresh()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def track_progress(self) -> Callable[[], float]:
        """How far the statement running now is (0–100; negative between statements), to
        be asked from another thread by a progress display; DuckDB itself prints nothing."""
        self.con.execute("SET enable_progress_bar = true")
        self.con.execute("SET enable_progress_bar_print = false")
        self.con.execute("SET progress_bar_time = 0")
        return self.con.query_progress

    def close(self) -> None:
        self.con.close()

    def count(self, kind: StoredKind) -> int:
        self._refresh()
        return self.manifest.live[_stored(kind)]

    def last_batch(self) -> int:
        """The number of the latest import that changed anything (0 for none)."""
        self._refresh()
        return self.manifest.batch

    def sellers_changed_after(self, batch: int) -> set[str]:
        """Sellers whose orders or defects changed in an import after ``batch``."""
        self._refresh()
        files = [self.directory / f for b, f in self.manifest.ingest.items() if b > batch]
        if not files:
            return set()
        paths = ", ".join(lit(str(f)) for f in files)
        rows = self.con.execute(
            f"SELECT DISTINCT seller_id FROM read_parquet([{paths}])"
        ).fetchall()
        return {str(row[0]) for row in rows}

    def segment_paths(self, kind: StoredKind) -> tuple[list[Path], list[Path]]:
        """The files another engine reads: the segments and the superseded lists."""
        self._refresh()
        return (
            [self.directory / f for f in self.manifest.files(kind)],
            [self.directory / f for f in self.manifest.superseded[kind]],
        )

    def query(self, sql: str) -> pa.Table:
        """Run a read-only query (the metrics engine's) and return its rows."""
        self._refresh()
        return self.con.sql(sql).to_arrow_table()

    def import_file(
        self,
        kind: StoredKind,
        path: Path,
        *,
        known_sellers: Mapping[str, str],
        skip_invalid: bool = False,
        file_format: FileFormat | None = None,
    ) -> ImportOutcome:
        """Validate and store a file; with any invalid row and not ``skip_invalid``, nothing."""
        fmt = event_format(_stored(kind))
        with self._writing():
            rows = register_source(self.con, kind, path, file_format)
            try:
                as_is = (file_format or detect_format(path)) == "parquet" and _canonical(fmt, path)
                return self._import(fmt, rows, known_sellers, skip_invalid, path if as_is else None)
            finally:
                self._drop_source()

    def upsert(
        self,
        batch: ValidatedBatch,
        *,
        known_sellers: Mapping[str, str] | None = None,
        skip_invalid: bool = False,
    ) -> ImportOutcome:
        """Store an already read batch (the store's own rules are checked again here)."""
        fmt = event_format(_stored(batch.kind))
        with self._writing():
            self.con.register(SOURCE, batch.table.append_column("__line", batch.line_numbers))
            try:
                return self._import(fmt, batch.table.num_rows, known_sellers, skip_invalid, None)
            finally:
                self._drop_source()

    def compact(self) -> dict[str, int]:
        """Rewrite each kind's live rows into segments without superseded versions:
        orders one file per purchase month, sorted by purchase time, so a window scan
        skips the months and row groups outside it. Returns the live rows per kind."""
        with self._writing():
            empty_trash(self.directory)
            replaced: list[str] = []
            written: list[Path] = []
            try:
                for kind in STORED_KINDS:
                    segments = self._compacted(kind, written)
                    replaced += self.manifest.files(kind) + self.manifest.superseded[kind]
                    self.manifest.segments[kind] = segments
                    self.manifest.superseded[kind] = []
                    self.manifest.live[kind] = sum(s.rows for s in segments)
                self.manifest.save(self.directory)
            except BaseException:
                for path in written:
                    path.unlink(missing_ok=True)
                self._seen = None
                raise
            to_trash(self.directory, replaced)
            self._refresh()
            return {kind: self.manifest.live[kind] for kind in STORED_KINDS}

    def _compacted(self, kind: StoredKind, written: list[Path]) -> list[Segment]:
        fmt = event_format(kind)
        columns = ", ".join(ident(c) for c in fmt.column_names)
        batch = self.manifest.batch
        if kind == "orders":
            months = [
                str(row[0])
                for row in self.con.execute(
                    "SELECT DISTINCT strftime(purchased_at, '%Y-%m') FROM orders ORDER BY 1"
                ).fetchall()
            ]
            parts = [
                (
                    f"compact-{month}",
                    f"SELECT {columns} FROM orders WHERE strftime(purchased_at, '%Y-%m') = "
                    f"{lit(month)} ORDER BY purchased_at",
                )
                for month in months
            ]
        else:
            parts = [("compact", f"SELECT {columns} FROM defects ORDER BY order_id")]
        segments = []
        for stem, sql in parts:
            target = new_file(self.directory, kind, stem)
            written.append(target)
            rows = self._copy(sql, target)
            segments.append(Segment(relative(self.directory, target), rows, batch))
        return segments

    def _copy(self, sql: str, target: Path) -> int:
        """Write a query's rows as one Parquet segment; the number of rows."""
        return self._scalar(
            f"COPY ({sql}) TO {lit(str(target))} (FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
        )

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer per store across processes: an exclusive lock on ``.lock``, and the
        latest committed manifest under it."""
        with (self.directory / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                self._seen = None
                self._refresh()
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _refresh(self) -> None:
        """Point views ``orders`` and ``defects`` at the manifest's files if it changed."""
        manifest = self.directory / MANIFEST
        try:
            stat = manifest.stat()
            seen: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_ino)
        except FileNotFoundError:
            seen = (0, 0)
        if seen == self._seen:
            return
        self.manifest = Manifest.load(self.directory)
        for kind in STORED_KINDS:
            self.con.execute(
                f"CREATE OR REPLACE TEMP VIEW {kind} AS "
                f"{live_relation(self.directory, self.manifest, kind)}"
            )
        self._seen = seen

    def _drop_source(self) -> None:
        kinds = self.con.execute(
            f"SELECT table_type FROM information_schema.tables WHERE table_name = '{SOURCE}'"
        ).fetchall()
        for (table_type,) in kinds:
            self.con.execute(
                f"DROP {'TABLE' if table_type == 'LOCAL TEMPORARY' else 'VIEW'} IF EXISTS {SOURCE}"
            )
        self.con.unregister(SOURCE)

    def _stored_lookup(self, fmt: EventFormat) -> Lookup:
        """The stored versions of the incoming rows, and the rules that need them."""
        if fmt.kind == "orders":
            return Lookup(
                sql=f"LEFT JOIN orders AS s ON s.order_id = p.{v('order_id')}",
                columns=(
                    f"s.updated_at AS {STORED}",
                    f"s.seller_id AS {OWNER}",
                    "s.marketplace_id AS __owner_marketplace_id",
                ),
                checks=(
                    Check(
                        "order_id",
                        f"{OWNER} <> {v('seller_id')} OR __owner_marketplace_id <> "
                        f"{v('marketplace_id')}",
                        f"'order already stored for seller ' || {OWNER} || "
                        "' in marketplace ' || __owner_marketplace_id",
                    ),
                ),
            )
        return Lookup(
            sql=f"LEFT JOIN orders AS o ON o.order_id = p.{v('order_id')} "
            f"LEFT JOIN defects AS s ON s.defect_id = p.{v('defect_id')}",
            columns=(f"s.updated_at AS {STORED}", f"o.seller_id AS {OWNER}"),
            checks=(
                Check(
                    "order_id",
                    f"{v('order_id')} IS NOT NULL AND {OWNER} IS NULL",
                    f"'unknown order ' || left({v('order_id')}, 40) || ' (import orders first)'",
                ),
            ),
        )

    def _import(
        self,
        fmt: EventFormat,
        rows: int,
        known_sellers: Mapping[str, str] | None,
        skip_invalid: bool,
        as_is: Path | None,
    ) -> ImportOutcome:
        types = source_types(self.con, SOURCE)
        written: list[Path] = []
        try:
            outcome = self._append(fmt, types, rows, known_sellers, as_is, written)
            if outcome is None:
                outcome = self._merge(fmt, types, rows, known_sellers, skip_invalid, written)
            return outcome
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            self._seen = None
            raise
        finally:
            self.con.execute("DROP VIEW IF EXISTS __parsed")
            self.con.execute("DROP TABLE IF EXISTS __incoming")

    def _append(
        self,
        fmt: EventFormat,
        types: Mapping[str, str],
        rows: int,
        known_sellers: Mapping[str, str] | None,
        as_is: Path | None,
        written: list[Path],
    ) -> ImportOutcome | None:
        """A file of valid, new rows becomes a segment; None if it needs :meth:`_merge`
        (an invalid row, a row already stored, an unknown seller, a key twice in the file).

        One scan counts per seller what is wrong and what is stored already; the sellers
        are checked on their few distinct (seller, marketplace) pairs rather than by a
        join per row; duplicate keys by sorting 64-bit key hashes with NumPy (a hash
        collision only sends the file to the exact general path).
        """
        kind = _stored(fmt.kind)
        plain = build_plan(fmt, SOURCE, types)
        lookups = [self._stored_lookup(fmt)] if kind == "defects" or self.count(kind) else []
        plan = build_plan(fmt, SOURCE, types, lookups)
        stored = f"count({STORED})" if lookups else "0"
        owner = f"{v('seller_id')}, {v('marketplace_id')}" if kind == "orders" else f"{OWNER}, NULL"
        groups = self.con.execute(
            f"SELECT {owner}, count(*) FILTER (WHERE {plan.invalid}), {stored} "
            f"FROM ({plan.parsed}) GROUP BY ALL"
        ).fetchall()
        if any(bad or existing for _, _, bad, existing in groups):
            return None
        if kind == "orders" and known_sellers is not None:
            unknown = (known_sellers.get(seller) != market for seller, market, _, _ in groups)
            if any(unknown):
                return None
        hashes = self.con.sql(f"SELECT hash({v(fmt.key)}) AS h FROM ({plain.parsed})")
        values = np.sort(hashes.to_arrow_table()["h"].to_numpy())
        if bool((values[1:] == values[:-1]).any()):
            return None
        batch = self.manifest.batch + 1
        target = new_file(self.directory, kind, f"seg-{batch:06d}")
        written.append(target)
        if as_is is not None:
            shutil.copyfile(as_is, target)
        else:
            self._copy(f"SELECT {plain.typed_columns()} FROM ({plain.parsed})", target)
        sellers = sorted({str(seller) for seller, _, _, _ in groups})
        self._commit(fmt, batch, target, rows, None, sellers, rows, written)
        return ImportOutcome(passed(rows), ImportResult(rows, 0, 0, frozenset(sellers)))

    def _merge(
        self,
        fmt: EventFormat,
        types: Mapping[str, str],
        rows: int,
        known_sellers: Mapping[str, str] | None,
        skip_invalid: bool,
        written: list[Path],
    ) -> ImportOutcome:
        lookups = [self._stored_lookup(fmt)]
        if known_sellers is not None and fmt.kind == "orders":
            lookups.insert(0, register_known_sellers(self.con, known_sellers))
        plan = build_plan(fmt, SOURCE, types, lookups)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW __parsed AS {plan.parsed}")
        kind, key = fmt.kind, ident(fmt.key)
        names = ", ".join(ident(c) for c in fmt.column_names)
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE __incoming AS SELECT __line, {STORED}, {OWNER}, "
            f"{plan.typed_columns()} FROM __parsed WHERE NOT ({plan.invalid})"
        )
        valid = self._scalar("SELECT count(*) FROM __incoming")
        validation = (
            passed(rows) if valid == rows else collect_errors(self.con, plan, "__parsed", rows)
        )
        if not validation.ok and not skip_invalid:
            return ImportOutcome(validation, None)
        if self._scalar(f"SELECT count(DISTINCT {key}) FROM __incoming") < valid:
            # Several versions of one row in the file: the latest wins, the first of equals.
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE __incoming AS SELECT * FROM __incoming "
                f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY updated_at DESC, "
                "__line) = 1"
            )
        changed = f"({STORED} IS NULL OR updated_at > {STORED})"
        inserted = self._scalar(f"SELECT count(*) FROM __incoming WHERE {STORED} IS NULL")
        updated = self._scalar(f"SELECT count(*) FROM __incoming WHERE updated_at > {STORED}")
        if not inserted and not updated:
            return ImportOutcome(validation, ImportResult(0, 0, valid, frozenset()))
        batch = self.manifest.batch + 1
        target = new_file(self.directory, kind, f"seg-{batch:06d}")
        written.append(target)
        self._copy(f"SELECT {names} FROM __incoming WHERE {changed}", target)
        superseded = None
        if updated:
            superseded = new_file(self.directory, "superseded", f"{kind}-{batch:06d}")
            written.append(superseded)
            self._copy(
                f"SELECT {key}, {STORED} AS updated_at FROM __incoming WHERE updated_at > {STORED}",
                superseded,
            )
        owner = OWNER if kind == "defects" else "seller_id"
        sellers = sorted(
            str(row[0])
            for row in self.con.execute(
                f"SELECT DISTINCT {owner} FROM __incoming WHERE {changed}"
            ).fetchall()
        )
        self._commit(fmt, batch, target, inserted + updated, superseded, sellers, inserted, written)
        result = ImportResult(
            inserted=inserted,
            updated=updated,
            unchanged=valid - inserted - updated,
            touched_seller_ids=frozenset(sellers),
        )
        return ImportOutcome(validation, result)

    def _commit(
        self,
        fmt: EventFormat,
        batch: int,
        segment: Path,
        rows: int,
        superseded: Path | None,
        sellers: list[str],
        inserted: int,
        written: list[Path],
    ) -> None:
        """Log the touched sellers, then name the new files in a new manifest."""
        log = new_file(self.directory, "ingest", f"batch-{batch:06d}")
        written.append(log)
        pq.write_table(pa.table({"seller_id": pa.array(sellers, pa.string())}), log)
        kind = _stored(fmt.kind)
        manifest = self.manifest
        manifest.segments[kind].append(Segment(relative(self.directory, segment), rows, batch))
        if superseded is not None:
            manifest.superseded[kind].append(relative(self.directory, superseded))
        manifest.ingest[batch] = relative(self.directory, log)
        manifest.batch = batch
        manifest.live[kind] += inserted
        manifest.save(self.directory)
        self._seen = None
        self._refresh()

    def _scalar(self, sql: str) -> int:
        return int(self.con.execute(sql).fetchall()[0][0])


def store_path(location: Path | str) -> Path:
    """A store's directory from a path or a ``file://`` URI."""
    text = str(location)
    if "://" not in text:
        return Path(text)
    scheme, _, rest = text.partition("://")
    if scheme != "file":
        raise EventFormatError(
            f"{text}: Kenzen writes the event store to a local path or file:// URI; "
            "Spark reads it from anywhere its own readers reach (docs/scale-out.md)"
        )
    return Path(rest)


def _canonical(fmt: EventFormat, path: Path) -> bool:
    """Whether a Parquet file has exactly the store's columns and types (timestamps in
    microseconds, adjusted to UTC), so that it can be kept as it is."""
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowInvalid, OSError):
        return False
    if schema.names != list(fmt.column_names):
        return False
    for column, field in zip(fmt.columns, schema, strict=True):
        if column.sql_type == "TIMESTAMPTZ":
            kept = pa.types.is_timestamp(field.type) and field.type.unit == "us"
            if not kept or field.type.tz is None:
                return False
        elif field.type != {"VARCHAR": pa.string(), "INTEGER": pa.int32()}[column.sql_type]:
            return False
    return True


def _stored(kind: str) -> StoredKind:
    if kind not in STORED_KINDS:
        raise EventFormatError(f"the event store holds {' and '.join(STORED_KINDS)}, not {kind}")
    return kind


def migrate_legacy(location: Path | str) -> dict[str, int] | None:
    """Convert a store made before segments (one DuckDB file) into segments, once.

    The rows and the ingest log (so incremental metric runs carry on) are written as
    Parquet, the manifest last; the old file is then renamed ``events.duckdb.migrated``
    and can be deleted. Returns the rows per kind, or None when there was nothing to do.
    """
    directory = store_path(location)
    legacy = directory / LEGACY_DATABASE
    if not legacy.exists():
        return None
    if (directory / MANIFEST).exists():
        raise EventFormatError(f"{directory}: holds both {LEGACY_DATABASE} and a manifest")
    manifest = Manifest()
    con = duckdb.connect(str(legacy), read_only=True)
    try:
        configure(con)
        for kind in STORED_KINDS:
            columns = ", ".join(ident(c) for c in event_format(kind).column_names)
            target = new_file(directory, kind, "seg-000000")
            rows = int(
                con.execute(
                    f"COPY (SELECT {columns} FROM {kind}) TO {lit(str(target))} "
                    f"(FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
                ).fetchall()[0][0]
            )
            manifest.segments[kind].append(Segment(relative(directory, target), rows, 0))
            manifest.live[kind] = rows
        batches = [
            int(b)
            for (b,) in con.execute(
                "SELECT DISTINCT batch FROM ingest_log ORDER BY batch"
            ).fetchall()
        ]
        for batch in batches:
            log = new_file(directory, "ingest", f"batch-{batch:06d}")
            con.execute(
                f"COPY (SELECT DISTINCT seller_id FROM ingest_log WHERE batch = {batch}) "
                f"TO {lit(str(log))} (FORMAT parquet)"
            )
            manifest.ingest[batch] = relative(directory, log)
        manifest.batch = max(batches, default=0)
    finally:
        con.close()
    manifest.save(directory)
    legacy.rename(legacy.with_name(LEGACY_DATABASE + ".migrated"))
    return {kind: manifest.live[kind] for kind in STORED_KINDS}
