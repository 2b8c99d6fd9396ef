"""Snapshots: stored per seller, metric and date in the columnar history, the latest per
seller in the database; reruns replace; new events recompute only the sellers they
touched; the report validates against Amazon's schema."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kenzen.access import SYSTEM, Role
from kenzen.errors import Forbidden, NotFound
from kenzen.events.dated import DatedTable, Staged
from kenzen.events.models import PendingPublication
from kenzen.events.service import import_events
from kenzen.events.store import EventStore
from kenzen.health.service import get_seller_health, performance_report
from kenzen.metrics import history, service
from kenzen.metrics.engine import head_start
from kenzen.metrics.models import LatestSellerMetrics, MetricRun
from kenzen.metrics.report import report_schema
from kenzen.metrics.values import MetricValue
from kenzen.policy.document import Policy
from kenzen.sellers.models import EvaluationMark, Marketplace, Seller
from tests.conftest import World

AS_OF = date(2026, 11, 20)
HEADER = (
    "order_id,seller_id,marketplace_id,purchased_at,fulfillment,ship_by,shipped_at,updated_at\n"
)


def _import(world: World, store: EventStore, path: Path, rows: list[str]) -> None:
    path.write_text(HEADER + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    with world.database.transaction() as session:
        import_events(session, SYSTEM, store, "orders", path)


def _late(order_id: str, seller_id: str) -> str:
    """A merchant order shipped a day after its ship-by date."""
    return (
        f"{order_id},{seller_id},JP,2026-11-10T10:00:00+09:00,merchant,"
        "2026-11-11T23:59:00+09:00,2026-11-12T23:00:00+09:00,2026-11-12T23:00:00+09:00"
    )


def _on_time(order_id: str, seller_id: str) -> str:
    return (
        f"{order_id},{seller_id},JP,2026-11-10T10:00:00+09:00,merchant,"
        "2026-11-11T23:59:00+09:00,2026-11-11T09:00:00+09:00,2026-11-11T09:00:00+09:00"
    )


def _snapshots(store: EventStore, day: date = AS_OF) -> dict[tuple[str, str], dict[str, Any]]:
    """The columnar history's rows of one date, by seller and metric."""
    rows = history.snapshot_table(store.directory).read(day, day).to_pylist()
    return {(r["seller_id"], r["metric"]): r for r in rows}


def _latest(world: World) -> dict[tuple[str, str], MetricValue]:
    """The database's latest values, by seller and metric."""
    with world.database.transaction() as session:
        return {
            (m.seller_id, m.metric): m
            for row in session.scalars(select(LatestSellerMetrics))
            for m in service.seller_metrics(session, row.seller_id, row.as_of)
        }


def test_full_run_stores_one_row_per_seller_and_metric_and_reruns_replace(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    _import(world, store, tmp_path / "o.csv", [_late("O1", "S1"), _on_time("O2", "S1")])
    for _ in range(2):
        with world.database.transaction() as session:
            summary = service.compute_snapshots(session, SYSTEM, store, AS_OF, full=True)
        assert (summary.full, summary.sellers) == (True, 1)
    snapshots = _snapshots(store)
    assert len(snapshots) == summary.rows == 7
    late = snapshots[("S1", "late_shipment_rate_30d")]
    assert (late["numerator"], late["denominator"], late["rate"], late["status"]) == (
        1,
        2,
        0.5,
        "BAD",
    )
    assert (late["window_from"], late["window_to"]) == (date(2026, 10, 22), AS_OF)
    assert len(history.snapshot_table(store.directory).manifest().days[AS_OF.isoformat()]) == 1
    latest = _latest(world)[("S1", "late_shipment_rate_30d")]
    assert (latest.as_of, latest.numerator, latest.denominator, latest.status) == (
        AS_OF,
        1,
        2,
        "BAD",
    )


def test_rerun_recomputes_only_sellers_with_new_events(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    _import(world, store, tmp_path / "a.csv", [_on_time("O1", "S1"), _on_time("O2", "S2")])
    with world.database.transaction() as session:
        service.compute_snapshots(session, SYSTEM, store, AS_OF)
    with world.database.transaction() as session:
        assert service.compute_snapshots(session, SYSTEM, store, AS_OF).sellers == 0
    _import(world, store, tmp_path / "b.csv", [_late("O3", "S2")])
    with world.database.transaction() as session:
        summary = service.compute_snapshots(session, SYSTEM, store, AS_OF)
    assert (summary.full, summary.sellers) == (False, 1)
    after = _snapshots(store)
    assert len(after) == 14
    assert after[("S2", "late_shipment_rate_30d")]["numerator"] == 1
    assert after[("S1", "late_shipment_rate_30d")]["numerator"] == 0
    runs = [f.scope for f in history.snapshot_table(store.directory).manifest().days["2026-11-20"]]
    assert runs == ["*", None]  # the partial run added S2's rows; S1's stayed as computed
    assert _latest(world)[("S2", "late_shipment_rate_30d")].numerator == 1
    with world.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(LatestSellerMetrics)) == 2


def test_report_and_health_carry_the_stored_metrics(
    world: World, store: EventStore, tmp_path: Path, policy: Policy
) -> None:
    _import(world, store, tmp_path / "o.csv", [_late("O1", "S1")])
    with world.database.transaction() as session:
        service.compute_snapshots(session, SYSTEM, store, AS_OF)
    seller = world.actors[Role.SELLER]
    with world.database.transaction() as session:
        report = performance_report(session, seller, policy, "S1")
        jsonschema.validate(report, report_schema())
        metrics = report["performanceMetrics"][0]
        assert metrics["lateShipmentRate"]["status"] == "BAD"
        assert metrics["lateShipmentRate"]["reportingDateRange"] == {
            "reportingDateFrom": "2026-10-22T00:00+09:00",
            "reportingDateTo": "2026-11-20T23:59+09:00",
        }
        health = get_seller_health(session, seller, policy, "S1")
        assert {m.metric: m.status for m in health.metrics}["late_shipment_rate_30d"] == "BAD"
        with pytest.raises(NotFound):
            performance_report(session, seller, policy, "S2")


def test_report_without_snapshots_is_valid_and_empty(world: World, policy: Policy) -> None:
    with world.database.transaction() as session:
        report = performance_report(session, SYSTEM, policy, "S2", AS_OF)
    jsonschema.validate(report, report_schema())
    assert report["performanceMetrics"][0]["lateShipmentRate"]["status"] == "NONE"


def test_only_admins_and_kenzen_compute(world: World, store: EventStore) -> None:
    with world.database.transaction() as session, pytest.raises(Forbidden):
        service.compute_snapshots(session, world.actors[Role.AHS_AGENT], store, AS_OF)


def test_the_database_keeps_the_latest_date_and_the_history_keeps_every_date(
    world: World, store: EventStore, tmp_path: Path, policy: Policy
) -> None:
    _import(world, store, tmp_path / "o.csv", [_late("O1", "S1")])
    earlier = AS_OF - timedelta(days=1)
    for day in (AS_OF, earlier):  # a backfill of an earlier date after the latest
        with world.database.transaction() as session:
            service.compute_snapshots(session, SYSTEM, store, day, full=True)
    assert {m.as_of for m in _latest(world).values()} == {AS_OF}
    with world.database.transaction() as session:
        assert service.latest_as_of(session, "S1") == AS_OF
        assert service.latest_as_of(session, "S1", earlier) == earlier
        assert service.latest_as_of(session, "S1", earlier - timedelta(days=1)) is None
        past = service.seller_metrics(session, "S1", earlier)
        assert {v.as_of for v in past} == {earlier}
        assert [v.metric for v in past] == sorted(v.metric for v in past)
        now = service.seller_metrics(session, "S1", AS_OF)
        assert len(now) == len(past) == 7
        odr = next(v for v in now if v.metric == "order_defect_rate_mfn")
        assert odr.breakdown == {"claims": 0, "chargebacks": 0, "negative_feedback": 0}
        assert odr.breakdown == next(v for v in past if v.metric == odr.metric).breakdown
        history = service.seller_history(session, "S1", earlier, AS_OF)
        assert [(v.metric, v.as_of) for v in history][:2] == [
            (history[0].metric, earlier),
            (history[0].metric, AS_OF),
        ]


def _marks(world: World) -> dict[str, str]:
    """The sellers marked for evaluation and why; cleared after reading."""
    with world.database.transaction() as session:
        marked = {m.seller_id: m.reason for m in session.scalars(select(EvaluationMark))}
        session.execute(delete(EvaluationMark))
    return marked


def test_a_run_marks_for_evaluation_only_the_sellers_whose_values_changed(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    _import(world, store, tmp_path / "a.csv", [_on_time("O1", "S1"), _on_time("O2", "S2")])
    _marks(world)  # the import marked both
    with world.database.transaction() as session:
        service.compute_snapshots(session, SYSTEM, store, AS_OF)
    assert _marks(world) == {"S1": "metrics computed", "S2": "metrics computed"}
    with world.database.transaction() as session:  # the same values again
        service.compute_snapshots(session, SYSTEM, store, AS_OF, full=True)
    assert _marks(world) == {}
    _import(world, store, tmp_path / "b.csv", [_late("O3", "S2")])
    _marks(world)
    with world.database.transaction() as session:
        service.compute_snapshots(session, SYSTEM, store, AS_OF)
    assert _marks(world) == {"S2": "metrics computed"}
    earlier = AS_OF - timedelta(days=1)
    with world.database.transaction() as session:  # an earlier date changes no latest value
        service.compute_snapshots(session, SYSTEM, store, earlier, full=True)
        assert service.latest_as_of(session, "S2") == AS_OF
    assert _marks(world) == {}


def _stamps(world: World) -> dict[str, str]:
    with world.database.transaction() as session:
        return {s.id: s.facts_stamp for s in session.scalars(select(Seller))}


def test_a_run_that_replaces_a_sellers_latest_values_renews_its_stamp_even_unmarked(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    _import(world, store, tmp_path / "a.csv", [_on_time("O1", "S1"), _on_time("O2", "S2")])
    with world.database.transaction() as session:
        service.compute_snapshots(session, SYSTEM, store, AS_OF)
    _marks(world)
    before = _stamps(world)
    with world.database.transaction() as session:  # the same values: rows replaced, no mark
        service.compute_snapshots(session, SYSTEM, store, AS_OF, full=True)
    assert _marks(world) == {}
    after = _stamps(world)
    assert all(after[s] != before[s] for s in ("S1", "S2"))


def _history_files(store: EventStore, day: date) -> tuple[list[str], list[str]]:
    """The snapshot files the manifest names for ``day``, and every Parquet file there."""
    table = history.snapshot_table(store.directory)
    named = [f.path for f in table.manifest().days.get(day.isoformat(), [])]
    return named, sorted(p.name for p in table.directory.glob(f"{day.isoformat()}-*.parquet"))


def test_a_run_that_fails_before_its_commit_leaves_nothing_and_a_rerun_stores_one_copy(
    world: World, store: EventStore, tmp_path: Path, policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A past date's report reads the history: a run of that date that fails after writing
    its history and before the database commits must leave the history as it was."""
    _import(world, store, tmp_path / "a.csv", [_on_time("O1", "S1")])
    earlier = AS_OF - timedelta(days=1)
    for day in (earlier, AS_OF):
        with world.database.transaction() as session:
            service.compute_snapshots(session, SYSTEM, store, day, full=True)
    before = _history_files(store, earlier)
    _import(world, store, tmp_path / "b.csv", [_late("O2", "S1")])

    def database_gone(*args: object) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(service, "_store_latest", database_gone)
    with pytest.raises(RuntimeError, match="database gone"), world.database.transaction() as s:
        service.compute_snapshots(s, SYSTEM, store, earlier, full=True)
    monkeypatch.undo()

    def late_shipment(day: date) -> str:
        with world.database.transaction() as session:
            report = performance_report(session, SYSTEM, policy, "S1", day)
        return str(report["performanceMetrics"][0]["lateShipmentRate"]["status"])

    assert late_shipment(earlier) == "GOOD"  # nothing of the failed run is read
    assert _history_files(store, earlier) == (before[0], before[0])  # nor left behind
    with world.database.transaction() as session:
        service.compute_snapshots(session, SYSTEM, store, earlier, full=True)
    assert late_shipment(earlier) == "BAD"
    named, present = _history_files(store, earlier)
    assert len(named) == 1
    assert len(_snapshots(store, earlier)) == 7  # one row per metric: one copy
    assert set(present) <= {*before[0], *named}  # the failed run's file went with its rollback


def test_a_run_stopped_between_its_commit_and_its_history_is_published_by_the_next_run(
    world: World, store: EventStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(world, store, tmp_path / "a.csv", [_on_time("O1", "S1")])
    with world.database.transaction() as session:
        service.compute_snapshots(session, SYSTEM, store, AS_OF, full=True)
    _import(world, store, tmp_path / "b.csv", [_late("O2", "S1")])

    publish = DatedTable.publish

    def stopped(table: DatedTable, staged: list[Staged]) -> None:
        """The process stops after the commit, before publishing anything new."""
        if any(not table.manifest().published(s) for s in staged):
            raise OSError("stopped")
        publish(table, staged)

    monkeypatch.setattr(DatedTable, "publish", stopped)
    with world.database.transaction() as session:
        service.compute_snapshots(session, SYSTEM, store, AS_OF, full=True)
    monkeypatch.undo()
    late = ("S1", "late_shipment_rate_30d")
    assert _latest(world)[late].numerator == 1  # committed
    assert _snapshots(store)[late]["numerator"] == 0  # the history as it was
    with world.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(PendingPublication)) == 2
    for _ in range(2):  # the next runs (here: nothing new to compute) publish it once
        with world.database.transaction() as session:
            assert service.compute_snapshots(session, SYSTEM, store, AS_OF).sellers == 0
    assert _snapshots(store)[late]["numerator"] == 1
    assert len(_snapshots(store)) == 7
    assert len(_history_files(store, AS_OF)[0]) == 1
    with world.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(PendingPublication)) == 0


def test_a_transaction_reads_the_history_it_staged(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    _import(world, store, tmp_path / "a.csv", [_late("O1", "S1")])
    earlier = AS_OF - timedelta(days=1)
    with world.database.transaction() as session:
        for day in (earlier, AS_OF):
            service.compute_snapshots(session, SYSTEM, store, day, full=True)
        assert service.latest_as_of(session, "S1", earlier) == earlier
        assert len(service.seller_history(session, "S1", earlier, AS_OF)) == 14
        assert service.fulfilled_orders(session, "S1", earlier) == 1
        assert _snapshots(store, earlier) == {}  # nobody else reads it before the commit
    assert len(_snapshots(store, earlier)) == 7


def test_two_runs_of_one_date_at_once_run_one_after_the_other_and_keep_the_same_run(
    world: World, store: EventStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run stops before its database step; a second run of the date (its own
    connection, in another thread) waits for the first's commit, then finds nothing new:
    the database and the history keep the first run's values, once."""
    _import(world, store, tmp_path / "a.csv", [_late("O1", "S1"), _on_time("O2", "S2")])
    store_latest = service._store_latest
    first_paused, resume = threading.Event(), threading.Event()

    def paused(session: Session, rows: list[tuple[Any, ...]]) -> None:
        if threading.current_thread().name == "first":
            first_paused.set()
            assert resume.wait(30)
        store_latest(session, rows)

    monkeypatch.setattr(service, "_store_latest", paused)
    summaries: dict[str, service.MetricRunSummary] = {}

    def run(name: str) -> None:
        with world.database.transaction() as session:
            summaries[name] = service.compute_snapshots(session, SYSTEM, store, AS_OF)

    first = threading.Thread(target=run, args=("first",), name="first")
    second = threading.Thread(target=run, args=("second",), name="second")
    first.start()
    assert first_paused.wait(30)
    second.start()
    second.join(2)  # without the wait for the first, it would finish here
    resume.set()
    first.join(30)
    second.join(30)
    assert (summaries["first"].sellers, summaries["second"].sellers) == (2, 0)
    assert _latest(world)[("S1", "late_shipment_rate_30d")].numerator == 1
    assert _snapshots(store)[("S1", "late_shipment_rate_30d")]["numerator"] == 1
    assert len(_history_files(store, AS_OF)[0]) == 1


def test_a_head_start_is_used_only_for_the_marketplaces_the_run_finds(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    """``kenzen metrics --full`` starts computing before its transaction opens: the run keeps
    that work when its transaction finds the same marketplaces, and recomputes when a time
    zone changed meanwhile (the window bounds depend on it); either way it records the
    import the computation saw."""
    # placed on the as-of day in Los Angeles, the day after in Tokyo: not in the volume
    after = "2026-11-21T03:00:00+09:00"
    placed = f"O2,S1,JP,{after},marketplace,,,{after}"
    _import(world, store, tmp_path / "o.csv", [_late("O1", "S1"), placed])
    with world.database.transaction() as session:
        zones = dict(session.execute(select(Marketplace.id, Marketplace.time_zone)).all())
    for started_with in (zones, {"JP": "America/Los_Angeles"}):
        started = head_start(store, AS_OF, started_with)
        with world.database.transaction() as session:
            service.compute_snapshots(session, SYSTEM, store, AS_OF, full=True, started=started)
        with world.database.transaction() as session:
            assert service.fulfilled_orders(session, "S1", AS_OF) == 1
            run = session.get(MetricRun, AS_OF)
            assert run is not None
            assert run.events_batch == store.last_batch()
