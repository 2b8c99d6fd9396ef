"""Use cases for metrics: compute and store snapshots, read them back, publish the report."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Column, MetaData, Table, event, select, true
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor
from kenzen.db import events_dir_of, upsert_into, utcnow
from kenzen.events.dated import EVERYTHING, DatedTable, Staged
from kenzen.events.store import EventStore
from kenzen.events.validation import lit
from kenzen.metrics import seller_values
from kenzen.metrics.engine import COUNTS_TABLE, MetricStatements, Queryable, compute_counts
from kenzen.metrics.history import as_value, snapshot_table, volume_table
from kenzen.metrics.models import LatestSellerMetrics, MetricRun
from kenzen.metrics.values import MetricValue
from kenzen.sellers import marks
from kenzen.sellers.models import Marketplace

log = logging.getLogger(__name__)


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

    Every row goes to the columnar history beside the events, staged there and published
    only once this transaction commits (recorded in the run's row, so a run stopped
    between the commit and the publication is published by the next run); the database
    gets one row of latest values per seller, in bulk, and the sellers whose values
    changed are marked for evaluation. A run that fails leaves nothing anybody reads; this
    transaction reads what it staged (:func:`_staged`).
    """
    access.authorize(actor, Action.COMPUTE_METRICS)
    _publish_committed_runs(session, store.directory)
    time_zones = dict(session.execute(select(Marketplace.id, Marketplace.time_zone)).all())
    run = session.get(MetricRun, as_of)
    # what the engine's input holds (SparkEvents fixes its files and batch together)
    events_batch = (store if engine is None else engine).last_batch()
    sellers: set[str] | None = None
    if run is not None and not full:
        sellers = store.sellers_changed_after(run.events_batch)
    if sellers is not None and not sellers:
        return MetricRunSummary(as_of=as_of, full=False, sellers=0, rows=0)
    steps = compute_counts(store, as_of, time_zones, sellers, engine=engine)
    try:
        latest = store.con.execute(steps.latest).fetchall()
        scope = EVERYTHING if sellers is None else None
        # DuckDB writes the history while the database takes the latest values: both
        # release the GIL, so the two run on two cores.
        with ThreadPoolExecutor(max_workers=1) as writer:
            staging = writer.submit(_stage_history, store, as_of, steps, scope)
            try:
                _store_latest(session, latest)
            finally:
                staged = staging.result()
                _publish_after_commit(session, staged)
    finally:
        store.con.execute(f"DROP TABLE IF EXISTS {COUNTS_TABLE}")
    if run is None:
        run = MetricRun(as_of=as_of)
        session.add(run)
    run.computed_at = utcnow()
    run.events_batch = events_batch
    earlier = json.loads(run.publishing) if run.publishing else []
    run.publishing = json.dumps([*earlier, *(s.as_json(store.directory) for s in staged)])
    session.add(
        access.record(
            actor,
            Action.COMPUTE_METRICS,
            f"metrics:{as_of.isoformat()}",
            {"full": sellers is None, "sellers": len(latest), "rows": staged[0].file.rows},
        )
    )
    return MetricRunSummary(
        as_of=as_of, full=sellers is None, sellers=len(latest), rows=staged[0].file.rows
    )


def _stage_history(
    store: EventStore, as_of: date, steps: MetricStatements, scope: str | None
) -> list[Staged]:
    """The run's metric rows and order volumes, staged in the history straight from the
    counts kept in the store's DuckDB."""
    return [
        snapshot_table(store.directory).stage_query(as_of, store.con, steps.rows, scope=scope),
        volume_table(store.directory).stage_query(as_of, store.con, steps.volumes, scope=scope),
    ]


#: ``Session.info`` key: the history files this transaction staged, in order.
_STAGED = "kenzen.metrics.staged"


def _publish_after_commit(session: Session, staged: list[Staged]) -> None:
    """Publish ``staged`` once the session's transaction commits; delete the files if it
    rolls back. A publication that fails after the commit is left to the next run."""
    if not event.contains(session, "after_commit", _publish_staged):
        event.listen(session, "after_commit", _publish_staged)
        event.listen(session, "after_rollback", _discard_staged)
    session.info.setdefault(_STAGED, []).extend(staged)


def _publish_staged(session: Session) -> None:
    staged = session.info.pop(_STAGED, [])
    try:
        _publish(staged)
    except Exception:  # the database committed: the next run publishes what was recorded
        log.exception("the metric history is published by the next run")


def _discard_staged(session: Session) -> None:
    staged: list[Staged] = session.info.pop(_STAGED, [])
    for table, files in _by_table(staged):
        table.discard(files)


def _by_table(staged: list[Staged]) -> list[tuple[DatedTable, list[Staged]]]:
    """The staged files by table (snapshots, order volumes), each table's in order."""
    files: dict[Path, list[Staged]] = {}
    for s in staged:
        files.setdefault(s.directory, []).append(s)
    tables = []
    for directory, listed in files.items():
        events_dir = directory.parent.parent  # <events>/history/<table>
        table = {t.directory: t for t in (snapshot_table(events_dir), volume_table(events_dir))}
        tables.append((table[directory], listed))
    return tables


def _publish(staged: list[Staged]) -> None:
    for table, files in _by_table(staged):
        table.publish(files)


def _publish_committed_runs(session: Session, events_dir: Path) -> None:
    """Publish what committed runs staged and did not publish (stopped in between); a
    run whose files are gone is forgotten, so its date is computed in full again. Once a
    transaction: later runs in it would find its own, uncommitted runs."""
    if _STAGED in session.info:
        return
    for run in session.scalars(select(MetricRun).where(MetricRun.publishing.is_not(None))):
        staged = [Staged.from_json(events_dir, item) for item in json.loads(run.publishing or "[]")]
        try:
            _publish(staged)
        except FileNotFoundError:
            log.warning("the history of the metrics of %s is lost: computed again", run.as_of)
            session.delete(run)
            continue
        run.publishing = None


def _staged(session: Session) -> list[Staged]:
    """What this transaction staged in the history: it reads it before it commits."""
    staged: list[Staged] = session.info.get(_STAGED, [])
    return staged


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
        staged=_staged(session),
    )


def fulfilled_orders_of(
    session: Session, events_dir: Path, marketplace_id: str, as_of: date
) -> dict[str, int]:
    """:func:`fulfilled_orders` of every seller of a marketplace at once, from the columnar
    history's latest date computed on or before ``as_of``."""
    table = volume_table(events_dir)
    state = table.committed(_staged(session))
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
        staged=_staged(session),
    )


def seller_metrics(session: Session, seller_id: str, as_of: date) -> list[MetricValue]:
    """:func:`kenzen.metrics.seller_values.seller_metrics` in this session."""
    return seller_values.seller_metrics(
        session.get(LatestSellerMetrics, seller_id),
        events_dir_of(session),
        seller_id,
        as_of,
        staged=_staged(session),
    )


def seller_history(session: Session, seller_id: str, start: date, end: date) -> list[MetricValue]:
    """Every stored metric of the seller from ``start`` to ``end``, by metric and date."""
    events_dir = events_dir_of(session)
    if events_dir is None:
        return []
    table = snapshot_table(events_dir)
    where = f"seller_id = {lit(seller_id)}"
    rows = table.read(start, end, where, state=table.committed(_staged(session)))
    values = [as_value(row) for row in rows.to_pylist()]
    return sorted(values, key=lambda v: (v.metric, v.as_of))
