"""The transparency report on a constructed history: every figure checked exactly.

The history, on Kenzen's clock (UTC):
- 2 March 01:00–05:00: a rights owner files five trademark complaints against S1 (one an
  hour); each records its violation at once. One more on 1 March 23:30, outside the period.
- 2 March 06:00: evaluation deactivates S1 (five IP complaints: the cap).
- 2 March 08:00: S1 submits a Plan of Action; 3 March 08:00 it is rejected (24 h).
- 3 March 12:00: S1 submits again; 5 March 12:00 it is accepted (48 h), reinstating S1.
- 4 March 09:00: a specialist records a listing policy violation found by review.
- 3 March 10:00: S1 disputes the complaint of 2 March 01:00 and asks for the one of 02:00 to
  be retracted; 4 March 10:00 the owner retracts it; 5 March 22:00 a specialist finds the
  disputed one invalid (60 h).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kenzen.access import SYSTEM, Role
from kenzen.appeals import service as appeals
from kenzen.appeals.models import AppealStatus
from kenzen.appeals.poa import PlanOfAction
from kenzen.cases.models import Case
from kenzen.complaints import disputes
from kenzen.complaints import service as complaints
from kenzen.complaints.brand_check import ListingRow, upsert_listing
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import Complaint, ComplaintKind, DisputeReason
from kenzen.errors import Forbidden
from kenzen.policy.document import Policy
from kenzen.policy.enforcement import record_reviewed_violation
from kenzen.policy.evaluation import evaluate
from kenzen.transparency.service import transparency_report
from tests.appeals.conftest import GOOD_POA
from tests.cli.test_commands import kenzen
from tests.conftest import Clock, World, confirm_proposals
from tests.web.test_staff_pages import LogIn, log_in  # noqa: F401 (a fixture)

POA = PlanOfAction.model_validate(GOOD_POA)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def history(world: World, policy: Policy, clock: Clock) -> World:
    rights, seller = world.actors[Role.RIGHTS_OWNER], world.actors[Role.SELLER]
    specialist = world.actors[Role.ACCOUNT_SPECIALIST]
    clock.move_to(at(1, 23))
    with world.database.transaction() as session:
        brand = complaints.register_brand(
            session, rights, name="Sorano", registration_number="JP-T-1", country="JP", terms=[]
        )
        for sku in ("A1", "A2"):
            upsert_listing(
                session,
                SYSTEM,
                ListingRow(1, "S1", sku, f"B0{sku}", "イヤホン", "", "", "merchant"),
            )
    for n, filed in enumerate([at(1, 23, 30), *(at(2, hour) for hour in range(1, 6))]):
        clock.move_to(filed)
        with world.database.transaction() as session:
            complaints.file_complaint(
                session,
                rights,
                policy,
                brand_id=brand.id,
                kind=ComplaintKind.TRADEMARK,
                listings=[ListingRef(f"B0A{n % 2 + 1}")],
                evidence=f"test buy {n}",
            )
    clock.move_to(at(2, 6))
    evaluate(world.database, SYSTEM, policy, date(2026, 3, 2))
    assert confirm_proposals(world, policy, "S1")  # a specialist confirms the deactivation
    with world.database.transaction() as session:
        case_id = session.scalars(select(Case.id).where(Case.topic == "caps.ip_complaints")).one()
    clock.move_to(at(2, 8))
    with world.database.transaction() as session:
        appeal = appeals.submit_appeal(session, seller, case_id, POA)
    clock.move_to(at(3, 8))
    with world.database.transaction() as session:
        appeals.decide_appeal(
            session, specialist, appeal.id, decision=AppealStatus.REJECTED, reasons="Too vague."
        )
    clock.move_to(at(3, 10))
    first, second = _complaints_of(world, at(2, 1), at(2, 2))
    with world.database.transaction() as session:
        dispute = disputes.dispute_complaint(
            session, seller, first, reason=DisputeReason.AUTHENTIC, statement="Invoices."
        )
        request = disputes.request_retraction(session, seller, second, message="Genuine.")
    clock.move_to(at(3, 12))
    with world.database.transaction() as session:
        appeals.submit_appeal(session, seller, case_id, POA)
    clock.move_to(at(4, 10))
    with world.database.transaction() as session:
        disputes.answer_retraction_request(
            session, rights, request.id, retract=True, reason="Checked."
        )
    clock.move_to(at(4, 9))
    with world.database.transaction() as session:
        record_reviewed_violation(
            session,
            specialist,
            policy,
            "S1",
            category="listingPolicyViolations",
            reason="Misleading title",
            listing_ids=["B0A1"],
        )
    clock.move_to(at(5, 12))
    with world.database.transaction() as session:
        appeals.decide_appeal(
            session, specialist, appeal.id, decision=AppealStatus.ACCEPTED, reasons=""
        )
    clock.move_to(at(5, 22))
    with world.database.transaction() as session:
        disputes.decide_dispute(
            session, specialist, dispute.id, complaint_valid=False, reason="Genuine goods."
        )
    clock.move_to(at(6, 0))
    return world


def _complaints_of(world: World, *filed: datetime) -> list[int]:
    """The complaints filed at (just after: the clock runs on) ``filed``."""
    with world.database.transaction() as session:
        found = session.execute(select(Complaint.filed_at, Complaint.id)).all()
    return [
        next(n for at, n in found if start <= at < start + timedelta(minutes=1)) for start in filed
    ]


def _report(world: World, first: str, last: str, role: Role = Role.ADMIN) -> dict[str, object]:
    with world.database.transaction() as session:
        report = transparency_report(session, world.actors[role], first, last)
    return report.model_dump(mode="json", exclude={"generated_at"})


def test_every_figure_of_the_period(history: World) -> None:
    assert _report(history, "2026-03-02", "2026-03-05") == {
        "period_from": "2026-03-02",
        "period_to": "2026-03-05",
        # The complaint of 1 March is outside the period.
        "notices": [{"kind": "trademark", "notifier_type": "rights_owner", "count": 5}],
        "actions": [
            {
                "action": "ACCOUNT_STATUS_NORMAL",
                "category": "caps.ip_complaints",
                "automated": False,
                "count": 1,
            },
            {
                "action": "DEACTIVATE",
                "category": "caps.ip_complaints",
                "automated": False,  # proposed, and confirmed by a specialist
                "count": 1,
            },
            {
                "action": "RECORD_VIOLATION",
                "category": "listingPolicyViolations",
                "automated": False,
                "count": 1,
            },
            {
                "action": "RECORD_VIOLATION",
                "category": "receivedIntellectualPropertyComplaints",
                "automated": True,
                "count": 5,
            },
        ],
        # A complaint records its violation in its own transaction.
        "notice_to_action": {"count": 5, "median_hours": 0.0, "p90_hours": 0.0},
        # 24 h and 48 h: the median is their mean, the nearest-rank p90 the larger.
        "appeal_to_decision": {"count": 2, "median_hours": 36.0, "p90_hours": 48.0},
        "appeals": [{"outcome": "ACCEPTED", "count": 1}, {"outcome": "REJECTED", "count": 1}],
        "deactivations_reversed": [{"rule": "caps.ip_complaints", "count": 1}],
        "notifiers_held": 0,
        "notices_ended": [
            {"outcome": "RETRACTED", "count": 1},
            {"outcome": "INVALID", "count": 1},
        ],
        "dispute_to_decision": {"count": 1, "median_hours": 60.0, "p90_hours": 60.0},
        "disputes": [{"outcome": "COMPLAINT_INVALID", "count": 1}],
    }


def test_a_shorter_period_counts_only_its_days(history: World) -> None:
    report = _report(history, "2026-03-04", "2026-03-05")
    assert report["notices"] == []
    assert report["actions"] == [
        {
            "action": "ACCOUNT_STATUS_NORMAL",
            "category": "caps.ip_complaints",
            "automated": False,
            "count": 1,
        },
        {
            "action": "RECORD_VIOLATION",
            "category": "listingPolicyViolations",
            "automated": False,
            "count": 1,
        },
    ]
    assert report["notice_to_action"] == {"count": 0, "median_hours": None, "p90_hours": None}
    assert report["appeal_to_decision"] == {"count": 1, "median_hours": 48.0, "p90_hours": 48.0}
    assert report["appeals"] == [{"outcome": "ACCEPTED", "count": 1}]
    assert report["deactivations_reversed"] == [{"rule": "caps.ip_complaints", "count": 1}]
    assert report["notices_ended"] == [
        {"outcome": "RETRACTED", "count": 1},
        {"outcome": "INVALID", "count": 1},
    ]
    assert _report(history, "2026-03-02", "2026-03-03")["notices_ended"] == []
    assert _report(history, "2026-03-02", "2026-03-04")["disputes"] == []


def test_the_report_is_for_staff_only(history: World) -> None:
    for role in (Role.AHS_AGENT, Role.ACCOUNT_SPECIALIST):
        assert _report(history, "2026-03-02", "2026-03-02", role)["notices"]
    for role in (Role.SELLER, Role.RIGHTS_OWNER):
        with pytest.raises(Forbidden):
            _report(history, "2026-03-02", "2026-03-02", role)


def test_the_api_answers_json_and_names_a_bad_field(client: TestClient, history: World) -> None:
    admin = history.headers(Role.ADMIN)
    answer = client.get("/api/v1/transparency-report?from=2026-03-04&to=2026-03-05", headers=admin)
    assert answer.status_code == 200, answer.text
    assert answer.json()["appeals"] == [{"outcome": "ACCEPTED", "count": 1}]
    backwards = client.get(
        "/api/v1/transparency-report?from=2026-03-05&to=2026-03-04", headers=admin
    )
    assert backwards.status_code == 422
    assert backwards.json()["detail"] == "to: 2026-03-04 is before from (2026-03-05)"
    seller = client.get(
        "/api/v1/transparency-report?from=2026-03-04&to=2026-03-05",
        headers=history.headers(Role.SELLER),
    )
    assert seller.status_code == 403


def test_the_command_writes_csv(history: World, tmp_path: Path) -> None:
    result = kenzen(
        history.database.url,
        tmp_path,
        "report",
        "transparency",
        "--from",
        "2026-03-04",
        "--to",
        "2026-03-05",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "section,name,detail,automated,value\n"
        "period,from,,,2026-03-04\n"
        "period,to,,,2026-03-05\n"
        "actions,ACCOUNT_STATUS_NORMAL,caps.ip_complaints,no,1\n"
        "actions,RECORD_VIOLATION,listingPolicyViolations,no,1\n"
        "notice_to_action,count,,,0\n"
        "notice_to_action,median_hours,,,\n"
        "notice_to_action,p90_hours,,,\n"
        "appeal_to_decision,count,,,1\n"
        "appeal_to_decision,median_hours,,,48.0\n"
        "appeal_to_decision,p90_hours,,,48.0\n"
        "dispute_to_decision,count,,,1\n"
        "dispute_to_decision,median_hours,,,60.0\n"
        "dispute_to_decision,p90_hours,,,60.0\n"
        "appeals,ACCEPTED,,,1\n"
        "deactivations_reversed,caps.ip_complaints,,,1\n"
        "notifiers_held,count,,,0\n"
        "notices_ended,RETRACTED,,,1\n"
        "notices_ended,INVALID,,,1\n"
        "disputes,COMPLAINT_INVALID,,,1\n"
    )
    as_json = kenzen(
        history.database.url,
        tmp_path,
        "report",
        "transparency",
        "--from",
        "2026-03-04",
        "--to",
        "2026-03-05",
    )
    assert json.loads(as_json.stdout)["appeal_to_decision"]["median_hours"] == 48.0
    bad = kenzen(
        history.database.url,
        tmp_path,
        "report",
        "transparency",
        "--from",
        "March",
        "--to",
        "2026-03-05",
    )
    assert bad.exit_code == 2
    assert "from: 'March' is not a date (YYYY-MM-DD)" in bad.stderr


def test_the_staff_page_tables_and_charts_the_figures(
    client: TestClient,
    history: World,
    log_in: LogIn,  # noqa: F811
) -> None:
    log_in(Role.ACCOUNT_SPECIALIST)
    page = client.get(
        "/staff/transparency?from=2026-03-04&to=2026-03-05", headers={"Accept-Language": "en"}
    )
    assert page.status_code == 200
    assert "Appeals by outcome" in page.text
    assert re.findall(r'data-testid="appeal-row"><td>(\w+)</td><td>(\d+)</td>', page.text) == [
        ("ACCEPTED", "1")
    ]
    assert re.findall(
        r'data-testid="dispute-row" data-outcome="(\w+)" data-count="(\d+)"', page.text
    ) == [("COMPLAINT_INVALID", "1")]
    assert "Notices retracted or found invalid" in page.text
    assert 'data-bars="' in page.text
    assert "/static/transparency.js" in page.text
    japanese = client.get(
        "/staff/transparency?from=2026-03-04&to=2026-03-05", headers={"Accept-Language": "ja"}
    ).text
    assert "結果別の申し立て" in japanese
    backwards = client.get("/staff/transparency?from=2026-03-05&to=2026-03-04")
    assert backwards.status_code == 422
    assert "to: 2026-03-04 is before from (2026-03-05)" in backwards.text


def test_sellers_and_rights_owners_have_no_report_page(
    client: TestClient,
    world: World,
    log_in: LogIn,  # noqa: F811
) -> None:
    log_in(Role.SELLER)
    assert client.get("/staff/transparency").status_code == 403
