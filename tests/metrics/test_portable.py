"""Definitions are portable (Spark), targets are picked by date, reports validate."""

from __future__ import annotations

from datetime import UTC, date, datetime

import jsonschema
import pyarrow as pa
import pytest
import sqlglot

from kenzen.events.store import EventStore
from kenzen.metrics.definitions import DEFINITIONS, load_targets, targets_for
from kenzen.metrics.engine import compute_metrics
from kenzen.metrics.report import POLICY_COUNTERS, build_report, report_schema
from kenzen.metrics.spark import spark_sql
from kenzen.metrics.values import MetricValue
from tests.metrics.conftest import AS_OF, TIME_ZONES, TOKYO, batch, order


class _Recording:
    """The embedded store, keeping each query the engine sends it."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.queries: list[str] = []

    def query(self, sql: str) -> pa.Table:
        self.queries.append(sql)
        return self.store.query(sql)

    def last_batch(self) -> int:
        return self.store.last_batch()


def test_every_query_the_engine_sends_is_valid_spark_sql(store: EventStore) -> None:
    assert store.upsert(batch("orders", [order("O1", datetime(2024, 11, 20, tzinfo=UTC))])).imported
    recording = _Recording(store)
    compute_metrics(recording, AS_OF, TIME_ZONES, ["S1"])
    assert len(recording.queries) == 2  # the marketplaces, then the metrics
    spark = [spark_sql(sql) for sql in recording.queries]
    for text in spark:
        assert sqlglot.parse_one(text, read="spark") is not None
    for key, definition in DEFINITIONS.items():
        assert f"{key}__num" in spark[-1]
        assert definition.doc.count("Source: https://") == 1


def test_targets_are_picked_by_as_of_date() -> None:
    assert targets_for(date(2024, 9, 24))["on_time_delivery_rate"].value == 0.97
    assert targets_for(date(2024, 9, 25))["on_time_delivery_rate"].value == 0.90
    assert {t.metric for t in load_targets()} == set(DEFINITIONS)


def _value(metric: str, num: int, den: int, status: str, **breakdown: int) -> MetricValue:
    return MetricValue(
        "S1", TOKYO, metric, AS_OF, AS_OF, AS_OF, num, den, num / den if den else None, status,
        0.01, "LESS_THAN", False, breakdown,
    )  # fmt: skip


@pytest.mark.parametrize(
    "metrics",
    [
        [],
        [
            _value(
                "order_defect_rate_mfn", 3, 100, "BAD", claims=1, chargebacks=1, negative_feedback=2
            )
        ],
        [
            _value("on_time_delivery_rate", 9, 10, "GOOD", tracked_orders=5, on_time_orders=4),
            _value("late_shipment_rate_30d", 0, 0, "NONE"),
        ],
    ],
)
def test_report_validates_against_amazons_schema(metrics: list[MetricValue]) -> None:
    report = build_report(
        seller_id="S1",
        marketplace_id=TOKYO,
        as_of=AS_OF,
        metrics=metrics,
        account_status="AT_RISK",
        time_zone="Asia/Tokyo",
        policy_violations={"receivedIntellectualPropertyComplaints": 2},
        ahr_status="WARNED",
    )
    jsonschema.validate(report, report_schema())
    perf = report["performanceMetrics"][0]
    assert all(name in perf for name in POLICY_COUNTERS)
    assert perf["receivedIntellectualPropertyComplaints"]["status"] == "BAD"
    assert perf["invoiceDefectRate"]["status"] == "NONE"
    assert perf["orderDefectRate"]["mfn"]["reportingDateRange"]["reportingDateFrom"].endswith(
        "+09:00"
    )
