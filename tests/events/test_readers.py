"""Readers and validation: line numbers, offsets, enums, format equivalence, idempotency."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kenzen.events.formats import EVENT_KINDS, EventFormatError, EventKind, json_schema
from kenzen.events.readers import read_events, write_rejected
from kenzen.events.store import EventStore

HEADER = "order_id,seller_id,marketplace_id,purchased_at,fulfillment,ship_by,units,updated_at"
GOOD = "O1,S1,JP,2024-06-01T10:00:00+09:00,merchant,2024-06-03T00:00:00Z,2,2024-06-01T01:00:00Z"
KNOWN = {"S1": "JP"}


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_csv_errors_name_file_line_column_and_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path / "orders.csv",
        HEADER,
        GOOD,
        "O2,S1,JP,2024-06-01T10:00:00,merchant,2024-06-03T00:00:00Z,1,2024-06-01T01:00:00Z",
        "O3,S1,JP,2024-06-01T10:00:00Z,drone,,0,2024-06-01T01:00:00Z",
        "O4,S9,JP",
    )
    got = read_events("orders", path, known_sellers=KNOWN)
    assert got.table.num_rows == 1
    assert [str(e) for e in got.errors] == [
        "line 3, column purchased_at: timestamp has no UTC offset (add Z or +HH:MM): "
        "2024-06-01T10:00:00",
        "line 4, column fulfillment: unknown value drone; expected one of: merchant, marketplace",
        "line 4, column units: must be ≥ 1",
        "line 5: expected 8 fields, found 3",
    ]
    assert got.rejected_line_numbers == [3, 4, 5]
    rejected = write_rejected(got.validation, path)
    assert rejected is not None
    assert rejected.name == "orders.csv.rejected.csv"
    assert "no UTC offset" in rejected.read_text()


def test_csv_jsonl_and_parquet_read_the_same(tmp_path: Path) -> None:
    csv_batch = read_events("orders", write(tmp_path / "o.csv", HEADER, GOOD))
    row = dict(zip(HEADER.split(","), GOOD.split(","), strict=True))
    jsonl = write(tmp_path / "o.jsonl", json.dumps({**row, "units": 2}))
    pq.write_table(csv_batch.table, tmp_path / "o.parquet")
    for path in (jsonl, tmp_path / "o.parquet"):
        assert read_events("orders", path).table.equals(csv_batch.table)
    assert csv_batch.table["purchased_at"].type == pa.timestamp("us", tz="UTC")


def test_jsonl_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path / "d.jsonl", "", "not json", '{"defect_id": "D1", "x": 1}')
    got = read_events("defects", path)
    assert [(e.line, e.column) for e in got.errors][:3] == [(2, ""), (3, ""), (3, "order_id")]


def test_parquet_naive_timestamps_have_no_offset(tmp_path: Path) -> None:
    table = read_events("orders", write(tmp_path / "o.csv", HEADER, GOOD)).table
    naive = table.set_column(3, "purchased_at", table["purchased_at"].cast(pa.timestamp("us")))
    pq.write_table(naive, tmp_path / "o.parquet")
    got = read_events("orders", tmp_path / "o.parquet")
    assert [str(e) for e in got.errors] == [
        "line 1, column purchased_at: timestamp has no UTC offset "
        "(Parquet timestamp without time zone)"
    ]


def test_missing_required_column_rejects_the_file(tmp_path: Path) -> None:
    with pytest.raises(EventFormatError, match="missing required column"):
        read_events("orders", write(tmp_path / "o.csv", "order_id,seller_id", "O1,S1"))


def test_import_is_atomic_and_idempotent(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.csv", HEADER, GOOD, "O2,S9,JP")
    good = write(tmp_path / "good.csv", HEADER, GOOD)
    with EventStore(tmp_path / "events") as store:
        outcome = store.import_file("orders", bad, known_sellers=KNOWN)
        assert not outcome.imported
        assert store.count("orders") == 0
        first = store.import_file("orders", good, known_sellers=KNOWN).result
        again = store.import_file("orders", good, known_sellers=KNOWN).result
        assert first is not None
        assert again is not None
        assert (first.inserted, first.touched_seller_ids) == (1, frozenset({"S1"}))
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
        skipped = store.import_file("orders", bad, known_sellers=KNOWN, skip_invalid=True)
        assert skipped.result is not None
        assert skipped.validation.rejected_line_numbers == [3]


def test_defects_need_a_stored_order(tmp_path: Path) -> None:
    path = write(
        tmp_path / "d.csv",
        "defect_id,order_id,kind,occurred_at,rating,status,updated_at",
        "D1,O404,chargeback,2024-06-01T00:00Z,,lost,2024-06-01T00:00Z",
    )
    with EventStore(tmp_path / "events") as store:
        outcome = store.import_file("defects", path, known_sellers=KNOWN)
    assert [str(e) for e in outcome.validation.errors] == [
        "line 2, column order_id: unknown order O404 (import orders first)"
    ]


@pytest.mark.parametrize("kind", EVENT_KINDS)
def test_docs_carry_the_generated_json_schema(kind: EventKind) -> None:
    docs = (Path(__file__).parents[2] / "docs" / "events.md").read_text(encoding="utf-8")
    assert json.dumps(json_schema(kind), indent=2, ensure_ascii=False) in docs
