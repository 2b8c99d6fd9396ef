"""The engine's cached DuckDB query agrees with the SQLGlot-built one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kenzen.events.store import EventStore
from kenzen.metrics.engine import METRIC_SCHEMA, compute_metrics, metric_values, metrics_sql
from tests.metrics.conftest import AS_OF, TIME_ZONES, US, batch, defect, order

T = datetime(2024, 11, 20, 3, tzinfo=UTC)


@pytest.fixture
def loaded(store: EventStore) -> EventStore:
    rows = [
        order("O1", T),
        order("O2", T - timedelta(days=20), shipped_at=None),
        order("O3", T, seller_id="S2", marketplace_id=US, tracking_id="T3", deliver_by=T),
        order("O4", T - timedelta(days=90), fulfillment="marketplace", ship_by=None),
        order("O5", T, cancelled_at=T, cancelled_by="seller", shipped_at=None),
    ]
    assert store.upsert(batch("orders", rows)).imported
    assert store.upsert(batch("defects", [defect("D1", "O1", "a_to_z_claim", T)])).imported
    return store


@pytest.mark.slow
def test_many_dates_in_a_row_match_the_sqlglot_query(loaded: EventStore) -> None:
    for days in range(0, 120, 7):
        as_of = AS_OF - timedelta(days=days)
        for sellers in (None, {"S2"}):
            got = compute_metrics(loaded, as_of, TIME_ZONES, sellers)
            expected = loaded.query(metrics_sql(as_of, TIME_ZONES, sellers)).cast(METRIC_SCHEMA)
            assert got.equals(expected), as_of
    assert compute_metrics(loaded, AS_OF, TIME_ZONES).num_rows == 2 * 7


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
