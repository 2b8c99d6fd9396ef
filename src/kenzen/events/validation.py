"""Vectorised validation: the format specs turned into DuckDB SQL over a whole file.

A reader exposes a file as a relation with the format's columns (strings for CSV and
JSON Lines, native types for Parquet) plus ``__line``. From the specs this module builds
one projection that parses every column (``v_<name>``) and a list of checks, each a SQL
condition that is true when a row is wrong. The happy path costs one scan; error
details are only computed when a file has bad rows. SQL text is assembled here from
column names of the specs and quoted literals only; values travel as data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from kenzen.events.formats import (
    DEFECT_STATUSES,
    NAIVE_TIMESTAMP_PATTERN,
    TIMESTAMP_PATTERN,
    Column,
    ColumnType,
    EventFormat,
    EventFormatError,
    RowError,
)
from kenzen.i18n import N_

MAX_ERRORS = 100
FIRST_SELLER = "__first_seller"
FIRST_LINE = "__first_line"
ROW_ERROR = "__row_error"
UNKNOWN_FIELDS = "__unknown_fields"
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"}
_NAIVE_TIMESTAMP_TYPES = {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"}


def lit(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def v(name: str) -> str:
    """The parsed value of column ``name`` in the ``parsed`` relation."""
    return ident(f"v_{name}")


@dataclass(frozen=True)
class Check:
    """A rule: ``condition`` (SQL) is true for a wrong row; ``reason`` is a SQL string."""

    column: str
    condition: str
    reason: str


@dataclass(frozen=True)
class Lookup:
    """A join the caller adds to the parsed rows, e.g. the store's existing orders.

    ``sql`` is a ``LEFT JOIN … ON …`` clause over alias ``p`` (the parsed rows),
    ``columns`` the expressions it contributes (``expr AS name``), ``checks`` the rules
    that use them.
    """

    sql: str
    columns: tuple[str, ...]
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class Validation:
    """The outcome of validating one file or batch."""

    rows_read: int
    error_count: int
    errors: list[RowError]
    rejected_line_numbers: list[int]
    rejected: pa.Table = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.error_count == 0


@dataclass(frozen=True)
class Plan:
    """The SQL for one source: ``parsed`` (a SELECT) and the checks over it."""

    fmt: EventFormat
    parsed: str
    checks: tuple[Check, ...]

    @property
    def invalid(self) -> str:
        """One condition, true when any check fails. A check that is NULL has not failed:
        SQL's OR is true when any operand is, so one COALESCE around all of them says the
        same as one around each, and costs a scan of ten million rows 0.3 s less."""
        if not self.checks:
            return "FALSE"
        return f"COALESCE({' OR '.join(f'({c.condition})' for c in self.checks)}, FALSE)"

    def typed_columns(self) -> str:
        """The format's columns, parsed and typed, for rows that passed."""
        parts = []
        for col in self.fmt.columns:
            expr = v(col.name)
            if col.default is not None:
                expr = f"COALESCE({expr}, {col.default})"
            parts.append(f"CAST({expr} AS {col.sql_type}) AS {ident(col.name)}")
        return ", ".join(parts)


def _blank(column: str, types: Mapping[str, str]) -> str:
    if column not in types:
        return "TRUE"
    if types[column] == "VARCHAR":
        return f"({ident(column)} IS NULL OR {ident(column)} = '')"
    return f"({ident(column)} IS NULL)"


def _parse(col: Column, types: Mapping[str, str], kind: str) -> tuple[str, Check | None]:
    """The expression parsing ``col`` and, if parsing can fail, the check for it."""
    if col.name not in types:
        return f"CAST(NULL AS {col.sql_type})", None
    raw, source_type = ident(col.name), types[col.name]
    blank = _blank(col.name, types)
    if col.type is ColumnType.STRING:
        if source_type == "VARCHAR":
            return f"NULLIF({raw}, '')", None
        return f"CAST({raw} AS VARCHAR)", None
    if col.type is ColumnType.TIMESTAMP:
        if source_type == "VARCHAR":
            expr = (
                f"TRY_CAST(CASE WHEN regexp_full_match({raw}, {lit(TIMESTAMP_PATTERN)}) "
                f"THEN {raw} END AS TIMESTAMPTZ)"
            )
            reason = (
                f"CASE WHEN regexp_full_match({raw}, {lit(NAIVE_TIMESTAMP_PATTERN)}) "
                f"THEN 'timestamp has no UTC offset (add Z or +HH:MM): ' || left({raw}, 40) "
                f"ELSE 'not an ISO 8601 timestamp with offset: ' || left({raw}, 40) END"
            )
            return expr, Check(col.name, f"NOT {blank} AND {v(col.name)} IS NULL", reason)
        if source_type == "TIMESTAMP WITH TIME ZONE":
            return raw, None
        if source_type in _NAIVE_TIMESTAMP_TYPES:
            reason = lit("timestamp has no UTC offset (Parquet timestamp without time zone)")
            return "CAST(NULL AS TIMESTAMPTZ)", Check(col.name, f"NOT {blank}", reason)
    if col.type is ColumnType.INTEGER:
        if source_type == "VARCHAR":
            expr = (
                f"TRY_CAST(CASE WHEN regexp_full_match(trim({raw}), '[+-]?[0-9]+') "
                f"THEN trim({raw}) END AS INTEGER)"
            )
        elif source_type in _INTEGER_TYPES or source_type.startswith("U"):
            expr = f"TRY_CAST({raw} AS INTEGER)"
        else:
            expr = ""
        if expr:
            reason = f"'not an integer: ' || left(CAST({raw} AS VARCHAR), 40)"
            return expr, Check(col.name, f"NOT {blank} AND {v(col.name)} IS NULL", reason)
    raise EventFormatError(
        N_("error.events.column_has_type"),
        kind=kind,
        column=col.name,
        source_type=source_type,
        expected=col.type.value,
    )


def _column_checks(col: Column) -> list[Check]:
    value = v(col.name)
    checks = []
    if col.type is ColumnType.STRING:
        checks.append(
            Check(
                col.name,
                f"length({value}) > {col.max_length}",
                f"'longer than {col.max_length} characters: ' || left({value}, 40) || '…'",
            )
        )
    if col.values and col.name != "status":
        checks.append(
            Check(
                col.name,
                f"{value} NOT IN ({', '.join(map(lit, col.values))})",
                f"'unknown value ' || left({value}, 40) || "
                f"{lit('; expected one of: ' + ', '.join(col.values))}",
            )
        )
    if col.minimum is not None:
        checks.append(Check(col.name, f"{value} < {col.minimum}", lit(f"must be ≥ {col.minimum}")))
    if col.maximum is not None:
        checks.append(Check(col.name, f"{value} > {col.maximum}", lit(f"must be ≤ {col.maximum}")))
    if col.pattern:
        checks.append(
            Check(
                col.name,
                f"NOT regexp_full_match({value}, {lit(col.pattern)})",
                lit(f"not a valid {col.name}"),
            )
        )
    return checks


def _rules(fmt: EventFormat, types: Mapping[str, str], keys_unique: bool) -> list[Check]:
    """Rules across columns (the twins of ``formats._conditional_rules``) and, unless every
    key occurs once, across the rows of one order."""
    if fmt.kind == "orders":
        one_owner = Check(
            "order_id",
            f"{v('seller_id')} <> {FIRST_SELLER}",
            f"'order ' || left({v('order_id')}, 40) || ' is on line ' || {FIRST_LINE} || "
            f"' for seller ' || left({FIRST_SELLER}, 40) || ' and here for seller ' || "
            f"left({v('seller_id')}, 40) || '; an order belongs to one seller'",
        )
        return [
            *([] if keys_unique else [one_owner]),
            Check(
                "ship_by",
                f"{v('fulfillment')} = 'merchant' AND {_blank('ship_by', types)}",
                lit("required for merchant orders"),
            ),
            Check(
                "cancelled_by",
                f"NOT {_blank('cancelled_at', types)} AND {_blank('cancelled_by', types)}",
                lit("required when cancelled_at is given"),
            ),
            Check(
                "cancelled_at",
                f"{_blank('cancelled_at', types)} AND NOT {_blank('cancelled_by', types)}",
                lit("required when cancelled_by is given"),
            ),
        ]
    if fmt.kind == "defects":
        status, kind = v("status"), v("kind")
        all_statuses = fmt.column("status").values
        invalid = " ".join(
            f"WHEN {lit(k)} THEN {status} NOT IN ({', '.join(map(lit, s))})"
            for k, s in DEFECT_STATUSES.items()
        )
        reason = " ".join(
            f"WHEN {lit(k)} THEN {lit(f'; expected for {k} one of: ' + ', '.join(s))}"
            for k, s in DEFECT_STATUSES.items()
        )
        return [
            Check(
                "status",
                f"CASE {kind} {invalid} ELSE {status} NOT IN ({', '.join(map(lit, all_statuses))})"
                " END",
                f"'unknown value ' || left({status}, 40) || CASE {kind} {reason} "
                f"ELSE {lit('; expected one of: ' + ', '.join(all_statuses))} END",
            ),
            Check(
                "rating",
                f"{kind} = 'feedback' AND {_blank('rating', types)}",
                lit("required for feedback"),
            ),
            Check(
                "rating",
                f"{kind} <> 'feedback' AND NOT {_blank('rating', types)}",
                lit("only feedback has a rating"),
            ),
        ]
    return []


def _with_first_owner(parsed: str) -> str:
    """Add, for each row, the seller and line of the first row of the file with its order
    id, so that one order id for two sellers is an error naming both lines."""
    order_id, seller_id = v("order_id"), v("seller_id")
    return (
        f"SELECT q.*, first_value(q.{seller_id}) OVER first AS {FIRST_SELLER}, "
        f"min(q.__line) OVER first AS {FIRST_LINE} FROM ({parsed}) AS q "
        f"WINDOW first AS (PARTITION BY q.{order_id} ORDER BY q.__line)"
    )


def known_seller_lookup(table: str) -> Lookup:
    """Rows must name a known seller, in that seller's marketplace."""
    known = "__known_marketplace_id"
    return Lookup(
        sql=f"LEFT JOIN {table} AS k ON k.seller_id = p.{v('seller_id')}",
        columns=(f"k.marketplace_id AS {known}",),
        checks=(
            Check(
                "seller_id",
                f"{v('seller_id')} IS NOT NULL AND {known} IS NULL",
                f"'unknown seller ' || left({v('seller_id')}, 40)",
            ),
            Check(
                "marketplace_id",
                f"{known} <> {v('marketplace_id')}",
                f"'seller ' || {v('seller_id')} || ' belongs to marketplace ' || {known}",
            ),
        ),
    )


def build_plan(
    fmt: EventFormat,
    source: str,
    types: Mapping[str, str],
    lookups: Sequence[Lookup] = (),
    *,
    keys_unique: bool = False,
) -> Plan:
    """Plan the validation of relation ``source`` whose columns have DuckDB ``types``.

    A column absent from ``types`` is treated as empty in every row (so a missing
    optional column is fine and a missing required one fails each row). With
    ``keys_unique`` the caller has shown that no key occurs twice in ``source``: the rule
    across the rows of one key (one order for two sellers) cannot fail, and the window
    over the whole file it needs (a sort of every row, spilling to disk past the memory
    limit) is left out.
    """
    parsed_columns = ["__line", *(ident(c) for c in types if c != "__line")]
    guard = f"{ROW_ERROR} IS NULL AND " if ROW_ERROR in types else ""
    row_checks: list[Check] = []
    if ROW_ERROR in types:
        row_checks.append(Check("", f"{ROW_ERROR} IS NOT NULL", ROW_ERROR))
    if UNKNOWN_FIELDS in types:
        row_checks.append(
            Check(
                "",
                f"{guard}{UNKNOWN_FIELDS} IS NOT NULL",
                f"'unknown field(s): ' || {UNKNOWN_FIELDS}",
            )
        )
    column_checks: list[Check] = []
    for col in fmt.columns:
        expr, parse_check = _parse(col, types, fmt.kind)
        parsed_columns.append(f"{expr} AS {v(col.name)}")
        if col.required:
            column_checks.append(Check(col.name, _blank(col.name, types), lit("required")))
        if parse_check:
            column_checks.append(parse_check)
        column_checks.extend(_column_checks(col))
    column_checks.extend(_rules(fmt, types, keys_unique))
    for lookup in lookups:
        column_checks.extend(lookup.checks)
    order = {name: i for i, name in enumerate(fmt.column_names)}
    column_checks.sort(key=lambda c: order[c.column])  # stable: keeps rule order per column
    checks = row_checks + [
        Check(c.column, f"{guard}({c.condition})", c.reason) for c in column_checks
    ]
    parsed = f"SELECT {', '.join(parsed_columns)} FROM {source}"
    if lookups:
        extra = ", ".join(c for lookup in lookups for c in lookup.columns)
        joins = " ".join(lookup.sql for lookup in lookups)
        parsed = f"SELECT p.*, {extra} FROM ({parsed}) AS p {joins}"
    if fmt.kind == "orders" and not keys_unique:
        parsed = _with_first_owner(parsed)
    return Plan(fmt=fmt, parsed=parsed, checks=tuple(checks))


def collect_errors(
    con: duckdb.DuckDBPyConnection, plan: Plan, parsed: str, rows_read: int
) -> Validation:
    """Error details for relation ``parsed`` (a view of ``plan.parsed``).

    Only called when the fast check found bad rows: it materialises every error.
    """
    order = {name: i for i, name in enumerate(plan.fmt.column_names)}
    selects = [
        f"SELECT __line AS line, {i} AS ord, {lit(c.column)} AS col, {c.reason} AS reason "
        f"FROM {parsed} WHERE COALESCE({c.condition}, FALSE)"
        for i, c in enumerate(plan.checks)
    ]
    con.execute(f"CREATE OR REPLACE TEMP TABLE __errors AS {' UNION ALL '.join(selects)}")
    total = _scalar(con, "SELECT count(*) FROM __errors")
    first = con.execute(
        f"SELECT line, col, reason FROM __errors ORDER BY line, ord LIMIT {MAX_ERRORS}"
    ).fetchall()
    lines = [r[0] for r in con.execute("SELECT DISTINCT line FROM __errors ORDER BY 1").fetchall()]
    raw_columns = ", ".join(
        f"CAST(p.{ident(name)} AS VARCHAR) AS {ident(name)}"
        if name in _columns(con, parsed)
        else f"NULL AS {ident(name)}"
        for name in sorted(order, key=order.__getitem__)
    )
    rejected = con.sql(
        f"WITH e AS (SELECT line, string_agg(CASE WHEN col = '' THEN reason "
        f"ELSE col || ': ' || reason END, '; ' ORDER BY ord) AS errors "
        f"FROM __errors GROUP BY line) "
        f"SELECT e.line, e.errors, {raw_columns} FROM e JOIN {parsed} AS p ON p.__line = e.line "
        f"ORDER BY e.line"
    ).to_arrow_table()
    con.execute("DROP TABLE __errors")
    return Validation(
        rows_read=rows_read,
        error_count=total,
        errors=[RowError(int(line), str(col), str(reason)) for line, col, reason in first],
        rejected_line_numbers=[int(line) for line in lines],
        rejected=rejected,
    )


def passed(rows_read: int) -> Validation:
    """The validation of a batch without errors."""
    empty = pa.table({"line": pa.array([], pa.int64()), "errors": pa.array([], pa.string())})
    return Validation(rows_read, 0, [], [], empty)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchall()[0][0])


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    return {str(r[0]) for r in con.execute(f"DESCRIBE {relation}").fetchall()}


def source_types(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """Column name → DuckDB type of ``relation``."""
    return {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {relation}").fetchall()}
