"""Events that meet every edge of the metric definitions, and a check that they do.

The parity test (Spark against the embedded engine, ``test_spark.py``) and the embedded
engine's test against the plain-Python reference (``test_edge_cases.py``) load the same
events: ~3,000 random orders of 40 sellers on a 30-minute grid (seed 13), and written
rows for each edge, each on a seller of its own so that a wrong count shows in that
seller's numbers:

- every window border of every metric, in Tokyo and in Los Angeles (whose 30- and
  60-day windows cross the end of daylight saving time): the placing column (purchase,
  ship-by, shipment, deliver-by) a microsecond before, exactly on and a microsecond after
  the window's first and its end instant;
- cancellations by the buyer, the seller, the marketplace and the system, before and after
  shipment and after the as-of day; scans by the as-of day, after it and missing;
  tracking missing; AFN and MFN orders with defects; defects on cancelled orders;
- later versions replacing orders and defects (also changing whether a defect counts),
  and equal versions ignored;
- sellers whose orders fall in no window, and sellers whose only order is after the as-of
  day.

:func:`edges_present` reads the stored rows back and names the edges they meet, so a
change to the generator cannot lose one silently.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kenzen.events.store import EventStore, StoredKind
from kenzen.metrics.definitions import DEFINITIONS, targets_for
from tests.metrics.conftest import AS_OF, TIME_ZONES, batch

Row = dict[str, Any]

BASE = datetime(2024, 11, 30, 15, tzinfo=UTC)  # end of the as-of day in Tokyo
MARKETPLACES = sorted(TIME_ZONES)
TICK = timedelta(microseconds=1)
OFFSETS = {"just before": -TICK, "exactly on": timedelta(0), "just after": TICK}
PARTIES = ("buyer", "seller", "marketplace", "system")


def midnight(day: date, marketplace: str) -> datetime:
    """The instant a calendar day starts in the marketplace's time zone."""
    return datetime.combine(day, time(), ZoneInfo(TIME_ZONES[marketplace])).astimezone(UTC)


def borders(metric: str, marketplace: str) -> dict[str, datetime]:
    """The metric's window on the as-of date: its first instant and its end (excluded)."""
    target = targets_for(AS_OF)[metric]
    last = AS_OF - timedelta(days=target.lag_days)
    first = last - timedelta(days=target.window_days - 1)
    return {
        "start": midnight(first, marketplace),
        "end": midnight(last + timedelta(days=1), marketplace),
    }


def _zone(marketplace: str) -> str:
    return TIME_ZONES[marketplace].split("/")[-1]


# --- random events on a grid that lands on local midnights -----------------------------


def _instant(rng: random.Random) -> datetime:
    return BASE + timedelta(minutes=30 * rng.randint(-75 * 48, 3 * 48))


def _maybe(rng: random.Random, after: datetime, p: float = 0.8) -> datetime | None:
    """Mostly a time after ``after`` (sometimes past the as-of day), else none."""
    if rng.random() > p:
        return None
    return after + timedelta(minutes=30 * rng.randint(-2, 12 * 48))


def _order(rng: random.Random, number: int, seller: int) -> Row:
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
        "cancelled_by": rng.choice(PARTIES) if cancelled else None,
        "units": rng.randint(1, 4),
        "updated_at": purchased + timedelta(days=1),
    }


def _defect(rng: random.Random, number: int, order: Row) -> Row:
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


# --- written rows, one seller per edge --------------------------------------------------


@dataclass
class _Written:
    """Rows in the imports they arrive by: orders twice, defects twice."""

    orders: list[Row] = field(default_factory=list)
    later_orders: list[Row] = field(default_factory=list)
    defects: list[Row] = field(default_factory=list)
    later_defects: list[Row] = field(default_factory=list)
    sellers: int = 0

    def seller(self, marketplace: str) -> tuple[str, Row]:
        """A new seller's id, and the columns its orders share."""
        self.sellers += 1
        seller_id = f"E{self.sellers:03d}"
        return seller_id, {"seller_id": seller_id, "marketplace_id": marketplace}

    def order(self, seller_id: str, common: Row, purchased_at: datetime, **fields: Any) -> Row:
        number = sum(1 for o in self.orders if o["seller_id"] == seller_id)
        row: Row = {
            "order_id": f"{seller_id}-{number}",
            **common,
            "purchased_at": purchased_at,
            "fulfillment": "merchant",
            "ship_by": purchased_at + timedelta(days=1),
            "units": 1,
            "updated_at": purchased_at,
        }
        row.update(fields)
        self.orders.append(row)
        return row

    def defect(self, order: Row, kind: str, **fields: Any) -> Row:
        """A defect of ``order`` occurring when it was placed; ``fields`` name its status."""
        row: Row = {
            "defect_id": f"D{order['order_id']}-{kind}",
            "order_id": order["order_id"],
            "kind": kind,
            "occurred_at": order["purchased_at"],
            "rating": 1 if kind == "feedback" else None,
            "updated_at": order["purchased_at"],
        }
        row.update(fields)
        self.defects.append(row)
        return row


def _at_border(rows: _Written, metric: str, marketplace: str, x: datetime) -> None:
    """Orders whose placing column for ``metric`` is ``x``: one counted in the numerator,
    one not, so the border moves both figures."""
    seller, common = rows.seller(marketplace)
    hour = timedelta(hours=1)
    if metric == "order_defect_rate_mfn":
        defective = rows.order(seller, common, x, shipped_at=x)
        rows.defect(defective, "a_to_z_claim", status="open")
        rows.order(seller, common, x, shipped_at=x)
    elif metric == "order_defect_rate_afn":
        afn = {"fulfillment": "marketplace", "ship_by": None}
        rows.defect(rows.order(seller, common, x, **afn), "chargeback", status="open")
        rows.order(seller, common, x, **afn)
    elif metric == "pre_fulfillment_cancel_rate":
        rows.order(seller, common, x, cancelled_at=x, cancelled_by="seller")
        rows.order(seller, common, x, shipped_at=x)
    elif metric in ("late_shipment_rate_10d", "late_shipment_rate_30d"):
        rows.order(seller, common, x - timedelta(days=2), ship_by=x, shipped_at=x + hour)
        rows.order(seller, common, x - timedelta(days=2), ship_by=x, shipped_at=x - hour)
    elif metric == "on_time_delivery_rate":
        shipped = {"ship_by": x - timedelta(days=3), "shipped_at": x - timedelta(days=3)}
        tracked = {"tracking_id": "T", "deliver_by": x, **shipped}
        purchased = x - timedelta(days=4)
        rows.order(seller, common, purchased, delivered_at=x, units=2, **tracked)
        rows.order(seller, common, purchased, delivered_at=x + TICK, **tracked)
    elif metric == "valid_tracking_rate":
        scanned = {"ship_by": x, "shipped_at": x, "tracking_id": "T"}
        rows.order(seller, common, x - timedelta(days=1), first_scan_at=x, **scanned)
        rows.order(seller, common, x - timedelta(days=1), **scanned)
    else:
        raise AssertionError(f"no border rows for {metric}")


def _scenarios(rows: _Written, marketplace: str) -> None:
    """Cancellations, scans, defects on cancelled orders, replaced versions, quiet sellers."""
    end = midnight(AS_OF + timedelta(days=1), marketplace)
    mid = midnight(AS_OF - timedelta(days=3), marketplace) + timedelta(hours=10)
    hour = timedelta(hours=1)
    for party in PARTIES:
        for shipped, cancelled in ((None, mid + hour), (mid + hour, mid + 2 * hour), (None, end)):
            seller, common = rows.seller(marketplace)
            rows.order(seller, common, mid, shipped_at=shipped, cancelled_at=cancelled,
                       cancelled_by=party)  # fmt: skip
            rows.order(seller, common, mid, shipped_at=mid + hour)
    for scan in (mid + 2 * hour, end + hour, None):
        seller, common = rows.seller(marketplace)
        rows.order(seller, common, mid, shipped_at=mid + hour, tracking_id="T", first_scan_at=scan)
    seller, common = rows.seller(marketplace)  # shipped without tracking
    rows.order(seller, common, mid, shipped_at=mid + hour, first_scan_at=mid + 2 * hour)
    for fulfillment, party, kind in (
        ("merchant", "buyer", "a_to_z_claim"),
        ("merchant", "seller", "feedback"),
        ("marketplace", "buyer", "chargeback"),
    ):
        seller, common = rows.seller(marketplace)
        withdrawn = rows.order(seller, common, mid, fulfillment=fulfillment,
                               cancelled_at=mid + hour, cancelled_by=party)  # fmt: skip
        rows.defect(withdrawn, kind, status={"feedback": "active"}.get(kind, "open"))
        rows.order(seller, common, mid, fulfillment=fulfillment, shipped_at=mid + hour)
    # Later versions: cancelled before shipment; shipped late; an equal version (ignored).
    for later in (
        {"shipped_at": None, "cancelled_at": mid + hour, "cancelled_by": "seller"},
        {"shipped_at": mid + 3 * 24 * hour},
    ):
        seller, common = rows.seller(marketplace)
        first = rows.order(seller, common, mid, ship_by=mid + 2 * hour, shipped_at=mid + hour)
        rows.later_orders.append({**first, **later, "updated_at": first["updated_at"] + hour})
        rows.later_orders.append({**first, "units": 3})
    # Defects replaced by versions that stop or start counting.
    for kind, before, after in (
        ("a_to_z_claim", {"status": "open"}, {"status": "withdrawn"}),
        ("chargeback", {"status": "open"}, {"status": "reversed"}),
        ("feedback", {"status": "active", "rating": 5}, {"status": "active", "rating": 1}),
    ):
        seller, common = rows.seller(marketplace)
        defective = rows.order(seller, common, mid, shipped_at=mid + hour)
        earlier = rows.defect(defective, kind, **before)
        rows.later_defects.append({**earlier, **after, "updated_at": earlier["updated_at"] + hour})
        rows.order(seller, common, mid, shipped_at=mid + hour)
    seller, common = rows.seller(marketplace)  # orders in no window, in the order volume
    long_ago = mid - timedelta(days=90)
    rows.order(seller, common, long_ago, shipped_at=long_ago, tracking_id="T",
               deliver_by=long_ago, delivered_at=long_ago)  # fmt: skip
    seller, common = rows.seller(marketplace)  # only an order after the as-of day
    rows.order(seller, common, end, shipped_at=end)


def _written() -> _Written:
    rows = _Written()
    for marketplace in MARKETPLACES:
        for metric in DEFINITIONS:
            for edge in borders(metric, marketplace).values():
                for offset in OFFSETS.values():
                    _at_border(rows, metric, marketplace, edge + offset)
        _scenarios(rows, marketplace)
    return rows


@dataclass(frozen=True)
class Loaded:
    """Every version of every row, in the order imported (the reference reads them so)."""

    orders: list[Row]
    defects: list[Row]


def load_edge_cases(store: EventStore, seed: int = 13) -> Loaded:
    """The random events and the written edges, in four imports: orders, their later
    versions, defects, the defects' later versions."""
    rng = random.Random(seed)
    orders = [_order(rng, n, rng.randrange(40)) for n in range(3000)]
    later = [
        {**o, **_order(rng, int(o["order_id"][1:]), int(o["seller_id"][1:])),
         "purchased_at": o["purchased_at"], "updated_at": o["updated_at"] + timedelta(hours=h)}
        for o, h in ((rng.choice(orders), rng.choice([0, 0, 5])) for _ in range(400))
    ]  # fmt: skip
    defects = [_defect(rng, n, rng.choice(orders)) for n in range(500)]
    written = _written()
    imports = [
        ("orders", orders + written.orders),
        ("orders", later + written.later_orders),
        ("defects", defects + written.defects),
        ("defects", written.later_defects),
    ]
    loaded = Loaded([], [])
    for kind, rows in imports:
        validated = batch(kind, rows)
        outcome = store.upsert(validated)
        assert outcome.result is not None, kind
        (loaded.orders if kind == "orders" else loaded.defects).extend(validated.table.to_pylist())
    return loaded


# --- what the stored rows meet ------------------------------------------------------------


def _counts(defect: Row) -> bool:
    """Whether a defect makes its order defective (the rule, as the definitions state it)."""
    if defect["kind"] == "feedback":
        return bool(defect["rating"] <= 2 and defect["status"] != "removed")
    if defect["kind"] == "a_to_z_claim":
        return bool(defect["status"] not in ("denied", "withdrawn"))
    return bool(defect["status"] != "reversed")


def _rows(store: EventStore, sql: str) -> list[Row]:
    rows: list[Row] = store.query(sql).to_pylist()
    return rows


def edges_present(store: EventStore) -> set[str]:
    """The edges the store's rows meet, named as :func:`expected_edges` names them."""
    orders = _rows(store, "SELECT * FROM orders")
    defects = _rows(store, "SELECT * FROM defects")
    found: set[str] = set()
    for marketplace in MARKETPLACES:
        zone = _zone(marketplace)
        mine = [o for o in orders if o["marketplace_id"] == marketplace]
        end = midnight(AS_OF + timedelta(days=1), marketplace)
        for metric, definition in DEFINITIONS.items():
            fulfillment = "marketplace" if metric == "order_defect_rate_afn" else "merchant"
            placed = {o[definition.anchor] for o in mine if o["fulfillment"] == fulfillment}
            for edge, instant in borders(metric, marketplace).items():
                for name, offset in OFFSETS.items():
                    if instant + offset in placed:
                        found.add(f"{zone}: {metric} {name} the window's {edge}")
        window = borders("late_shipment_rate_30d", marketplace)
        if _dst_change(marketplace, window["start"], window["end"]):
            found.add(f"{zone}: a daylight saving change inside a window")
        for o in mine:
            if o["cancelled_at"] is not None and o["fulfillment"] == "merchant":
                if o["cancelled_at"] >= end:
                    found.add(f"{zone}: cancelled after the as-of day")
                elif o["shipped_at"] is None or o["cancelled_at"] < o["shipped_at"]:
                    found.add(f"{zone}: cancelled by the {o['cancelled_by']} before shipment")
                else:
                    found.add(f"{zone}: cancelled by the {o['cancelled_by']} after shipment")
            if o["fulfillment"] == "merchant" and o["shipped_at"] is not None:
                if o["tracking_id"] is None:
                    found.add(f"{zone}: shipped without tracking")
                elif o["first_scan_at"] is None:
                    found.add(f"{zone}: scan missing")
                elif o["first_scan_at"] >= end:
                    found.add(f"{zone}: scan after the as-of day")
                else:
                    found.add(f"{zone}: scan by the as-of day")
        by_id = {o["order_id"]: o for o in mine}
        odr = borders("order_defect_rate_mfn", marketplace)
        for d in defects:
            of = by_id.get(d["order_id"])
            if of is None or not odr["start"] <= of["purchased_at"] < odr["end"]:
                continue
            if _counts(d):
                found.add(f"{zone}: {of['fulfillment']} order with a defect")
            if of["cancelled_at"] is not None and of["cancelled_at"] < end:
                found.add(f"{zone}: defect on an order cancelled by the {of['cancelled_by']}")
        sellers: dict[str, list[Row]] = defaultdict(list)
        for o in mine:
            sellers[o["seller_id"]].append(o)
        first = min(min(borders(m, marketplace)["start"] for m in DEFINITIONS), end)
        for placed_orders in sellers.values():
            if all(o["purchased_at"] >= end for o in placed_orders):
                found.add(f"{zone}: a seller whose only order is after the as-of day")
            elif all(
                all(o[a] is None or o[a] < first for a in ("purchased_at", "ship_by",
                    "shipped_at", "deliver_by"))
                for o in placed_orders
            ):  # fmt: skip
                found.add(f"{zone}: a seller with no order in any window")
    found |= _replaced(store, "orders", "order_id", lambda old, new: old != new)
    found |= _replaced(store, "defects", "defect_id", lambda old, new: _counts(old) != _counts(new))
    return found


def _dst_change(marketplace: str, start: datetime, end: datetime) -> bool:
    zone = ZoneInfo(TIME_ZONES[marketplace])
    return start.astimezone(zone).utcoffset() != end.astimezone(zone).utcoffset()


def _replaced(
    store: EventStore, kind: StoredKind, key: str, differs: Callable[[Row, Row], bool]
) -> set[str]:
    """Rows of ``kind`` whose stored earlier version the live one replaced, changing it."""
    segments, superseded = store.segment_paths(kind)
    if not superseded:
        return set()
    files = ", ".join(f"'{path}'" for path in segments)
    versions = _rows(store, f"SELECT * FROM read_parquet([{files}]) ORDER BY updated_at")
    live = {r[key]: r for r in _rows(store, f"SELECT * FROM {kind}")}
    found = set()
    for row in versions:
        current = live[row[key]]
        if row["updated_at"] < current["updated_at"] and differs(row, current):
            found.add(f"{kind}: an earlier version replaced by a later one that changes it")
    return found


def expected_edges() -> set[str]:
    """Every edge :func:`load_edge_cases` must produce."""
    edges = {
        "orders: an earlier version replaced by a later one that changes it",
        "defects: an earlier version replaced by a later one that changes it",
    }
    for marketplace in MARKETPLACES:
        zone = _zone(marketplace)
        edges |= {
            f"{zone}: {metric} {name} the window's {edge}"
            for metric in DEFINITIONS
            for edge in ("start", "end")
            for name in OFFSETS
        }
        edges |= {
            f"{zone}: cancelled by the {party} {when} shipment"
            for party in PARTIES
            for when in ("before", "after")
        }
        edges |= {
            f"{zone}: {text}"
            for text in (
                "cancelled after the as-of day",
                "shipped without tracking",
                "scan missing",
                "scan after the as-of day",
                "scan by the as-of day",
                "merchant order with a defect",
                "marketplace order with a defect",
                "defect on an order cancelled by the buyer",
                "defect on an order cancelled by the seller",
                "a seller with no order in any window",
                "a seller whose only order is after the as-of day",
            )
        }
    edges.add("Los_Angeles: a daylight saving change inside a window")
    return edges
