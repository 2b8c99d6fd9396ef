"""Use cases for metrics: compute and store snapshots, read them back, publish the report."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Column, MetaData, Table, select, true
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor
from kenzen.db import events_dir_of, upsert_into, utcnow
from kenzen.events import staging
from kenzen.events.dated import EVERYTHING, DatedTable, Staged
from kenzen.events.store import EventStore
from kenzen.events.validation import lit
from kenzen.metrics import seller_values
from kenzen.metrics.engine import (
    COUNTS_TABLE,
    HeadStart,
    MetricStatements,
    Queryable,
    compute_counts,
)
from kenzen.metrics.history import as_value, snapshot_table, volume_table
from kenzen.metrics.models import LatestSellerMetrics, MetricRun
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
    started: HeadStart | None = None,
) -> MetricRunSummary:
    """Compute and store the snapshots of ``as_of``, replacing earlier ones for that date.

    A date computed before is recomputed only for the sellers whose events arrived since,
    unless ``full``. ``engine`` runs the queries over the store's files (e.g. Spark,
    :mod:`kenzen.metrics.spark`); by default the store's own DuckDB does. ``started``: the
    counts of every seller already computing (:func:`~kenzen.metrics.engine.head_start`),
    used when this run computes every seller over the same marketplaces.

    Every row goes to the columnar history beside the events, staged there and published
    only once this transaction commits (:mod:`kenzen.events.staging`, which first
    publishes what an earlier run committed and did not publish); the database gets one
    row of latest values per seller, in bulk, and the sellers whose values changed are
    marked for evaluation. A run that fails leaves nothing anybody reads; this
    transaction reads what it staged. Runs of one date run one after the other
    (:func:`_claim`), so the database and the history keep the same run.
    """
    access.authorize(actor, Action.COMPUTE_METRICS)
    staging.publish_pending(session, store.directory)
    time_zones = dict(session.execute(select(Marketplace.id, Marketplace.time_zone)).all())
    run, first = _claim(session, as_of)
    if started is not None:
        wait([started.counts])  # the store's connection is free again
    # what the engine's input holds (SparkEvents fixes its files and batch together)
    events_batch = (store if engine is None else engine).last_batch()
    sellers: set[str] | None = None
    if not first and not full:
        sellers = store.sellers_changed_after(run.events_batch)
    if sellers is not None and not sellers:
        return MetricRunSummary(as_of=as_of, full=False, sellers=0, rows=0)
    if started is not None and sellers is None and started.time_zones == time_zones:
        events_batch = started.events_batch
        steps = started.counts.result()
    else:
        steps = compute_counts(store, as_of, time_zones, sellers, engine=engine)
    try:
        latest = store.con.execute(steps.latest).fetchall()
        scope = EVERYTHING if sellers is None else None
        # DuckDB writes the history while the database takes the latest values: both
        # release the GIL, so the two run on two cores.
        with ThreadPoolExecutor(max_workers=1) as writer:
            history = writer.submit(_stage_history, store, as_of, steps, scope)
            try:
                _store_latest(session, latest)
            finally:
                staged = history.result()
                for table, file in staged:  # published with the commit, or discarded
                    staging.track(session, table, file)
    finally:
        store.con.execute(f"DROP TABLE IF EXISTS {COUNTS_TABLE}")
    run.computed_at = utcnow()
    run.events_batch = events_batch
    rows = staged[0][1].file.rows
    session.add(
        access.record(
            actor,
            Action.COMPUTE_METRICS,
            f"metrics:{as_of.isoformat()}",
            {"full": sellers is None, "sellers": len(latest), "rows": rows},
        )
    )
    return MetricRunSummary(as_of=as_of, full=sellers is None, sellers=len(latest), rows=rows)


def _stage_history(
    store: EventStore, as_of: date, steps: MetricStatements, scope: str | None
) -> list[tuple[DatedTable, Staged]]:
    """The run's metric rows and order volumes, staged in the history straight from the
    counts kept in the store's DuckDB (in a thread of its own: the session is tied to
    them afterwards, in the session's thread)."""
    snapshots, volumes = snapshot_table(store.directory), volume_table(store.directory)
    return [
        (snapshots, snapshots.stage_query(as_of, store.con, steps.rows, scope=scope)),
        (volumes, volumes.stage_query(as_of, store.con, steps.volumes, scope=scope)),
    ]


def _claim(session: Session, as_of: date) -> tuple[MetricRun, bool]:
    """The date's run, locked until this transaction ends, and whether the date is new.

    Two runs of one date (the command and the worker, say) would otherwise each stage a
    run in the history and replace the database's values, and the history could keep one
    run while the database kept the other. Here the second waits for the first to commit
    and then reads its run, so it computes only what arrived since. The row is inserted
    if missing (a conflicting insert waits for the other's commit), then read ``FOR
    UPDATE``: the row's lock on PostgreSQL; on SQLite the insert takes the database's
    write lock, which a second writer waits for (``busy_timeout``)."""
    connection = session.connection()
    created = connection.execute(
        upsert_into(MetricRun.metadata.tables[MetricRun.__tablename__], connection.dialect.name)
        .values(as_of=as_of, computed_at=utcnow(), events_batch=0)
        .on_conflict_do_nothing(index_elements=["as_of"])
        .returning(MetricRun.as_of)
    ).first()
    run = session.scalars(
        select(MetricRun)
        .where(MetricRun.as_of == as_of)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return run, created is not None


#: The database's latest values per seller (:attr:`MetricStatements.latest`).
_LATEST_COLUMNS = (
    "seller_id",
    "marketplace_id",
    "as_of",
    "fulfilled_orders",
    "metrics",
    "fingerprint",
)


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
        # the dates of every replaced row move, which the seller's view shows: a new stamp
        marks.renew_selected_stamps(session, select(staged.c.seller_id))
        marks.mark_selected(session, changed, reason="metrics computed", renew_stamps=False)
        statement = upsert_into(latest, connection.dialect.name).from_select(
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


def fulfilled_orders(session: Session, seller_id: str, as_of: date) -> int:
    """:func:`kenzen.metrics.seller_values.fulfilled_orders` in this session."""
    return seller_values.fulfilled_orders(
        session.get(LatestSellerMetrics, seller_id),
        events_dir_of(session),
        seller_id,
        as_of,
        staged=staging.staged(session),
    )


def fulfilled_orders_of(
    session: Session, events_dir: Path, marketplace_id: str, as_of: date
) -> dict[str, int]:
    """:func:`fulfilled_orders` of every seller of a marketplace at once, from the columnar
    history's latest date computed on or before ``as_of``."""
    table = volume_table(events_dir)
    state = table.committed(staging.staged(session))
    where = f"marketplace_id = {lit(marketplace_id)}"
    day = table.latest_day(as_of, where, state=state)
    if day is None:
        return {}
    volumes = table.read(day, day, where, state=state).to_pydict()
    return dict(zip(volumes["seller_id"], volumes["fulfilled_orders"], strict=True))


def latest_as_of(session: Session, seller_id: str, on_or_before: date | None = None) -> date | None:
    """:func:`kenzen.metrics.seller_values.latest_as_of` in this session."""
    return seller_values.latest_as_of(
        session.get(LatestSellerMetrics, seller_id),
        events_dir_of(session),
        seller_id,
        on_or_before,
        staged=staging.staged(session),
    )


def seller_metrics(session: Session, seller_id: str, as_of: date) -> list[MetricValue]:
    """:func:`kenzen.metrics.seller_values.seller_metrics` in this session."""
    return seller_values.seller_metrics(
        session.get(LatestSellerMetrics, seller_id),
        events_dir_of(session),
        seller_id,
        as_of,
        staged=staging.staged(session),
    )


def seller_history(session: Session, seller_id: str, start: date, end: date) -> list[MetricValue]:
    """Every stored metric of the seller from ``start`` to ``end``, by metric and date."""
    events_dir = events_dir_of(session)
    if events_dir is None:
        return []
    table = snapshot_table(events_dir)
    where = f"seller_id = {lit(seller_id)}"
    rows = table.read(start, end, where, state=table.committed(staging.staged(session)))
    values = [as_value(row) for row in rows.to_pylist()]
    return sorted(values, key=lambda v: (v.metric, v.as_of))
