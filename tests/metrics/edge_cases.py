"""Generated events that meet every edge of the metric definitions (see
``test_spark.py``): the engines and the stored encodings are compared on them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from kenzen.events.store import EventStore
from tests.metrics.conftest import TIME_ZONES, batch

BASE = datetime(2024, 11, 30, 15, tzinfo=UTC)  # end of the as-of day in Tokyo
MARKETPLACES = sorted(TIME_ZONES)


def _instant(rng: random.Random) -> datetime:
    return BASE + timedelta(minutes=30 * rng.randint(-75 * 48, 3 * 48))


def _maybe(rng: random.Random, after: datetime, p: float = 0.8) -> datetime | None:
    """Mostly a time after ``after`` (sometimes past the as-of day), else none."""
    if rng.random() > p:
        return None
    return after + timedelta(minutes=30 * rng.randint(-2, 12 * 48))


def _order(rng: random.Random, number: int, seller: int) -> dict[str, Any]:
    purchased = _instant(rng)
    if seller % 10 == 9:  # sellers with no order in any window
        purchased = BASE - timedelta(days=100 + rng.randint(0, 20))
    merchant = rng.random() < 0.7
    shipped = _maybe(rng, purchased)
    cancelled = _maybe(rng, purchased, 0.15)
    return {
        "order_id": f"O{number}",
        "seller_id": f"S{seller}",
        "marketplace_id": MARKETPLACES[seller % 2],
        "purchased_at": purchased,
        "fulfillment": "merchant" if merchant else "marketplace",
        "ship_by": purchased + timedelta(days=rng.randint(0, 3)) if merchant else None,
        "shipped_at": shipped,
        "tracking_id": f"T{number}" if shipped and rng.random() < 0.9 else None,
        "first_scan_at": _maybe(rng, shipped, 0.9) if shipped else None,
        "deliver_by": purchased + timedelta(days=rng.randint(2, 9)) if rng.random() < 0.9 else None,
        "delivered_at": _maybe(rng, shipped, 0.85) if shipped else None,
        "cancelled_at": cancelled,
        "cancelled_by": rng.choice(["seller", "buyer", "marketplace", "system"])
        if cancelled
        else None,
        "units": rng.randint(1, 4),
        "updated_at": purchased + timedelta(days=1),
    }


def _defect(rng: random.Random, number: int, order: dict[str, Any]) -> dict[str, Any]:
    kind = rng.choice(["feedback", "a_to_z_claim", "chargeback"])
    statuses = {
        "feedback": ["active", "removed"],
        "a_to_z_claim": ["open", "granted", "denied", "withdrawn"],
        "chargeback": ["open", "lost", "reversed"],
    }[kind]
    occurred = order["purchased_at"] + timedelta(minutes=30 * rng.randint(0, 40 * 48))
    return {
        "defect_id": f"D{number}",
        "order_id": order["order_id"],
        "kind": kind,
        "occurred_at": occurred,
        "rating": rng.randint(1, 5) if kind == "feedback" else None,
        "status": rng.choice(statuses),
        "updated_at": occurred,
    }


def load_edge_cases(store: EventStore, seed: int = 13) -> None:
    """~3,000 orders of 40 sellers in three imports, then their defects."""
    rng = random.Random(seed)
    orders = [_order(rng, n, rng.randrange(40)) for n in range(3000)]
    assert store.upsert(batch("orders", orders)).imported
    later = [
        {**o, **_order(rng, int(o["order_id"][1:]), int(o["seller_id"][1:])),
         "purchased_at": o["purchased_at"], "updated_at": o["updated_at"] + timedelta(hours=h)}
        for o, h in ((rng.choice(orders), rng.choice([0, 0, 5])) for _ in range(400))
    ]  # fmt: skip
    outcome = store.upsert(batch("orders", later))
    assert outcome.result is not None
    assert outcome.result.updated > 0
    assert outcome.result.unchanged > 0  # equal versions are ignored
    defects = [_defect(rng, n, rng.choice(orders)) for n in range(500)]
    assert store.upsert(batch("defects", defects)).imported
