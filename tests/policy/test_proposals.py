"""Deactivation is proposed, then decided: proposals, their evidence, four eyes, rejection,
withdrawal and idempotent re-evaluation, through the API as specialists and sellers use it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kenzen import clock as kenzen_clock
from kenzen.access import SYSTEM, Role
from kenzen.audit import AuditEntry, Outcome
from kenzen.cases.models import Case, CaseEntry
from kenzen.identity import service as identity
from kenzen.operations.queues import measure_queues
from kenzen.outbox.models import Notice
from kenzen.policy.assessment import SellerFacts
from kenzen.policy.decide import Evidence, PolicyAction
from kenzen.policy.document import ActionKind, Policy, ReviewMode, parse_policy
from kenzen.policy.enforcement import enforce_seller
from kenzen.policy.models import EnforcementProposal
from kenzen.policy.review import has_new_facts, review_mode
from kenzen.sellers.models import Seller
from kenzen.sellers.status import AccountStatus
from tests.complaints.test_service import brand, listing
from tests.conftest import Clock, World
from tests.policy.conftest import edit

TODAY = date(2026, 11, 20)
API = "/api/v1/enforcement-proposals"


@pytest.fixture(autouse=True)
def noon(clock: Clock) -> None:
    """Complaints are filed at noon in Tokyo on the day evaluated."""
    clock.move_to(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))


@pytest.fixture
def brand_id(world: World) -> int:
    return brand(world)


def _complaints(
    client: TestClient, world: World, brand_id: int, count: int, *, sku: str = "A1"
) -> list[int]:
    listing(world, "S1", sku, "ソラノ イヤホン", "ノーブランド")
    filed = []
    for n in range(count):
        response = client.post(
            "/api/v1/complaints",
            headers=world.headers(Role.RIGHTS_OWNER),
            json={
                "brand_id": brand_id,
                "kind": "trademark",
                "listings": [{"listing_id": f"B0{sku}"}],
                "evidence": f"Test buy {sku}-{n}: the Sorano mark on an unlicensed item.",
            },
        )
        assert response.status_code == 201, response.text
        filed.append(response.json()["id"])
    return filed


def _evaluate(world: World, policy: Policy, seller_id: str = "S1") -> list[str]:
    with world.database.transaction() as session:
        return enforce_seller(session, SYSTEM, policy, seller_id, TODAY).actions


def _status(world: World, seller_id: str = "S1") -> AccountStatus:
    with world.database.transaction() as session:
        seller = session.get(Seller, seller_id)
        assert seller is not None
        return seller.status


def _queue(client: TestClient, world: World, **params: str) -> list[dict[str, Any]]:
    response = client.get(API, headers=world.headers(Role.ACCOUNT_SPECIALIST), params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def _decide(
    client: TestClient, headers: dict[str, str], proposal_id: int, verdict: str, reasons: str
) -> Any:
    return client.post(
        f"{API}/{proposal_id}/decision",
        headers=headers,
        json={"verdict": verdict, "reasons": reasons},
    )


def _counts(world: World) -> tuple[int, int, int, int]:
    with world.database.transaction() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (EnforcementProposal, Case, CaseEntry, Notice)
        )


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


def _waiting_proposals(world: World) -> int:
    """The proposals queue of the staff overview and /metrics."""
    with world.database.transaction() as session:
        figures = {f.queue.key: f.depth for f in measure_queues(session, kenzen_clock.now())}
    return figures["proposals"]


def test_the_cap_proposes_a_deactivation_with_its_evidence_and_the_seller_sees_a_review(
    client: TestClient, world: World, policy: Policy, brand_id: int
) -> None:
    _complaints(client, world, brand_id, 5)
    assert _evaluate(world, policy) == ["PROPOSED DEACTIVATE (caps.ip_complaints), specialist"]
    assert _status(world) is AccountStatus.NORMAL
    [queued] = _queue(client, world)
    assert (queued["seller_id"], queued["kind"], queued["review"]) == (
        "S1",
        "DEACTIVATE",
        "specialist",
    )
    assert (queued["confirmations"], queued["confirmations_needed"]) == (0, 1)
    detail = client.get(f"{API}/{queued['id']}", headers=world.headers(Role.ACCOUNT_SPECIALIST))
    evidence = detail.json()["evidence"]
    assert evidence["policy_version"] == policy.version
    assert evidence["causes"][0]["facts"] == {
        "category": "receivedIntellectualPropertyComplaints",
        "count": 5,
        "at_least": 5,
    }
    assert (
        sum(line["points"] for line in evidence["rating"]["lines"]) == (evidence["rating"]["value"])
    )
    texts = [v["evidence"]["evidence"] for v in evidence["violations"]]
    assert texts == [f"Test buy A1-{n}: the Sorano mark on an unlicensed item." for n in range(5)]
    assert "metrics" in evidence
    assert evidence["counts"] == {"receivedIntellectualPropertyComplaints": 5}
    # the seller: a review under way on the health page and in the case, nobody named
    health = client.get("/api/v1/sellers/S1/health", headers=world.headers(Role.SELLER)).json()
    assert [r["action"] for r in health["reviews_under_way"]] == ["DEACTIVATE"]
    case = client.get(
        f"/api/v1/cases/{queued['case_id']}", headers=world.headers(Role.SELLER)
    ).json()
    assert any(
        "アカウントスペシャリストがお客様のアカウントを審査" in e["text"] for e in case["entries"]
    )
    assert client.get(API, headers=world.headers(Role.SELLER)).status_code == 403


def test_re_evaluation_with_unchanged_facts_opens_nothing_new(
    client: TestClient, world: World, policy: Policy, brand_id: int
) -> None:
    _complaints(client, world, brand_id, 5)
    _evaluate(world, policy)
    before = _counts(world)
    assert _evaluate(world, policy) == []
    assert _evaluate(world, policy) == []
    assert _counts(world) == before
    assert before[0] == 1


def test_a_specialist_confirms_and_the_action_is_applied_as_a_status_change(
    client: TestClient, world: World, policy: Policy, brand_id: int
) -> None:
    _complaints(client, world, brand_id, 5)
    _evaluate(world, policy)
    [queued] = _queue(client, world)
    assert _waiting_proposals(world) == 1
    specialist = world.headers(Role.ACCOUNT_SPECIALIST)
    answer = _decide(client, specialist, queued["id"], "CONFIRM", "Five test buys hold.")
    assert answer.status_code == 200, answer.text
    assert _waiting_proposals(world) == 0
    assert (answer.json()["status"], answer.json()["confirmations"]) == ("CONFIRMED", 1)
    assert _status(world) is AccountStatus.DEACTIVATED
    health = client.get("/api/v1/sellers/S1/health", headers=world.headers(Role.SELLER)).json()
    assert (health["status"], health["reviews_under_way"]) == ("DEACTIVATED", [])
    again = _decide(client, specialist, queued["id"], "CONFIRM", "again")
    assert again.status_code == 409
    with world.database.transaction() as session:
        actions = list(
            session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.outcome == Outcome.OK)
                .order_by(AuditEntry.id)
            )
        )
    steps = ["proposeEnforcement", "decideEnforcementProposal", "setAccountStatus"]
    assert [a for a in actions if a in steps] == steps
    # the seller's case names no reviewer
    case = client.get(
        f"/api/v1/cases/{queued['case_id']}", headers=world.headers(Role.SELLER)
    ).json()
    assert all(e["author"] != world.actors[Role.ACCOUNT_SPECIALIST].email for e in case["entries"])
    assert "specialist" not in str(health)


def test_four_eyes_needs_two_different_specialists(
    client: TestClient, world: World, policy: Policy, brand_id: int
) -> None:
    four_eyes = parse_policy(edit(_text(), 'DEACTIVATE = "specialist"', 'DEACTIVATE = "four_eyes"'))
    _complaints(client, world, brand_id, 5)
    _evaluate(world, four_eyes)
    [queued] = _queue(client, world)
    assert (queued["review"], queued["confirmations_needed"]) == ("four_eyes", 2)
    first = world.headers(Role.ACCOUNT_SPECIALIST)
    answer = _decide(client, first, queued["id"], "CONFIRM", "Test buys hold.")
    assert (answer.json()["status"], answer.json()["confirmations"]) == ("PENDING", 1)
    assert _status(world) is AccountStatus.NORMAL
    same = _decide(client, first, queued["id"], "CONFIRM", "Still holds.")
    assert same.status_code == 403, same.text
    assert "four eyes" in same.json()["detail"]
    with world.database.transaction() as session:
        denied = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "decideEnforcementProposal",
                AuditEntry.outcome == Outcome.DENIED,
            )
        ).one()
        assert denied.actor == world.actors[Role.ACCOUNT_SPECIALIST].email
    assert _status(world) is AccountStatus.NORMAL
    second = _decide(client, _second_specialist(world), queued["id"], "CONFIRM", "Agreed.")
    assert second.status_code == 200, second.text
    assert (second.json()["status"], second.json()["confirmations"]) == ("CONFIRMED", 2)
    assert [r["reviewer"] for r in second.json()["reviews"]] == [
        world.actors[Role.ACCOUNT_SPECIALIST].email,
        "second.specialist@example.test",
    ]
    assert _status(world) is AccountStatus.DEACTIVATED


def test_a_rejected_proposal_does_not_come_back_unless_new_facts_arrive(
    client: TestClient, world: World, policy: Policy, brand_id: int
) -> None:
    _complaints(client, world, brand_id, 5)
    _evaluate(world, policy)
    [queued] = _queue(client, world)
    specialist = world.headers(Role.ACCOUNT_SPECIALIST)
    assert _decide(client, specialist, queued["id"], "REJECT", " ").status_code == 422
    answer = _decide(client, specialist, queued["id"], "REJECT", "The listings carry no mark.")
    assert answer.json()["status"] == "REJECTED"
    assert answer.json()["outcome"] == "The listings carry no mark."
    assert _status(world) is AccountStatus.NORMAL
    case = client.get(
        f"/api/v1/cases/{queued['case_id']}", headers=world.headers(Role.SELLER)
    ).json()
    assert any("審査が終了しました" in e["text"] for e in case["entries"])
    before = _counts(world)
    assert _evaluate(world, policy) == []  # the same facts: nothing comes back
    assert _counts(world) == before
    _complaints(client, world, brand_id, 1, sku="A2")  # a new complaint is a new fact
    assert _evaluate(world, policy) == ["PROPOSED DEACTIVATE (caps.ip_complaints), specialist"]
    assert [p["status"] for p in _queue(client, world, status="PENDING")] == ["PENDING"]


def test_a_proposal_the_policy_stops_demanding_is_withdrawn(
    client: TestClient, world: World, policy: Policy, brand_id: int
) -> None:
    filed = _complaints(client, world, brand_id, 5)
    _evaluate(world, policy)
    retracted = client.post(
        f"/api/v1/complaints/{filed[0]}/retract",
        headers=world.headers(Role.RIGHTS_OWNER),
        json={"reason": "licensed after all"},
    )
    assert retracted.status_code == 200, retracted.text
    assert any(a.startswith("WITHDREW proposal") for a in _evaluate(world, policy))
    [withdrawn] = _queue(client, world, status="WITHDRAWN")
    assert withdrawn["outcome"] == "the policy no longer demands the action"
    answer = _decide(
        client, world.headers(Role.ACCOUNT_SPECIALIST), withdrawn["id"], "CONFIRM", "x"
    )
    assert answer.status_code == 409


def _text() -> str:
    from importlib import resources

    return resources.files("kenzen.policy").joinpath("policy.toml").read_text("utf-8")


def _facts(orders: int, *, assured: bool = False) -> SellerFacts:
    return SellerFacts(
        seller_id="S1",
        as_of=TODAY,
        instant=datetime(2026, 11, 20, 14, 59, tzinfo=UTC),
        account_status=AccountStatus.NORMAL,
        metrics=[],
        violations=[],
        fulfilled_orders=orders,
        assured=assured,
    )


DEACTIVATE = PolicyAction(ActionKind.DEACTIVATE, "caps.ip_complaints", (Evidence("c", "d"),))


@pytest.mark.parametrize(
    ("orders", "assured", "mode"),
    [
        (499, False, ReviewMode.SPECIALIST),
        (500, False, ReviewMode.FOUR_EYES),
        (501, False, ReviewMode.FOUR_EYES),
        (0, True, ReviewMode.FOUR_EYES),
    ],
)
def test_four_eyes_from_the_volume_threshold_and_under_assurance(
    policy: Policy, orders: int, assured: bool, mode: ReviewMode
) -> None:
    assert policy.document.review.four_eyes_orders == 500
    assert review_mode(policy, DEACTIVATE, _facts(orders, assured=assured)) is mode


def test_warnings_and_at_risk_stay_automatic_whatever_the_volume(policy: Policy) -> None:
    for kind in (ActionKind.WARN, ActionKind.SET_AT_RISK, ActionKind.RESTRICT_MERCHANT_LISTINGS):
        action = replace(DEACTIVATE, kind=kind)
        assert review_mode(policy, action, _facts(10_000)) is ReviewMode.AUTOMATIC


def test_the_review_keys_are_validated() -> None:
    from kenzen.errors import InvalidInput

    with pytest.raises(InvalidInput, match=r"review\.actions\.DEACTIVATE"):
        parse_policy(edit(_text(), 'DEACTIVATE = "specialist"', 'DEACTIVATE = "maybe"'))
    with pytest.raises(InvalidInput, match=r"review\.four_eyes_orders"):
        parse_policy(edit(_text(), "four_eyes_orders = 500", "four_eyes_orders = 0"))


def test_new_facts_are_facts_a_decision_did_not_see() -> None:
    seen = ["rule:caps.ip_complaints", "violation:1", "violation:2"]
    assert not has_new_facts(["rule:caps.ip_complaints", "violation:2"], seen)
    assert has_new_facts([*seen, "violation:3"], seen)
