"""Tables by date beside the events: atomic runs, the latest run of a date wins."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kenzen.events import dated
from kenzen.events.dated import DatedManifest, DatedTable

SCHEMA = pa.schema([("seller_id", pa.string()), ("day", pa.date32()), ("value", pa.int32())])
DAY = date(2026, 11, 28)


def _table(tmp_path: Path) -> DatedTable:
    return DatedTable(tmp_path / "t", SCHEMA, day_column="day", key=("seller_id",))


def _rows(day: date, **values: int) -> pa.Table:
    return pa.table(
        {"seller_id": list(values), "day": [day] * len(values), "value": list(values.values())},
        schema=SCHEMA,
    )


def _read(table: DatedTable, start: date = DAY, end: date = DAY) -> list[tuple[str, int]]:
    return [(r["seller_id"], r["value"]) for r in table.read(start, end).to_pylist()]


def test_a_rerun_of_a_date_replaces_it_and_a_partial_run_overrides_its_own_keys(
    tmp_path: Path,
) -> None:
    table = _table(tmp_path)
    assert _read(table) == []
    table.write(DAY, _rows(DAY, S1=1, S2=2), scope="*")
    table.write(DAY, _rows(DAY, S2=20), scope=None)
    assert _read(table) == [("S1", 1), ("S2", 20)]
    table.write(DAY, _rows(DAY, S1=100, S2=200), scope="*")
    assert _read(table) == [("S1", 100), ("S2", 200)]
    assert len(table.manifest().days[DAY.isoformat()]) == 1  # the full rerun dropped the rest


def test_a_scope_replaces_only_its_own_earlier_files(tmp_path: Path) -> None:
    table = _table(tmp_path)
    table.write(DAY, _rows(DAY, JP1=1), scope="JP")
    table.write(DAY, _rows(DAY, US1=2), scope="US")
    table.write(DAY, _rows(DAY, JP1=3), scope="JP")
    assert _read(table) == [("JP1", 3), ("US1", 2)]
    assert [f.scope for f in table.manifest().days[DAY.isoformat()]] == ["US", "JP"]


def test_reads_are_bounded_by_date_and_condition(tmp_path: Path) -> None:
    table = _table(tmp_path)
    for n in range(5):
        day = date(2026, 11, 1 + n)
        table.write(day, _rows(day, S1=n, S2=10 + n), scope="*")
    rows = table.read(date(2026, 11, 2), date(2026, 11, 4), "seller_id = 'S2'").to_pylist()
    assert [(r["day"], r["value"]) for r in rows] == [
        (date(2026, 11, 2), 11),
        (date(2026, 11, 3), 12),
        (date(2026, 11, 4), 13),
    ]
    assert table.days() == [date(2026, 11, 1 + n) for n in range(5)]


def test_many_partial_runs_of_a_date_are_merged_into_one_file(tmp_path: Path) -> None:
    table = _table(tmp_path)
    for n in range(dated.MAX_FILES_PER_DAY + 1):
        table.write(DAY, _rows(DAY, **{f"S{n % 3}": n}), scope=None)
    files = table.manifest().days[DAY.isoformat()]
    assert [f.scope for f in files] == ["merged"]
    last = dated.MAX_FILES_PER_DAY
    expected = {f"S{n % 3}": n for n in range(last + 1)}
    assert _read(table) == sorted(expected.items())


def test_a_run_that_died_before_its_commit_is_never_read_and_is_swept_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _table(tmp_path)
    table.write(DAY, _rows(DAY, S1=1), scope="*")
    table.stage(DAY, _rows(DAY, S1=2), scope="*")  # then the run died

    def crash(self: DatedManifest, directory: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(DatedManifest, "save", crash)
    with pytest.raises(OSError, match="disk full"):
        table.write(DAY, _rows(DAY, S1=3), scope="*")  # died taking its run number
    monkeypatch.undo()
    orphans = set(os.listdir(table.directory)) - {"manifest.json", ".lock"}
    assert len(orphans) == 2  # the committed file and the dead run's
    assert _read(table) == [("S1", 1)]
    # any age counts as old: the files' times are the real clock's, which the suite's
    # --clock runs move away from (hours behind, at some of them)
    monkeypatch.setattr(dated, "SWEEP_AFTER_SECONDS", float("-inf"))
    table.write(date(2026, 11, 29), _rows(date(2026, 11, 29), S1=4), scope="*")
    left = sorted(p.name for p in table.directory.glob("*.parquet"))
    assert left == sorted(table.manifest().named_files())
    assert all(pq.read_table(table.directory / name).num_rows == 1 for name in left)


def test_a_staged_run_is_read_once_published_and_publishing_it_again_adds_nothing(
    tmp_path: Path,
) -> None:
    table = _table(tmp_path)
    table.write(DAY, _rows(DAY, S1=1), scope="*")
    staged = table.stage(DAY, _rows(DAY, S1=2, S2=2), scope="*")
    assert _read(table) == [("S1", 1)]
    ahead = table.committed().with_staged([staged])  # what the staging transaction reads
    rows = table.read(DAY, DAY, state=ahead).to_pylist()
    assert [(r["seller_id"], r["value"]) for r in rows] == [("S1", 2), ("S2", 2)]
    table.publish([staged])
    table.publish([staged])
    assert _read(table) == [("S1", 2), ("S2", 2)]
    assert [f.path for f in table.manifest().days[DAY.isoformat()]] == [staged.file.path]
    assert table.committed().with_staged([staged]).manifest == table.manifest()
    gone = table.stage(DAY, _rows(DAY, S1=3), scope=None)
    (table.directory / gone.file.path).unlink()  # e.g. swept after a crash
    with pytest.raises(FileNotFoundError):
        table.publish([gone])
    assert _read(table) == [("S1", 2), ("S2", 2)]


def test_a_discarded_run_leaves_no_file(tmp_path: Path) -> None:
    table = _table(tmp_path)
    table.write(DAY, _rows(DAY, S1=1), scope="*")
    staged = table.stage(DAY, _rows(DAY, S1=2), scope="*")
    table.discard([staged])
    assert sorted(p.name for p in table.directory.glob("*.parquet")) == sorted(
        table.manifest().named_files()
    )
    assert _read(table) == [("S1", 1)]
