"""The daily rating history: what each day ended with, written by the daily run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kenzen import clock as kenzen_clock
from kenzen.access import SYSTEM, Role
from kenzen.events import staging
from kenzen.events.dated import DatedTable, Staged
from kenzen.events.models import PendingPublication
from kenzen.policy import assured, evaluation
from kenzen.policy.continuous import Evaluator
from kenzen.policy.document import Band, Policy, PolicyHolder
from kenzen.policy.enforcement import record_reviewed_violation
from kenzen.policy.history import rating_table, record_daily_ratings, seller_ratings
from kenzen.policy.models import AssuranceEligibility
from tests.conftest import World
from tests.policy.conftest import retired_category_violation

FIRST = date(2026, 11, 14)


def _record(world: World, policy: Policy, events: Path, days: int) -> None:
    for n in range(days):
        with world.database.transaction() as session:
            record_daily_ratings(session, events, policy, "JP", FIRST + timedelta(days=n))


def _values(events: Path, seller_id: str) -> list[tuple[str, int]]:
    ratings = seller_ratings(events, seller_id, FIRST, FIRST + timedelta(days=30))
    return [(r.day.isoformat(), r.rating) for r in ratings]


def test_each_day_holds_the_rating_that_day_ended_with(
    world: World, policy: Policy, tmp_path: Path
) -> None:
    with world.database.transaction() as session:
        record_reviewed_violation(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            policy,
            "S1",
            category="productSafetyCustomerComplaints",
            reason="found in review",
            occurred_at=datetime(2026, 11, 15, 3, 0, tzinfo=UTC),  # noon in Tokyo
        )
    events = tmp_path / "events"
    _record(world, policy, events, 3)
    assert _values(events, "S1") == [
        ("2026-11-14", 200),
        ("2026-11-15", 192),
        ("2026-11-16", 192),
    ]
    assert _values(events, "S2") == [(d, 200) for d in ("2026-11-14", "2026-11-15", "2026-11-16")]
    day = seller_ratings(events, "S1", FIRST + timedelta(days=1), FIRST + timedelta(days=1))
    assert [(r.band, r.policy_version) for r in day] == [(Band.AT_RISK, policy.version)]


def test_recording_a_day_again_replaces_it(world: World, policy: Policy, tmp_path: Path) -> None:
    events = tmp_path / "events"
    _record(world, policy, events, 2)
    _record(world, policy, events, 1)
    assert _values(events, "S1") == [("2026-11-14", 200), ("2026-11-15", 200)]
    files = rating_table(events).manifest().days
    assert {day: len(entries) for day, entries in files.items()} == {
        "2026-11-14": 1,
        "2026-11-15": 1,
    }


def test_a_seller_whose_rating_cannot_be_computed_does_not_stop_the_others(
    world: World, policy: Policy, tmp_path: Path
) -> None:
    retired_category_violation(world, "S2")
    events = tmp_path / "events"
    with world.database.transaction() as session:
        assert record_daily_ratings(session, events, policy, "JP", date(2026, 11, 16)) == 1
    assert _values(events, "S1") == [("2026-11-16", 200)]
    assert _values(events, "S2") == []


def test_the_worker_records_the_day_that_ended_at_midnight(world: World, tmp_path: Path) -> None:
    evaluator = Evaluator(world.database, tmp_path / "events", PolicyHolder(None))
    before_midnight = datetime(2026, 11, 20, 14, 59, 59, tzinfo=UTC)  # 23:59:59 in Tokyo
    with kenzen_clock.use(kenzen_clock.fixed(before_midnight)):
        evaluator.run_once()
    assert _values(tmp_path / "events", "S1") == [("2026-11-19", 200)]
    with kenzen_clock.use(kenzen_clock.fixed(before_midnight + timedelta(days=2, seconds=1))):
        evaluator.run_once()  # down for two midnights: every day that ended is recorded
    assert _values(tmp_path / "events", "S1") == [
        ("2026-11-19", 200),
        ("2026-11-20", 200),
        ("2026-11-21", 200),
        ("2026-11-22", 200),
    ]


def test_evaluate_records_the_day_it_evaluates(
    world: World, policy: Policy, tmp_path: Path
) -> None:
    events = tmp_path / "events"
    evaluation.evaluate(world.database, SYSTEM, policy, FIRST, events_dir=events)
    assert _values(events, "S2") == [("2026-11-14", 200)]


def test_a_day_written_again_is_read_at_once_and_each_seller_reads_its_own(
    world: World, policy: Policy, tmp_path: Path
) -> None:
    events = tmp_path / "events"
    _record(world, policy, events, 2)
    assert _values(events, "S1") == [("2026-11-14", 200), ("2026-11-15", 200)]  # now cached
    with world.database.transaction() as session:
        record_reviewed_violation(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            policy,
            "S1",
            category="productSafetyCustomerComplaints",
            reason="found in review",
            occurred_at=datetime(2026, 11, 15, 3, 0, tzinfo=UTC),
        )
        record_daily_ratings(session, events, policy, "JP", FIRST + timedelta(days=1))
    assert _values(events, "S1") == [("2026-11-14", 200), ("2026-11-15", 192)]
    assert _values(events, "S2") == [("2026-11-14", 200), ("2026-11-15", 200)]


def _pending(world: World) -> int:
    with world.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(PendingPublication)) or 0


def test_ratings_recorded_in_a_transaction_are_read_by_it_and_gone_with_its_rollback(
    world: World, policy: Policy, tmp_path: Path
) -> None:
    events = tmp_path / "events"
    window = policy.document.assurance.window_days

    class RolledBack(Exception):
        pass

    def record_then_fail() -> None:
        with world.database.transaction() as session:
            record_daily_ratings(session, events, policy, "JP", FIRST)
            mine = seller_ratings(events, "S1", FIRST, FIRST, staged=staging.staged(session))
            assert [r.rating for r in mine] == [200]
            assert seller_ratings(events, "S1", FIRST, FIRST) == []  # nobody else reads it yet
            assured.record_eligibility(session, events, policy, "JP", FIRST)
            eligibility = session.get(AssuranceEligibility, "S1")
            assert eligibility is not None
            assert eligibility.days_without_rating == window - 1  # it read the staged day
            raise RolledBack

    with pytest.raises(RolledBack):
        record_then_fail()
    assert _values(events, "S1") == []
    assert list(rating_table(events).directory.glob("*.parquet")) == []
    assert _pending(world) == 0


def test_a_worker_new_day_that_rolls_back_leaves_no_ratings_and_the_next_round_records_once(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluator = Evaluator(world.database, tmp_path / "events", PolicyHolder(None))
    before_midnight = datetime(2026, 11, 20, 14, 59, 59, tzinfo=UTC)  # 23:59:59 in Tokyo

    def eligibility_fails(*args: object) -> int:
        raise RuntimeError("eligibility failed")

    monkeypatch.setattr(assured, "record_eligibility", eligibility_fails)
    with kenzen_clock.use(kenzen_clock.fixed(before_midnight)):
        assert evaluator.run_once().new_days == []
    assert _values(tmp_path / "events", "S1") == []
    monkeypatch.undo()
    for _ in range(2):
        with kenzen_clock.use(kenzen_clock.fixed(before_midnight)):
            evaluator.run_once()
    assert _values(tmp_path / "events", "S1") == [("2026-11-19", 200)]
    assert len(rating_table(tmp_path / "events").manifest().days["2026-11-19"]) == 1


def test_ratings_committed_and_not_published_are_published_once_by_the_next_worker_round(
    world: World, policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = tmp_path / "events"

    def stopped(table: DatedTable, staged: list[Staged]) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(DatedTable, "publish", stopped)
    with world.database.transaction() as session:
        record_daily_ratings(session, events, policy, "JP", FIRST)
    assert staging.unpublished(session) == [f"ratings {FIRST}"]
    monkeypatch.undo()
    assert _values(events, "S1") == []  # committed, not yet published
    assert _pending(world) == 1
    evaluator = Evaluator(world.database, events, PolicyHolder(None))
    for _ in range(2):
        with kenzen_clock.use(kenzen_clock.fixed(datetime(2026, 11, 14, 1, tzinfo=UTC))):
            evaluator.run_once()
        assert _values(events, "S1")[0] == ("2026-11-14", 200)
        assert len(rating_table(events).manifest().days["2026-11-14"]) == 1
        assert _pending(world) == 0
