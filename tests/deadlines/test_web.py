"""What sellers and staff see of a decision's deadline, through the API and the pages."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from kenzen.access import Role
from kenzen.appeals import service as appeals
from kenzen.appeals.models import Appeal
from kenzen.appeals.poa import PlanOfAction
from kenzen.policy.document import Policy
from tests.appeals.conftest import GOOD_POA, deactivate
from tests.conftest import Clock, World
from tests.web.test_staff_pages import LogIn, log_in  # noqa: F401 (a fixture)


def _submitted(world: World, policy: Policy) -> Appeal:
    case_id = deactivate(world, policy).case_id
    with world.database.transaction() as session:
        return appeals.submit_appeal(
            session, world.actors[Role.SELLER], case_id, PlanOfAction.model_validate(GOOD_POA)
        )


def test_the_seller_reads_when_the_decision_is_due_in_its_own_time_zone(
    client: TestClient, world: World, policy: Policy, clock: Clock
) -> None:
    appeal = _submitted(world, policy)
    assert appeal.submitted_at is not None
    due = appeal.submitted_at + timedelta(hours=48)
    seller = world.headers(Role.SELLER)

    case = client.get(f"/api/v1/cases/{appeal.case_id}", headers=seller).json()
    assert case["decision_due"]["decision"] == "appeal_decision"
    assert case["decision_due"]["time_zone"] == "Asia/Tokyo"
    assert case["decision_due"]["due_at"].endswith("+09:00")
    assert case["decision_due"]["overdue"] is False
    listed = client.get("/api/v1/appeals", headers=seller).json()
    assert [a["decision_due"]["due_at"] for a in listed] == [case["decision_due"]["due_at"]]

    clock.move_to(due + timedelta(minutes=5))
    case = client.get(f"/api/v1/cases/{appeal.case_id}", headers=seller).json()
    assert case["decision_due"]["overdue"] is True


def test_a_case_waiting_for_nothing_has_no_due_time(
    client: TestClient, world: World, policy: Policy
) -> None:
    case_id = deactivate(world, policy).case_id
    case = client.get(f"/api/v1/cases/{case_id}", headers=world.headers(Role.SELLER)).json()
    assert case["decision_due"] is None


def test_the_case_page_shows_the_due_time_in_the_sellers_language(
    client: TestClient,
    world: World,
    policy: Policy,
    log_in: LogIn,  # noqa: F811
) -> None:
    appeal = _submitted(world, policy)
    log_in(Role.SELLER)
    page = client.get(f"/cases/{appeal.case_id}").text
    assert "判断の期限" in page
    assert 'data-testid="decision-due"' in page
    assert "JST" in page


def test_the_review_queue_marks_an_overdue_appeal(
    client: TestClient,
    world: World,
    policy: Policy,
    clock: Clock,
    log_in: LogIn,  # noqa: F811
) -> None:
    appeal = _submitted(world, policy)
    assert appeal.submitted_at is not None
    log_in(Role.ACCOUNT_SPECIALIST)
    assert 'data-testid="overdue"' not in client.get("/staff/appeals").text
    clock.move_to(appeal.submitted_at + timedelta(hours=49))
    queue = client.get("/staff/appeals", headers={"Accept-Language": "en"}).text
    assert 'data-testid="overdue"' in queue
    assert "Overdue" in queue
    assert f"/staff/appeals/{appeal.id}" in queue
    assert "期限超過" in client.get("/staff/appeals", headers={"Accept-Language": "ja"}).text
