"""Continuous evaluation: facts mark sellers, the worker evaluates them, nothing is lost."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from kenzen import clock as kenzen_clock
from kenzen.access import SYSTEM, Role
from kenzen.cases.models import Case
from kenzen.events.service import import_events
from kenzen.events.store import EventStore
from kenzen.metrics.service import compute_snapshots
from kenzen.outbox.models import Notice
from kenzen.policy import proposals
from kenzen.policy.continuous import Evaluator
from kenzen.policy.document import PolicyHolder
from kenzen.policy.enforcement import enforce_seller, record_reviewed_violation
from kenzen.sellers import marks
from kenzen.sellers.models import EvaluationMark, Seller
from kenzen.sellers.status import AccountStatus
from tests.complaints.test_service import brand, listing
from tests.conftest import Clock, World
from tests.policy.conftest import retired_category_violation

NOON_JST = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def _evaluator(world: World, tmp_path: Path, batch: int = 50) -> Evaluator:
    return Evaluator(world.database, tmp_path / "events", PolicyHolder(None), batch=batch)


def _drain(evaluator: Evaluator) -> list[str]:
    """Rounds until nothing is marked; the sellers evaluated, in order."""
    evaluated = []
    for _ in range(10):
        done = evaluator.run_once()
        evaluated += [o.seller_id for o in done.evaluated]
        if not done.evaluated and not done.failed:
            return evaluated
    raise AssertionError("the marks never cleared")


def _marks(world: World) -> dict[str, int]:
    with world.database.transaction() as session:
        return dict(
            session.execute(select(EvaluationMark.seller_id, EvaluationMark.attempts)).all()
        )


def _status(world: World, seller_id: str) -> AccountStatus:
    with world.database.transaction() as session:
        seller = session.get(Seller, seller_id)
        assert seller is not None
        return seller.status


def _pending(world: World, seller_id: str) -> list[str]:
    with world.database.transaction() as session:
        return [p.kind for p in proposals.pending(session, seller_id)]


def _counts(world: World) -> tuple[int, int]:
    with world.database.transaction() as session:
        return (
            session.scalar(select(func.count()).select_from(Case)) or 0,
            session.scalar(select(func.count()).select_from(Notice)) or 0,
        )


def _file_complaints(client: TestClient, world: World, brand_id: int, count: int) -> None:
    listing(world, "S1", "A1", "ソラノ イヤホン", "ノーブランド")
    for n in range(count):
        response = client.post(
            "/api/v1/complaints",
            headers=world.headers(Role.RIGHTS_OWNER),
            json={
                "brand_id": brand_id,
                "kind": "trademark",
                "listings": [{"listing_id": "B0A1"}],
                "evidence": f"test buy {n}",
            },
        )
        assert response.status_code == 201, response.text


def test_the_complaint_that_crosses_the_cap_proposes_a_deactivation_without_a_command(
    client: TestClient, world: World, clock: Clock, tmp_path: Path
) -> None:
    clock.move_to(NOON_JST)
    evaluator = _evaluator(world, tmp_path)
    _drain(evaluator)  # the day starts: every seller evaluated once
    brand_id = brand(world)
    _file_complaints(client, world, brand_id, 4)
    assert set(_marks(world)) == {"S1"}
    assert "S1" in _drain(evaluator)
    assert _status(world, "S1") is AccountStatus.AT_RISK  # four: the rating fell, no cap yet
    _file_complaints(client, world, brand_id, 1)
    assert "S1" in _drain(evaluator)
    assert _status(world, "S1") is AccountStatus.AT_RISK  # a specialist decides
    assert _pending(world, "S1") == ["DEACTIVATE"]
    assert _marks(world) == {}
    # evaluating again, with no new fact, opens no case and queues no notice
    before = _counts(world)
    with world.database.transaction() as session:
        marks.mark_for_evaluation(session, ["S1", "S2"], reason="test")
    assert sorted(_drain(evaluator)) == ["S1", "S2"]
    assert _counts(world) == before


def test_a_failing_seller_keeps_its_mark_and_is_retried_later(
    world: World, clock: Clock, tmp_path: Path
) -> None:
    clock.move_to(NOON_JST)
    evaluator = _evaluator(world, tmp_path)
    _drain(evaluator)
    retired_category_violation(world, "S2")
    with world.database.transaction() as session:
        marks.mark_for_evaluation(session, ["S1", "S2"], reason="test")
    done = evaluator.run_once()
    assert [o.seller_id for o in done.evaluated] == ["S1"]
    assert [f.seller_id for f in done.failed] == ["S2"]
    assert "retiredCategory" in done.failed[0].reason
    assert _marks(world) == {"S2": 1}
    first = _retry_at(world, "S2")
    clock.move_to(first - timedelta(seconds=1))
    assert evaluator.run_once().work == 0  # not due before its pause is over
    clock.move_to(first)
    assert [f.seller_id for f in evaluator.run_once().failed] == ["S2"]
    assert _marks(world) == {"S2": 2}
    pause = _retry_at(world, "S2") - first
    assert timedelta(seconds=60) <= pause < timedelta(seconds=65)  # then a minute


def _retry_at(world: World, seller_id: str) -> datetime:
    with world.database.transaction() as session:
        mark = session.get(EvaluationMark, seller_id)
        assert mark is not None
        assert mark.not_before is not None
        return mark.not_before


@pytest.mark.parametrize(
    ("attempts", "pause"),
    [(1, 30), (2, 60), (7, 1920), (8, 3600), (9, 3600), (1_000, 3600)],
)
def test_the_retry_pause_doubles_up_to_an_hour(attempts: int, pause: int) -> None:
    assert marks.retry_pause(attempts) == timedelta(seconds=pause)


def test_a_worker_killed_mid_evaluation_leaves_the_seller_marked(
    world: World, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.move_to(NOON_JST)
    evaluator = _evaluator(world, tmp_path)
    _drain(evaluator)
    with world.database.transaction() as session:
        for days_ago in (1, 2):  # two restricted products: the cap deactivates
            record_reviewed_violation(
                session,
                world.actors[Role.ACCOUNT_SPECIALIST],
                evaluator.policy.current,
                "S1",
                category="restrictedProductPolicyViolations",
                reason="found in review",
                occurred_at=NOON_JST - timedelta(days=days_ago),
            )

    def killed_after_enforcing(*args: Any, **kwargs: Any) -> NoReturn:
        enforce_seller(*args, **kwargs)
        raise SystemExit("killed")

    monkeypatch.setattr("kenzen.policy.continuous.enforce_seller", killed_after_enforcing)
    with pytest.raises(SystemExit):
        evaluator.run_once()
    assert _status(world, "S1") is AccountStatus.NORMAL  # rolled back
    assert _marks(world) == {"S1": 0}
    assert _pending(world, "S1") == []
    monkeypatch.undo()
    assert "S1" in _drain(_evaluator(world, tmp_path))  # the next worker
    assert _pending(world, "S1") == ["DEACTIVATE"]


def test_the_oldest_mark_is_evaluated_first(world: World, clock: Clock, tmp_path: Path) -> None:
    clock.move_to(NOON_JST)
    evaluator = _evaluator(world, tmp_path, batch=1)
    _drain(evaluator)
    for seller_id in ("S2", "S1"):
        with world.database.transaction() as session:
            marks.mark_for_evaluation(session, [seller_id], reason="test")
        clock.advance(seconds=1)
    assert _drain(evaluator) == ["S2", "S1"]


def test_a_new_day_at_midnight_in_the_marketplace_marks_its_sellers(
    world: World, tmp_path: Path
) -> None:
    evaluator = _evaluator(world, tmp_path)
    before_midnight = datetime(2026, 11, 20, 14, 59, 59, tzinfo=UTC)  # 23:59:59 in Tokyo
    with kenzen_clock.use(kenzen_clock.fixed(before_midnight)):
        assert [d.isoformat() for _, d in evaluator.run_once().new_days] == ["2026-11-20"]
        _drain(evaluator)
        assert evaluator.run_once().work == 0
    with kenzen_clock.use(kenzen_clock.fixed(before_midnight + timedelta(seconds=1))):
        started = evaluator.run_once()
        assert [(m, d.isoformat()) for m, d in started.new_days] == [("JP", "2026-11-21")]
        assert sorted(o.seller_id for o in started.evaluated) == ["S1", "S2"]
        _drain(evaluator)
        assert evaluator.run_once().work == 0


def test_a_status_set_by_hand_marks_the_seller(
    client: TestClient, world: World, clock: Clock, tmp_path: Path
) -> None:
    clock.move_to(NOON_JST)
    _drain(_evaluator(world, tmp_path))
    response = client.post(
        "/api/v1/sellers/S2/status",
        headers=world.headers(Role.ACCOUNT_SPECIALIST),
        json={"status": "AT_RISK", "reason": "found in review"},
    )
    assert response.status_code == 200, response.text
    assert set(_marks(world)) == {"S2"}


def test_imported_events_and_a_metric_run_mark_their_sellers(
    world: World, store: EventStore, tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,seller_id,marketplace_id,purchased_at,fulfillment,ship_by,cancelled_at,"
        "cancelled_by,shipped_at,tracking_id,first_scan_at,updated_at\n"
        "O1,S2,JP,2026-11-18T10:00:00+09:00,merchant,2026-11-19T23:00:00+09:00,,,"
        "2026-11-18T11:00:00+09:00,T1,2026-11-18T15:00:00+09:00,2026-11-18T12:00:00+09:00\n",
        encoding="utf-8",
    )
    with world.database.transaction() as session:
        import_events(session, SYSTEM, store, "orders", orders)
    assert _marks(world) == {"S2": 0}
    with world.database.transaction() as session:
        session.execute(delete(EvaluationMark))
        compute_snapshots(session, SYSTEM, store, date(2026, 11, 20))
    assert set(_marks(world)) == {"S2"}


def test_the_status_an_evaluation_sets_does_not_mark_the_seller_again(
    client: TestClient, world: World, clock: Clock, tmp_path: Path
) -> None:
    clock.move_to(NOON_JST)
    evaluator = _evaluator(world, tmp_path)
    _drain(evaluator)
    _file_complaints(client, world, brand(world), 4)
    done = evaluator.run_once()
    assert [o.status_after for o in done.evaluated] == [AccountStatus.AT_RISK]
    assert _marks(world) == {}  # no second round for its own change
    assert evaluator.run_once().work == 0


@pytest.mark.postgres
def test_concurrent_workers_skip_a_mark_another_one_holds(world: World, clock: Clock) -> None:
    clock.move_to(NOON_JST)
    with world.database.transaction() as session:
        marks.mark_for_evaluation(session, ["S1", "S2"], reason="test")
    with world.database.transaction() as first:
        assert marks.claim_mark(first, "S1", NOON_JST) == 1
        with world.database.transaction() as second:
            assert marks.claim_mark(second, "S1", NOON_JST) is None  # held: skipped
            assert marks.claim_mark(second, "S2", NOON_JST) == 1
