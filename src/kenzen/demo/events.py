"""120 days of orders and defects for the demo sellers, shaped by each seller's profile.

Deterministic for a seed and a day. A good seller ships on time and rarely gets a defect;
sloppy shippers and defective sellers have the habits that turn metrics BAD, so the demo
shows every metric status with real events behind it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from kenzen.demo.accounts import Profile

DAYS = 120


@dataclass(frozen=True, slots=True)
class Habits:
    """Probabilities that shape one seller's orders."""

    orders_per_day: float
    late: float
    seller_cancel: float
    no_tracking: float
    late_delivery: float
    negative_feedback: float
    claim: float
    chargeback: float


GOOD = Habits(4.0, 0.01, 0.004, 0.01, 0.03, 0.0005, 0.0002, 0.0001)
SLOPPY_SHIPPER = Habits(4.0, 0.08, 0.03, 0.08, 0.15, 0.004, 0.002, 0.0005)
DEFECTIVE = Habits(3.0, 0.03, 0.01, 0.03, 0.08, 0.02, 0.01, 0.003)


HABITS = {Profile.SLOPPY_SHIPPER: SLOPPY_SHIPPER, Profile.DEFECTIVE: DEFECTIVE}


ORDER_FIELDS = (
    "order_id", "seller_id", "marketplace_id", "purchased_at", "fulfillment", "ship_by",
    "shipped_at", "tracking_id", "first_scan_at", "deliver_by", "delivered_at",
    "cancelled_at", "cancelled_by", "units", "updated_at",
)  # fmt: skip
DEFECT_FIELDS = ("defect_id", "order_id", "kind", "occurred_at", "rating", "status", "updated_at")
_TIMESTAMPS = {
    "purchased_at", "ship_by", "shipped_at", "first_scan_at", "deliver_by", "delivered_at",
    "cancelled_at", "updated_at", "occurred_at",
}  # fmt: skip


def _table(fields: tuple[str, ...], rows: list[dict[str, object]]) -> pa.Table:
    schema = pa.schema(
        [
            (
                name,
                pa.timestamp("us", tz="UTC")
                if name in _TIMESTAMPS
                else pa.int64()
                if name in ("units", "rating")
                else pa.string(),
            )
            for name in fields
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def generate(
    sellers: list[tuple[str, Profile]],
    *,
    marketplace_id: str,
    time_zone: str,
    today: date,
    seed: int,
    folder: Path,
) -> tuple[Path, Path]:
    """Write ``orders.parquet`` and ``defects.parquet`` into ``folder``; return their paths."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    zone = ZoneInfo(time_zone)
    now = datetime.combine(today, time(), zone).astimezone(UTC)
    orders: list[dict[str, object]] = []
    defects: list[dict[str, object]] = []
    for seller_id, profile in sellers:
        habits = HABITS.get(profile, GOOD)
        for day_offset in range(DAYS, 0, -1):
            day = today - timedelta(days=day_offset)
            for _ in range(_poisson(rng, habits.orders_per_day)):
                number = len(orders) + 1
                order, order_defects = _order(
                    rng, habits, f"D{number:08d}", seller_id, marketplace_id, day, zone, now
                )
                orders.append(order)
                defects.extend(order_defects)
    orders_path, defects_path = folder / "orders.parquet", folder / "defects.parquet"
    pq.write_table(_table(ORDER_FIELDS, orders), orders_path)
    pq.write_table(_table(DEFECT_FIELDS, defects), defects_path)
    return orders_path, defects_path


def _poisson(rng: random.Random, mean: float) -> int:
    count, threshold, product = 0, pow(2.718281828459045, -mean), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def _order(
    rng: random.Random,
    habits: Habits,
    order_id: str,
    seller_id: str,
    marketplace_id: str,
    day: date,
    zone: ZoneInfo,
    now: datetime,
) -> tuple[dict[str, object], list[dict[str, object]]]:
    def local(days: float, at: date = day) -> datetime:
        return (datetime.combine(at, time(), zone) + timedelta(days=days)).astimezone(UTC)

    purchased = local(rng.uniform(0.3, 0.95))
    merchant = rng.random() < 0.7
    order: dict[str, object] = {
        "order_id": order_id,
        "seller_id": seller_id,
        "marketplace_id": marketplace_id,
        "purchased_at": purchased,
        "fulfillment": "merchant" if merchant else "marketplace",
        "units": 1 if rng.random() < 0.85 else rng.randint(2, 4),
    }
    ship_by = local(2.99)
    deliver_by = local(5.99)
    order.update(ship_by=ship_by if merchant else None, deliver_by=deliver_by)
    events = [purchased]
    roll = rng.random()
    if roll < habits.seller_cancel:
        order.update(cancelled_at=purchased + timedelta(hours=rng.uniform(2, 40)))
        order.update(cancelled_by=rng.choice(("seller", "system")))
    elif roll < habits.seller_cancel + 0.01:
        order.update(cancelled_at=purchased + timedelta(hours=rng.uniform(0.2, 6)))
        order.update(cancelled_by="buyer")
    else:
        late = rng.random() < habits.late
        shipped = (
            ship_by + timedelta(hours=rng.uniform(2, 60))
            if late
            else (purchased + timedelta(hours=rng.uniform(4, 40)))
        )
        order["shipped_at"] = shipped
        if rng.random() >= habits.no_tracking:
            order["tracking_id"] = f"TRK{order_id[1:]}"
            order["first_scan_at"] = shipped + timedelta(hours=rng.uniform(1, 12))
        in_transit = timedelta(days=rng.uniform(1, 2.8))
        if rng.random() < habits.late_delivery:
            in_transit += timedelta(days=rng.uniform(1.5, 4))
        order["delivered_at"] = shipped + in_transit
    for name in ("shipped_at", "first_scan_at", "delivered_at", "cancelled_at"):
        value = order.get(name)
        if isinstance(value, datetime) and value > now:
            order[name] = None
            if name == "cancelled_at":
                order["cancelled_by"] = None
        elif isinstance(value, datetime):
            events.append(value)
    order["updated_at"] = max(events)
    defects = []
    for kind, chance in (
        ("feedback", habits.negative_feedback),
        ("a_to_z_claim", habits.claim),
        ("chargeback", habits.chargeback),
    ):
        occurred = purchased + timedelta(days=rng.uniform(3, 20))
        if rng.random() < chance and occurred <= now:
            defects.append(
                {
                    "defect_id": f"{order_id}-{kind}",
                    "order_id": order_id,
                    "kind": kind,
                    "occurred_at": occurred,
                    "rating": rng.choice((1, 2)) if kind == "feedback" else None,
                    "status": {"feedback": "active", "a_to_z_claim": "granted"}.get(kind, "lost"),
                    "updated_at": occurred,
                }
            )
    return order, defects
