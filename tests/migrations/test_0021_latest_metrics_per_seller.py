"""Migrations 0015, 0021 and 0028 on a database that kept every date's snapshots in its own
tables: the latest date becomes the seller's row of latest values with every breakdown
count (the order defects' and the on-time delivery rate's), every date moves into the
columnar history beside the events (a date the history holds keeps what it holds), the old
tables go, and the SP-API report reads the same figures as before; a database upgraded
while 0021 lost the on-time delivery counts gets them back from the history; the downgrade
brings the latest values back."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from kenzen.access import SYSTEM
from kenzen.db import Database
from kenzen.health.service import performance_report
from kenzen.metrics import history, service
from kenzen.metrics.definitions import BREAKDOWNS
from kenzen.metrics.engine import METRIC_SCHEMA
from kenzen.metrics.models import LatestSellerMetrics
from kenzen.policy.document import load_policy
from tests.migrations.accounts import insert_accounts

DAYS = (date(2026, 11, 18), date(2026, 11, 19))
METRICS = (
    "order_defect_rate_mfn",
    "order_defect_rate_afn",
    "pre_fulfillment_cancel_rate",
    "late_shipment_rate_10d",
    "late_shipment_rate_30d",
    "valid_tracking_rate",
    "on_time_delivery_rate",
)


def _breakdown(metric: str, n: int) -> dict[str, int]:
    """Every breakdown count the old code stored: the order defects' and the on-time
    delivery rate's orders (tracked, on time), all different so none can stand in for another."""
    if metric == "order_defect_rate_mfn":
        return {"claims": n, "chargebacks": 2 + n, "negative_feedback": 4 + n}
    if metric == "order_defect_rate_afn":
        return {"claims": 0, "chargebacks": 0, "negative_feedback": 0}
    if metric == "on_time_delivery_rate":
        return {"tracked_orders": 30, "on_time_orders": 28 + n}
    return {}


def _database_before(url: str, events_dir: Path) -> Database:
    """A database at 0014, before the latest values: every metric of S1 on two dates."""
    database = Database(url, events_dir=events_dir)
    command.upgrade(database.alembic_config(), "0014")
    with database.engine.begin() as connection:
        insert_accounts(connection, ["S1"])
        for n, day in enumerate(DAYS):
            connection.execute(
                text(
                    "INSERT INTO metric_snapshots (seller_id, marketplace_id, metric, as_of, "
                    "window_from, window_to, numerator, denominator, rate, status, "
                    "target_value, target_condition, target_inclusive, breakdown, computed_at) "
                    "VALUES ('S1', 'JP', :metric, :day, :day, :day, :n, 10, "
                    ":rate, 'GOOD', 0.01, 'lt', false, :breakdown, '2026-11-20 00:00:00')"
                ),
                [
                    {
                        "metric": metric,
                        "day": day.isoformat(),
                        "n": n,
                        "rate": n / 10,
                        "breakdown": json.dumps(_breakdown(metric, n)),
                    }
                    for metric in METRICS
                ],
            )
            connection.execute(
                text(
                    "INSERT INTO order_volumes (seller_id, as_of, fulfilled_orders) "
                    "VALUES ('S1', :day, :n)"
                ),
                {"day": day.isoformat(), "n": 100 + n},
            )
    return database


def _history_holds(events_dir: Path, day: date, numerator: int) -> None:
    """A date the columnar history already holds (computed after the old rows)."""
    row = dict.fromkeys(METRIC_SCHEMA.names) | {
        "seller_id": "S1",
        "marketplace_id": "JP",
        "metric": "order_defect_rate_mfn",
        "as_of": day,
        "window_from": day,
        "window_to": day,
        "numerator": numerator,
        "denominator": 10,
        "status": "GOOD",
        "target_value": 0.01,
        "target_condition": "lt",
        "target_inclusive": False,
    }
    table = pa.Table.from_pylist([row], schema=METRIC_SCHEMA)
    history.snapshot_table(events_dir).write(day, table, scope="*")


def _report_figures(database: Database, day: date) -> tuple[Any, ...]:
    """The SP-API report's order defect and on-time delivery figures of S1 on ``day``."""
    with database.transaction() as session:
        report = performance_report(session, SYSTEM, load_policy(), "S1", day)
    [metrics] = report["performanceMetrics"]
    mfn, otdr = metrics["orderDefectRate"]["mfn"], metrics["onTimeDeliveryRate"]
    return (
        mfn["claims"]["count"],
        mfn["chargebacks"]["count"],
        mfn["negativeFeedback"]["count"],
        otdr["shipmentCountWithValidTracking"],
        otdr["onTimeDeliveryCount"],
        otdr["status"],
    )


def test_the_latest_date_becomes_the_latest_values_and_every_date_moves_to_the_history(
    empty_url: str, tmp_path: Path
) -> None:
    database = _database_before(empty_url, tmp_path / "events")
    _history_holds(tmp_path / "events", DAYS[1], 7)
    database.upgrade()
    with database.transaction() as session:
        latest = session.scalars(select(LatestSellerMetrics)).one()
        assert (latest.as_of, latest.fulfilled_orders, latest.fingerprint) == (DAYS[1], 101, None)
        values = {v.metric: v for v in service.seller_metrics(session, "S1", DAYS[1])}
        assert {m: v.breakdown for m, v in values.items()} == {m: _breakdown(m, 1) for m in METRICS}
        mfn = values["order_defect_rate_mfn"]
        assert (mfn.numerator, mfn.rate, mfn.window_from, mfn.target_inclusive) == (
            1,
            0.1,
            DAYS[1],
            False,
        )
        first = service.seller_metrics(session, "S1", DAYS[0])
        assert {v.metric: v.breakdown for v in first} == {m: _breakdown(m, 0) for m in METRICS}
        assert service.fulfilled_orders(session, "S1", DAYS[0]) == 100
        assert service.latest_as_of(session, "S1", DAYS[0]) == DAYS[0]
    kept = history.snapshot_table(tmp_path / "events").read(DAYS[1], DAYS[1])
    assert kept["numerator"].to_pylist() == [7]  # the history's own date was kept
    tables = inspect(database.engine).get_table_names()
    assert not {"metric_snapshots", "order_volumes", "latest_metrics"} & set(tables)
    database.dispose()


def test_the_sp_api_report_reads_the_same_figures_after_the_upgrade(
    empty_url: str, tmp_path: Path
) -> None:
    database = _database_before(empty_url, tmp_path / "events")
    database.upgrade()
    # the latest date from the database's row, the one before from the Parquet history
    assert _report_figures(database, DAYS[1]) == (1, 3, 5, 30, 29, "GOOD")
    assert _report_figures(database, DAYS[0]) == (0, 2, 4, 30, 28, "GOOD")
    database.dispose()


def test_old_rows_are_not_dropped_without_an_event_store_to_move_them_into(
    empty_url: str, tmp_path: Path
) -> None:
    database = _database_before(empty_url, tmp_path / "events")
    bare = Database(database.url)
    with pytest.raises(RuntimeError, match="no event store"):
        bare.upgrade()
    assert bare.current_revision() == "0014"
    # nothing of the upgrade stays (on SQLite too): the next one runs from 0014 again
    assert "latest_metrics" not in inspect(bare.engine).get_table_names()
    bare.dispose()
    database.upgrade()
    assert not database.pending_migrations()
    database.dispose()


def _change_counts(
    database: Database, change: Callable[[list[Any]], list[Any]], as_of: date | None = None
) -> None:
    """Each metric's breakdown counts of S1's row changed as ``change`` says (e.g. cut to
    the first three, as 0021 wrote them before it kept the on-time delivery counts); the
    row moved to ``as_of`` if given."""
    with database.engine.begin() as connection:
        stored = json.loads(
            connection.execute(text("SELECT metrics FROM latest_seller_metrics")).scalar_one()
        )
        changed = {metric: [*values[:-1], change(values[-1])] for metric, values in stored.items()}
        connection.execute(
            text("UPDATE latest_seller_metrics SET metrics = :metrics"),
            {"metrics": json.dumps(changed, sort_keys=True)},
        )
        if as_of is not None:
            connection.execute(
                text("UPDATE latest_seller_metrics SET as_of = :day"), {"day": as_of.isoformat()}
            )


def _as_0021_cut_them(counts: list[Any]) -> list[Any]:
    return counts[:3]


def test_a_database_upgraded_without_the_on_time_counts_gets_them_back_from_the_history(
    empty_url: str, tmp_path: Path
) -> None:
    database = _database_before(empty_url, tmp_path / "events")
    command.upgrade(database.alembic_config(), "0027")
    _change_counts(database, _as_0021_cut_them)
    assert _report_figures(database, DAYS[1]) == (1, 3, 5, 0, 0, "NONE")  # what was lost
    database.upgrade()
    assert _report_figures(database, DAYS[1]) == (1, 3, 5, 30, 29, "GOOD")
    database.dispose()


def test_counts_the_history_does_not_hold_stay_unknown_and_readable(
    empty_url: str, tmp_path: Path
) -> None:
    database = _database_before(empty_url, tmp_path / "events")
    command.upgrade(database.alembic_config(), "0027")
    _change_counts(database, _as_0021_cut_them, as_of=date(2026, 11, 20))
    database.upgrade()
    with database.transaction() as session:
        values = {v.metric: v for v in service.seller_metrics(session, "S1", date(2026, 11, 20))}
    assert values["order_defect_rate_mfn"].breakdown == _breakdown("order_defect_rate_mfn", 1)
    assert values["on_time_delivery_rate"].breakdown == {}
    database.dispose()


@pytest.mark.parametrize("counts", [3, 5, 6], ids=["cut by 0021", "every count", "one more"])
def test_the_downgrade_brings_the_latest_values_back(
    empty_url: str, tmp_path: Path, counts: int
) -> None:
    database = _database_before(empty_url, tmp_path / "events")
    database.upgrade()
    _change_counts(database, lambda stored: [*stored, 9][:counts])
    command.downgrade(database.alembic_config(), "0020")
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT metric, CAST(as_of AS TEXT) AS as_of, numerator, rate, "
                "CAST(breakdown AS TEXT) AS breakdown FROM latest_metrics"
            )
        ).all()
        volume = connection.execute(
            text("SELECT CAST(as_of AS TEXT), fulfilled_orders FROM latest_order_volumes")
        ).one()
    kept = BREAKDOWNS[:counts]
    assert {r.metric: json.loads(r.breakdown) for r in rows} == {
        m: {n: c for n, c in _breakdown(m, 1).items() if n in kept} for m in METRICS
    }
    mfn = next(r for r in rows if r.metric == "order_defect_rate_mfn")
    assert (mfn.as_of, mfn.numerator, mfn.rate) == (DAYS[1].isoformat(), 1, 0.1)
    assert tuple(volume) == (DAYS[1].isoformat(), 101)
    database.upgrade()
    database.dispose()
