"""Snapshots: stored per seller, metric and date; reruns replace; new events recompute only
the sellers they touched; the report validates against Amazon's schema."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import func, select

from kenzen.access import SYSTEM, Role
from kenzen.errors import Forbidden, NotFound
from kenzen.events.service import import_events
from kenzen.events.store import EventStore
from kenzen.health.service import get_seller_health, performance_report
from kenzen.metrics import service
from kenzen.metrics.models import MetricSnapshot
from kenzen.metrics.report import report_schema
from kenzen.policy.document import Policy
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


def _snapshots(world: World) -> dict[tuple[str, str], MetricSnapshot]:
    with world.database.transaction() as session:
        rows = session.scalars(select(MetricSnapshot).where(MetricSnapshot.as_of == AS_OF))
        return {(s.seller_id, s.metric): s for s in rows}


def test_full_run_stores_one_row_per_seller_and_metric_and_reruns_replace(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    _import(world, store, tmp_path / "o.csv", [_late("O1", "S1"), _on_time("O2", "S1")])
    for _ in range(2):
        with world.database.transaction() as session:
            summary = service.compute_snapshots(session, SYSTEM, store, AS_OF, full=True)
        assert (summary.full, summary.sellers) == (True, 1)
    snapshots = _snapshots(world)
    assert len(snapshots) == summary.rows == 7
    late = snapshots[("S1", "late_shipment_rate_30d")]
    assert (late.numerator, late.denominator, late.rate, late.status) == (1, 2, 0.5, "BAD")
    assert (late.window_from, late.window_to) == (date(2026, 10, 22), AS_OF)


def test_rerun_recomputes_only_sellers_with_new_events(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    _import(world, store, tmp_path / "a.csv", [_on_time("O1", "S1"), _on_time("O2", "S2")])
    with world.database.transaction() as session:
        service.compute_snapshots(session, SYSTEM, store, AS_OF)
    before = _snapshots(world)
    with world.database.transaction() as session:
        assert service.compute_snapshots(session, SYSTEM, store, AS_OF).sellers == 0
    _import(world, store, tmp_path / "b.csv", [_late("O3", "S2")])
    with world.database.transaction() as session:
        summary = service.compute_snapshots(session, SYSTEM, store, AS_OF)
    assert (summary.full, summary.sellers) == (False, 1)
    after = _snapshots(world)
    assert after[("S2", "late_shipment_rate_30d")].numerator == 1
    s1 = ("S1", "late_shipment_rate_30d")
    assert after[s1].computed_at == before[s1].computed_at
    with world.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(MetricSnapshot)) == 14


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
