"""The facts of an assessment read through the ORM and with the standard library agree:
``kenzen report sp-api`` on SQLite reads with ``SqliteFacts``, everything else with
``SessionFacts``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from kenzen.access import SYSTEM, Role
from kenzen.db import EVENTS_DIR
from kenzen.errors import NotFound
from kenzen.events.service import import_events
from kenzen.events.store import EventStore
from kenzen.health.report import performance_report
from kenzen.metrics import service as metrics
from kenzen.metrics.report import report_schema
from kenzen.policy.assessment import ViolationStatus
from kenzen.policy.document import Policy
from kenzen.policy.facts import FactRecords, read_facts
from kenzen.policy.models import AssuranceEligibility, Violation
from kenzen.policy.records import SessionFacts
from kenzen.policy.sqlite_facts import SqliteFacts
from kenzen.schema import open_read_only, sqlite_file
from kenzen.sellers.models import Seller
from tests.conftest import World

AS_OF = date(2026, 11, 20)
DAYS = (AS_OF + timedelta(days=1), AS_OF, AS_OF - timedelta(days=1), AS_OF - timedelta(days=2))
HEADER = (
    "order_id,seller_id,marketplace_id,purchased_at,fulfillment,ship_by,shipped_at,updated_at\n"
)


def _order(order_id: str, seller_id: str, shipped: str) -> str:
    return (
        f"{order_id},{seller_id},JP,2026-11-10T10:00:00+09:00,merchant,"
        f"2026-11-11T23:59:00+09:00,{shipped},{shipped}\n"
    )


def _violation(seller_id: str, source: str, occurred: datetime, **ended: object) -> Violation:
    return Violation(
        seller_id=seller_id,
        category="receivedIntellectualPropertyComplaints",
        source=source,
        occurred_at=occurred,
        policy_version="0" * 64,
        **ended,
    )


@pytest.fixture
def recorded(world: World, store: EventStore, tmp_path: Path) -> World:
    """S1 with late orders, violations in every state, a protected eligibility and an
    emergency phone; S2 on time and not protected; metrics of two dates."""
    orders = tmp_path / "orders.csv"
    late, on_time = "2026-11-12T23:00:00+09:00", "2026-11-11T09:00:00+09:00"
    orders.write_text(
        HEADER
        + _order("O1", "S1", late)
        + _order("O2", "S1", on_time)
        + _order("O3", "S2", on_time)
    )
    with world.database.transaction() as session:
        import_events(session, SYSTEM, store, "orders", orders)
    for day in (AS_OF - timedelta(days=1), AS_OF):
        with world.database.transaction() as session:
            metrics.compute_snapshots(session, SYSTEM, store, day, full=True)
    resolved = datetime(2026, 11, 19, 20, tzinfo=UTC)  # the 20th in Tokyo
    with world.database.transaction() as session:
        session.add_all(
            [
                _violation("S1", "complaint:1", datetime(2026, 11, 10, 1, 2, 3, 456789, UTC)),
                _violation(
                    "S1",
                    "complaint:2",
                    datetime(2026, 11, 5, tzinfo=UTC),
                    status=ViolationStatus.RESOLVED,
                    resolved_at=resolved,
                ),
                _violation(
                    "S1",
                    "complaint:3",
                    datetime(2026, 11, 6, tzinfo=UTC),
                    status=ViolationStatus.DISMISSED,
                    resolved_at=resolved,
                ),
                _violation("S1", "complaint:4", datetime(2026, 11, 20, 3, tzinfo=UTC)),
            ]
        )
        for seller_id, days_below in (("S1", 0), ("S2", 30)):
            session.add(
                AssuranceEligibility(
                    seller_id=seller_id,
                    as_of=AS_OF - timedelta(days=1),
                    window_days=180,
                    min_rating=250,
                    max_days_below=10,
                    days_at_or_above=180 - days_below,
                    days_below=days_below,
                    days_without_rating=0,
                    policy_version="0" * 64,
                )
            )
        seller = session.get_one(Seller, "S1")
        seller.emergency_phone = "+819012345678"
    return world


@pytest.fixture
def connection(recorded: World) -> Iterator[sqlite3.Connection]:
    path = sqlite_file(recorded.database.url)
    if path is None:
        pytest.skip("the standard-library reader serves SQLite only")
    opened = open_read_only(path)
    assert opened is not None
    with closing(opened):
        yield opened


def _readers(connection: sqlite3.Connection, events_dir: Path) -> Iterator[FactRecords]:
    yield SqliteFacts(connection, events_dir)
    yield SqliteFacts(connection, None)


def test_both_readers_read_the_same_facts(
    recorded: World, connection: sqlite3.Connection, policy: Policy, tmp_path: Path
) -> None:
    events_dir = tmp_path / "events"
    with recorded.database.transaction() as session:
        for events in (events_dir, None):
            session.info[EVENTS_DIR] = events
            orm = SessionFacts(session)
            assert orm.events_dir == events
            plain = SqliteFacts(connection, events)
            assert orm.seller("S9") is None
            assert plain.seller("S9") is None
            for seller_id in ("S1", "S2"):
                seller, row = orm.seller(seller_id), plain.seller(seller_id)
                assert seller is not None
                assert row is not None
                for day in DAYS:
                    expected = read_facts(orm, policy, seller, day)
                    assert read_facts(plain, policy, row, day) == expected
    with recorded.database.transaction() as session:
        s1 = SessionFacts(session)
        seller = s1.seller("S1")
        assert seller is not None
        facts = {day: read_facts(s1, policy, seller, day) for day in DAYS}
    # what was compared is not empty: every kind of fact, and the dates tell them apart
    assert facts[AS_OF].assured
    assert facts[AS_OF].fulfilled_orders == 2
    assert {m.status for m in facts[AS_OF].metrics} >= {"BAD", "GOOD"}
    assert {m.as_of for m in facts[AS_OF - timedelta(days=1)].metrics} == {
        AS_OF - timedelta(days=1)
    }
    assert facts[AS_OF - timedelta(days=2)].metrics == []
    statuses = {day: [v.status for v in facts[day].violations] for day in DAYS}
    assert statuses[AS_OF] == ["ACTIVE", "RESOLVED", "RESOLVED", "ACTIVE"]
    assert statuses[AS_OF - timedelta(days=1)] == ["ACTIVE", "ACTIVE", "RESOLVED"]


def test_both_readers_give_the_same_valid_report(
    recorded: World, connection: sqlite3.Connection, policy: Policy, tmp_path: Path
) -> None:
    seller = recorded.actors[Role.SELLER]
    plain = SqliteFacts(connection, tmp_path / "events")
    for actor, seller_id in ((SYSTEM, "S1"), (SYSTEM, "S2"), (seller, "S1")):
        for day in (*DAYS, None):
            with recorded.database.transaction() as session:
                expected = performance_report(SessionFacts(session), actor, policy, seller_id, day)
            assert performance_report(plain, actor, policy, seller_id, day) == expected
            jsonschema.validate(expected, report_schema())
    for records in _readers(connection, tmp_path / "events"):
        with pytest.raises(NotFound):
            performance_report(records, seller, policy, "S2")
        with pytest.raises(NotFound):
            performance_report(records, SYSTEM, policy, "S9")


def test_the_orm_reader_reads_the_history_its_transaction_staged(
    world: World, store: EventStore, tmp_path: Path, policy: Policy
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(HEADER + _order("O1", "S1", "2026-11-12T23:00:00+09:00"))
    with world.database.transaction() as session:
        import_events(session, SYSTEM, store, "orders", orders)
    earlier = AS_OF - timedelta(days=1)
    with world.database.transaction() as session:
        for day in (earlier, AS_OF):  # the earlier date is read from the history
            metrics.compute_snapshots(session, SYSTEM, store, day, full=True)
        seller = session.get(Seller, "S1")
        assert seller is not None
        facts = read_facts(SessionFacts(session), policy, seller, earlier)
        assert {m.as_of for m in facts.metrics} == {earlier}
        assert len(facts.metrics) == 7
        assert facts.fulfilled_orders == 1
