"""The engine's query, filled in per date from a cached template, against the plain-Python
reference; the query in steps against the one query; window bounds renamed as SQLGlot would;
order volumes."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlglot
from sqlglot import exp

from kenzen.events.store import EventStore
from kenzen.metrics.definitions import DEFINITIONS, targets_for
from kenzen.metrics.engine import (
    COMPUTED_SCHEMA,
    METRIC_SCHEMA,
    ORDER_VOLUME_DAYS,
    _substitute,
    compute_counts,
    compute_metrics,
    compute_metrics_and_volumes,
    metric_values,
)
from kenzen.metrics.seller_values import latest_values
from kenzen.metrics.values import MetricValue
from tests.metrics.conftest import AS_OF, TIME_ZONES, TOKYO, US, batch, defect, order
from tests.metrics.edge_cases import load_edge_cases
from tests.metrics.reference import (
    engine_metrics,
    engine_volumes,
    reference_metrics,
    reference_volumes,
)

T = datetime(2024, 11, 20, 3, tzinfo=UTC)

ORDERS = [
    order("O1", T),
    order("O2", T - timedelta(days=20), shipped_at=None),
    order("O3", T, seller_id="S2", marketplace_id=US, tracking_id="T3", deliver_by=T),
    order("O4", T - timedelta(days=90), fulfillment="marketplace", ship_by=None),
    order("O5", T, cancelled_at=T, cancelled_by="seller", shipped_at=None),
]
DEFECTS = [defect("D1", "O1", "a_to_z_claim", T)]


@pytest.fixture
def loaded(store: EventStore) -> EventStore:
    assert store.upsert(batch("orders", ORDERS)).imported
    assert store.upsert(batch("defects", DEFECTS)).imported
    return store


@pytest.mark.slow
def test_many_dates_in_a_row_match_the_reference(loaded: EventStore) -> None:
    """One cached template, bounds and targets substituted per date: every date and the
    incremental filter agree with the plain-Python reference."""
    orders = batch("orders", ORDERS).table.to_pylist()
    defects = batch("defects", DEFECTS).table.to_pylist()
    for days in range(0, 120, 7):
        as_of = AS_OF - timedelta(days=days)
        expected = reference_metrics(orders, defects, as_of, TIME_ZONES, targets_for(as_of))
        volumes = reference_volumes(orders, as_of, TIME_ZONES, ORDER_VOLUME_DAYS)
        for sellers in (None, {"S2"}):
            got = compute_metrics_and_volumes(loaded, as_of, TIME_ZONES, sellers)
            chosen = sellers or {"S1", "S2"}
            assert engine_metrics(got) == {k: v for k, v in expected.items() if k[0] in chosen}
            assert engine_volumes(got) == {k: v for k, v in volumes.items() if k[0] in chosen}
    assert compute_metrics(loaded, AS_OF, TIME_ZONES).num_rows == 2 * 7


def test_the_query_in_steps_gives_the_rows_of_the_one_query_and_each_sellers_latest_values(
    store: EventStore,
) -> None:
    """``kenzen metrics`` keeps each seller's counts in DuckDB and reads from them the metric
    rows, the order volumes and the JSON of the latest values: all equal to what the one
    query (the raw baseline's, Spark's) computes, rates to the last bit."""
    load_edge_cases(store)
    expected = compute_metrics_and_volumes(store, AS_OF, TIME_ZONES)
    steps = compute_counts(store, AS_OF, TIME_ZONES)
    ordered = f"{steps.rows} ORDER BY seller_id, marketplace_id, metric"
    assert store.con.sql(ordered).to_arrow_table().cast(COMPUTED_SCHEMA).equals(expected)
    volumes = {(r["seller_id"], r["marketplace_id"], r["as_of"], r["fulfilled_orders"])
               for r in expected.to_pylist()}  # fmt: skip
    assert sorted(store.con.execute(steps.volumes).fetchall()) == sorted(volumes)
    by_seller: dict[str, list[MetricValue]] = defaultdict(list)
    for value in metric_values(expected.select(METRIC_SCHEMA.names)):
        by_seller[value.seller_id].append(value)
    latest = store.con.execute(steps.latest).fetchall()
    assert len(latest) == len(by_seller) > 40  # 40 random sellers, one per written edge
    fingerprints: dict[tuple[int, str], set[str]] = defaultdict(set)
    for seller_id, marketplace_id, as_of, fulfilled, metrics, fingerprint in latest:
        record = SimpleNamespace(
            seller_id=seller_id,
            marketplace_id=marketplace_id,
            as_of=date.fromisoformat(as_of),
            fulfilled_orders=fulfilled,
            metrics=metrics,
        )
        assert latest_values(record) == by_seller[seller_id]
        fingerprints[(fulfilled, metrics)].add(fingerprint)
    # equal values (no seller's id is in them) give one fingerprint, different ones differ
    assert all(len(f) == 1 for f in fingerprints.values())
    assert len(set.union(*fingerprints.values())) == len(fingerprints) > 10


def test_no_rows_for_an_empty_store_or_no_sellers(store: EventStore, loaded: EventStore) -> None:
    assert compute_metrics(loaded, AS_OF, TIME_ZONES, set()).num_rows == 0
    assert compute_metrics(loaded, AS_OF, TIME_ZONES, {"nobody"}).num_rows == 0
    with EventStore(store.directory.parent / "empty") as empty:
        table = compute_metrics(empty, AS_OF, TIME_ZONES)
    assert table.num_rows == 0
    assert table.schema == METRIC_SCHEMA


def test_unknown_marketplace_is_an_error(loaded: EventStore) -> None:
    with pytest.raises(ValueError, match="no time zone for marketplace"):
        compute_metrics(loaded, AS_OF, {"A1VC38T7YXB528": "Asia/Tokyo"})


def test_a_seller_with_no_order_in_any_window_still_gets_its_rows(store: EventStore) -> None:
    old = T - timedelta(days=100)
    assert store.upsert(batch("orders", [order("O1", old, deliver_by=old)])).imported
    values = metric_values(compute_metrics(store, AS_OF, TIME_ZONES))
    assert len(values) == 7
    assert {v.status for v in values} == {"NONE"}
    assert {(v.numerator, v.denominator) for v in values} == {(0, 0)}


def test_window_bounds_are_renamed_as_sqlglot_renames_the_columns() -> None:
    """The engine renames ``window_start``/``window_end`` without SQLGlot; the result is
    the query SQLGlot's rewrite of the column nodes gives, for every condition."""

    def renamed(condition: str, key: str) -> exp.Expression:
        names = {"window_start": f"{key}__start", "window_end": f"{key}__end"}

        def rename(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Column) and node.name in names and not node.table:
                return exp.column(names[node.name])
            return node

        return sqlglot.condition(condition, dialect="duckdb").transform(rename)

    for key, d in DEFINITIONS.items():
        conditions = [
            f"{d.anchor} >= window_start AND {d.anchor} < window_end",
            d.population,
            d.numerator,
            *(c for c, _ in d.breakdown.values()),
        ]
        for condition in conditions:
            got = sqlglot.condition(_substitute(condition, key), dialect="duckdb")
            assert got == renamed(condition, key), condition
    assert _substitute("o.window_start < window_end AND 'window_start' = x", "k") == (
        "o.window_start < k__end AND 'window_start' = x"
    )


def test_order_volume_counts_the_rating_window_by_local_calendar_days(store: EventStore) -> None:
    """Orders purchased in the 180 days ending on the as-of date (Tokyo), not cancelled by
    its end, shipped or delivered by then (marketplace-fulfilled: once placed)."""
    first = datetime(2024, 6, 3, 15, tzinfo=UTC)  # 2024-06-04 00:00 in Tokyo: day 1 of 180
    end = datetime(2024, 11, 30, 15, tzinfo=UTC)  # the end of the as-of day in Tokyo
    minute = timedelta(minutes=1)
    counted = [
        order("first", first),
        order("last", end - minute),
        order("cancelled later", first, cancelled_at=end, cancelled_by="buyer"),
        order("delivered only", first, shipped_at=None, delivered_at=end - minute),
        order("afn", first, fulfillment="marketplace", ship_by=None, shipped_at=None),
    ]
    not_counted = [
        order("too early", first - minute),
        order("after the as-of day", end),
        order("cancelled", first, cancelled_at=end - minute, cancelled_by="buyer"),
        order("unshipped", first, shipped_at=None),
        order("shipped after", first, shipped_at=end),
    ]
    assert store.upsert(batch("orders", counted + not_counted)).imported
    computed = compute_metrics_and_volumes(store, AS_OF, TIME_ZONES)
    assert set(computed["fulfilled_orders"].to_pylist()) == {len(counted)}
    assert set(computed["marketplace_id"].to_pylist()) == {TOKYO}
    day_before = compute_metrics_and_volumes(store, AS_OF - timedelta(days=1), TIME_ZONES)
    # a day earlier "too early" is in, "cancelled" not cancelled yet, "last" not purchased
    # and "delivered only" not delivered yet
    assert set(day_before["fulfilled_orders"].to_pylist()) == {5}
