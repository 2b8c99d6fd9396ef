"""The bulk load into an empty table gives what the general merge gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from kenzen.events.store import EventStore, ImportOutcome
from tests.metrics.conftest import TOKYO, US, batch, defect, order

T = datetime(2024, 11, 20, tzinfo=UTC)
KNOWN = {"S1": TOKYO, "S2": US}
ORDERS = [
    order("O1", T),
    order("O2", T, seller_id="S2", marketplace_id=US, fulfillment="marketplace", ship_by=None),
    order("O3", T, cancelled_at=T, cancelled_by="buyer", shipped_at=None, units=3),
    order("O4", T, tracking_id="T4", first_scan_at=T, deliver_by=T, delivered_at=T),
]
#: Already in the second store, so that its import takes the general path.
OTHER = order("O0", T - timedelta(days=1), seller_id="S2", marketplace_id=US)


def parquet(path: Path, kind: str, rows: list[dict[str, Any]]) -> Path:
    pq.write_table(batch(kind, rows).table, path)
    return path


def stored(store: EventStore, kind: str, exclude: str = "") -> pa.Table:
    key = "order_id" if kind == "orders" else "defect_id"
    return store.query(f"SELECT * FROM {kind} WHERE {key} <> '{exclude}' ORDER BY {key}")


def summary(outcome: ImportOutcome) -> tuple[Any, ...]:
    result = outcome.result
    assert result is not None
    return result.inserted, result.updated, result.unchanged, result.touched_seller_ids


def test_bulk_load_matches_the_general_path(tmp_path: Path) -> None:
    orders = parquet(tmp_path / "orders.parquet", "orders", ORDERS)
    defects = parquet(
        tmp_path / "defects.parquet",
        "defects",
        [defect("D1", "O1", "feedback", T), defect("D2", "O2", "chargeback", T)],
    )
    with EventStore(tmp_path / "empty") as empty, EventStore(tmp_path / "general") as general:
        assert general.upsert(batch("orders", [OTHER])).imported
        assert general.upsert(batch("defects", [defect("D0", "O0", "chargeback", T)])).imported
        for kind, path in (("orders", orders), ("defects", defects)):
            bulk = empty.import_file(kind, path, known_sellers=KNOWN)  # type: ignore[arg-type]
            merged = general.import_file(kind, path, known_sellers=KNOWN)  # type: ignore[arg-type]
            assert summary(bulk) == summary(merged)
            assert empty.sellers_changed_after(empty.last_batch() - 1) == {"S1", "S2"}
            exclude = "O0" if kind == "orders" else "D0"
            assert stored(empty, kind).equals(stored(general, kind, exclude))
        again = empty.import_file("orders", orders, known_sellers=KNOWN)
        assert summary(again) == (0, 0, 4, frozenset())


def test_bulk_load_of_duplicate_keys_keeps_the_latest(tmp_path: Path) -> None:
    rows = [order("O1", T), order("O1", T, shipped_at=None, updated_at=T + timedelta(days=1))]
    path = parquet(tmp_path / "orders.parquet", "orders", [*rows, order("O1", T)])
    with EventStore(tmp_path / "events") as store:
        outcome = store.import_file("orders", path, known_sellers=KNOWN)
        assert summary(outcome) == (1, 0, 2, frozenset({"S1"}))
        assert stored(store, "orders")["shipped_at"].to_pylist() == [None]


def test_bulk_load_with_an_unknown_seller_imports_nothing(tmp_path: Path) -> None:
    rows = [*ORDERS, order("O9", T, seller_id="S9")]
    path = parquet(tmp_path / "orders.parquet", "orders", rows)
    with EventStore(tmp_path / "events") as store:
        outcome = store.import_file("orders", path, known_sellers=KNOWN)
        assert outcome.result is None
        assert [str(e) for e in outcome.validation.errors] == [
            "line 5, column seller_id: unknown seller S9"
        ]
        assert store.count("orders") == 0
        assert store.last_batch() == 0
        skipped = store.import_file("orders", path, known_sellers=KNOWN, skip_invalid=True)
        assert summary(skipped) == (4, 0, 0, frozenset({"S1", "S2"}))
        assert skipped.validation.rejected_line_numbers == [5]


def test_bulk_load_with_an_invalid_row_imports_nothing(tmp_path: Path) -> None:
    path = parquet(tmp_path / "orders.parquet", "orders", [*ORDERS, order("O5", T, units=0)])
    with EventStore(tmp_path / "events") as store:
        outcome = store.import_file("orders", path, known_sellers=KNOWN)
        assert outcome.result is None
        assert [str(e) for e in outcome.validation.errors] == ["line 5, column units: must be ≥ 1"]
        assert store.count("orders") == 0
