"""Deadlines of a complaint's answers and of deactivation reviews: a dispute waits for a
specialist (5 days), a retraction request for the rights owner (10 days), a proposal for
the specialists (4 days). Each tells its due time, sorts its queue and, once late, raises
one staff notice."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kenzen import clock as kenzen_clock
from kenzen.access import SYSTEM, Actor, Role, Visibility
from kenzen.audit import AuditEntry
from kenzen.cases.models import CaseEntry
from kenzen.complaints import disputes, service
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import Brand, Complaint, ComplaintKind, DisputeReason
from kenzen.deadlines import service as deadlines
from kenzen.deadlines.watch import DeadlineWatch
from kenzen.identity.models import User
from kenzen.identity.service import add_user
from kenzen.policy.document import Policy
from kenzen.policy.enforcement import enforce_seller
from kenzen.policy.models import EnforcementProposal
from tests.complaints.test_service import brand, listing
from tests.conftest import Clock, World
from tests.web.test_staff_pages import LogIn, log_in  # noqa: F401 (a fixture)

FILED = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # noon in Tokyo


@pytest.fixture(autouse=True)
def noon(clock: Clock) -> None:
    clock.move_to(FILED)


def _brand(world: World, owner: Actor) -> int:
    """The owner's brand, registered on first use."""
    with world.database.transaction() as session:
        known = session.scalar(select(Brand.id).where(Brand.owner_id == owner.user_id))
    return known if known is not None else brand(world, owner)


def _complaint(world: World, policy: Policy, owner: Actor | None = None, sku: str = "A1") -> int:
    owner = owner or world.actors[Role.RIGHTS_OWNER]
    brand_id = _brand(world, owner)
    listing(world, "S1", sku, "ソラノ イヤホン", "ノーブランド")
    with world.database.transaction() as session:
        return service.file_complaint(
            session,
            owner,
            policy,
            brand_id=brand_id,
            kind=ComplaintKind.TRADEMARK,
            listings=[ListingRef(f"B0{sku}")],
            evidence="Not our product.",
        ).id


def _case_of(world: World, complaint_id: int) -> int:
    with world.database.transaction() as session:
        case_id = session.get_one(Complaint, complaint_id).case_id
    assert case_id is not None
    return case_id


Waiting = tuple[int, int, datetime]
"""An item, its case, and when its clock started."""


def _disputed(world: World, policy: Policy) -> Waiting:
    complaint_id = _complaint(world, policy)
    with world.database.transaction() as session:
        dispute = disputes.dispute_complaint(
            session,
            world.actors[Role.SELLER],
            complaint_id,
            reason=DisputeReason.AUTHENTIC,
            statement="Bought from the brand's distributor.",
        )
        return dispute.id, _case_of(world, complaint_id), dispute.filed_at


def _asked(world: World, policy: Policy) -> Waiting:
    complaint_id = _complaint(world, policy)
    with world.database.transaction() as session:
        request = disputes.request_retraction(
            session, world.actors[Role.SELLER], complaint_id, message="Genuine; please retract."
        )
        return request.id, _case_of(world, complaint_id), request.requested_at


def _proposed(world: World, policy: Policy) -> Waiting:
    owner = world.actors[Role.RIGHTS_OWNER]
    brand_id = brand(world, owner)
    listing(world, "S1", "A1", "ソラノ イヤホン", "ノーブランド")
    for n in range(5):  # the shipped policy's cap on IP complaints proposes a deactivation
        with world.database.transaction() as session:
            service.file_complaint(
                session,
                owner,
                policy,
                brand_id=brand_id,
                kind=ComplaintKind.TRADEMARK,
                listings=[ListingRef("B0A1")],
                evidence=f"Test buy {n}: the Sorano mark on an unlicensed item.",
            )
    with world.database.transaction() as session:
        enforce_seller(session, SYSTEM, policy, "S1", FILED.date())
        proposal = session.scalars(select(EnforcementProposal)).one()
        assert proposal.case_id is not None
        return proposal.id, proposal.case_id, proposal.created_at


QUEUES: dict[str, tuple[Callable[[World, Policy], Waiting], int]] = {
    "disputes": (_disputed, 120),
    "retraction_requests": (_asked, 240),
    "proposals": (_proposed, 96),
}


def _staff_entries(world: World, case_id: int) -> list[CaseEntry]:
    with world.database.transaction() as session:
        return list(
            session.scalars(
                select(CaseEntry).where(
                    CaseEntry.case_id == case_id,
                    CaseEntry.author == "system",
                    CaseEntry.visibility != Visibility.SELLER,
                )
            )
        )


@pytest.mark.parametrize("queue", list(QUEUES))
def test_an_item_late_past_its_deadline_raises_one_staff_notice(
    world: World, policy: Policy, clock: Clock, queue: str
) -> None:
    make, hours = QUEUES[queue]
    item_id, case_id, started = make(world, policy)
    due = started + timedelta(hours=hours)
    watch = DeadlineWatch(world.database, lambda: policy)
    with world.database.transaction() as session:
        [waiting] = deadlines.due_by_case(session, policy.document.deadlines, [case_id]).values()
    assert (waiting.queue.name, waiting.item_id, waiting.due_at) == (queue, item_id, due)

    with kenzen_clock.use(lambda: due):  # due means "by then": at the instant it is not late
        assert watch.run_once() == 0
    clock.move_to(due + timedelta(seconds=1))
    assert watch.run_once() == 1
    clock.advance(days=2)
    assert watch.run_once() == 0  # still late, already told

    [entry] = _staff_entries(world, case_id)
    assert entry.visibility is Visibility.SELLER_PERFORMANCE
    assert f"#{item_id}" in entry.text_in("en")
    with world.database.transaction() as session:
        targets = session.scalars(
            select(AuditEntry.target).where(AuditEntry.action == "deadlineMissed")
        ).all()
    assert targets == [f"{queue}:{item_id}"]


def test_an_answered_request_and_a_decided_dispute_wait_no_more(
    world: World, policy: Policy, clock: Clock
) -> None:
    dispute_id, _, _ = _disputed(world, policy)
    request_id, _, _ = _asked(world, policy)
    with world.database.transaction() as session:
        disputes.decide_dispute(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            dispute_id,
            complaint_valid=True,
            reason="The mark is on the goods.",
        )
        disputes.answer_retraction_request(
            session, world.actors[Role.RIGHTS_OWNER], request_id, retract=False, reason="No."
        )
    clock.advance(days=30)
    assert DeadlineWatch(world.database, lambda: policy).run_once() == 0


def _other_owner(world: World) -> Actor:
    with world.database.transaction() as session:
        return add_user(
            session, SYSTEM, email="other.owner@example.test", role=Role.RIGHTS_OWNER, password=None
        ).as_actor()


def test_a_rights_owner_sees_only_the_requests_it_must_answer(world: World, policy: Policy) -> None:
    request_id, _, _ = _asked(world, policy)
    rules = policy.document.deadlines
    other = _other_owner(world)
    with world.database.transaction() as session:
        own = deadlines.staff_queue(
            session, world.actors[Role.RIGHTS_OWNER], rules, "retraction_requests"
        )
        others = deadlines.staff_queue(session, other, rules, "retraction_requests")
        disputed = deadlines.staff_queue(session, other, rules, "disputes")
        staff = deadlines.staff_queue(
            session, world.actors[Role.ACCOUNT_SPECIALIST], rules, "retraction_requests"
        )
    assert [item.item_id for item in own] == [request_id]
    assert (others, disputed) == ([], [])
    assert [item.item_id for item in staff] == [request_id]


def test_the_api_tells_the_seller_and_the_owner_when_an_answer_is_due(
    client: TestClient, world: World, policy: Policy, clock: Clock
) -> None:
    seller = world.headers(Role.SELLER)
    complaint_id = _complaint(world, policy)
    response = client.post(
        f"/api/v1/complaints/{complaint_id}/disputes",
        headers=seller,
        json={"reason": "authentic_with_invoices", "statement": "From the distributor."},
    )
    assert response.status_code == 201, response.text
    filed = datetime.fromisoformat(response.json()["filed_at"])
    due = response.json()["decision_due"]
    assert (due["decision"], due["time_zone"], due["overdue"]) == (
        "dispute_decision",
        "Asia/Tokyo",
        False,
    )
    assert datetime.fromisoformat(due["due_at"]) == filed + timedelta(days=5)
    assert due["due_at"].endswith("+09:00")

    other = _complaint(world, policy, sku="A2")
    asked = client.post(
        f"/api/v1/complaints/{other}/retraction-requests",
        headers=seller,
        json={"message": "Genuine goods; please retract."},
    ).json()
    requested = datetime.fromisoformat(asked["requested_at"])
    assert datetime.fromisoformat(asked["decision_due"]["due_at"]) == requested + timedelta(days=10)

    clock.move_to(requested + timedelta(days=10, seconds=1))
    owner = client.get("/api/v1/retraction-requests", headers=world.headers(Role.RIGHTS_OWNER))
    [request] = owner.json()
    assert (request["id"], request["decision_due"]["overdue"]) == (asked["id"], True)
    listed = client.get("/api/v1/disputes", headers=seller).json()
    assert listed[0]["decision_due"]["overdue"] is True
    answered = client.post(
        f"/api/v1/retraction-requests/{asked['id']}/answer",
        headers=world.headers(Role.RIGHTS_OWNER),
        json={"retract": False, "reason": "The goods are not ours."},
    ).json()
    assert answered["decision_due"] is None


def test_staff_read_a_proposals_due_time_in_the_api(
    client: TestClient, world: World, policy: Policy, clock: Clock
) -> None:
    proposal_id, _, created = _proposed(world, policy)
    staff = world.headers(Role.ACCOUNT_SPECIALIST)
    [queued] = client.get("/api/v1/enforcement-proposals", headers=staff).json()
    assert datetime.fromisoformat(queued["decision_due"]["due_at"]) == created + timedelta(hours=96)
    clock.move_to(created + timedelta(hours=97))
    detail = client.get(f"/api/v1/enforcement-proposals/{proposal_id}", headers=staff).json()
    assert detail["decision_due"]["overdue"] is True


def test_the_seller_reads_each_answers_due_time_on_the_complaints_case(
    client: TestClient,
    world: World,
    policy: Policy,
    log_in: LogIn,  # noqa: F811
) -> None:
    _, case_id, _ = _disputed(world, policy)
    log_in(Role.SELLER)
    page = client.get(f"/cases/{case_id}").text  # in the seller's Japanese
    assert "判断の期限 (異議)" in page
    assert "2026年11月25日 12:00" in page  # five days after noon on the 20th, in Tokyo
    assert page.count('data-testid="decision-due"') == 2  # the case's and the dispute's
    assert 'data-testid="overdue"' not in page
    cases = client.get("/cases").text
    assert "2026年11月25日 12:00" in cases


@pytest.mark.parametrize(
    ("queue", "role", "path"),
    [
        ("disputes", Role.ACCOUNT_SPECIALIST, "/staff/disputes"),
        ("proposals", Role.ACCOUNT_SPECIALIST, "/staff/proposals"),
    ],
)
def test_the_staff_queue_marks_a_late_item(
    client: TestClient,
    world: World,
    policy: Policy,
    clock: Clock,
    log_in: LogIn,  # noqa: F811
    queue: str,
    role: Role,
    path: str,
) -> None:
    make, hours = QUEUES[queue]
    _, _, started = make(world, policy)
    log_in(role)
    assert 'data-testid="decision-due"' in client.get(path).text
    assert 'data-testid="overdue"' not in client.get(path).text
    clock.move_to(started + timedelta(hours=hours, seconds=1))
    log_in(role)  # the session from before has expired
    late = client.get(path, headers={"Accept-Language": "en"}).text
    assert 'data-testid="overdue"' in late
    assert "Overdue" in late


def test_the_rights_owner_page_marks_a_late_answer(
    client: TestClient,
    world: World,
    policy: Policy,
    clock: Clock,
    log_in: LogIn,  # noqa: F811
) -> None:
    log_in(Role.RIGHTS_OWNER)
    with world.database.transaction() as session:
        owner = session.scalars(
            select(User).where(User.email == "rights_owner-web@example.test")
        ).one()
        actor = owner.as_actor()
    complaint_id = _complaint(world, policy, owner=actor)
    with world.database.transaction() as session:
        requested = disputes.request_retraction(
            session, world.actors[Role.SELLER], complaint_id, message="Please retract."
        ).requested_at
    page = client.get("/rights", headers={"Accept-Language": "en"}).text
    assert "Answer due" in page
    assert "November 30, 2026" in page
    assert 'data-testid="overdue"' not in page
    clock.move_to(requested + timedelta(days=10, seconds=1))
    log_in(Role.RIGHTS_OWNER)  # the session from before has expired
    assert 'data-testid="overdue"' in client.get("/rights").text


def test_the_seller_reads_when_the_review_of_its_deactivation_is_due(
    client: TestClient,
    world: World,
    policy: Policy,
    log_in: LogIn,  # noqa: F811
) -> None:
    _proposed(world, policy)
    log_in(Role.SELLER)
    page = client.get("/").text  # the seller's Account Health, in its Japanese
    [review] = re.findall(r'data-testid="review-under-way">(.*?)</p>', page, re.S)
    assert "判断の期限" in review
    assert "2026年11月24日 12:00" in review  # 96 hours after noon on the 20th, in Tokyo


def test_a_complaints_pending_answers_carry_their_due_times_in_list_complaints(
    client: TestClient, world: World, policy: Policy, clock: Clock
) -> None:
    dispute_id, _, filed = _disputed(world, policy)
    request_id, _, requested = _asked(world, policy)
    owner = world.headers(Role.RIGHTS_OWNER)

    def nested() -> dict[tuple[str, int], dict[str, object] | None]:
        response = client.get("/api/v1/complaints", headers=owner)
        assert response.status_code == 200, response.text
        return {
            (answers, answer["id"]): answer["decision_due"]
            for complaint in response.json()
            for answers in ("disputes", "retraction_requests")
            for answer in complaint[answers]
        }

    dispute_due = filed + timedelta(days=5)
    with kenzen_clock.use(lambda: dispute_due):  # due "by then": not late at the instant
        found = nested()
        [alone] = client.get("/api/v1/disputes", headers=world.headers(Role.SELLER)).json()
    assert set(found) == {("disputes", dispute_id), ("retraction_requests", request_id)}
    dispute, request = found["disputes", dispute_id], found["retraction_requests", request_id]
    assert dispute is not None
    assert request is not None
    assert (dispute["decision"], dispute["overdue"]) == ("dispute_decision", False)
    assert datetime.fromisoformat(str(dispute["due_at"])) == dispute_due
    assert str(dispute["due_at"]).endswith("+09:00")  # in the seller's marketplace's zone
    assert datetime.fromisoformat(str(request["due_at"])) == requested + timedelta(days=10)
    assert alone["decision_due"] == dispute  # as the standalone view gives it
    clock.move_to(dispute_due + timedelta(seconds=1))
    late = {key: due["overdue"] for key, due in nested().items() if due}
    assert late == {("disputes", dispute_id): True, ("retraction_requests", request_id): False}

    with world.database.transaction() as session:
        disputes.decide_dispute(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            dispute_id,
            complaint_valid=True,
            reason="The mark is on the goods.",
        )
    assert nested()["disputes", dispute_id] is None  # decided: nothing is due
