"""Use cases for metrics: compute and store snapshots, read them back, publish the report."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
from sqlalchemy import Column, MetaData, Table, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor
from kenzen.db import events_dir_of, utcnow
from kenzen.events.dated import EVERYTHING
from kenzen.events.store import EventStore
from kenzen.events.validation import ident, lit
from kenzen.metrics import seller_values
from kenzen.metrics.definitions import BREAKDOWNS
from kenzen.metrics.engine import Queryable, compute_metrics
from kenzen.metrics.history import VOLUME_SCHEMA, as_value, snapshot_table, volume_table
from kenzen.metrics.models import LatestSellerMetrics, MetricRun
from kenzen.metrics.seller_values import VALUES
from kenzen.metrics.values import MetricValue
from kenzen.sellers import marks
from kenzen.sellers.models import Marketplace


@dataclass(frozen=True, slots=True)
class MetricRunSummary:
    as_of: date
    full: bool
    sellers: int
    rows: int


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
    wins); the database gets one row of latest values per seller, in bulk, and the sellers
    whose values changed are marked for evaluation.
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
    table = compute_metrics(reader, as_of, time_zones, sellers)
    fulfilled = reader.query(fulfilled_orders_sql(as_of, time_zones, sellers))
    volumes, latest = _per_seller(table, fulfilled, as_of)
    scope = EVERYTHING if sellers is None else None
    snapshot_table(store.directory).write(as_of, table, scope=scope)
    volume_table(store.directory).write(as_of, volumes, scope=scope)
    _store_latest(session, latest)
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
            {"full": sellers is None, "sellers": len(latest), "rows": table.num_rows},
        )
    )
    return MetricRunSummary(
        as_of=as_of, full=sellers is None, sellers=len(latest), rows=table.num_rows
    )


#: The database's latest values per seller, as :func:`_per_seller` computes them.
_LATEST_COLUMNS = (
    "seller_id",
    "marketplace_id",
    "as_of",
    "fulfilled_orders",
    "metrics",
    "fingerprint",
)


def _per_seller(
    table: pa.Table, fulfilled: pa.Table, as_of: date
) -> tuple[pa.Table, list[tuple[Any, ...]]]:
    """The order volume of every computed seller (0 for none), and each seller's row of
    latest values (:data:`_LATEST_COLUMNS`), built by DuckDB, not in Python.

    The fingerprint combines a hash of every metric's values and breakdown (the dates
    apart: they move every day) and the order volume; order-independent (``bit_xor``), so
    the same values give the same fingerprint. A DuckDB that hashes differently makes
    every seller's fingerprint differ once (they are then marked once, nothing is lost)."""
    values = ", ".join(f"c.{ident(n)}" for n in VALUES)
    breakdown = ", ".join(f"c.{ident(n)}" for n in BREAKDOWNS)
    con = duckdb.connect(config={"threads": 2})
    try:
        con.register("computed", table)
        con.register("fulfilled", fulfilled)
        volumes = con.sql(
            "SELECT p.seller_id, p.marketplace_id, "
            f"CAST({lit(as_of.isoformat())} AS DATE) AS as_of, "
            "CAST(coalesce(f.fulfilled, 0) AS BIGINT) AS fulfilled_orders "
            "FROM (SELECT DISTINCT seller_id, marketplace_id FROM computed) AS p "
            "LEFT JOIN fulfilled AS f "
            "ON f.seller_id = p.seller_id AND f.marketplace_id = p.marketplace_id "
            "ORDER BY p.seller_id"
        ).to_arrow_table()
        con.register("volumes", volumes)
        latest = con.execute(
            "SELECT c.seller_id, any_value(c.marketplace_id), any_value(c.as_of), "
            "v.fulfilled_orders, '{' || string_agg(to_json(c.metric) || ':' || "
            f"json_array(c.window_from, c.window_to, {values}, json_array({breakdown})), ',') "
            "|| '}', "
            "CAST(hash(bit_xor(hash(c.metric, "
            f"{values}, {breakdown})), v.fulfilled_orders) AS VARCHAR) "
            "FROM computed AS c JOIN volumes AS v ON v.seller_id = c.seller_id "
            "GROUP BY c.seller_id, v.fulfilled_orders"
        ).fetchall()
    finally:
        con.close()
    return volumes.cast(VOLUME_SCHEMA), latest


def _store_latest(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """A seller's row becomes its latest unless a later date is stored; the sellers whose
    values differ from what was stored (or had none) are marked for evaluation.

    The rows are staged in a temporary table in one ``executemany``; marking and
    replacing are then one ``INSERT … SELECT`` each."""
    if not rows:
        return
    connection = session.connection()
    staged = _staged_table()
    staged.create(connection)
    try:
        mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(
            f"INSERT INTO {staged.name} VALUES ({', '.join([mark] * len(_LATEST_COLUMNS))})",
            rows,
        )
        latest = LatestSellerMetrics.metadata.tables[LatestSellerMetrics.__tablename__]
        changed = (
            select(staged.c.seller_id)
            .outerjoin(latest, latest.c.seller_id == staged.c.seller_id)
            .where(
                latest.c.seller_id.is_(None)
                | (
                    (staged.c.as_of >= latest.c.as_of)
                    & (
                        latest.c.fingerprint.is_(None)
                        | (latest.c.fingerprint != staged.c.fingerprint)
                    )
                )
            )
        )
        marks.mark_selected(session, changed, reason="metrics computed")
        # the dates of every replaced row move, which the seller's view shows: a new stamp
        marks.renew_selected_stamps(session, select(staged.c.seller_id))
        insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        statement = insert(latest).from_select(
            list(_LATEST_COLUMNS), select(*staged.c).where(true())
        )
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[latest.c.seller_id],
                set_={c: statement.excluded[c] for c in _LATEST_COLUMNS if c != "seller_id"},
                where=statement.excluded.as_of >= latest.c.as_of,
            )
        )
    finally:
        staged.drop(connection)


def _staged_table() -> Table:
    """A temporary table shaped like ``latest_seller_metrics``, without its constraints."""
    return Table(
        "staged_latest_seller_metrics",
        MetaData(),
        *(Column(c.name, c.type) for c in LatestSellerMetrics.__table__.columns),
        prefixes=["TEMPORARY"],
    )


#: The Account Health Rating rewards orders fulfilled over this many days (reference §1.2).
ORDER_VOLUME_DAYS = 180


def fulfilled_orders_sql(
    as_of: date, time_zones: Mapping[str, str], seller_ids: Collection[str] | None = None
) -> str:
    """Orders each seller purchased in the rating's window ending on ``as_of`` (calendar
    days of its marketplace) and not cancelled by the window's end, shipped or delivered
    by then (marketplace-fulfilled orders count once placed); one scan of the orders."""
    bounds = []
    for marketplace_id, time_zone in sorted(time_zones.items()):
        zone = ZoneInfo(time_zone)
        end = datetime.combine(as_of + timedelta(days=1), time(), zone).astimezone(UTC)
        start = datetime.combine(
            as_of - timedelta(days=ORDER_VOLUME_DAYS - 1), time(), zone
        ).astimezone(UTC)
        lo, hi = (f"CAST({lit(t.isoformat())} AS TIMESTAMPTZ)" for t in (start, end))
        bounds.append(f"({lit(marketplace_id)}, {lo}, {hi})")
    sellers = ""
    if seller_ids is not None:  # a semi-join on a small table, as the metrics query does
        rows = ", ".join(f"({lit(s)})" for s in sorted(seller_ids)) or "(NULL)"
        sellers = f"AND o.seller_id IN (SELECT seller_id FROM (VALUES {rows}) AS s(seller_id)) "
    return (
        f"WITH bounds AS (SELECT * FROM (VALUES {', '.join(bounds)}) AS t(marketplace_id, lo, hi)) "
        "SELECT o.seller_id, o.marketplace_id, count(*) AS fulfilled FROM orders AS o "
        "JOIN bounds AS b ON b.marketplace_id = o.marketplace_id "
        "WHERE o.purchased_at >= b.lo AND o.purchased_at < b.hi "
        "AND (o.cancelled_at IS NULL OR o.cancelled_at >= b.hi) "
        "AND (o.fulfillment = 'marketplace' OR o.shipped_at < b.hi OR o.delivered_at < b.hi) "
        f"{sellers}GROUP BY o.seller_id, o.marketplace_id"
    )


def fulfilled_orders(session: Session, seller_id: str, as_of: date) -> int:
    """:func:`kenzen.metrics.seller_values.fulfilled_orders` in this session."""
    return seller_values.fulfilled_orders(
        session.get(LatestSellerMetrics, seller_id), events_dir_of(session), seller_id, as_of
    )


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


def latest_as_of(session: Session, seller_id: str, on_or_before: date | None = None) -> date | None:
    """:func:`kenzen.metrics.seller_values.latest_as_of` in this session."""
    return seller_values.latest_as_of(
        session.get(LatestSellerMetrics, seller_id), events_dir_of(session), seller_id, on_or_before
    )


def seller_metrics(session: Session, seller_id: str, as_of: date) -> list[MetricValue]:
    """:func:`kenzen.metrics.seller_values.seller_metrics` in this session."""
    return seller_values.seller_metrics(
        session.get(LatestSellerMetrics, seller_id), events_dir_of(session), seller_id, as_of
    )


def seller_history(session: Session, seller_id: str, start: date, end: date) -> list[MetricValue]:
    """Every stored metric of the seller from ``start`` to ``end``, by metric and date."""
    events_dir = events_dir_of(session)
    if events_dir is None:
        return []
    rows = snapshot_table(events_dir).read(start, end, f"seller_id = {lit(seller_id)}")
    values = [as_value(row) for row in rows.to_pylist()]
    return sorted(values, key=lambda v: (v.metric, v.as_of))
