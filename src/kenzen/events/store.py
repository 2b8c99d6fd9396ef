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

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Self

import duckdb
import pyarrow as pa

from kenzen.errors import Conflict
from kenzen.events.formats import EventFormat, EventFormatError, event_format
from kenzen.events.location import LocalDirectory, StoreLocation, store_location
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
    CONVERTING_DATABASE,
    LEGACY_DATABASE,
    MANIFEST,
    STORED_KINDS,
    Manifest,
    Segment,
    StoredKind,
    live_relation,
    read_committed,
    refuse_legacy,
    unnamed,
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
from kenzen.i18n import N_
from kenzen.locations import Locations

__all__ = [
    "STORED_KINDS",
    "EngineFiles",
    "EventStore",
    "ImportOutcome",
    "ImportResult",
    "StoredKind",
]

STORED = "__stored_updated_at"
OWNER = "__owner_seller_id"
#: Rows per Parquet row group in the segments Kenzen writes: the unit both engines skip
#: by min/max statistics and Spark splits work by.
ROW_GROUP_ROWS = 1_000_000
#: The manifest version of a store object that has not read it yet.
UNREAD = "unread"
#: How old (by the store's clock) a file no manifest names must be before it is swept: far
#: longer than any writer takes from writing its first file to committing (a compaction of
#: a billion orders included), so that a writer at work keeps every file.
SWEEP_UNNAMED_AFTER = timedelta(hours=24)


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


@dataclass(frozen=True)
class EngineFiles:
    """The store as one manifest held it, named for an engine outside this process:
    each kind's segments and superseded lists as URIs (``file://`` or ``s3a://``), and
    the latest import batch they include."""

    batch: int
    segments: Mapping[StoredKind, list[str]]
    superseded: Mapping[StoredKind, list[str]]


class EventStore:
    """Orders and defects as Parquet segments and their manifest; one writer at a time.

    ``directory`` (a path or a ``file://`` URI) is the installation's local event
    directory: the columnar history lives there (``history/``), and so do the segments
    unless ``segments`` names another place — a path, a ``file://`` URI or an
    ``s3://bucket/prefix`` (``KENZEN_EVENT_STORE``). ``threads`` and ``memory_limit``
    bound DuckDB; larger work spills to a local directory. Each query reads the state the
    manifest held when it started, also when another process imported since.
    """

    def __init__(
        self,
        directory: Path | str,
        *,
        segments: str | None = None,
        threads: int = 2,
        memory_limit: str = "1GB",
    ) -> None:
        self.directory = store_path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.location: StoreLocation = (
            store_location(segments) if segments else LocalDirectory(self.directory)
        )
        self.con = duckdb.connect(
            config={
                "threads": threads,
                "memory_limit": memory_limit,
                "temp_directory": str(self.location.spill_directory),
                "preserve_insertion_order": False,
            },
        )
        configure(self.con)
        self.location.attach(self.con)
        self.manifest = Manifest()
        self._seen: str | None = UNREAD
        self._refresh()

    @classmethod
    def of(cls, locations: Locations) -> EventStore:
        """The installation's event store (``KENZEN_HOME``, ``KENZEN_EVENT_STORE``)."""
        return cls(locations.events_dir, segments=locations.event_store)

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
        files = [f for b, f in self.manifest.ingest.items() if b > batch]
        if not files:
            return set()
        paths = ", ".join(lit(self.location.path(f)) for f in files)
        rows = self.con.execute(
            f"SELECT DISTINCT seller_id FROM read_parquet([{paths}])"
        ).fetchall()
        return {str(row[0]) for row in rows}

    def segment_paths(self, kind: StoredKind) -> tuple[list[str], list[str]]:
        """The segments and the superseded lists, as DuckDB names them."""
        self._refresh()
        return (
            [self.location.path(f) for f in self.manifest.files(kind)],
            [self.location.path(f) for f in self.manifest.superseded[kind]],
        )

    def engine_files(self) -> EngineFiles:
        """Every kind's files as another engine (Spark) reads them, and the batch they
        hold, from one reading of the manifest."""
        self._refresh()
        uri, manifest = self.location.engine_uri, self.manifest
        return EngineFiles(
            batch=manifest.batch,
            segments={kind: [uri(f) for f in manifest.files(kind)] for kind in STORED_KINDS},
            superseded={kind: [uri(f) for f in manifest.superseded[kind]] for kind in STORED_KINDS},
        )

    def query(self, sql: str) -> pa.Table:
        """Run a read-only query (the metrics engine's) and return its rows."""
        self._refresh()
        return self.con.sql(sql).to_arrow_table()

    def keep(self, name: str, source: str | pa.Table) -> None:
        """A read-only query's rows (the metrics engine's), or rows computed elsewhere, as
        the temporary table ``name`` of this store's connection (replacing one of that
        name): later statements on :attr:`con` read it without a round trip through Python."""
        self._refresh()
        if isinstance(source, str):
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS {source}")
            return
        self.con.register("__kept", source)
        try:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS FROM __kept")
        finally:
            self.con.unregister("__kept")

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
            self.location.sweep()
            replaced: list[str] = []
            written: list[str] = []
            try:
                for kind in STORED_KINDS:
                    segments = self._compacted(kind, written)
                    replaced += self.manifest.files(kind) + self.manifest.superseded[kind]
                    self.manifest.segments[kind] = segments
                    self.manifest.superseded[kind] = []
                    self.manifest.live[kind] = sum(s.rows for s in segments)
                self._save_manifest()
            except BaseException:
                self._forget(written)
                raise
            self.location.retire(replaced)
            self._refresh()
            return {kind: self.manifest.live[kind] for kind in STORED_KINDS}

    def sweep_unnamed(self, grace: timedelta = SWEEP_UNNAMED_AFTER) -> list[str]:
        """Delete what writers killed before their commit left: files in the store's folders
        that no committed manifest names, written more than ``grace`` ago by the store's own
        clock. Files a compaction set aside for readers that started before it stay until
        the next compaction. Returns the names deleted.

        The manifest is read before and after the listing, so that a writer committing
        meanwhile has its files named either way; a writer still at work wrote its files
        less than ``grace`` ago. On a local store the writers' lock is held besides.
        """
        with self._writing():
            named = set(self.manifest.named_files())
            now = self.location.clock()
            files = self.location.listing()
            self._seen = UNREAD
            self._refresh()
            named |= set(self.manifest.named_files()) | self.location.set_aside()
            doomed = unnamed(files, named, now, grace)
            for name in doomed:
                self.location.delete(name)
            return doomed

    def _compacted(self, kind: StoredKind, written: list[str]) -> list[Segment]:
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
            target = self.location.new_name(kind, stem)
            written.append(target)
            rows = self._copy(sql, target)
            segments.append(Segment(target, rows, batch))
        return segments

    def _copy(self, sql: str, target: str) -> int:
        """Write a query's rows as one Parquet segment; the number of rows."""
        return self._scalar(
            f"COPY ({sql}) TO {lit(self.location.path(target))} "
            f"(FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
        )

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One writer per store: the location's lock where it has one (a local directory),
        and the latest committed manifest, whose version the commit must still find
        (:meth:`StoreLocation.replace_manifest`)."""
        with self.location.writing():
            self._seen = UNREAD
            self._refresh()
            yield

    def _save_manifest(self) -> None:
        """Commit :attr:`manifest`, replacing the version this writer read."""
        self.location.replace_manifest(self.manifest.to_bytes(), self._seen)
        self._seen = UNREAD

    def _forget(self, written: list[str]) -> None:
        """After a failed write: delete its files, read the committed manifest again."""
        for name in written:
            self.location.delete(name)
        self._seen = UNREAD

    def _refresh(self) -> None:
        """Point views ``orders`` and ``defects`` at the manifest's files if it changed."""
        if self._seen != UNREAD and self.location.version() == self._seen:
            return
        self.manifest, version = read_committed(self.location)
        for kind in STORED_KINDS:
            self.con.execute(
                f"CREATE OR REPLACE TEMP VIEW {kind} AS "
                f"{live_relation(self.location, self.manifest, kind)}"
            )
        self._seen = version

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
        written: list[str] = []
        try:
            outcome = self._append(fmt, types, rows, known_sellers, as_is, written)
            if outcome is None:
                outcome = self._merge(fmt, types, rows, known_sellers, skip_invalid, written)
            return outcome
        except BaseException:
            self._forget(written)
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
        written: list[str],
    ) -> ImportOutcome | None:
        """A file of valid, new rows becomes a segment; None if it needs :meth:`_merge`
        (an invalid row, a row already stored, an unknown seller, a key twice in the file).

        Duplicate keys are found first, by sorting 64-bit key hashes with NumPy (a hash
        collision only sends the file to the exact general path); with every key once, the
        rules across the rows of one key cannot fail, so one scan without a window over the
        file counts per seller the rows that pass and those stored already (not as many
        rows passing as read: a row is invalid, or a lookup matched twice). The sellers are
        checked on their few distinct (seller, marketplace) pairs rather than by a join
        per row.
        """
        kind = _stored(fmt.kind)
        plain = build_plan(fmt, SOURCE, types, keys_unique=True)
        hashes = self.con.sql(f"SELECT hash({v(fmt.key)}) AS h FROM ({plain.parsed})")
        values = hashes.fetchnumpy()["h"]
        values.sort()  # in place: 8 bytes a row, once
        if bool((values[1:] == values[:-1]).any()):
            return None
        lookups = [self._stored_lookup(fmt)] if kind == "defects" or self.count(kind) else []
        plan = build_plan(fmt, SOURCE, types, lookups, keys_unique=True)
        stored = f"count({STORED})" if lookups else "0"
        owner = f"{v('seller_id')}, {v('marketplace_id')}" if kind == "orders" else f"{OWNER}, NULL"
        groups = self.con.execute(
            f"SELECT {owner}, count(*), {stored} "
            f"FROM ({plan.parsed}) WHERE NOT {plan.invalid} GROUP BY ALL"
        ).fetchall()
        if sum(good for _, _, good, _ in groups) != rows or any(old for *_, old in groups):
            return None
        if kind == "orders" and known_sellers is not None:
            unknown = (known_sellers.get(seller) != market for seller, market, _, _ in groups)
            if any(unknown):
                return None
        batch = self.manifest.batch + 1
        target = self.location.new_name(kind, f"seg-{batch:06d}")
        written.append(target)
        if as_is is not None:
            self.location.put_file(as_is, target)
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
        written: list[str],
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
        target = self.location.new_name(kind, f"seg-{batch:06d}")
        written.append(target)
        self._copy(f"SELECT {names} FROM __incoming WHERE {changed}", target)
        superseded = None
        if updated:
            superseded = self.location.new_name("superseded", f"{kind}-{batch:06d}")
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
        segment: str,
        rows: int,
        superseded: str | None,
        sellers: list[str],
        inserted: int,
        written: list[str],
    ) -> None:
        """Log the touched sellers, then name the new files in a new manifest."""
        log = self.location.new_name("ingest", f"batch-{batch:06d}")
        written.append(log)
        self.location.put_bytes(log, _parquet({"seller_id": pa.array(sellers, pa.string())}))
        kind = _stored(fmt.kind)
        manifest = self.manifest
        manifest.segments[kind].append(Segment(segment, rows, batch))
        if superseded is not None:
            manifest.superseded[kind].append(superseded)
        manifest.ingest[batch] = log
        manifest.batch = batch
        manifest.live[kind] += inserted
        self._save_manifest()
        self._refresh()

    def _scalar(self, sql: str) -> int:
        return int(self.con.execute(sql).fetchall()[0][0])


def store_path(location: Path | str) -> Path:
    """A local event directory from a path or a ``file://`` URI."""
    text = str(location)
    if "://" not in text:
        return Path(text)
    scheme, _, rest = text.partition("://")
    if scheme != "file":
        raise EventFormatError(N_("error.events.local_event_directory_path_file_uri"), text=text)
    return Path(rest)


def local_store(locations: Locations) -> Path:
    """The directory whose store ``kenzen events migrate`` converts: the installation's
    segments where ``KENZEN_EVENT_STORE`` puts them when local, else ``KENZEN_HOME/events``
    (a store of the old format was always local)."""
    if locations.event_store:
        configured = store_location(locations.event_store)
        if isinstance(configured, LocalDirectory):
            return configured.directory
    return locations.events_dir


def _parquet(columns: Mapping[str, pa.Array]) -> bytes:
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pa.table(dict(columns)), sink)
    return bytes(sink.getvalue().to_pybytes())


def _canonical(fmt: EventFormat, path: Path) -> bool:
    """Whether a Parquet file has exactly the store's columns and types (timestamps in
    microseconds, adjusted to UTC), so that it can be kept as it is."""
    import pyarrow.parquet as pq

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
        raise EventFormatError(
            N_("error.events.kind_not_stored"), stored=" and ".join(STORED_KINDS), kind=kind
        )
    return kind


def migrate_legacy(location: Path | str) -> dict[str, int] | None:
    """Convert a store made before segments (one DuckDB file) into segments, once.

    The old file is first renamed ``events.duckdb.converting`` (a store holding it and no
    manifest is refused, as the old file is); its rows and ingest log (so incremental
    metric runs carry on) are written as Parquet, the manifest last, which commits; the
    file is then renamed ``events.duckdb.migrated`` and can be deleted. Stopped anywhere, it
    is run again: before the manifest it converts again (the files of the stopped run are
    named by no manifest, and ``kenzen events compact`` sweeps them), after it only the
    rename is left. Returns the rows per kind, or None when there was nothing to do.
    """
    directory = store_path(location)
    legacy, converting = directory / LEGACY_DATABASE, directory / CONVERTING_DATABASE
    if legacy.exists():
        if (directory / MANIFEST).exists():
            raise EventFormatError(
                N_("error.events.holds_both_manifest"),
                directory=str(directory),
                legacy=LEGACY_DATABASE,
            )
        legacy.rename(converting)
    elif not converting.exists():
        return None
    if (directory / MANIFEST).exists():
        manifest, _ = read_committed(LocalDirectory(directory))
    else:
        manifest = _convert(converting, LocalDirectory(directory))
    converting.rename(directory / (LEGACY_DATABASE + ".migrated"))
    return {kind: manifest.live[kind] for kind in STORED_KINDS}


def _convert(legacy: Path, local: LocalDirectory) -> Manifest:
    """The old file's rows and ingest log as segments, committed by a new manifest."""
    manifest = Manifest()
    con = duckdb.connect(str(legacy), read_only=True)
    try:
        configure(con)
        for kind in STORED_KINDS:
            columns = ", ".join(ident(c) for c in event_format(kind).column_names)
            target = local.new_name(kind, "seg-000000")
            rows = int(
                con.execute(
                    f"COPY (SELECT {columns} FROM {kind}) TO {lit(local.path(target))} "
                    f"(FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
                ).fetchall()[0][0]
            )
            manifest.segments[kind].append(Segment(target, rows, 0))
            manifest.live[kind] = rows
        batches = [
            int(b)
            for (b,) in con.execute(
                "SELECT DISTINCT batch FROM ingest_log ORDER BY batch"
            ).fetchall()
        ]
        for batch in batches:
            log = local.new_name("ingest", f"batch-{batch:06d}")
            con.execute(
                f"COPY (SELECT DISTINCT seller_id FROM ingest_log WHERE batch = {batch}) "
                f"TO {lit(local.path(log))} (FORMAT parquet)"
            )
            manifest.ingest[batch] = log
        manifest.batch = max(batches, default=0)
    finally:
        con.close()
    local.replace_manifest(manifest.to_bytes(), None)
    return manifest


@dataclass(frozen=True)
class Migration:
    """A local store copied to another location."""

    destination: str
    live: dict[str, int]
    copied: int
    """Files copied by this run (0: the destination held the store already)."""


def migrate_to(location: Path | str, destination: str) -> Migration:
    """Copy the local store at ``location`` to ``destination`` (an ``s3://bucket/prefix``
    or another directory): every file its manifest names, then that manifest, written only
    if the destination has none (``If-None-Match: *`` on S3).

    The source is only read, under its writers' lock (no import or compaction changes it
    meanwhile). A copy stopped half-way leaves the destination without a manifest — an
    empty store to every reader — and running it again copies what is missing and commits;
    once it has committed, running it again copies nothing. A destination that holds
    another store is refused.
    """
    directory = store_path(location)
    source = LocalDirectory(directory)
    target = store_location(destination)
    if isinstance(target, LocalDirectory) and target.directory.resolve() == directory.resolve():
        raise Conflict(N_("error.events.migrate_onto_itself"), destination=destination)
    with source.writing(), target.writing():
        committed = source.read_manifest()
        if committed.content is None:
            refuse_legacy(directory)
            raise Conflict(N_("error.events.migrate_nothing"), directory=str(directory))
        manifest = Manifest.load_bytes(committed.content)
        live: dict[str, int] = {kind: manifest.live[kind] for kind in STORED_KINDS}
        there = target.read_manifest()
        if there.content == committed.content:
            return Migration(target.uri, live, 0)
        if there.content is not None:
            raise Conflict(
                N_("error.events.migrate_onto_another_store"),
                uri=target.uri,
                directory=str(directory),
            )
        present = {f.name: f.size for f in target.listing()}
        missing = [
            name
            for name in manifest.named_files()
            if present.get(name) != (directory / name).stat().st_size
        ]
        for name in missing:
            target.put_file(directory / name, name)
        target.replace_manifest(committed.content, None)
    return Migration(target.uri, live, len(missing))
