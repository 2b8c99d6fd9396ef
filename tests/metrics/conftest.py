"""Helpers to build an event store from a few hand-written rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from kenzen.events.formats import FORMATS, ColumnType
from kenzen.events.readers import ValidatedBatch
from kenzen.events.store import EventStore
from kenzen.events.validation import passed
from kenzen.metrics.engine import compute_metrics, metric_values
from kenzen.metrics.values import MetricValue

TOKYO = "A1VC38T7YXB528"
US = "ATVPDKIKX0DER"
TIME_ZONES = {TOKYO: "Asia/Tokyo", US: "America/Los_Angeles"}
AS_OF = date(2024, 11, 30)

_ARROW = {
    ColumnType.STRING: pa.string(),
    ColumnType.TIMESTAMP: pa.timestamp("us", tz="UTC"),
    ColumnType.INTEGER: pa.int32(),
}


def batch(kind: str, rows: list[dict[str, Any]]) -> ValidatedBatch:
    """Rows (missing optional columns = null) as a batch the store accepts."""
    fmt = FORMATS[kind]  # type: ignore[index]
    schema = pa.schema([(c.name, _ARROW[c.type]) for c in fmt.columns])
    table = pa.Table.from_pylist(
        [{c.name: row.get(c.name, c.default) for c in fmt.columns} for row in rows], schema
    )
    lines = pa.array(range(2, len(rows) + 2), pa.int64())
    return ValidatedBatch(fmt.kind, table, lines, passed(len(rows)))


def order(order_id: str, purchased_at: datetime, **fields: Any) -> dict[str, Any]:
    """A merchant order of seller S1 in Japan, shipped on time, unless overridden."""
    row: dict[str, Any] = {
        "order_id": order_id,
        "seller_id": "S1",
        "marketplace_id": TOKYO,
        "purchased_at": purchased_at,
        "fulfillment": "merchant",
        "ship_by": purchased_at,
        "shipped_at": purchased_at,
        "updated_at": purchased_at,
        "units": 1,
    }
    row.update(fields)
    return row


def defect(
    defect_id: str, order_id: str, kind: str, occurred_at: datetime, **fields: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "defect_id": defect_id,
        "order_id": order_id,
        "kind": kind,
        "occurred_at": occurred_at,
        "status": {"feedback": "active", "a_to_z_claim": "open", "chargeback": "open"}[kind],
        "rating": 1 if kind == "feedback" else None,
        "updated_at": occurred_at,
    }
    row.update(fields)
    return row


Compute = Callable[..., dict[str, MetricValue]]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EventStore]:
    with EventStore(tmp_path / "events") as s:
        yield s


@pytest.fixture
def metrics(store: EventStore) -> Compute:
    """Load rows, compute, and return seller S1's (Tokyo) metrics by key."""

    def compute(
        orders: list[dict[str, Any]],
        defects: list[dict[str, Any]] = [],  # noqa: B006
        as_of: date = AS_OF,
        seller: str = "S1",
        marketplace: str = TOKYO,
    ) -> dict[str, MetricValue]:
        for o in orders:
            assert store.upsert(batch("orders", [o])).imported
        if defects:
            assert store.upsert(batch("defects", defects)).imported
        values = metric_values(compute_metrics(store, as_of, TIME_ZONES))
        return {
            v.metric: v for v in values if v.seller_id == seller and v.marketplace_id == marketplace
        }

    return compute
