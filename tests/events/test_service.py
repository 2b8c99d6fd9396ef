"""Importing files through the use case: sellers into the database, events into the store."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from kenzen.access import SYSTEM, Role
from kenzen.audit import AuditEntry
from kenzen.errors import Forbidden
from kenzen.events.service import ImportRejected, import_events
from kenzen.events.store import EventStore
from kenzen.sellers.models import Seller
from tests.conftest import World

SELLERS_HEADER = "seller_id,marketplace_id,name,email,language,registered_at\n"
ORDERS_HEADER = (
    "order_id,seller_id,marketplace_id,purchased_at,fulfillment,ship_by,shipped_at,updated_at\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_sellers_are_added_and_updated(world: World, store: EventStore, tmp_path: Path) -> None:
    file = write(
        tmp_path / "sellers.csv",
        SELLERS_HEADER
        + "S3,JP,新しい店,s3@example.test,ja,2026-01-05T10:00:00+09:00\n"
        + "S1,JP,Seller S1,new-s1@example.test,ja,2025-01-01T00:00:00Z\n"
        + "S2,JP,Seller S2,s2@sellers.example.test,en,2025-01-01T00:00:00Z\n",
    )
    with world.database.transaction() as session:
        report = import_events(session, SYSTEM, store, "sellers", file)
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 1)
    with world.database.transaction() as session:
        sellers = {s.id: s for s in session.scalars(select(Seller))}
        assert sellers["S3"].display_name == "新しい店"
        assert sellers["S1"].email == "new-s1@example.test"
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "importEvents"))
        assert [a.detail["inserted"] for a in audit] == [1]


def test_a_bad_sellers_file_imports_nothing_and_names_each_line(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    file = write(
        tmp_path / "sellers.csv",
        SELLERS_HEADER
        + "S3,JP,ok,s3@example.test,ja,2026-01-05T10:00:00+09:00\n"
        + "S4,XX,unknown market,s4@example.test,ja,2026-01-05T10:00:00+09:00\n"
        + "S5,JP,no offset,s5@example.test,ja,2026-01-05T10:00:00\n",
    )
    with world.database.transaction() as session, pytest.raises(ImportRejected) as rejected:
        import_events(session, SYSTEM, store, "sellers", file)
    assert [str(e) for e in rejected.value.errors] == [
        "line 3, column marketplace_id: unknown marketplace XX",
        "line 4, column registered_at: timestamp has no UTC offset (add Z or +HH:MM): "
        "2026-01-05T10:00:00",
    ]
    with world.database.transaction() as session:
        assert session.get(Seller, "S3") is None
    with world.database.transaction() as session:
        report = import_events(session, SYSTEM, store, "sellers", file, skip_invalid=True)
    assert (report.inserted, report.error_count) == (1, 2)
    assert report.rejected_file is not None
    with report.rejected_file.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["line"], r["seller_id"]) for r in rows] == [("3", "S4"), ("4", "S5")]
    assert rows[0]["errors"] == "marketplace_id: unknown marketplace XX"


def test_orders_import_is_idempotent(world: World, store: EventStore, tmp_path: Path) -> None:
    file = write(
        tmp_path / "orders.csv",
        ORDERS_HEADER + "O1,S1,JP,2026-11-01T10:00:00+09:00,merchant,2026-11-03T23:59:00+09:00,"
        "2026-11-02T09:00:00+09:00,2026-11-02T09:00:00+09:00\n"
        + "O2,S2,JP,2026-11-01T11:00:00+09:00,marketplace,,,2026-11-01T11:00:00+09:00\n",
    )
    for expected in ((2, 0, 0), (0, 0, 2)):
        with world.database.transaction() as session:
            report = import_events(session, SYSTEM, store, "orders", file)
        assert (report.inserted, report.updated, report.unchanged) == expected
    assert store.count("orders") == 2


def test_orders_of_unknown_sellers_are_rejected(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    file = write(
        tmp_path / "orders.csv",
        ORDERS_HEADER
        + "O1,S1,JP,2026-11-01T10:00:00+09:00,marketplace,,,2026-11-01T10:00:00+09:00\n"
        + "O2,S9,JP,2026-11-01T10:00:00+09:00,marketplace,,,2026-11-01T10:00:00+09:00\n",
    )
    with world.database.transaction() as session, pytest.raises(ImportRejected) as rejected:
        import_events(session, SYSTEM, store, "orders", file)
    assert [(e.line, e.column) for e in rejected.value.errors] == [(3, "seller_id")]
    assert store.count("orders") == 0


def test_only_admins_and_kenzen_import(world: World, store: EventStore, tmp_path: Path) -> None:
    file = write(tmp_path / "orders.csv", ORDERS_HEADER)
    with world.database.transaction() as session, pytest.raises(Forbidden):
        import_events(session, world.actors[Role.ACCOUNT_SPECIALIST], store, "orders", file)
