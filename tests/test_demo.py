"""The demo marketplace: complete, deterministic, and loaded only into an empty database."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from sqlalchemy import func, select

from kenzen import clock, demo
from kenzen.access import SYSTEM, Actor, Role
from kenzen.appeals.models import Appeal, AppealStatus
from kenzen.assurance.hold import HoldState
from kenzen.assurance.models import AssuranceHold
from kenzen.assurance.service import hold_status
from kenzen.cases.models import Case, CaseStatus
from kenzen.complaints.models import (
    BrandAuthorisation,
    Complaint,
    ComplaintStatus,
    Dispute,
    DisputeStatus,
    RetractionRequest,
    RetractionStatus,
)
from kenzen.db import Database
from kenzen.deadlines import service as deadlines
from kenzen.demo.accounts import HELD_NOTIFIER
from kenzen.errors import Conflict, Forbidden
from kenzen.events.store import EventStore
from kenzen.health.service import performance_report
from kenzen.identity import service as identity
from kenzen.identity.models import User
from kenzen.metrics.history import snapshot_table
from kenzen.metrics.report import report_schema
from kenzen.outbox.models import Notice
from kenzen.policy.document import Policy
from kenzen.policy.facts import assess_seller
from kenzen.policy.history import rating_table, seller_ratings
from kenzen.policy.models import EnforcementAction, EnforcementProposal
from kenzen.policy.records import SessionFacts
from kenzen.sellers.models import Listing, Seller
from kenzen.support.models import Callback
from tests.conftest import Clock
from tests.seller_words import leaks

#: The demo's day: today in its marketplace.
TODAY = datetime.now(ZoneInfo("Asia/Tokyo")).date()


@pytest.fixture(autouse=True)
def _noon_of_the_demo_day(clock: Clock) -> None:
    """The demo files its complaints now and evaluates TODAY: both fall on one day even
    when a test starts just before midnight."""
    clock.move_to(datetime.combine(TODAY, time(12), ZoneInfo("Asia/Tokyo")))


@pytest.mark.slow
def test_full_demo(database: Database, store: EventStore, policy: Policy) -> None:
    with database.transaction() as session:
        summary = demo.load_demo(session, SYSTEM, store, policy, today=TODAY)
    assert summary.sellers >= 200
    assert set(summary.statuses) == {"NORMAL", "AT_RISK", "DEACTIVATED"}
    assert summary.orders > 50_000
    assert summary.snapshot_days == len(demo.snapshot_days(TODAY))
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Seller)) == summary.sellers
        assert session.scalar(select(func.count()).select_from(Listing)) == summary.listings
        open_cases = session.scalar(
            select(func.count()).select_from(Case).where(Case.status == CaseStatus.OPEN)
        )
        assert open_cases is not None
        assert open_cases >= 5
        roles = dict(session.execute(select(User.email, User.role)).all())
        assert roles == {**dict(demo.DEMO_USERS), HELD_NOTIFIER: Role.RIGHTS_OWNER}
        assert identity.find_user(session, "seller@demo.kenzen.test").seller_id == "S0001"
        assert identity.log_in(
            session, email="ahs@demo.kenzen.test", password=demo.DEMO_PASSWORD, session_days=1
        )
        # every seller has a metric history, and some metrics are BAD
        history = snapshot_table(store.directory).read(TODAY - timedelta(days=365), TODAY)
        days_per_seller = {
            len(set(days)) for days in _by_seller(history["seller_id"], history["as_of"]).values()
        }
        assert days_per_seller == {summary.snapshot_days}
        today = snapshot_table(store.directory).read(TODAY, TODAY, "status = 'BAD'")
        assert {"order_defect_rate_mfn", "late_shipment_rate_30d"} <= set(
            today["metric"].to_pylist()
        )
        # the demo seller's page has 180 days of ratings to chart
        ratings = seller_ratings(store.directory, "S0001", TODAY - timedelta(days=180), TODAY)
        assert len(ratings) == demo.RATING_HISTORY_DAYS
        assert ratings[-1].day == TODAY - timedelta(days=1)
        # the report validates against Amazon's schema for every demo seller, and sellers
        # fall in every rating band
        schema = report_schema()
        bands = set()
        for seller in session.scalars(select(Seller)):
            report = performance_report(session, SYSTEM, policy, seller.id)
            jsonschema.validate(report, schema)
            bands.add(assess_seller(SessionFacts(session), policy, seller, TODAY).rating.band.value)
            # what sellers read of their cases names no rule, category or metric by its id
            assert leaks(session, policy, seller.id) == [], seller.id
        assert bands == {"HEALTHY", "AT_RISK", "UNHEALTHY"}
        # the seed's story: S0001 sold a registered brand as no-brand; five complaints
        # deactivated it, with the evidence and the policy version on record
        s0001 = session.get(Seller, "S0001")
        assert s0001 is not None
        assert s0001.status.value == "DEACTIVATED"
        complaints = session.scalars(
            select(Complaint).where(Complaint.seller_id == "S0001").order_by(Complaint.id)
        )
        answered = [(len(c.disputes), len(c.retraction_requests)) for c in complaints.all()]
        assert answered == [(1, 0), (0, 1), (0, 0), (0, 0), (0, 0)]  # both pending
        held = session.scalars(select(Complaint).where(Complaint.status == "HELD")).one()
        assert held.owner.email == HELD_NOTIFIER
        # every state of a complaint's life is there to look at
        assert set(session.scalars(select(Complaint.status))) == set(ComplaintStatus)
        assert set(session.scalars(select(Dispute.status))) >= {
            DisputeStatus.PENDING,
            DisputeStatus.COMPLAINT_INVALID,
        }
        assert set(session.scalars(select(RetractionRequest.status))) == {
            RetractionStatus.PENDING,
            RetractionStatus.RETRACTED,
        }
        letter = session.scalars(select(BrandAuthorisation)).one()
        assert letter.revoked_at is None
        assert session.scalar(
            select(func.count()).select_from(Notice).where(Notice.owner_id.is_not(None))
        )
        action = session.scalars(
            select(EnforcementAction).where(
                EnforcementAction.seller_id == "S0001", EnforcementAction.kind == "DEACTIVATE"
            )
        ).one()
        assert (action.rule, action.policy_version) == ("caps.ip_complaints", policy.version)
        assert action.evidence[0]["facts"]["count"] == 5
        # deactivations wait for specialists: S0001's was confirmed, some are pending, and
        # one needs four eyes and has one confirmation
        reviewed = {
            (p.review.value, p.status.value, p.confirmations)
            for p in session.scalars(select(EnforcementProposal))
        }
        assert {
            ("specialist", "CONFIRMED", 1),
            ("specialist", "PENDING", 0),
            ("four_eyes", "PENDING", 1),
        } <= reviewed
        # a seller under Account Health Assurance is inside its 72-hour window: its
        # deactivation is held, AHS has a priority call, the seller a notice
        [hold] = session.scalars(select(AssuranceHold)).all()
        status = hold_status(session, hold)
        assert status.view is not None
        assert status.view.state is HoldState.WAITING_FOR_SELLER
        assert status.proposal.review.value == "four_eyes"
        assert [c.priority for c in status.calls] == [True]
        protected = session.get_one(Seller, hold.seller_id)
        assert protected.emergency_phone is not None
        assert protected.status.value == "NORMAL"
        # appeals in every status; calls booked for tomorrow (and today, while AHS is open)
        assert set(session.scalars(select(Appeal.status))) == set(AppealStatus)
        days = {
            c.slot_start.astimezone(ZoneInfo("Asia/Tokyo")).date()
            for c in session.scalars(select(Callback))
        }
        assert TODAY + timedelta(days=1) in days
        assert summary.callbacks == 6
        # one submitted appeal waits past its decision deadline
        overdue = [
            item
            for item in deadlines.waiting(session, policy.document.deadlines)
            if item.overdue(clock.now())
        ]
        assert [item.queue.name for item in overdue] == ["appeals"]


def _by_seller(seller_ids: Any, days: Any) -> dict[str, list[object]]:
    grouped: dict[str, list[object]] = {}
    for seller_id, day in zip(seller_ids.to_pylist(), days.to_pylist(), strict=True):
        grouped.setdefault(seller_id, []).append(day)
    return grouped


def _snapshot(events_dir: Path) -> list[dict[str, Any]]:
    """Every snapshot and daily rating the demo stored."""
    first = TODAY - timedelta(days=365)
    rows: list[dict[str, Any]] = snapshot_table(events_dir).read(first, TODAY).to_pylist()
    ratings: list[dict[str, Any]] = rating_table(events_dir).read(first, TODAY).to_pylist()
    return rows + ratings


@pytest.mark.slow
def test_same_seed_same_demo(
    database: Database, store: EventStore, tmp_path: Path, policy: Policy
) -> None:
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    other.upgrade()
    with EventStore(tmp_path / "other-events") as other_store:
        for target, target_store in ((database, store), (other, other_store)):
            with target.transaction() as session:
                demo.load_demo(
                    session, SYSTEM, target_store, policy, seed=3, sellers_count=12, today=TODAY
                )
    assert _snapshot(store.directory) == _snapshot(tmp_path / "other-events")
    other.dispose()


@pytest.mark.slow
def test_demo_refuses_a_database_with_data(
    database: Database, store: EventStore, policy: Policy
) -> None:
    with database.transaction() as session:
        demo.load_demo(session, SYSTEM, store, policy, sellers_count=3, today=TODAY)
    with database.transaction() as session, pytest.raises(Conflict):
        demo.load_demo(session, SYSTEM, store, policy, sellers_count=3, today=TODAY)


def test_only_admins_load_the_demo(database: Database, store: EventStore, policy: Policy) -> None:
    specialist = Actor(email="x@example.test", role=Role.ACCOUNT_SPECIALIST)
    with database.transaction() as session, pytest.raises(Forbidden):
        demo.load_demo(session, specialist, store, policy, sellers_count=3, today=TODAY)
