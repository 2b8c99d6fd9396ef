"""Bad files get one clear answer naming the line, never a traceback, a query or a path."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kenzen.access import SYSTEM, Role
from kenzen.errors import InvalidInput
from kenzen.events.formats import MAX_TEXT
from kenzen.events.readers import MAX_QUOTED
from kenzen.events.service import ImportRejected, import_events
from kenzen.events.store import EventStore
from tests.cli.test_commands import kenzen
from tests.conftest import World

HEADER = "order_id,seller_id,marketplace_id,purchased_at,fulfillment,updated_at\n"


def row(order_id: str, seller_id: str = "S1") -> str:
    return f"{order_id},{seller_id},JP,2026-11-01T10:00:00+09:00,marketplace,2026-11-01T10:00:00Z\n"


def _import(world: World, store: EventStore, path: Path, **options: object) -> object:
    with world.database.transaction() as session:
        return import_events(session, SYSTEM, store, "orders", path, **options)  # type: ignore[arg-type]


def test_shift_jis_is_refused_on_the_line_it_starts(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    header_in_sjis = tmp_path / "orders.csv"
    header_in_sjis.write_bytes(("注文番号," + HEADER).encode("cp932"))
    with pytest.raises(InvalidInput) as caught:
        _import(world, store, header_in_sjis)
    assert caught.value.message.startswith("orders.csv line 1: not UTF-8; save the file as UTF-8")
    later = tmp_path / "later.csv"
    later.write_bytes((HEADER + row("O1") + row("O2")).encode() + "O3,店\n".encode("cp932"))
    with pytest.raises(InvalidInput, match=r"^later\.csv line 4: not UTF-8"):
        _import(world, store, later)


def test_a_named_encoding_is_converted(world: World, store: EventStore, tmp_path: Path) -> None:
    folder = tmp_path / "upload"
    folder.mkdir()
    path = folder / "orders.csv"
    path.write_bytes((HEADER + row("注文1") + row("注文2")).encode("cp932"))
    report = _import(world, store, path, encoding="cp932")
    assert report.inserted == 2  # type: ignore[attr-defined]
    ids = store.query("SELECT order_id FROM orders ORDER BY order_id")["order_id"]
    assert ids.to_pylist() == ["注文1", "注文2"]
    assert [p.name for p in folder.iterdir()] == ["orders.csv"]  # the copy is gone
    with pytest.raises(InvalidInput, match=r"^encoding: 'klingon' is not a known encoding"):
        _import(world, store, path, encoding="klingon")


def test_strings_are_limited_at_and_past_their_length(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    at_limit = "x" * MAX_TEXT
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + row(at_limit) + row("y" * (MAX_TEXT + 1)), encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        _import(world, store, path)
    [error] = caught.value.errors
    assert (error.line, error.column) == (3, "order_id")
    assert error.reason.startswith(f"longer than {MAX_TEXT} characters: yyy")
    report = _import(world, store, path, skip_invalid=True)
    assert (report.inserted, report.error_count) == (1, 1)  # type: ignore[attr-defined]


def test_one_order_id_for_two_sellers_names_both_lines(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + row("O1", "S1") + row("O2", "S1") + row("O1", "S2"), "utf-8")
    with pytest.raises(ImportRejected) as caught:
        _import(world, store, path)
    [error] = caught.value.errors
    assert str(error) == (
        "line 4, column order_id: order O1 is on line 2 for seller S1 and here for seller S2;"
        " an order belongs to one seller"
    )
    assert store.count("orders") == 0


def test_a_garbage_header_is_quoted_at_most_200_characters(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("é" * 5000 + "\n1\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        _import(world, store, path)
    message = caught.value.message
    quoted = message.split("unknown column(s) ", 1)[1].split(";", 1)[0]
    assert len(quoted) == MAX_QUOTED
    assert quoted.endswith("…")


def test_a_broken_parquet_file_names_no_path_or_query(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    path = tmp_path / "orders.parquet"
    path.write_bytes(b"PAR1 this is not parquet PAR1")
    with pytest.raises(InvalidInput) as caught:
        _import(world, store, path)
    assert caught.value.message == "orders.parquet: not a readable Parquet file"
    assert str(tmp_path) not in caught.value.message


def test_the_api_answers_422_for_shift_jis_and_imports_it_when_told(
    client: TestClient, world: World
) -> None:
    data = (HEADER + row("注文1")).encode("cp932")
    refused = client.post(
        "/api/v1/events/orders",
        headers=world.headers(Role.ADMIN),
        files={"file": ("orders.csv", data, "text/csv")},
    )
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert detail.startswith("orders.csv line 2: not UTF-8; save the file as UTF-8")
    assert "/" not in detail
    assert "SELECT" not in detail
    converted = client.post(
        "/api/v1/events/orders",
        headers=world.headers(Role.ADMIN),
        files={"file": ("orders.csv", data, "text/csv")},
        data={"encoding": "cp932"},
    )
    assert (converted.status_code, converted.json()["inserted"]) == (200, 1)


def test_the_command_line_answers_one_line_for_shift_jis(world: World, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(("注文番号," + HEADER).encode("cp932"))
    result = kenzen(world.database.url, tmp_path, "import", "orders", str(path))
    assert result.exit_code == 2
    assert "orders.csv line 1: not UTF-8; save the file as UTF-8" in result.output
    assert "Traceback" not in result.output
