"""The engine against the plain-Python reference on random event sets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kenzen.events.store import EventStore
from kenzen.metrics.definitions import targets_for
from kenzen.metrics.engine import ORDER_VOLUME_DAYS, compute_metrics_and_volumes
from tests.metrics.conftest import AS_OF, TIME_ZONES, batch
from tests.metrics.reference import (
    engine_metrics,
    engine_volumes,
    reference_metrics,
    reference_volumes,
)

BASE = datetime(2024, 11, 30, 15, tzinfo=UTC)  # end of the as-of day in Tokyo
# 30-minute steps land exactly on local midnights in Tokyo and Los Angeles.
instant = st.integers(-72 * 48, 3 * 48).map(lambda n: BASE + timedelta(minutes=30 * n))
maybe = st.none() | instant
# purchases also around the border of the order volume's 180-day window
purchase = instant | st.integers(-182 * 48, -177 * 48).map(
    lambda n: BASE + timedelta(minutes=30 * n)
)
SELLERS = {"S1": "A1VC38T7YXB528", "S2": "ATVPDKIKX0DER"}


@st.composite
def order_rows(draw: st.DrawFn, order_id: str) -> dict[str, Any]:
    seller = sorted(SELLERS)[int(order_id[1:]) % 2]  # an order never changes seller
    cancelled_at = draw(maybe)
    return {
        "order_id": order_id,
        "seller_id": seller,
        "marketplace_id": SELLERS[seller],
        "purchased_at": draw(purchase),
        "fulfillment": draw(st.sampled_from(["merchant", "marketplace"])),
        "ship_by": draw(instant),
        "shipped_at": draw(maybe),
        "tracking_id": draw(st.none() | st.just("T")),
        "first_scan_at": draw(maybe),
        "deliver_by": draw(maybe),
        "delivered_at": draw(maybe),
        "cancelled_at": cancelled_at,
        "cancelled_by": None
        if cancelled_at is None
        else draw(st.sampled_from(["seller", "buyer", "marketplace", "system"])),
        "units": draw(st.integers(1, 4)),
        "updated_at": draw(instant),
    }


@st.composite
def events(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    ids = [f"O{i}" for i in range(draw(st.integers(1, 12)))]
    # some ids get several versions (updates, duplicates)
    orders = [draw(order_rows(draw(st.sampled_from(ids)))) for _ in range(draw(st.integers(1, 20)))]
    stored = sorted({o["order_id"] for o in orders})
    defects = []
    for i in range(draw(st.integers(0, 10))):
        kind = draw(st.sampled_from(["feedback", "a_to_z_claim", "chargeback"]))
        status = {
            "feedback": ["active", "removed"],
            "a_to_z_claim": ["open", "granted", "denied", "withdrawn"],
            "chargeback": ["open", "lost", "reversed"],
        }[kind]
        defects.append(
            {
                "defect_id": f"D{draw(st.integers(0, i))}",
                "order_id": draw(st.sampled_from(stored)),
                "kind": kind,
                "occurred_at": draw(instant),
                "rating": draw(st.integers(1, 5)) if kind == "feedback" else None,
                "status": draw(st.sampled_from(status)),
                "updated_at": draw(instant),
            }
        )
    return orders, defects


@settings(max_examples=30, deadline=None)
@given(events())
def test_engine_matches_reference(data: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
    orders, defects = data
    with TemporaryDirectory() as tmp, EventStore(Path(tmp)) as store:
        # orders arrive in two imports, so versions meet both within a file and across files
        half = len(orders) // 2
        for part in (orders[:half], orders[half:]):
            if part:
                assert store.upsert(batch("orders", part)).imported
        if defects:
            assert store.upsert(batch("defects", defects)).imported
        computed = compute_metrics_and_volumes(store, AS_OF, TIME_ZONES)
    expected = reference_metrics(orders, defects, AS_OF, TIME_ZONES, targets_for(AS_OF))
    assert engine_metrics(computed) == expected
    assert engine_volumes(computed) == reference_volumes(
        orders, AS_OF, TIME_ZONES, ORDER_VOLUME_DAYS
    )
