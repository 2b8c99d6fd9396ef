"""A held deactivation's decision deadline follows the hold: the proposal is not overdue while
Account Health Assurance forbids confirming it, and is due when the hold allows it — never
before the policy's 96 hours. Each border to the second, on the clock that stands still."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kenzen import clock as kenzen_clock
from kenzen.access import Role, Visibility
from kenzen.cases.models import CaseEntry
from kenzen.deadlines import service as deadlines
from kenzen.deadlines.models import DeadlineAlert
from kenzen.deadlines.watch import DeadlineWatch
from kenzen.policy.document import Policy
from tests.assurance.test_holds import (
    OPENED,
    PROPOSALS,
    StillClock,
    _appeal,
    _call,
    _confirm,
    _decide_appeal,
    _hold,
    _propose,
)
from tests.conftest import Clock, World
from tests.web.test_proposal_pages import _log_in

#: The policy's 96 hours from the proposal (made at OPENED): Tuesday 24 November, 12:00 JST.
DUE = OPENED + timedelta(hours=96)
SECOND = timedelta(seconds=1)


@pytest.fixture
def clock() -> Iterator[Clock]:
    still = StillClock()
    with kenzen_clock.use(still):
        yield still


def _due(client: TestClient, world: World) -> tuple[datetime, bool, bool]:
    """The proposal's due time, whether it is overdue and whether it is held, as the
    specialists' queue gives them (listEnforcementProposals)."""
    response = client.get(PROPOSALS, headers=world.headers(Role.ACCOUNT_SPECIALIST))
    assert response.status_code == 200, response.text
    [proposal] = response.json()
    due: dict[str, Any] = proposal["decision_due"]
    return datetime.fromisoformat(due["due_at"]), due["overdue"], due["held"]


def _staff_queue(world: World, policy: Policy) -> deadlines.Waiting:
    with world.database.transaction() as session:
        [item] = deadlines.staff_queue(
            session, world.actors[Role.ACCOUNT_SPECIALIST], policy.document.deadlines, "proposals"
        )
    return item


def _overdue_notices(world: World) -> list[CaseEntry]:
    with world.database.transaction() as session:
        return list(
            session.scalars(
                select(CaseEntry).where(
                    CaseEntry.visibility == Visibility.SELLER_PERFORMANCE,
                    CaseEntry.author == "system",
                )
            )
        )


def _proposal_alerts(world: World) -> list[tuple[int, datetime]]:
    with world.database.transaction() as session:
        alerts = session.scalars(select(DeadlineAlert).where(DeadlineAlert.queue == "proposals"))
        return [(alert.item_id, alert.due_at) for alert in alerts]


def test_a_hold_beyond_the_deadline_is_due_when_the_seller_reached_late_has_had_72_hours(
    client: TestClient, world: World, policy: Policy, clock: Clock
) -> None:
    proposal_id = _propose(world, policy)
    watch = DeadlineWatch(world.database, lambda: policy)
    # No call was recorded: past the 96 hours, AHS has still to reach the seller.
    clock.move_to(DUE + SECOND)
    assert _hold(client, world)["state"] == "WAITING_FOR_CONTACT"
    assert _confirm(client, world.headers(Role.ACCOUNT_SPECIALIST), proposal_id).status_code == 409
    assert _due(client, world)[1:] == (False, True)  # held: not overdue
    item = _staff_queue(world, policy)
    assert (item.held, item.overdue(clock())) == (True, False)
    watch.run_once()
    assert _proposal_alerts(world) == []
    # Reached a day late: the seller has 72 hours from the call, and so has the deadline.
    reached = DUE + timedelta(hours=25)
    clock.move_to(reached)
    _call(client, world, "REACHED")
    allowed = reached + timedelta(hours=72)
    clock.move_to(allowed - SECOND)
    assert _confirm(client, world.headers(Role.ACCOUNT_SPECIALIST), proposal_id).status_code == 409
    assert _due(client, world) == (allowed, False, True)
    watch.run_once()
    assert _proposal_alerts(world) == []
    clock.move_to(allowed)  # confirming is allowed; due "by then", so not late yet
    assert _due(client, world) == (allowed, False, False)
    watch.run_once()
    assert _proposal_alerts(world) == []
    clock.move_to(allowed + SECOND)
    assert _due(client, world) == (allowed, True, False)
    item = _staff_queue(world, policy)
    assert (item.due_at, item.held, item.overdue(clock())) == (allowed, False, True)
    before = len(_overdue_notices(world))
    watch.run_once()
    assert _proposal_alerts(world) == [(proposal_id, allowed)]
    [notice] = [
        n for n in _overdue_notices(world)[before:] if "Deactivation review" in n.text_in("en")
    ]
    # Saturday 28 November 2026, 13:00 in Tokyo, as the pages write it in each language.
    assert "November 28, 2026, 1:00:00\u202fPM +0900" in notice.text_in("en")
    assert "2026年11月28日 13:00:00 JST" in notice.text_in("ja")
    assert _confirm(client, world.headers(Role.ACCOUNT_SPECIALIST), proposal_id).status_code == 200


def test_a_hold_released_before_the_deadline_leaves_the_96_hours(
    client: TestClient, world: World, policy: Policy, clock: Clock
) -> None:
    proposal_id = _propose(world, policy)
    clock.move_to(OPENED + timedelta(hours=1))
    _call(client, world, "REACHED")  # released 73 hours after the proposal
    clock.move_to(DUE)
    assert _due(client, world) == (DUE, False, False)
    clock.move_to(DUE + SECOND)
    assert _due(client, world) == (DUE, True, False)
    DeadlineWatch(world.database, lambda: policy).run_once()
    assert _proposal_alerts(world) == [(proposal_id, DUE)]


def test_a_plan_of_action_holds_the_deadline_until_its_decision(
    client: TestClient, world: World, policy: Policy, clock: Clock
) -> None:
    proposal_id = _propose(world, policy)
    watch = DeadlineWatch(world.database, lambda: policy)
    clock.move_to(OPENED + timedelta(hours=2))
    appeal_id = _appeal(client, world, _hold(client, world)["case_id"])
    clock.move_to(DUE + timedelta(days=2))  # the seller is working with us
    assert _due(client, world)[1:] == (False, True)  # held: not overdue
    watch.run_once()  # the plan's decision is late by now; the proposal's is not
    assert _proposal_alerts(world) == []
    rejected = clock()
    _decide_appeal(client, world, appeal_id, "REJECTED")
    assert _due(client, world) == (rejected, False, False)
    clock.move_to(rejected + SECOND)
    assert _due(client, world) == (rejected, True, False)
    watch.run_once()
    assert _proposal_alerts(world) == [(proposal_id, rejected)]
    assert _confirm(client, world.headers(Role.ACCOUNT_SPECIALIST), proposal_id).status_code == 200


def test_the_staff_queue_page_shows_the_hold_instead_of_overdue(
    client: TestClient, world: World, policy: Policy, clock: Clock
) -> None:
    _propose(world, policy)
    clock.move_to(DUE + SECOND)
    _log_in(client, world, Role.ACCOUNT_SPECIALIST)
    for language, held in (("en", "Held by Account Health Assurance"), ("ja", "保留中")):
        page = client.get("/staff/proposals", headers={"Accept-Language": language}).text
        row = page.split('data-testid="queued-proposal"')[1].split("</tr>")[0]
        assert held in row
        assert 'data-testid="overdue"' not in row
        assert 'class="overdue"' not in row
