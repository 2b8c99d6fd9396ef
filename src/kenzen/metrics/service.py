"""Use cases for metrics: compute and store snapshots, read them back, publish the report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor
from kenzen.db import events_dir_of, utcnow
from kenzen.events.dated import EVERYTHING, HISTORY, DatedTable
from kenzen.events.store import EventStore
from kenzen.events.validation import ident, lit
from kenzen.metrics.definitions import BREAKDOWNS
from kenzen.metrics.engine import METRIC_SCHEMA, MetricValue, Queryable, compute_metrics
from kenzen.metrics.models import (
    LatestMetric,
    LatestOrderVolume,
    MetricRun,
    MetricSnapshot,
    OrderVolume,
)
from kenzen.sellers import marks
from kenzen.sellers.models import Marketplace, Seller


@dataclass(frozen=True, slots=True)
class MetricRunSummary:
    as_of: date
    full: bool
    sellers: int
    rows: int


#: Where every date's snapshots and order volumes live under the event store's directory.
SNAPSHOTS_DIRECTORY = Path(HISTORY) / "snapshots"
VOLUMES_DIRECTORY = Path(HISTORY) / "order_volumes"
VOLUME_SCHEMA = pa.schema(
    [
        ("seller_id", pa.string()),
        ("marketplace_id", pa.string()),
        ("as_of", pa.date32()),
        ("fulfilled_orders", pa.int64()),
    ]
)


def snapshot_table(events_dir: Path) -> DatedTable:
    return DatedTable(
        events_dir / SNAPSHOTS_DIRECTORY,
        METRIC_SCHEMA,
        day_column="as_of",
        key=("seller_id", "marketplace_id", "metric"),
    )


def volume_table(events_dir: Path) -> DatedTable:
    return DatedTable(
        events_dir / VOLUMES_DIRECTORY, VOLUME_SCHEMA, day_column="as_of", key=("seller_id",)
    )


def compute_snapshots(
    session: Session,
    actor: Actor,
    store: EventStore,
    as_of: date,
    *,
    full: bool = False,
    engine: Queryable | None = None,
) -> MetricRunSummary:
    """Compute and store the snapshots of ``as_of``, replacing earlier ones for that date.

    A date computed before is recomputed only for the sellers whose events arrived since,
    unless ``full``. ``engine`` runs the queries over the store's files (e.g. Spark,
    :mod:`kenzen.metrics.spark`); by default the store's own DuckDB does.

    Every row goes to the columnar history beside the events (committed before this
    transaction, so a run that fails after it is simply run again: the later run of a date
    wins); the database gets only the latest values per seller, in bulk.
    """
    access.authorize(actor, Action.COMPUTE_METRICS)
    time_zones = dict(session.execute(select(Marketplace.id, Marketplace.time_zone)).all())
    run = session.get(MetricRun, as_of)
    events_batch = store.last_batch()
    sellers: set[str] | None = None
    if run is not None and not full:
        sellers = store.sellers_changed_after(run.events_batch)
    if sellers is not None and not sellers:
        return MetricRunSummary(as_of=as_of, full=False, sellers=0, rows=0)
    reader = store if engine is None else engine
    table = compute_metrics(reader, as_of, time_zones, sellers).sort_by("seller_id")
    volumes = _order_volumes(reader, table, as_of, time_zones)
    scope = EVERYTHING if sellers is None else None
    snapshot_table(store.directory).write(as_of, table, scope=scope)
    volume_table(store.directory).write(as_of, volumes, scope=scope)
    _store_latest(session, table, volumes)
    computed_sellers = set(volumes["seller_id"].to_pylist())
    computed = len(computed_sellers)
    marks.mark_for_evaluation(session, computed_sellers, reason="metrics computed")
    if run is None:
        run = MetricRun(as_of=as_of)
        session.add(run)
    run.computed_at = utcnow()
    run.events_batch = events_batch
    session.add(
        access.record(
            actor,
            Action.COMPUTE_METRICS,
            f"metrics:{as_of.isoformat()}",
            {"full": sellers is None, "sellers": computed, "rows": table.num_rows},
        )
    )
    return MetricRunSummary(
        as_of=as_of, full=sellers is None, sellers=computed, rows=table.num_rows
    )


_LATEST_METRIC_COLUMNS = (
    "seller_id",
    "metric",
    "marketplace_id",
    "as_of",
    "window_from",
    "window_to",
    "numerator",
    "denominator",
    "rate",
    "status",
    "target_value",
    "target_condition",
    "target_inclusive",
    "breakdown",
)


def _upsert(
    session: Session, table: str, columns: Sequence[str], key: str, rows: list[Any]
) -> None:
    """Insert or replace rows in bulk (one executemany), never over a later as-of date."""
    if not rows:
        return
    mark = "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key.split(", "))
    session.connection().exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates} WHERE excluded.as_of >= {table}.as_of",
        rows,
    )


def _store_latest(session: Session, table: pa.Table, volumes: pa.Table) -> None:
    """The run's values become each seller's latest unless a later date is stored."""
    breakdown = ", ".join(f"{lit(name)}, {ident(name)}" for name in BREAKDOWNS)
    columns = [c for c in _LATEST_METRIC_COLUMNS if c != "breakdown"]
    con = duckdb.connect()
    try:
        con.register("computed", table)
        rows = con.execute(
            f"SELECT {', '.join(columns)}, CAST(json_object({breakdown}) AS VARCHAR) FROM computed"
        ).fetchall()
    finally:
        con.close()
    _upsert(session, "latest_metrics", _LATEST_METRIC_COLUMNS, "seller_id, metric", rows)
    _upsert(
        session,
        "latest_order_volumes",
        ("seller_id", "as_of", "fulfilled_orders"),
        "seller_id",
        list(
            zip(
                volumes["seller_id"].to_pylist(),
                volumes["as_of"].to_pylist(),
                volumes["fulfilled_orders"].to_pylist(),
                strict=True,
            )
        ),
    )


#: The Account Health Rating rewards orders fulfilled over this many days (reference §1.2).
ORDER_VOLUME_DAYS = 180


def fulfilled_orders_sql(marketplace_id: str, start: datetime, end: datetime) -> str:
    """Orders of one marketplace purchased in [start, end) and not cancelled by ``end``,
    shipped or delivered by then (marketplace-fulfilled orders count once placed)."""
    lo, hi = (f"CAST({lit(t.isoformat())} AS TIMESTAMPTZ)" for t in (start, end))
    return (
        "SELECT seller_id, count(*) AS fulfilled FROM orders "
        f"WHERE marketplace_id = {lit(marketplace_id)} "
        f"AND purchased_at >= {lo} AND purchased_at < {hi} "
        f"AND (cancelled_at IS NULL OR cancelled_at >= {hi}) "
        f"AND (fulfillment = 'marketplace' OR shipped_at < {hi} OR delivered_at < {hi}) "
        "GROUP BY seller_id"
    )


def _order_volumes(
    store: Queryable, computed: pa.Table, as_of: date, time_zones: dict[str, str]
) -> pa.Table:
    """Orders each computed seller fulfilled in the rating's window (0 for none)."""
    fulfilled: dict[str, int] = {}
    for marketplace_id, time_zone in time_zones.items():
        zone = ZoneInfo(time_zone)
        end = datetime.combine(as_of + timedelta(days=1), time(), zone).astimezone(UTC)
        start = datetime.combine(
            as_of - timedelta(days=ORDER_VOLUME_DAYS - 1), time(), zone
        ).astimezone(UTC)
        table = store.query(fulfilled_orders_sql(marketplace_id, start, end)).to_pydict()
        fulfilled.update(zip(table["seller_id"], table["fulfilled"], strict=True))
    pairs = (
        computed.select(["seller_id", "marketplace_id"])
        .group_by(["seller_id", "marketplace_id"])
        .aggregate([])
        .sort_by("seller_id")
    )
    seller_ids = pairs["seller_id"].to_pylist()
    return pa.table(
        {
            "seller_id": seller_ids,
            "marketplace_id": pairs["marketplace_id"],
            "as_of": pa.array([as_of] * len(seller_ids), pa.date32()),
            "fulfilled_orders": pa.array(
                [int(fulfilled.get(s, 0)) for s in seller_ids], pa.int64()
            ),
        },
        schema=VOLUME_SCHEMA,
    )


def fulfilled_orders(session: Session, seller_id: str, as_of: date) -> int:
    """Orders the seller fulfilled in the rating window of the latest run on or before
    ``as_of`` (0 before any run)."""
    latest = session.get(LatestOrderVolume, seller_id)
    if latest is not None and latest.as_of <= as_of:
        return latest.fulfilled_orders
    events_dir = events_dir_of(session)
    if events_dir is None:
        return 0
    table = volume_table(events_dir)
    day = table.latest_day(as_of, f"seller_id = {lit(seller_id)}")
    if day is None:
        return 0
    rows = table.read(day, day, f"seller_id = {lit(seller_id)}")
    return int(rows["fulfilled_orders"][0].as_py())


def fulfilled_orders_of(events_dir: Path, marketplace_id: str, as_of: date) -> dict[str, int]:
    """:func:`fulfilled_orders` of every seller of a marketplace at once, from the columnar
    history's latest date computed on or before ``as_of``."""
    table = volume_table(events_dir)
    where = f"marketplace_id = {lit(marketplace_id)}"
    day = table.latest_day(as_of, where)
    if day is None:
        return {}
    volumes = table.read(day, day, where).to_pydict()
    return dict(zip(volumes["seller_id"], volumes["fulfilled_orders"], strict=True))


def _as_value(row: dict[str, Any]) -> MetricValue:
    breakdown = row.pop("breakdown", None)
    if breakdown is None:
        breakdown = {name: row.pop(name) for name in BREAKDOWNS}
    return MetricValue(
        **row, breakdown={name: int(v) for name, v in breakdown.items() if v is not None}
    )


def _latest_rows(session: Session, seller_id: str) -> list[LatestMetric]:
    return list(
        session.scalars(
            select(LatestMetric)
            .where(LatestMetric.seller_id == seller_id)
            .order_by(LatestMetric.metric)
        )
    )


def latest_as_of(session: Session, seller_id: str, on_or_before: date | None = None) -> date | None:
    """The latest as-of date computed for the seller, on or before ``on_or_before``."""
    latest = session.scalar(
        select(func.max(LatestMetric.as_of)).where(LatestMetric.seller_id == seller_id)
    )
    if latest is None or on_or_before is None or latest <= on_or_before:
        return latest
    events_dir = events_dir_of(session)
    if events_dir is None:
        return None
    return snapshot_table(events_dir).latest_day(on_or_before, f"seller_id = {lit(seller_id)}")


def seller_metrics(session: Session, seller_id: str, as_of: date) -> list[MetricValue]:
    """The seller's stored metrics of one date (inside an already authorised use case):
    the database's latest values, or the columnar history for an earlier date."""
    latest = _latest_rows(session, seller_id)
    if latest and latest[0].as_of == as_of:
        return [_as_value({c: getattr(m, c) for c in _LATEST_METRIC_COLUMNS}) for m in latest]
    events_dir = events_dir_of(session)
    if events_dir is None:
        return []
    rows = snapshot_table(events_dir).read(as_of, as_of, f"seller_id = {lit(seller_id)}")
    return [_as_value(row) for row in rows.to_pylist()]


def seller_history(session: Session, seller_id: str, start: date, end: date) -> list[MetricValue]:
    """Every stored metric of the seller from ``start`` to ``end``, by metric and date."""
    events_dir = events_dir_of(session)
    if events_dir is None:
        return []
    rows = snapshot_table(events_dir).read(start, end, f"seller_id = {lit(seller_id)}")
    values = [_as_value(row) for row in rows.to_pylist()]
    return sorted(values, key=lambda v: (v.metric, v.as_of))


def migrate_legacy_snapshots(session: Session, actor: Actor, events_dir: Path) -> int:
    """Move the snapshot and order-volume rows a database made before the columnar history
    kept into the Parquet history (a date the history already holds keeps what it holds:
    it was computed later), then delete them; returns the snapshot rows moved."""
    access.authorize(actor, Action.COMPUTE_METRICS)
    snapshots, volumes = snapshot_table(events_dir), volume_table(events_dir)
    moved = 0
    for day in session.scalars(
        select(MetricSnapshot.as_of).distinct().order_by(MetricSnapshot.as_of)
    ):
        rows = session.scalars(select(MetricSnapshot).where(MetricSnapshot.as_of == day)).all()
        if day not in snapshots.days():
            snapshots.write(day, _legacy_table(rows), scope=EVERYTHING)
            moved += len(rows)
    for day in session.scalars(select(OrderVolume.as_of).distinct().order_by(OrderVolume.as_of)):
        if day in volumes.days():
            continue
        pairs = session.execute(
            select(OrderVolume.seller_id, Seller.marketplace_id, OrderVolume.fulfilled_orders)
            .join(Seller, Seller.id == OrderVolume.seller_id)
            .where(OrderVolume.as_of == day)
            .order_by(OrderVolume.seller_id)
        ).all()
        table = pa.table(
            {
                "seller_id": [p[0] for p in pairs],
                "marketplace_id": [p[1] for p in pairs],
                "as_of": [day] * len(pairs),
                "fulfilled_orders": [p[2] for p in pairs],
            },
            schema=VOLUME_SCHEMA,
        )
        volumes.write(day, table, scope=EVERYTHING)
    session.execute(delete(MetricSnapshot))
    session.execute(delete(OrderVolume))
    session.add(access.record(actor, Action.COMPUTE_METRICS, "metrics:migrate", {"rows": moved}))
    return moved


def _legacy_table(rows: Sequence[MetricSnapshot]) -> pa.Table:
    columns: dict[str, list[Any]] = {name: [] for name in METRIC_SCHEMA.names}
    for row in sorted(rows, key=lambda r: (r.seller_id, r.marketplace_id, r.metric)):
        for name in METRIC_SCHEMA.names:
            columns[name].append(
                row.breakdown.get(name) if name in BREAKDOWNS else getattr(row, name)
            )
    return pa.table(columns, schema=METRIC_SCHEMA)
