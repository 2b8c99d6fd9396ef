"""The segment store: bulk files kept as segments give what the general merge gives,
later versions win before and after compaction, old stores migrate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kenzen.events.formats import EventFormatError, event_format
from kenzen.events.store import EventStore, ImportOutcome, migrate_legacy
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


def test_bulk_load_of_one_order_for_two_sellers_imports_nothing(tmp_path: Path) -> None:
    """The bulk path validates without the rule across rows; a key twice sends the file
    to the general path, which names both lines."""
    twice = order("O1", T, seller_id="S2", marketplace_id=US)
    path = parquet(tmp_path / "orders.parquet", "orders", [*ORDERS, twice])
    with EventStore(tmp_path / "events") as store:
        outcome = store.import_file("orders", path, known_sellers=KNOWN)
        assert outcome.result is None
        assert [str(e) for e in outcome.validation.errors] == [
            "line 5, column order_id: order O1 is on line 1 for seller S1 and here for seller "
            "S2; an order belongs to one seller"
        ]
        assert store.count("orders") == 0


def test_a_parquet_file_in_the_stores_schema_is_kept_as_it_is(tmp_path: Path) -> None:
    path = parquet(tmp_path / "orders.parquet", "orders", ORDERS)
    with EventStore(tmp_path / "events") as store:
        assert summary(store.import_file("orders", path, known_sellers=KNOWN))[0] == 4
        (segment,), superseded = store.segment_paths("orders")
        assert Path(segment).read_bytes() == path.read_bytes()
        assert superseded == []
        again = store.import_file("orders", path, known_sellers=KNOWN)
        assert summary(again) == (0, 0, 4, frozenset())
        assert len(store.segment_paths("orders")[0]) == 1


def test_a_file_in_another_schema_is_written_once_in_the_stores(tmp_path: Path) -> None:
    table = batch("orders", ORDERS).table
    wide = table.set_column(
        table.schema.get_field_index("units"), "units", table["units"].cast(pa.int64())
    )
    pq.write_table(wide, tmp_path / "orders.parquet")
    with EventStore(tmp_path / "events") as store:
        store.import_file("orders", tmp_path / "orders.parquet", known_sellers=KNOWN)
        (segment,), _ = store.segment_paths("orders")
        assert pq.read_schema(segment).field("units").type == pa.int32()
        assert stored(store, "orders")["units"].to_pylist() == [1, 1, 3, 1]


def test_a_later_version_replaces_the_stored_one_until_and_after_compaction(
    tmp_path: Path,
) -> None:
    later = T + timedelta(hours=1)
    older = order("O1", T, updated_at=T - timedelta(hours=1), shipped_at=None)
    with EventStore(tmp_path / "events") as store:
        store.import_file(
            "orders", parquet(tmp_path / "a.parquet", "orders", ORDERS), known_sellers=KNOWN
        )
        newer = [order("O1", T, updated_at=later, units=7), order("O5", T + timedelta(days=40))]
        outcome = store.import_file(
            "orders",
            parquet(tmp_path / "b.parquet", "orders", [*newer, older]),
            known_sellers=KNOWN,
        )
        assert summary(outcome) == (1, 1, 1, frozenset({"S1"}))
        assert store.count("orders") == 5
        before = stored(store, "orders")
        assert before["units"].to_pylist()[0] == 7
        assert len(store.segment_paths("orders")[1]) == 1
        assert store.compact() == {"orders": 5, "defects": 0}
        segments, superseded = store.segment_paths("orders")
        assert (len(segments), superseded) == (2, [])  # November and December
        assert stored(store, "orders").equals(before)
        again = store.import_file("orders", tmp_path / "b.parquet", known_sellers=KNOWN)
        assert summary(again) == (0, 0, 3, frozenset())


def test_another_store_object_sees_what_one_imported(tmp_path: Path) -> None:
    with (
        EventStore(tmp_path / "events") as reader,
        EventStore(f"file://{tmp_path}/events") as writer,
    ):
        assert reader.count("orders") == 0
        writer.upsert(batch("orders", ORDERS), known_sellers=KNOWN)
        assert reader.count("orders") == 4
        assert reader.sellers_changed_after(0) == {"S1", "S2"}


def legacy_store(directory: Path) -> None:
    """A store of the format before segments: one DuckDB file, ORDERS in two imports."""
    directory.mkdir(parents=True)
    legacy = duckdb.connect(str(directory / "events.duckdb"))
    for kind in ("orders", "defects"):
        columns = ", ".join(f"{c.name} {c.sql_type}" for c in event_format(kind).columns)
        legacy.execute(f"CREATE TABLE {kind} ({columns})")
    legacy.register("incoming", batch("orders", ORDERS).table)
    legacy.execute("INSERT INTO orders SELECT * FROM incoming")
    legacy.execute("CREATE TABLE ingest_log (batch BIGINT, seller_id VARCHAR)")
    legacy.execute("INSERT INTO ingest_log VALUES (1, 'S1'), (1, 'S2'), (2, 'S2')")
    legacy.close()


def _converted_as_fresh(directory: Path, tmp_path: Path) -> None:
    with EventStore(directory) as store:
        assert store.last_batch() == 2
        assert store.sellers_changed_after(1) == {"S2"}
        with EventStore(tmp_path / "fresh") as fresh:
            fresh.upsert(batch("orders", ORDERS), known_sellers=KNOWN)
            assert stored(store, "orders").equals(stored(fresh, "orders"))


def test_a_store_of_the_old_format_migrates_with_its_ingest_log(tmp_path: Path) -> None:
    directory = tmp_path / "events"
    legacy_store(directory)
    with pytest.raises(EventFormatError, match="kenzen events migrate"):
        EventStore(directory)
    assert migrate_legacy(directory) == {"orders": 4, "defects": 0}
    assert migrate_legacy(directory) is None
    _converted_as_fresh(directory, tmp_path)
    assert (directory / "events.duckdb.migrated").exists()


def test_a_conversion_stopped_before_its_manifest_is_refused_and_run_again(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "events"
    legacy_store(directory)
    (directory / "events.duckdb").rename(directory / "events.duckdb.converting")
    (directory / "orders").mkdir()
    (directory / "orders" / "seg-000000-stopped.parquet").write_bytes(b"half a file")
    with pytest.raises(EventFormatError, match="kenzen events migrate"):
        EventStore(directory)
    assert migrate_legacy(directory) == {"orders": 4, "defects": 0}
    _converted_as_fresh(directory, tmp_path)


def test_a_conversion_stopped_after_its_manifest_only_renames_the_old_file(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "events"
    legacy_store(directory)
    assert migrate_legacy(directory) == {"orders": 4, "defects": 0}
    (directory / "events.duckdb.migrated").rename(directory / "events.duckdb.converting")
    names = sorted(p.name for p in directory.rglob("*.parquet"))
    assert migrate_legacy(directory) == {"orders": 4, "defects": 0}
    assert sorted(p.name for p in directory.rglob("*.parquet")) == names  # nothing written twice
    assert migrate_legacy(directory) is None
    _converted_as_fresh(directory, tmp_path)
