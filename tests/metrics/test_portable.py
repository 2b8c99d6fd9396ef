"""Definitions are portable (Spark), targets are picked by date, reports validate."""

from __future__ import annotations

from datetime import date

import jsonschema
import pytest
import sqlglot

from kenzen.metrics.definitions import DEFINITIONS, load_targets, targets_for
from kenzen.metrics.engine import metrics_sql
from kenzen.metrics.report import POLICY_COUNTERS, build_report, report_schema
from kenzen.metrics.values import MetricValue
from tests.metrics.conftest import AS_OF, TIME_ZONES, TOKYO


@pytest.mark.parametrize("key", sorted(DEFINITIONS))
def test_each_definition_transpiles_to_spark(key: str) -> None:
    spark = metrics_sql(AS_OF, TIME_ZONES, ["S1"], dialect="spark")
    assert f"{key}__num" in spark
    assert sqlglot.parse_one(spark, read="spark") is not None
    assert DEFINITIONS[key].doc.count("Source: https://") == 1


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
