"""Read CSV, JSON Lines and Parquet event files into validated Arrow batches.

Each reader exposes the file to DuckDB as a relation with the format's columns plus
``__line`` (CSV: the physical file line, header = 1; JSON Lines: the line; Parquet: the
row number, first row = 1), so that one validation (:mod:`kenzen.events.validation`)
serves all three formats. pyarrow's CSV, compute and Parquet modules are imported by the
readers that use them (with SSL, ~0.07 s of a ``kenzen metrics`` start-up that reads none).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import numpy as np
import pyarrow as pa

from kenzen.events.encoding import check_utf8
from kenzen.events.formats import EventFormat, EventFormatError, EventKind, RowError, event_format
from kenzen.events.validation import (
    ROW_ERROR,
    UNKNOWN_FIELDS,
    Lookup,
    Validation,
    build_plan,
    collect_errors,
    ident,
    known_seller_lookup,
    lit,
    passed,
    source_types,
)
from kenzen.i18n import N_

FileFormat = Literal["csv", "jsonl", "parquet"]
_SUFFIXES: dict[str, FileFormat] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
SOURCE = "__source"
KNOWN_SELLERS = "__known_sellers"


@dataclass(frozen=True)
class ValidatedBatch:
    """The valid rows of a file (typed, timestamps in UTC) and what was rejected."""

    kind: EventKind
    table: pa.Table
    line_numbers: pa.Int64Array
    validation: Validation

    @property
    def errors(self) -> list[RowError]:
        """The first 100 errors, by line."""
        return self.validation.errors

    @property
    def error_count(self) -> int:
        return self.validation.error_count

    @property
    def rejected_line_numbers(self) -> list[int]:
        return self.validation.rejected_line_numbers


def connect(threads: int = 2, memory_limit: str = "1GB") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection set up the way every event query expects."""
    con = duckdb.connect(config={"threads": threads, "memory_limit": memory_limit})
    configure(con)
    return con


def configure(con: duckdb.DuckDBPyConnection) -> None:
    """UTC session time zone, so TIMESTAMPTZ values come out as UTC instants."""
    con.execute("SET TimeZone = 'UTC'")


def detect_format(path: Path) -> FileFormat:
    try:
        return _SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise EventFormatError(
            N_("error.events.unknown_file_type"), path=path.name, expected=", ".join(_SUFFIXES)
        ) from None


def rows_in_advance(path: Path) -> int | None:
    """The rows of a Parquet file, from its footer; ``None`` for a text file (known only
    once read) or a file that is no readable Parquet (the import says why)."""
    if path.suffix.lower() not in _SUFFIXES or detect_format(path) != "parquet":
        return None
    import pyarrow.parquet as pq

    try:
        rows: int = pq.ParquetFile(path).metadata.num_rows
    except (OSError, pa.ArrowException):
        return None
    return rows


MAX_QUOTED = 200


def quoted(names: list[str]) -> str:
    """Column names from a file, quoted, at most ``MAX_QUOTED`` characters in all: a binary
    file read as CSV has one enormous header."""
    text = ", ".join(repr(name) for name in names)
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 1] + "…"


def _check_columns(fmt: EventFormat, columns: list[str], where: str) -> None:
    """File-level column errors: nothing in the file can be imported."""
    unknown = [c for c in columns if c not in fmt.column_names]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    missing = [c.name for c in fmt.columns if c.required and c.name not in columns]
    problems = []
    if unknown:
        problems.append(f"unknown column(s) {quoted(unknown)}")
    if duplicated:
        problems.append(f"duplicated column(s) {quoted(duplicated)}")
    if missing:
        problems.append(f"missing required column(s) {', '.join(missing)}")
    if problems:
        raise EventFormatError(
            N_("error.events.columns_wrong"), where=where, problems="; ".join(problems)
        )


def _read_csv(fmt: EventFormat, path: Path) -> pa.Table:
    import pyarrow.csv as pcsv

    with path.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    _check_columns(fmt, header, f"{path.name} line 1 (header)")
    bad: list[tuple[int | None, str]] = []

    def skip(row: pcsv.InvalidRow) -> str:
        bad.append(
            (row.number, f"expected {row.expected_columns} fields, found {row.actual_columns}")
        )
        return "skip"

    def read(threads: bool) -> pa.Table:
        bad.clear()
        try:
            return pcsv.read_csv(
                path,
                read_options=pcsv.ReadOptions(use_threads=threads, block_size=16 << 20),
                parse_options=pcsv.ParseOptions(invalid_row_handler=skip),
                convert_options=pcsv.ConvertOptions(
                    column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
                ),
            )
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise EventFormatError(
                N_("error.events.cannot_read_csv"), path=path.name, error=str(exc)
            ) from None

    table = read(threads=True)
    if any(number is None for number, _ in bad):
        table = read(threads=False)  # only a single-threaded read reports line numbers
    bad_lines = np.array([number for number, _ in bad], dtype=np.int64)
    lines = np.arange(2, 2 + table.num_rows + len(bad), dtype=np.int64)
    lines = lines[~np.isin(lines, bad_lines)]
    table = table.append_column("__line", pa.array(lines))
    if not bad:
        return table
    broken = pa.table(
        {
            **{name: pa.nulls(len(bad), pa.string()) for name in header},
            "__line": pa.array(bad_lines),
            ROW_ERROR: pa.array([reason for _, reason in bad]),
        }
    )
    table = table.append_column(ROW_ERROR, pa.nulls(table.num_rows, pa.string()))
    return pa.concat_tables([table, broken])


def _read_jsonl(con: duckdb.DuckDBPyConnection, fmt: EventFormat, path: Path) -> None:
    """Split into lines with Arrow, parse each line with DuckDB's JSON functions."""
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    try:
        lines = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(column_names=["text"], block_size=16 << 20),
            parse_options=pcsv.ParseOptions(
                delimiter="\x1f", quote_char=False, escape_char=False, ignore_empty_lines=False
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={"text": pa.string()}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise EventFormatError(
            N_("error.events.cannot_read_json_lines"), path=path.name, error=str(exc)
        ) from None
    lines = lines.append_column("__line", pa.array(np.arange(1, lines.num_rows + 1)))
    lines = lines.filter(pc.not_equal(pc.utf8_trim_whitespace(lines["text"]), ""))
    con.register("__jsonl_lines", lines)
    names = f"[{', '.join(map(lit, fmt.column_names))}]"
    fields = ", ".join(
        f"json_extract_string(j, {lit('$.' + ident(c))}) AS {ident(c)}" for c in fmt.column_names
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {SOURCE} AS "
        f"WITH parsed AS (SELECT __line, CASE WHEN json_valid(text) "
        f"AND json_type(text) = 'OBJECT' THEN text END AS j FROM __jsonl_lines) "
        f"SELECT __line, CASE WHEN j IS NULL THEN 'not a JSON object' END AS {ROW_ERROR}, "
        "NULLIF(array_to_string(list_filter(json_keys(j), "
        f"lambda k: NOT list_contains({names}, k)), ', '), '') AS {UNKNOWN_FIELDS}, "
        f"{fields} FROM parsed"
    )
    con.unregister("__jsonl_lines")


def register_source(
    con: duckdb.DuckDBPyConnection, kind: EventKind, path: Path, file_format: FileFormat | None
) -> int:
    """Expose ``path`` as relation ``__source`` on ``con``; return its number of rows."""
    fmt = event_format(kind)
    if not path.is_file():
        raise EventFormatError(N_("error.no_such_file"), path=str(path))
    file_format = file_format or detect_format(path)
    if file_format != "parquet":
        check_utf8(path)
    if file_format == "csv":
        table = _read_csv(fmt, path)
        con.register(SOURCE, table)
        return int(table.num_rows)
    if file_format == "jsonl":
        _read_jsonl(con, fmt, path)
    else:
        try:
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {SOURCE} AS SELECT * EXCLUDE (file_row_number), "
                f"file_row_number + 1 AS __line "
                f"FROM read_parquet({lit(str(path))}, file_row_number = true)"
            )
        except duckdb.Error:
            # DuckDB's message carries the server's path and query: not for the user.
            raise EventFormatError(
                N_("error.events.not_readable_parquet_file"), path=path.name
            ) from None
        columns = [c for c in source_types(con, SOURCE) if c != "__line"]
        _check_columns(fmt, columns, f"{path.name} (Parquet schema)")
    return int(con.execute(f"SELECT count(*) FROM {SOURCE}").fetchall()[0][0])


def register_known_sellers(
    con: duckdb.DuckDBPyConnection, known_sellers: Mapping[str, str]
) -> Lookup:
    """Register seller_id → marketplace_id and return the rule that uses it."""
    con.register(
        KNOWN_SELLERS,
        pa.table(
            {
                "seller_id": pa.array(list(known_sellers), pa.string()),
                "marketplace_id": pa.array(list(known_sellers.values()), pa.string()),
            }
        ),
    )
    return known_seller_lookup(KNOWN_SELLERS)


def read_events(
    kind: EventKind,
    path: Path,
    *,
    known_sellers: Mapping[str, str] | None = None,
    file_format: FileFormat | None = None,
) -> ValidatedBatch:
    """Read and validate a whole file in memory (for imports, use ``EventStore.import_file``).

    ``known_sellers`` maps seller_id → marketplace_id; when given, order rows must name a
    known seller in its own marketplace. It is ignored for sellers files.
    """
    fmt = event_format(kind)
    con = connect()
    try:
        rows = register_source(con, kind, path, file_format)
        lookups = []
        if known_sellers is not None and "seller_id" in fmt.column_names and kind != "sellers":
            lookups.append(register_known_sellers(con, known_sellers))
        plan = build_plan(fmt, SOURCE, source_types(con, SOURCE), lookups)
        con.execute(f"CREATE OR REPLACE TEMP VIEW __parsed AS {plan.parsed}")
        valid = con.sql(
            f"SELECT __line, {plan.typed_columns()} FROM __parsed "
            f"WHERE NOT ({plan.invalid}) ORDER BY __line"
        ).to_arrow_table()
        validation = (
            passed(rows) if valid.num_rows == rows else collect_errors(con, plan, "__parsed", rows)
        )
    finally:
        con.close()
    return ValidatedBatch(
        kind=kind,
        table=valid.drop_columns(["__line"]),
        line_numbers=valid["__line"].combine_chunks(),
        validation=validation,
    )


def rejected_path(path: Path) -> Path:
    """Where the rejected rows of ``path`` go: ``<file>.rejected.csv`` beside it."""
    return path.with_name(path.name + ".rejected.csv")


def write_rejected(validation: Validation, path: Path) -> Path | None:
    """Write the rejected rows, each with its line and reasons; None if nothing was rejected."""
    if validation.ok:
        return None
    import pyarrow.csv as pcsv

    target = rejected_path(path)
    pcsv.write_csv(validation.rejected, target)
    return target
