"""A plain-Python reference of the metric rules, written independently of the engine.

Where the engine compares UTC instants with precomputed bounds, this converts every
timestamp to a calendar date in the marketplace's time zone and compares dates: the two
must agree on every event set.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa

from kenzen.metrics.definitions import Target
from kenzen.metrics.engine import metric_values

Row = dict[str, Any]
Key = tuple[str, str, str]


def latest(rows: list[Row], key: str) -> list[Row]:
    """The latest version of each row; of equal versions, the first one read."""
    chosen: dict[str, Row] = {}
    for row in rows:
        current = chosen.get(row[key])
        if current is None or row["updated_at"] > current["updated_at"]:
            chosen[row[key]] = row
    return list(chosen.values())


def reference_metrics(
    orders: list[Row],
    defects: list[Row],
    as_of: date,
    time_zones: dict[str, str],
    targets: dict[str, Target],
) -> dict[Key, dict[str, Any]]:
    """(seller, marketplace, metric) → numerator, denominator, status, breakdown."""
    orders = latest(orders, "order_id")
    defects = latest(defects, "defect_id")
    by_order: dict[str, list[Row]] = defaultdict(list)
    for d in defects:
        by_order[d["order_id"]].append(d)

    def day(ts: datetime | None, marketplace: str) -> date | None:
        return None if ts is None else ts.astimezone(ZoneInfo(time_zones[marketplace])).date()

    def in_window(d: date | None, metric: str) -> bool:
        t = targets[metric]
        last = as_of - timedelta(days=t.lag_days)
        first = last - timedelta(days=t.window_days - 1)
        return d is not None and first <= d <= last

    counts: dict[Key, dict[str, Any]] = {}
    for o in orders:
        mp = o["marketplace_id"]

        def happened(ts: datetime | None, mp: str = mp) -> bool:
            d = day(ts, mp)
            return d is not None and d <= as_of

        if not happened(o["purchased_at"]):
            continue
        kinds = set()
        for d in by_order[o["order_id"]]:
            if not happened(d["occurred_at"]):
                continue
            if d["kind"] == "feedback" and d["rating"] <= 2 and d["status"] != "removed":
                kinds.add("negative_feedback")
            if d["kind"] == "a_to_z_claim" and d["status"] not in ("denied", "withdrawn"):
                kinds.add("claims")
            if d["kind"] == "chargeback" and d["status"] != "reversed":
                kinds.add("chargebacks")
        merchant = o["fulfillment"] == "merchant"
        shipped = happened(o["shipped_at"])
        cancelled_before_shipment = happened(o["cancelled_at"]) and (
            o["shipped_at"] is None or o["cancelled_at"] < o["shipped_at"]
        )
        # ship_by is empty only where it places the order in no window (AFN)
        late = not shipped or (o["ship_by"] is not None and o["shipped_at"] > o["ship_by"])
        tracked = merchant and o["tracking_id"] is not None and shipped
        delivered_on_time = (
            happened(o["delivered_at"])
            and o["deliver_by"] is not None
            and o["delivered_at"] <= o["deliver_by"]
        )
        purchased = day(o["purchased_at"], mp)

        def add(
            metric: str,
            counted: bool,
            weight: int = 1,
            extra: dict[str, bool] | None = None,
            o: Row = o,
            mp: str = mp,
        ) -> None:
            entry = counts.setdefault(
                (o["seller_id"], mp, metric), {"numerator": 0, "denominator": 0, "breakdown": {}}
            )
            entry["denominator"] += weight
            entry["numerator"] += weight if counted else 0
            for name, flag in (extra or {}).items():
                entry["breakdown"][name] = entry["breakdown"].get(name, 0) + int(flag)

        for metric, fulfilled in (
            ("order_defect_rate_mfn", True),
            ("order_defect_rate_afn", False),
        ):
            seller_key = (o["seller_id"], mp, metric)
            counts.setdefault(seller_key, {"numerator": 0, "denominator": 0, "breakdown": {}})
            for name in ("claims", "chargebacks", "negative_feedback"):
                counts[seller_key]["breakdown"].setdefault(name, 0)
            if merchant == fulfilled and in_window(purchased, metric):
                add(
                    metric,
                    bool(kinds),
                    extra={k: k in kinds for k in ("claims", "chargebacks", "negative_feedback")},
                )
        for metric in (
            "pre_fulfillment_cancel_rate",
            "late_shipment_rate_10d",
            "late_shipment_rate_30d",
            "valid_tracking_rate",
        ):
            counts.setdefault(
                (o["seller_id"], mp, metric), {"numerator": 0, "denominator": 0, "breakdown": {}}
            )
        otdr_key = (o["seller_id"], mp, "on_time_delivery_rate")
        counts.setdefault(
            otdr_key,
            {
                "numerator": 0,
                "denominator": 0,
                "breakdown": {"tracked_orders": 0, "on_time_orders": 0},
            },
        )
        if not merchant:
            continue
        if in_window(purchased, "pre_fulfillment_cancel_rate"):
            add(
                "pre_fulfillment_cancel_rate",
                o["cancelled_by"] in ("seller", "system") and cancelled_before_shipment,
            )
        for metric in ("late_shipment_rate_10d", "late_shipment_rate_30d"):
            if not cancelled_before_shipment and in_window(day(o["ship_by"], mp), metric):
                add(metric, late)
        if in_window(day(o["shipped_at"], mp), "valid_tracking_rate"):
            add(
                "valid_tracking_rate",
                o["tracking_id"] is not None and happened(o["first_scan_at"]),
            )
        if tracked and in_window(day(o["deliver_by"], mp), "on_time_delivery_rate"):
            add(
                "on_time_delivery_rate",
                delivered_on_time,
                o["units"],
                extra={"tracked_orders": True, "on_time_orders": delivered_on_time},
            )
    for (_, _, metric), entry in counts.items():
        den = entry["denominator"]
        entry["status"] = targets[metric].status(entry["numerator"] / den if den else None)
    return counts


def reference_volumes(
    orders: list[Row], as_of: date, time_zones: dict[str, str], days: int
) -> dict[tuple[str, str], int]:
    """(seller, marketplace) → orders purchased in the ``days`` calendar days ending on
    ``as_of``, not cancelled by its end, and shipped or delivered by then unless the
    marketplace fulfils them; every seller with an order by the end of ``as_of``."""
    volumes: dict[tuple[str, str], int] = {}
    for o in latest(orders, "order_id"):
        zone = ZoneInfo(time_zones[o["marketplace_id"]])

        def by_end(ts: datetime | None, zone: ZoneInfo = zone) -> bool:
            return ts is not None and ts.astimezone(zone).date() <= as_of

        purchased = o["purchased_at"].astimezone(zone).date()
        if purchased > as_of:
            continue
        key = (o["seller_id"], o["marketplace_id"])
        counted = (
            purchased > as_of - timedelta(days=days)
            and not by_end(o["cancelled_at"])
            and (
                o["fulfillment"] == "marketplace"
                or by_end(o["shipped_at"])
                or by_end(o["delivered_at"])
            )
        )
        volumes[key] = volumes.get(key, 0) + int(counted)
    return volumes


def engine_metrics(computed: pa.Table) -> dict[Key, dict[str, Any]]:
    """The engine's rows (:data:`kenzen.metrics.engine.COMPUTED_SCHEMA`) keyed and shaped
    as :func:`reference_metrics` returns them."""
    return {
        (v.seller_id, v.marketplace_id, v.metric): {
            "numerator": v.numerator,
            "denominator": v.denominator,
            "status": v.status,
            "breakdown": v.breakdown,
        }
        for v in metric_values(computed.drop_columns(["fulfilled_orders"]))
    }


def engine_volumes(computed: pa.Table) -> dict[tuple[str, str], int]:
    """The engine's order volumes shaped as :func:`reference_volumes` returns them."""
    keys = ("seller_id", "marketplace_id", "fulfilled_orders")
    return {(s, m): n for s, m, n in zip(*(computed[k].to_pylist() for k in keys), strict=True)}
