"""Notifier reputation (EU DSA Art. 23): an owner whose complaints are often found invalid
has its new complaints held for a specialist; figures are its own to see, and staff's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kenzen.access import SYSTEM, Role
from kenzen.cases.models import Case
from kenzen.complaints import disputes, reputation, service
from kenzen.complaints.brand_check import ListingRow, upsert_listing
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import Complaint, ComplaintKind, ComplaintStatus, DisputeReason
from kenzen.db import utcnow
from kenzen.errors import Conflict, NotFound
from kenzen.identity.service import add_user
from kenzen.policy.document import Policy
from kenzen.policy.models import Violation
from kenzen.transparency.service import transparency_report
from tests.complaints.test_service import brand
from tests.conftest import World


def _file(world: World, policy: Policy, brand_id: int) -> Complaint:
    with world.database.transaction() as session:
        return service.file_complaint(
            session,
            world.actors[Role.RIGHTS_OWNER],
            policy,
            brand_id=brand_id,
            kind=ComplaintKind.TRADEMARK,
            listings=[ListingRef("B0A1")],
            evidence="Not ours.",
        )


def _found_invalid(world: World, policy: Policy, brand_id: int) -> None:
    complaint = _file(world, policy, brand_id)
    with world.database.transaction() as session:
        dispute = disputes.dispute_complaint(
            session,
            world.actors[Role.SELLER],
            complaint.id,
            reason=DisputeReason.NO_INFRINGEMENT,
            statement="Our own make.",
        )
    with world.database.transaction() as session:
        disputes.decide_dispute(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            dispute.id,
            complaint_valid=False,
            reason="No mark on the goods.",
        )


def _standing(world: World, policy: Policy) -> reputation.Reputation:
    owner = world.actors[Role.RIGHTS_OWNER]
    assert owner.user_id is not None
    with world.database.transaction() as session:
        return reputation.get_notifier_reputation(session, owner, policy, owner.user_id)


def test_past_the_threshold_new_complaints_are_held_until_a_specialist_decides(
    world: World, policy: Policy
) -> None:
    threshold = policy.document.notifiers.hold_after_invalid
    brand_id = brand(world)
    with world.database.transaction() as session:
        row = ListingRow(1, "S1", "A1", "B0A1", "イヤホン", "", "", "merchant")
        upsert_listing(session, SYSTEM, row)
    for _ in range(threshold - 1):
        _found_invalid(world, policy, brand_id)
    assert not _standing(world, policy).held
    assert _file(world, policy, brand_id).status is ComplaintStatus.FILED  # just below
    _found_invalid(world, policy, brand_id)
    standing = _standing(world, policy)
    assert (standing.filed, standing.retracted, standing.found_invalid, standing.held) == (
        threshold + 1,
        0,
        threshold,
        True,
    )
    with world.database.transaction() as session:
        counted_before = session.scalar(select(func.count()).select_from(Violation)) or 0
        cases_before = session.scalar(select(func.count()).select_from(Case))
    held = _file(world, policy, brand_id)
    assert held.status is ComplaintStatus.HELD
    with world.database.transaction() as session:
        today = utcnow().date()
        report = transparency_report(session, world.actors[Role.ACCOUNT_SPECIALIST], today, today)
        assert report.notifiers_held == 1
    with world.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Violation)) == counted_before
        assert session.scalar(select(func.count()).select_from(Case)) == cases_before
    specialist = world.actors[Role.ACCOUNT_SPECIALIST]
    with world.database.transaction() as session:
        counted = service.decide_held_complaint(
            session, specialist, policy, held.id, count=True, reason="The test buy is genuine."
        )
        assert (counted.status, counted.case_id is not None) == (ComplaintStatus.FILED, True)
        assert session.scalar(select(func.count()).select_from(Violation)) == counted_before + 1
    with world.database.transaction() as session, pytest.raises(Conflict, match="not HELD"):
        service.decide_held_complaint(session, specialist, policy, held.id, count=False, reason="x")
    rejected = _file(world, policy, brand_id)
    with world.database.transaction() as session:
        service.decide_held_complaint(
            session, specialist, policy, rejected.id, count=False, reason="No evidence."
        )
    assert _standing(world, policy).found_invalid == threshold + 1


def test_the_window_forgets_old_invalid_complaints(world: World, policy: Policy) -> None:
    brand_id = brand(world)
    with world.database.transaction() as session:
        row = ListingRow(1, "S1", "A1", "B0A1", "イヤホン", "", "", "merchant")
        upsert_listing(session, SYSTEM, row)
    for _ in range(policy.document.notifiers.hold_after_invalid):
        _found_invalid(world, policy, brand_id)
    owner = world.actors[Role.RIGHTS_OWNER]
    assert owner.user_id is not None
    window = timedelta(days=policy.document.notifiers.window_days)
    with world.database.transaction() as session:
        assert reputation.figures(session, policy, owner.user_id, utcnow()).held
        later = reputation.figures(session, policy, owner.user_id, utcnow() + window)
        assert (later.found_invalid, later.held) == (0, False)


def test_an_owner_sees_only_its_own_figures(world: World, policy: Policy) -> None:
    owner = world.actors[Role.RIGHTS_OWNER]
    with world.database.transaction() as session:
        other = add_user(
            session, SYSTEM, email="o@example.test", role=Role.RIGHTS_OWNER, password=None
        )
        other_id = other.id
    with world.database.transaction() as session, pytest.raises(NotFound, match="not found"):
        reputation.get_notifier_reputation(session, owner, policy, other_id)
    with world.database.transaction() as session:
        staff = reputation.get_notifier_reputation(
            session, world.actors[Role.AHS_AGENT], policy, other_id
        )
        assert (staff.filed, staff.held) == (0, False)
