"""Migration 0007 on a database that today's main (head 0006) made and filled with the demo.

``demo-0006.sql.gz`` is ``sqlite3 kenzen.db .dump`` of ``kenzen db upgrade && kenzen demo``
run at revision 0006, without the metric snapshot and order volume rows (thousands of rows
the migration does not read).
"""

from __future__ import annotations

import gzip
import sqlite3
from collections import Counter
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, select

from kenzen.cases.models import Case
from kenzen.db import Database
from kenzen.policy.models import Violation
from kenzen.sellers import holds
from kenzen.sellers.models import HoldKind, Listing, ListingHold

DUMP = Path(__file__).with_name("demo-0006.sql.gz")


def _demo_at_0006(path: Path) -> tuple[Database, dict[int, tuple[str, str | None]]]:
    connection = sqlite3.connect(path)
    connection.executescript(gzip.decompress(DUMP.read_bytes()).decode("utf-8"))
    before = {
        row[0]: (row[1], row[2])
        for row in connection.execute("SELECT id, status, status_reason FROM listings")
    }
    assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == ("0006",)
    connection.close()
    return Database(f"sqlite:///{path}"), before


def test_status_reasons_become_holds_that_keep_every_listing_as_it_was(tmp_path: Path) -> None:
    database, before = _demo_at_0006(tmp_path / "kenzen.db")
    reasons = Counter(r.partition(":")[0] for _, r in before.values() if r is not None)
    assert set(reasons) == {"violation", "restricted", "deactivated"}
    database.upgrade()
    assert "status_reason" not in {
        c["name"] for c in inspect(database.engine).get_columns("listings")
    }
    with database.transaction() as session:
        found = list(session.scalars(select(ListingHold).order_by(ListingHold.id)))
        assert Counter(h.kind for h in found) == {
            HoldKind.VIOLATION: reasons["violation"],
            HoldKind.RESTRICTION: reasons["restricted"],
            HoldKind.DEACTIVATION: reasons["deactivated"],
        }
        for hold in found:
            listing = session.get(Listing, hold.listing_id)
            assert listing is not None
            old_status, old_reason = before[listing.id]
            assert listing.status.value == old_status
            assert holds.listing_status(session, listing.id) is listing.status
            case = session.get(Case, hold.case_id)
            assert case is not None
            assert case.seller_id == listing.seller_id
            if hold.kind is HoldKind.VIOLATION:
                assert old_reason == f"violation:{hold.violation_id}"
                violation = session.get(Violation, hold.violation_id)
                assert violation is not None
                assert violation.case_id == case.id
            elif hold.kind is HoldKind.RESTRICTION:
                assert old_reason == f"restricted:{hold.rule}"
                assert case.topic == hold.rule
            else:
                assert old_reason == "deactivated"
        untouched = [i for i, (_, r) in before.items() if r is None]
        assert {session.get(Listing, i).status.value for i in untouched} == {"ACTIVE"}  # type: ignore[union-attr]


def test_the_downgrade_writes_the_same_strings_back(tmp_path: Path) -> None:
    database, before = _demo_at_0006(tmp_path / "kenzen.db")
    database.upgrade()
    command.downgrade(database.alembic_config(), "0006")
    database.dispose()
    connection = sqlite3.connect(tmp_path / "kenzen.db")
    after = {
        row[0]: (row[1], row[2])
        for row in connection.execute("SELECT id, status, status_reason FROM listings")
    }
    connection.close()
    assert after == before
