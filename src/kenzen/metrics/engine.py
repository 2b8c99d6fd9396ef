"""Compute every seller's metrics for an as-of date in one pass over the event store.

The query is assembled from :data:`kenzen.metrics.definitions.DEFINITIONS` once per set
of targets; the as-of date's window bounds are filled in by string substitution, so a run
over many dates assembles it once, not once per date. DuckDB runs the assembled text;
Apache Spark runs it as SQLGlot translates it (:mod:`kenzen.metrics.spark`). Window
bounds are turned into UTC instants per marketplace in Python (the only time-zone
arithmetic), so the SQL compares plain timestamps and needs no time-zone support from
the engine that runs it. The same pass counts each seller's orders fulfilled in the
Account Health Rating's window (:data:`ORDER_VOLUME_DAYS`), so a run reads the orders
once for both.

The embedded path assembles and runs DuckDB text without SQLGlot (importing it costs a
``kenzen metrics`` run ~0.2 s of CPU).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from string import Template
from typing import TYPE_CHECKING, NamedTuple, Protocol
from zoneinfo import ZoneInfo

import pyarrow as pa

from kenzen.events.validation import ident, lit
from kenzen.metrics.definitions import (
    BREAKDOWNS,
    DEFECT_FLAGS,
    DEFINITIONS,
    Target,
    targets_for,
)
from kenzen.metrics.values import MetricValue, window

if TYPE_CHECKING:
    from kenzen.events.store import EventStore

ORDER_COLUMNS = (
    "order_id",
    "seller_id",
    "marketplace_id",
    "purchased_at",
    "fulfillment",
    "ship_by",
    "shipped_at",
    "tracking_id",
    "first_scan_at",
    "deliver_by",
    "delivered_at",
    "cancelled_at",
    "cancelled_by",
    "units",
)

METRIC_SCHEMA = pa.schema(
    [
        ("seller_id", pa.string()),
        ("marketplace_id", pa.string()),
        ("metric", pa.string()),
        ("as_of", pa.date32()),
        ("window_from", pa.date32()),
        ("window_to", pa.date32()),
        ("numerator", pa.int64()),
        ("denominator", pa.int64()),
        ("rate", pa.float64()),
        ("status", pa.string()),
        ("target_value", pa.float64()),
        ("target_condition", pa.string()),
        ("target_inclusive", pa.bool_()),
        *((name, pa.int64()) for name in BREAKDOWNS),
    ]
)
#: The Account Health Rating rewards orders fulfilled over this many days (reference §1.2).
ORDER_VOLUME_DAYS = 180
#: What the query returns: each metric row, with its seller's order volume (the same in
#: every metric row of the seller) — orders purchased in the :data:`ORDER_VOLUME_DAYS`
#: calendar days ending on the as-of date, not cancelled by its end, shipped or delivered by
#: then (marketplace-fulfilled orders count once placed).
COMPUTED_SCHEMA = METRIC_SCHEMA.append(pa.field("fulfilled_orders", pa.int64()))


class Queryable(Protocol):
    """What the engine needs from a store: tables ``orders`` and ``defects``."""

    def query(self, sql: str) -> pa.Table: ...

    def last_batch(self) -> int:
        """The latest import batch the queries read (asked before them: a later one
        may be read too, but none before it is missed)."""
        ...


def _midnight_utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _ts(instant: datetime) -> str:
    return f"CAST({lit(instant.strftime('%Y-%m-%d %H:%M:%S+00:00'))} AS TIMESTAMPTZ)"


def _date(day: date) -> str:
    return f"CAST({lit(day.isoformat())} AS DATE)"


_WINDOW_EDGE = re.compile(r"(?<![\w.\"'])window_(start|end)\b(?!\s*\()")


def _substitute(condition: str, key: str) -> str:
    """Point a definition's ``window_start``/``window_end`` at the metric's own bounds.

    A plain rename of the unqualified column names (definitions hold no string literal
    naming them; a test checks the result against SQLGlot's rewrite of every condition)."""
    return _WINDOW_EDGE.sub(lambda m: f"{key}__{m.group(1)}", condition)


def _classified() -> tuple[str, dict[str, str]]:
    """Each row's conditions, evaluated once as 0/1, and the sums that count them.

    Populations and numerators recur across metrics (both ODRs share the defect test, both
    late shipment rates share theirs): each distinct condition becomes one 0/1 column of
    ``classified`` and every count is a sum of products of two or three of them. On 10 M
    orders DuckDB's profiler shows ~8 s of CPU in projections and aggregate, against ~12 s
    with one ``FILTER (WHERE …)`` per count, whose conditions it evaluates per aggregate.
    """
    conditions: dict[str, str] = {}
    measures: dict[str, str] = {}

    def condition_column(sql: str) -> str:
        return conditions.setdefault(sql, f"c{len(conditions)}")

    aggregates: dict[str, str] = {}
    for key, definition in DEFINITIONS.items():
        anchor = definition.anchor
        in_window = f"{anchor} >= window_start AND {anchor} < window_end"
        population = condition_column(
            _substitute(f"({in_window}) AND ({definition.population})", key)
        )
        counts = {
            "den": ("TRUE", definition.measure),
            "num": (definition.numerator, definition.measure),
            **definition.breakdown,
        }
        for name, (condition, measure) in counts.items():
            factors = [population]
            if condition != "TRUE":
                factors.append(condition_column(_substitute(condition, key)))
            if measure != "1":
                factors.append(measures.setdefault(measure, f"m{len(measures)}"))
            total = f"SUM({' * '.join(factors)})"
            aggregates[f"{key}__{name}"] = f"CAST(COALESCE({total}, 0) AS BIGINT)"
    select = ", ".join(
        [f"CAST(COALESCE({sql}, FALSE) AS INTEGER) AS {name}" for sql, name in conditions.items()]
        + [f"{sql} AS {name}" for sql, name in measures.items()]
    )
    return select, aggregates


#: The columns that place an order in some metric's window.
ANCHORS: tuple[str, ...] = tuple(dict.fromkeys(d.anchor for d in DEFINITIONS.values()))
_BOUND_NAMES = (
    "marketplace_id",
    "as_of_end",
    "volume__start",
    *(f"{k}__{edge}" for k in DEFINITIONS for edge in ("start", "end")),
    *(f"any_{a}__{edge}" for a in ANCHORS for edge in ("start", "end")),
)


def _breakdown(name: str) -> Callable[[str], str]:
    """A breakdown count of a metric that reports it, NULL for the others."""

    def value(key: str) -> str:
        return f"{key}__{name}" if name in DEFINITIONS[key].breakdown else "CAST(NULL AS BIGINT)"

    return value


def _rate(key: str) -> str:
    return f"CAST({key}__num AS DOUBLE) / {key}__den"


def _columns(chosen: Mapping[str, Target]) -> dict[str, Callable[[str], str]]:
    """Each reported column of a metric (``key``) as SQL over the seller's counts
    (``<key>__num``, ``<key>__den``, the breakdown's ``<key>__<name>``)."""

    def good(key: str) -> str:
        target = chosen[key]
        if target.condition == "LESS_THAN":
            return f"{_rate(key)} < {target.value!r}"
        return f"{_rate(key)} {'>=' if target.inclusive else '>'} {target.value!r}"

    return {
        "window_from": lambda key: f"${key}__from",
        "window_to": lambda key: f"${key}__to",
        "numerator": lambda key: f"{key}__num",
        "denominator": lambda key: f"{key}__den",
        "rate": lambda key: f"CASE WHEN {key}__den = 0 THEN NULL ELSE {_rate(key)} END",
        "status": lambda key: (
            f"CASE WHEN {key}__den = 0 THEN 'NONE' WHEN {good(key)} THEN 'GOOD' ELSE 'BAD' END"
        ),
        "target_value": lambda key: f"CAST({chosen[key].value!r} AS DOUBLE)",
        "target_condition": lambda key: lit(chosen[key].condition),
        "target_inclusive": lambda key: "TRUE" if chosen[key].inclusive else "FALSE",
        **{name: _breakdown(name) for name in BREAKDOWNS},
    }


class _Templates(NamedTuple):
    counts: Template
    """``WITH …, counts AS (…)``: one row per seller with its counts and order volume."""
    rows: Template
    """The metric rows (:data:`COMPUTED_SCHEMA`) from the counts named ``$source``."""


@lru_cache(maxsize=16)
def _template(targets: tuple[Target, ...]) -> _Templates:
    """The DuckDB query for one set of targets, parsed and assembled once.

    What depends on the as-of date (the window bounds of each marketplace, the reported
    dates) and the seller filter are ``$`` placeholders that :func:`_render` fills in, so
    computing many dates in a row assembles nothing per date.
    """
    chosen = {t.metric: t for t in targets}
    columns = _columns(chosen)
    flags = ", ".join(
        f"MIN(CASE WHEN {cond} THEN occurred_at END) AS first_{name}_at"
        for name, cond in DEFECT_FLAGS.items()
    )
    facts_columns = ", ".join(
        [f"o.{ident(c)}" for c in ORDER_COLUMNS]
        + [f"COALESCE(f.first_{n}_at < b.as_of_end, FALSE) AS has_{n}" for n in DEFECT_FLAGS]
        + [f"b.{name}" for name in _BOUND_NAMES[1:]]
    )
    # Rows outside every window count nowhere: dropping them before the defect join and the
    # aggregate halves the work on a 120-day store (each window is still checked exactly).
    relevant = " OR ".join(
        f"(o.{a} >= b.any_{a}__start AND o.{a} < b.any_{a}__end)" for a in ANCHORS
    )
    classified, aggregates = _classified()
    sums = ", ".join(f"{sql} AS {name}" for name, sql in aggregates.items())
    counts = ", ".join(f"COALESCE(c.{name}, 0) AS {name}" for name in aggregates)

    # One row per seller and metric from one pass over ``counts``: a cross join with the
    # metric names and a CASE per column. Spark inlines a CTE wherever it is used, so a
    # UNION ALL of one SELECT per metric ran the whole query seven times there.
    def per_metric(value: Callable[[str], str]) -> str:
        cases = " ".join(f"WHEN {lit(key)} THEN {value(key)}" for key in DEFINITIONS)
        return f"CASE m.metric {cases} END"

    metric_names = ", ".join(f"({lit(key)})" for key in DEFINITIONS)
    rows = (
        "SELECT c.seller_id, c.marketplace_id, m.metric, $as_of AS as_of, "
        + ", ".join(f"{per_metric(value)} AS {name}" for name, value in columns.items())
        + ", c.fulfilled_orders"
        + f" FROM $source AS c CROSS JOIN (VALUES {metric_names}) AS m(metric)"
    )
    fulfilled = (
        "o.purchased_at >= b.volume__start "
        "AND (o.cancelled_at IS NULL OR o.cancelled_at >= b.as_of_end) "
        "AND (o.fulfillment = 'marketplace' OR o.shipped_at < b.as_of_end "
        "OR o.delivered_at < b.as_of_end)"
    )
    counts_query = Template(
        f"WITH bounds AS (SELECT * FROM (VALUES $bounds) AS t({', '.join(_BOUND_NAMES)})), "
        f"defect_flags AS (SELECT order_id, {flags} FROM defects GROUP BY order_id), "
        f"facts AS (SELECT {facts_columns} FROM orders AS o "
        "JOIN bounds AS b ON b.marketplace_id = o.marketplace_id "
        "LEFT JOIN defect_flags AS f ON f.order_id = o.order_id "
        f"WHERE o.purchased_at < b.as_of_end AND ({relevant})$sellers), "
        f"classified AS (SELECT seller_id, marketplace_id, {classified} FROM facts), "
        f"sums AS (SELECT seller_id, marketplace_id, {sums} "
        "FROM classified GROUP BY seller_id, marketplace_id), "
        # Every seller with an order by the end of the as-of day gets its rows, also when
        # none of its orders falls in a window (all NONE), and its order volume: a second
        # scan, of the columns the volume reads.
        "sellers AS (SELECT o.seller_id, o.marketplace_id, "
        f"CAST(SUM(CASE WHEN {fulfilled} THEN 1 ELSE 0 END) AS BIGINT) AS fulfilled_orders "
        "FROM orders AS o JOIN bounds AS b ON b.marketplace_id = o.marketplace_id "
        "WHERE o.purchased_at < b.as_of_end$sellers GROUP BY o.seller_id, o.marketplace_id), "
        f"counts AS (SELECT s.seller_id, s.marketplace_id, s.fulfilled_orders, {counts} "
        "FROM sellers AS s "
        "LEFT JOIN sums AS c ON c.seller_id = s.seller_id "
        "AND c.marketplace_id = s.marketplace_id)"
    )
    return _Templates(counts_query, Template(rows))


#: The temporary table of each computed seller's counts (:func:`statements`).
COUNTS_TABLE = "metric_counts"


class MetricStatements(NamedTuple):
    """The metrics query of one date in steps, for a caller that keeps the result in
    DuckDB: :attr:`counts` computed into :data:`COUNTS_TABLE`, the rest read from it."""

    counts: str
    """One row per computed seller: its counts and its order volume."""
    rows: str
    """Every metric row (:data:`COMPUTED_SCHEMA`), in no order."""
    volumes: str
    """Each seller's order volume (seller_id, marketplace_id, as_of, fulfilled_orders)."""
    latest: str
    """Each seller's row of latest values: seller_id, marketplace_id, as_of (text),
    fulfilled_orders, metrics (:mod:`kenzen.metrics.seller_values`' JSON), fingerprint."""


def statements(
    as_of: date,
    time_zones: Mapping[str, str],
    seller_ids: Collection[str] | None = None,
    targets: Mapping[str, Target] | None = None,
) -> MetricStatements:
    """The metrics query of :func:`compute_metrics_and_volumes` in steps (DuckDB SQL)."""
    chosen = _chosen(as_of, targets)
    counts, rows, values = _filled(as_of, time_zones, seller_ids, chosen)
    return MetricStatements(
        counts=f"{counts} SELECT * FROM counts",
        rows=rows.substitute(values, source=COUNTS_TABLE),
        volumes=(
            f"SELECT seller_id, marketplace_id, {_date(as_of)} AS as_of, fulfilled_orders "
            f"FROM {COUNTS_TABLE}"
        ),
        latest=_latest(as_of, chosen),
    )


def _render(
    as_of: date,
    time_zones: Mapping[str, str],
    seller_ids: Collection[str] | None,
    targets: Mapping[str, Target] | None,
) -> str:
    """The DuckDB metrics query as one statement: the cached template with this call's
    bounds filled in."""
    counts, rows, values = _filled(as_of, time_zones, seller_ids, _chosen(as_of, targets))
    rows_sql = rows.substitute(values, source="counts")
    return f"{counts} {rows_sql} ORDER BY seller_id, marketplace_id, metric"


def _chosen(as_of: date, targets: Mapping[str, Target] | None) -> dict[str, Target]:
    return dict(targets) if targets is not None else targets_for(as_of)


def _filled(
    as_of: date,
    time_zones: Mapping[str, str],
    seller_ids: Collection[str] | None,
    chosen: Mapping[str, Target],
) -> tuple[str, Template, dict[str, str]]:
    """The counts' query filled in, the rows' template and what fills it (but its source)."""
    if not time_zones:
        raise ValueError("no marketplaces: time_zones is empty")
    windows = {key: window(as_of, chosen[key]) for key in DEFINITIONS}
    bound_rows = []
    for marketplace_id, tz in sorted(time_zones.items()):
        zone = ZoneInfo(tz)
        edges = {
            key: (_midnight_utc(first, zone), _midnight_utc(last + timedelta(days=1), zone))
            for key, (first, last) in windows.items()
        }
        values = [
            lit(marketplace_id),
            _ts(_midnight_utc(as_of + timedelta(days=1), zone)),
            _ts(_midnight_utc(as_of - timedelta(days=ORDER_VOLUME_DAYS - 1), zone)),
        ]
        values += [_ts(edge) for key in DEFINITIONS for edge in edges[key]]
        for anchor in ANCHORS:
            keys = [key for key, d in DEFINITIONS.items() if d.anchor == anchor]
            values.append(_ts(min(edges[key][0] for key in keys)))
            values.append(_ts(max(edges[key][1] for key in keys)))
        bound_rows.append(f"({', '.join(values)})")
    sellers = ""
    if seller_ids is not None:
        # A semi-join on a small table: a quarter less CPU than a long IN list, which
        # DuckDB checks as a mark join on every stored order.
        rows = ", ".join(f"({lit(s)})" for s in sorted(seller_ids))
        sellers = (
            f" AND o.seller_id IN (SELECT seller_id FROM (VALUES {rows}) AS s(seller_id))"
            if seller_ids
            else " AND FALSE"
        )
    dates = {
        f"{key}__{name}": _date(day)
        for key, pair in windows.items()
        for name, day in zip(("from", "to"), pair, strict=True)
    }
    template = _template(tuple(chosen[key] for key in DEFINITIONS))
    counts = template.counts.substitute(bounds=", ".join(bound_rows), sellers=sellers)
    return counts, template.rows, {"as_of": _date(as_of), **dates}


def _latest(as_of: date, chosen: Mapping[str, Target]) -> str:
    """:attr:`MetricStatements.latest`: each seller's JSON is one ``concat`` over its row
    of :data:`COUNTS_TABLE` (no aggregate); what is the same for every seller — the
    metric's name, window, target, the breakdown counts it does not report — is text
    assembled here once. The fingerprint hashes the counts, the order volume and the
    targets (the rates and statuses follow from them; the dates apart, which move every
    day), so the same values give the same fingerprint."""
    columns = _columns(chosen)
    parts: list[str] = []
    text: list[str] = ["{"]

    def value(sql: str) -> None:
        parts.extend([lit("".join(text)), sql])
        text.clear()

    for index, key in enumerate(DEFINITIONS):
        target, (first, last) = chosen[key], window(as_of, chosen[key])
        text.append(f"{',' if index else ''}{json.dumps(key)}:")
        text.append(f"[{json.dumps(first.isoformat())},{json.dumps(last.isoformat())},")
        value(f"CAST({columns['numerator'](key)} AS VARCHAR)")
        text.append(",")
        value(f"CAST({columns['denominator'](key)} AS VARCHAR)")
        text.append(",")
        value(f"COALESCE(CAST({columns['rate'](key)} AS VARCHAR), 'null')")
        text.append(',"')
        value(columns["status"](key))
        text.append(f'",{json.dumps(float(target.value))},{json.dumps(target.condition)},')
        text.append(f"{json.dumps(target.inclusive)},[")
        for position, name in enumerate(BREAKDOWNS):
            text.append("," if position else "")
            if name in DEFINITIONS[key].breakdown:
                value(f"CAST({key}__{name} AS VARCHAR)")
            else:
                text.append("null")
        text.append("]]")
    text.append("}")
    parts.append(lit("".join(text)))
    counted = [
        f"{key}__{name}"
        for key, definition in DEFINITIONS.items()
        for name in ("num", "den", *definition.breakdown)
    ]
    in_force = [chosen[key] for key in DEFINITIONS]
    targets = lit(json.dumps([(t.value, t.condition, t.inclusive) for t in in_force]))
    return (
        f"SELECT seller_id, marketplace_id, {lit(as_of.isoformat())}, fulfilled_orders, "
        f"concat({', '.join(parts)}), "
        f"CAST(hash({', '.join(counted)}, fulfilled_orders, {targets}) AS VARCHAR) "
        f"FROM {COUNTS_TABLE}"
    )


def compute_metrics(
    store: Queryable,
    as_of: date,
    time_zones: Mapping[str, str],
    seller_ids: Collection[str] | None = None,
    *,
    targets: Mapping[str, Target] | None = None,
) -> pa.Table:
    """Metric rows (:data:`METRIC_SCHEMA`) for every (seller, marketplace) with an order
    purchased by the end of the as-of day, or only for ``seller_ids`` (incremental).

    ``time_zones`` maps each marketplace_id to its IANA time zone; every marketplace in
    the store must have one."""
    computed = compute_metrics_and_volumes(store, as_of, time_zones, seller_ids, targets=targets)
    return computed.select(METRIC_SCHEMA.names)


def compute_metrics_and_volumes(
    store: Queryable,
    as_of: date,
    time_zones: Mapping[str, str],
    seller_ids: Collection[str] | None = None,
    *,
    targets: Mapping[str, Target] | None = None,
) -> pa.Table:
    """:func:`compute_metrics` with each row's order volume (:data:`COMPUTED_SCHEMA`), from
    the same scan. The query runs as assembled (DuckDB SQL), without a round trip through
    SQLGlot."""
    _check_time_zones(store, time_zones)
    table = store.query(_render(as_of, time_zones, seller_ids, targets))
    return table.cast(COMPUTED_SCHEMA)


def compute_counts(
    store: EventStore,
    as_of: date,
    time_zones: Mapping[str, str],
    seller_ids: Collection[str] | None = None,
    *,
    engine: Queryable | None = None,
) -> MetricStatements:
    """Compute each seller's counts (on ``engine`` when given, e.g. Spark, else in the
    store's DuckDB) into :data:`COUNTS_TABLE` on the store's connection; the returned
    statements read the metric rows, volumes and latest values from it there."""
    _check_time_zones(engine or store, time_zones)
    steps = statements(as_of, time_zones, seller_ids)
    store.keep(COUNTS_TABLE, steps.counts if engine is None else engine.query(steps.counts))
    return steps


class HeadStart(NamedTuple):
    """A full run's counts computing in the background before the run's transaction opens:
    DuckDB computes without the GIL, so the command loads its database and domain modules
    meanwhile on the other core. The run uses them only if its transaction finds the same
    marketplaces; until :attr:`counts` is done the store's connection is its thread's."""

    time_zones: dict[str, str]
    events_batch: int
    """The store's last import when the computation started (what it saw at least)."""
    counts: Future[MetricStatements]


def head_start(store: EventStore, as_of: date, time_zones: Mapping[str, str]) -> HeadStart:
    """Start :func:`compute_counts` of every seller of ``store`` in a thread of its own."""
    events_batch = store.last_batch()
    pool = ThreadPoolExecutor(max_workers=1)
    counts = pool.submit(compute_counts, store, as_of, time_zones)
    pool.shutdown(wait=False)
    return HeadStart(dict(time_zones), events_batch, counts)


def _check_time_zones(store: Queryable, time_zones: Mapping[str, str]) -> None:
    stored = {
        str(m) for m in store.query("SELECT DISTINCT marketplace_id FROM orders")[0].to_pylist()
    }
    missing = sorted(stored - set(time_zones))
    if missing:
        raise ValueError(f"no time zone for marketplace(s) {', '.join(missing)}")


def metric_values(table: pa.Table) -> list[MetricValue]:
    """Rows of a metrics table as objects (for a few sellers, e.g. one report)."""
    values = []
    for row in table.to_pylist():
        breakdown = {name: row.pop(name) for name in BREAKDOWNS}
        values.append(
            MetricValue(**row, breakdown={k: int(v) for k, v in breakdown.items() if v is not None})
        )
    return values
