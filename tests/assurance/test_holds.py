"""A protected seller's deactivation through the API: the priority call and the notice, the
72-hour hold on the confirmation (409), AHS's attempts, a seller working with us, a bypass
category, and re-evaluation that books nothing twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kenzen import clock as kenzen_clock
from kenzen.access import SYSTEM, Role
from kenzen.assurance.models import AssuranceHold
from kenzen.assurance.watch import HoldWatch
from kenzen.audit import AuditEntry, Outcome
from kenzen.cases.models import CaseEntry
from kenzen.i18n import Message
from kenzen.identity import service as identity
from kenzen.outbox.models import Notice
from kenzen.policy import enforcement, proposals
from kenzen.policy.document import Policy, parse_policy
from kenzen.policy.models import EnforcementProposal
from kenzen.sellers.models import Seller
from kenzen.sellers.status import AccountStatus
from kenzen.support.models import Callback
from tests.appeals.conftest import GOOD_POA
from tests.assurance.test_status import store_day
from tests.conftest import Clock, World
from tests.policy.conftest import edit

#: Friday 20 November 2026, 12:00 in Tokyo: the window ends on Monday at 12:00.
OPENED = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
ENDS = OPENED + timedelta(hours=72)
PROPOSALS = "/api/v1/enforcement-proposals"


class StillClock(Clock):
    """Stands where it was moved, so the window's borders hold to the second."""

    def __init__(self) -> None:
        super().__init__()
        self.at = OPENED

    def __call__(self) -> datetime:
        return self.at

    def move_to(self, instant: datetime) -> None:
        self.at = instant

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock() -> Iterator[Clock]:
    still = StillClock()
    with kenzen_clock.use(still):
        yield still


@pytest.fixture(autouse=True)
def _still(clock: Clock) -> None:
    """Every test here runs on the clock that stands still."""


def _propose(world: World, policy: Policy, *, protected: bool = True) -> int:
    """Two restricted-product violations reach the cap: a deactivation is proposed for S1
    (protected by Account Health Assurance), then the worker's round holds it."""
    if protected:
        store_day(world, at_or_above=175, phone="+819012345678")
    with world.database.transaction() as session:
        for n in range(2):
            enforcement.record_reviewed_violation(
                session,
                world.actors[Role.ACCOUNT_SPECIALIST],
                policy,
                "S1",
                category="restrictedProductPolicyViolations",
                reason=f"医薬品の出品 {n}",
                occurred_at=OPENED - timedelta(hours=n + 1),
            )
        enforcement.enforce_seller(session, SYSTEM, policy, "S1", OPENED.date())
        [proposal] = proposals.pending(session, "S1")
    HoldWatch(world.database, lambda: policy).run_once()
    return proposal.id


def _second_specialist(world: World) -> dict[str, str]:
    with world.database.transaction() as session:
        identity.add_user(
            session,
            SYSTEM,
            email="second.specialist@example.test",
            role=Role.ACCOUNT_SPECIALIST,
            password=None,
        )
        token = identity.create_api_token(session, SYSTEM, email="second.specialist@example.test")
    return {"Authorization": f"Bearer {token}"}


def _confirm(client: TestClient, headers: dict[str, str], proposal_id: int) -> Any:
    return client.post(
        f"{PROPOSALS}/{proposal_id}/decision",
        headers=headers,
        json={"verdict": "CONFIRM", "reasons": "医薬品の出品が続いている"},
    )


def _hold(client: TestClient, world: World, role: Role = Role.ACCOUNT_SPECIALIST) -> Any:
    response = client.get("/api/v1/sellers/S1/assurance", headers=world.headers(role))
    assert response.status_code == 200, response.text
    [hold] = response.json()["holds"]
    return hold


def _call(client: TestClient, world: World, outcome: str) -> None:
    """AHS takes the open priority call and records how it went."""
    ahs = world.headers(Role.AHS_AGENT)
    [call] = [c for c in _hold(client, world)["calls"] if c["status"] == "BOOKED"]
    claimed = client.post(f"/api/v1/callbacks/{call['callback_id']}/claim", headers=ahs)
    assert claimed.status_code == 200, claimed.text
    done = client.post(
        f"/api/v1/callbacks/{call['callback_id']}/complete",
        headers=ahs,
        json={"outcome": outcome, "notes": "緊急連絡先に電話"},
    )
    assert done.status_code == 200, done.text


def _counts(world: World) -> tuple[int, ...]:
    with world.database.transaction() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (AssuranceHold, Callback, CaseEntry, Notice, EnforcementProposal)
        )


def _status(world: World) -> AccountStatus:
    with world.database.transaction() as session:
        return session.get_one(Seller, "S1").status


def test_the_hold_books_a_priority_call_and_tells_the_seller_once(
    client: TestClient, world: World, policy: Policy
) -> None:
    proposal_id = _propose(world, policy)
    hold = _hold(client, world, Role.SELLER)
    assert (hold["proposal_id"], hold["state"], hold["confirmable"]) == (
        proposal_id,
        "WAITING_FOR_SELLER",
        False,
    )
    assert hold["respond_by"] == "2026-11-23T03:00:00Z"
    assert hold["open_days"] == ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"]
    [call] = hold["calls"]
    assert (call["priority"], call["slot_start"], call["status"]) == (
        True,
        "2026-11-20T03:00:00Z",  # the next open slot: 12:00 in Tokyo
        "BOOKED",
    )
    with world.database.transaction() as session:
        callback = session.get_one(Callback, call["callback_id"])
        assert (callback.phone, callback.deadline) == ("+819012345678", ENDS)
        entry = session.scalars(select(CaseEntry).order_by(CaseEntry.id.desc()).limit(1)).one()
        assert entry.case_id == hold["case_id"]
        assert entry.message is not None
        assert entry.message.id == "entry.assurance.hold"
        text = {
            lang: Message.from_json(entry.message.as_json()).render(lang) for lang in ("en", "ja")
        }
    assert "until 2026-11-23 12:00 JST" in text["en"]
    assert "72 hours" in text["en"]
    assert "2026-11-23 12:00 JST" in text["ja"]
    assert "72時間" in text["ja"]
    before = _counts(world)
    assert before[3] >= 1  # the notice of the entry is queued
    with world.database.transaction() as session:  # a new fact-less evaluation and round
        assert (
            enforcement.enforce_seller(session, SYSTEM, policy, "S1", OPENED.date()).actions == []
        )
    assert HoldWatch(world.database, lambda: policy).run_once() == 0
    assert _counts(world) == before


def test_confirming_waits_for_the_window_and_an_attempt_on_each_open_day(
    client: TestClient, world: World, policy: Policy, clock: Clock
) -> None:
    proposal_id = _propose(world, policy)
    first, second = world.headers(Role.ACCOUNT_SPECIALIST), _second_specialist(world)
    refused = _confirm(client, first, proposal_id)
    assert refused.status_code == 409
    assert "held by Account Health Assurance" in refused.json()["detail"]
    assert "until 2026-11-23 12:00 JST" in refused.json()["detail"]  # Monday noon in Tokyo
    with world.database.transaction() as session:
        denied = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "decideEnforcementProposal")
        ).one()
        assert denied.outcome is Outcome.DENIED
    # AHS fails to reach the seller on Friday, Saturday and Sunday; a failed call books the
    # next open day's first slot (09:00 in Tokyo).
    for day in range(3):
        _call(client, world, "NO_ANSWER")
        clock.move_to(datetime(2026, 11, 21 + day, 0, 0, tzinfo=UTC))
    assert _hold(client, world)["days_without_attempt"] == ["2026-11-23"]
    clock.move_to(ENDS)  # the window has passed, but Monday had no attempt
    waiting = _confirm(client, first, proposal_id)
    assert waiting.status_code == 409
    assert "none on 2026-11-23" in waiting.json()["detail"]
    assert _hold(client, world)["state"] == "WAITING_FOR_CONTACT"
    clock.move_to(ENDS - timedelta(hours=1))  # Monday 11:00: the last attempt, inside it
    _call(client, world, "WRONG_NUMBER")
    assert [c["status"] for c in _hold(client, world)["calls"]] == ["COMPLETED"] * 4
    clock.move_to(ENDS - timedelta(seconds=1))
    assert _confirm(client, first, proposal_id).status_code == 409
    clock.move_to(ENDS)
    assert _confirm(client, first, proposal_id).status_code == 200
    assert _status(world) is AccountStatus.NORMAL  # four eyes: a second specialist confirms
    assert _confirm(client, second, proposal_id).status_code == 200
    assert _status(world) is AccountStatus.DEACTIVATED


def test_a_seller_reached_late_gets_the_response_time_again(
    client: TestClient, world: World, policy: Policy, clock: Clock
) -> None:
    proposal_id = _propose(world, policy)
    clock.move_to(datetime(2026, 11, 22, 5, 0, tzinfo=UTC))  # Sunday 14:00 in Tokyo
    _call(client, world, "REACHED")
    hold = _hold(client, world)
    assert hold["respond_by"] == "2026-11-25T05:00:00Z"
    assert [c["outcome"] for c in hold["calls"]] == ["REACHED"]  # no further attempt booked
    clock.move_to(datetime(2026, 11, 25, 4, 59, tzinfo=UTC))
    assert _confirm(client, world.headers(Role.ACCOUNT_SPECIALIST), proposal_id).status_code == 409
    clock.move_to(datetime(2026, 11, 25, 5, 0, tzinfo=UTC))
    assert _confirm(client, world.headers(Role.ACCOUNT_SPECIALIST), proposal_id).status_code == 200


def _appeal(client: TestClient, world: World, case_id: int) -> int:
    response = client.post(
        f"/api/v1/cases/{case_id}/appeal",
        headers=world.headers(Role.SELLER),
        json={"poa": GOOD_POA},
    )
    assert response.status_code == 201, response.text
    appeal_id: int = response.json()["id"]
    return appeal_id


def _decide_appeal(client: TestClient, world: World, appeal_id: int, decision: str) -> None:
    response = client.post(
        f"/api/v1/appeals/{appeal_id}/decision",
        headers=world.headers(Role.ACCOUNT_SPECIALIST),
        json={"decision": decision, "reasons": "計画書を確認しました"},
    )
    assert response.status_code == 200, response.text


def test_a_plan_of_action_in_time_makes_the_deactivation_wait_for_its_decision(
    client: TestClient, world: World, policy: Policy, clock: Clock
) -> None:
    proposal_id = _propose(world, policy)
    clock.move_to(ENDS - timedelta(minutes=1))
    appeal_id = _appeal(client, world, _hold(client, world)["case_id"])
    clock.move_to(ENDS + timedelta(days=3))  # long after the window, the plan still waits
    assert _hold(client, world)["state"] == "WORKING_WITH_US"
    refused = _confirm(client, world.headers(Role.ACCOUNT_SPECIALIST), proposal_id)
    assert refused.status_code == 409
    assert "working with us" in refused.json()["detail"]
    _decide_appeal(client, world, appeal_id, "REJECTED")
    assert _confirm(client, world.headers(Role.ACCOUNT_SPECIALIST), proposal_id).status_code == 200


def test_a_plan_after_the_window_does_not_hold_the_deactivation(
    client: TestClient, world: World, policy: Policy, clock: Clock
) -> None:
    proposal_id = _propose(world, policy)
    clock.move_to(OPENED + timedelta(hours=1))
    _call(client, world, "REACHED")  # reached at 13:00: 72 hours from the call
    clock.move_to(OPENED + timedelta(hours=73, seconds=1))
    _appeal(client, world, _hold(client, world)["case_id"])
    assert _hold(client, world)["state"] == "RELEASED"
    assert _confirm(client, world.headers(Role.ACCOUNT_SPECIALIST), proposal_id).status_code == 200


def test_an_accepted_plan_ends_the_proposal_and_cancels_the_calls(
    client: TestClient, world: World, policy: Policy
) -> None:
    proposal_id = _propose(world, policy)
    hold = _hold(client, world)
    _decide_appeal(client, world, _appeal(client, world, hold["case_id"]), "ACCEPTED")
    with world.database.transaction() as session:
        proposal = session.get_one(EnforcementProposal, proposal_id)
        assert proposal.status.value == "REJECTED"
        assert proposal.outcome is not None
        assert "Plan of Action was accepted" in proposal.outcome
    assert HoldWatch(world.database, lambda: policy).run_once() == 1  # the hold is closed
    with world.database.transaction() as session:
        [call] = session.scalars(select(Callback)).all()
        assert call.status.value == "CANCELLED"
    refused = _confirm(client, world.headers(Role.ACCOUNT_SPECIALIST), proposal_id)
    assert refused.status_code == 409
    assert "REJECTED" in refused.json()["detail"]
    with world.database.transaction() as session:  # the same facts propose nothing again
        enforcement.enforce_seller(session, SYSTEM, policy, "S1", OPENED.date())
        assert proposals.pending(session, "S1") == []


def test_the_seller_cannot_cancel_ahs_priority_call(
    client: TestClient, world: World, policy: Policy
) -> None:
    _propose(world, policy)
    [call] = _hold(client, world, Role.SELLER)["calls"]
    response = client.post(
        f"/api/v1/callbacks/{call['callback_id']}/cancel", headers=world.headers(Role.SELLER)
    )
    assert response.status_code == 409
    assert "アカウントヘルス保証" in response.json()["detail"]  # S1's seller reads Japanese


def bypassing_policy() -> Policy:
    """The shipped policy, with restricted products as its one bypass category."""
    shipped = resources.files("kenzen.policy").joinpath("policy.toml").read_text("utf-8")
    return parse_policy(
        edit(
            shipped,
            'bypass_categories = ["productSafetyCustomerComplaints", "foodAndProductSafetyIssues"]',
            'bypass_categories = ["restrictedProductPolicyViolations"]',
        )
    )


def test_a_bypass_category_is_not_held(client: TestClient, world: World) -> None:
    proposal_id = _propose(world, bypassing_policy())
    hold = _hold(client, world)
    assert (hold["state"], hold["bypassed_by"], hold["calls"]) == (
        "BYPASSED",
        ["restrictedProductPolicyViolations"],
        [],
    )
    with world.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Callback)) == 0
        assert session.scalars(
            select(AuditEntry).where(AuditEntry.action == "bypassAssurance")
        ).one()
    assert _confirm(client, world.headers(Role.ACCOUNT_SPECIALIST), proposal_id).status_code == 200


def test_an_unprotected_seller_is_not_held(
    client: TestClient, world: World, policy: Policy
) -> None:
    proposal_id = _propose(world, policy, protected=False)
    assert _counts(world)[:2] == (0, 0)
    assert _confirm(client, world.headers(Role.ACCOUNT_SPECIALIST), proposal_id).status_code == 200
    assert _status(world) is AccountStatus.DEACTIVATED
