"""Overdue items against the database: the queue's order, and one staff notice each."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from kenzen.access import SYSTEM, Role, Visibility
from kenzen.appeals import service as appeals
from kenzen.appeals.models import Appeal, AppealStatus
from kenzen.appeals.poa import PlanOfAction
from kenzen.audit import AuditEntry
from kenzen.cases.models import CaseEntry
from kenzen.deadlines import service
from kenzen.deadlines.watch import DeadlineWatch
from kenzen.policy.document import CallbackRules, Policy
from kenzen.support import service as support
from tests.appeals.conftest import GOOD_POA, deactivate
from tests.conftest import Clock, World

JST = ZoneInfo("Asia/Tokyo")
POA = PlanOfAction.model_validate(GOOD_POA)


def _submit(world: World, case_id: int) -> Appeal:
    with world.database.transaction() as session:
        return appeals.submit_appeal(session, world.actors[Role.SELLER], case_id, POA)


def _alerts(world: World) -> list[CaseEntry]:
    with world.database.transaction() as session:
        return list(
            session.scalars(
                select(CaseEntry).where(
                    CaseEntry.author == "system", CaseEntry.visibility != Visibility.SELLER
                )
            )
        )


def test_an_overdue_appeal_raises_one_staff_notice(
    world: World, policy: Policy, clock: Clock
) -> None:
    case_id = deactivate(world, policy).case_id
    appeal = _submit(world, case_id)
    assert appeal.submitted_at is not None
    watch = DeadlineWatch(world.database, lambda: policy)
    before = len(_alerts(world))

    due = appeal.submitted_at + timedelta(hours=48)
    clock.move_to(due - timedelta(seconds=30))
    assert watch.run_once() == 0

    clock.move_to(due + timedelta(seconds=1))
    assert watch.run_once() == 1
    assert watch.run_once() == 0
    clock.advance(days=3)
    assert watch.run_once() == 0  # still overdue, already told

    alerts = _alerts(world)[before:]
    assert [(a.case_id, a.visibility) for a in alerts] == [(case_id, Visibility.SELLER_PERFORMANCE)]
    assert f"#{appeal.id}" in alerts[0].text_in("en")
    with world.database.transaction() as session:
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "deadlineMissed")
        ).all()
        assert [entry.target for entry in audit] == [f"appeals:{appeal.id}"]


def test_a_decided_appeal_is_no_longer_waiting(world: World, policy: Policy, clock: Clock) -> None:
    appeal = _submit(world, deactivate(world, policy).case_id)
    with world.database.transaction() as session:
        appeals.decide_appeal(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            appeal.id,
            decision=AppealStatus.ACCEPTED,
            reasons="",
        )
    clock.advance(days=5)
    assert DeadlineWatch(world.database, lambda: policy).run_once() == 0


def test_the_staff_queue_puts_the_earliest_due_first_and_seller_sees_its_own(
    world: World, policy: Policy, clock: Clock
) -> None:
    start = datetime.now(JST).replace(microsecond=0) + timedelta(days=1)
    callbacks = []
    for seller_id, hour in (("S2", 10), ("S1", 11)):
        with world.database.transaction() as session:
            actor = world.actors[Role.SELLER] if seller_id == "S1" else SYSTEM
            callbacks.append(
                support.request_callback(
                    session,
                    actor,
                    seller_id,
                    phone="090-1234-5678",
                    preferred=start.replace(hour=hour, minute=0, second=0),
                    rules=CallbackRules(),
                ).callback
            )
    rules = policy.document.deadlines
    with world.database.transaction() as session:
        queue = service.staff_queue(session, world.actors[Role.AHS_AGENT], rules, "callbacks")
        own = service.staff_queue(session, world.actors[Role.SELLER], rules, "callbacks")
    # Both are due at the end of the same Tokyo day; the tie keeps the item order.
    assert [item.item_id for item in queue] == sorted(c.id for c in callbacks)
    assert {item.due_at for item in queue} == {
        datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), JST)
    }
    assert [item.seller_id for item in own] == ["S1"]

    clock.move_to(queue[0].due_at + timedelta(minutes=1))
    watch = DeadlineWatch(world.database, lambda: policy)
    assert watch.run_once() == 2
    assert {a.visibility for a in _alerts(world)} == {Visibility.AHS}


def test_of_two_workers_that_saw_the_same_overdue_item_one_tells_staff(
    world: World, policy: Policy, clock: Clock
) -> None:
    appeal = _submit(world, deactivate(world, policy).case_id)
    assert appeal.submitted_at is not None
    clock.move_to(appeal.submitted_at + timedelta(hours=49))
    with world.database.transaction() as session:
        seen = service.unalerted_overdue(session, policy.document.deadlines, clock())
    assert [item.item_id for item in seen] == [appeal.id]
    before = len(_alerts(world))
    first, second = (DeadlineWatch(world.database, lambda: policy) for _ in range(2))
    assert first.tell(seen[0]) is True
    assert second.tell(seen[0]) is False  # the alert row's key refuses the second notice
    assert len(_alerts(world)) == before + 1
    with world.database.transaction() as session:
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "deadlineMissed")
        ).all()
        assert len(audit) == 1
