"""Violations end in three symmetric ways, and each gives back the listings it held."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from kenzen.access import SYSTEM
from kenzen.cases import service as cases
from kenzen.cases.models import CaseKind
from kenzen.complaints.brand_check import ListingRow, upsert_listing
from kenzen.errors import Conflict
from kenzen.i18n import Message
from kenzen.policy import violations
from kenzen.policy.document import Policy
from kenzen.policy.models import Violation, ViolationStatus
from kenzen.sellers.models import Listing, ListingStatus
from tests.conftest import World

INQUIRY = Message("case.inquiry.title")

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
SUPPRESSING = "receivedIntellectualPropertyComplaints"


def _suppressing_violation(world: World, policy: Policy) -> tuple[int, int]:
    assert policy.violations[SUPPRESSING].suppresses_listing
    with world.database.transaction() as session:
        row = ListingRow(1, "S1", "A1", "B0A1", "ソラノ イヤホン", "", "", "merchant")
        listing = upsert_listing(session, SYSTEM, row)[0]
        case = cases.open_case(session, seller_id="S1", kind=CaseKind.IP_COMPLAINT, title=INQUIRY)
        violation = violations.record_violation(
            session,
            policy,
            seller_id="S1",
            category=SUPPRESSING,
            source="complaint:1",
            occurred_at=NOW,
            case_id=case.id,
            listings=[listing],
            evidence={},
        )
        assert listing.status is ListingStatus.SUPPRESSED
        return violation.id, listing.id


Ending = Callable[[Session, Policy, Violation], object]

ENDINGS: dict[str, tuple[Ending, ViolationStatus]] = {
    "retracted or accepted": (
        lambda s, p, v: violations.resolve_violation(s, v, reason="complaint retracted"),
        ViolationStatus.RESOLVED,
    ),
    "dispute upheld": (
        lambda s, p, v: violations.dismiss_violation(s, v, reason="dispute upheld"),
        ViolationStatus.DISMISSED,
    ),
    "past its memory": (
        lambda s, p, v: violations.expire_violations(s, p, "S1", NOW + timedelta(days=180)),
        ViolationStatus.EXPIRED,
    ),
}


@pytest.mark.parametrize("ending", ENDINGS, ids=list(ENDINGS))
def test_every_ending_releases_the_listings_the_violation_held(
    world: World, policy: Policy, ending: str
) -> None:
    violation_id, listing_id = _suppressing_violation(world, policy)
    end, status = ENDINGS[ending]
    with world.database.transaction() as session:
        violation = session.get(Violation, violation_id)
        assert violation is not None
        end(session, policy, violation)
    with world.database.transaction() as session:
        assert session.get(Violation, violation_id).status is status  # type: ignore[union-attr]
        assert session.get(Listing, listing_id).status is ListingStatus.ACTIVE  # type: ignore[union-attr]


def test_a_violation_within_its_memory_does_not_expire(world: World, policy: Policy) -> None:
    violation_id, _ = _suppressing_violation(world, policy)
    day_before = NOW + timedelta(days=180) - timedelta(seconds=1)
    with world.database.transaction() as session:
        assert violations.expire_violations(session, policy, "S1", day_before) == []
        assert session.get(Violation, violation_id).status is ViolationStatus.ACTIVE  # type: ignore[union-attr]


def test_an_ended_violation_cannot_end_again(world: World, policy: Policy) -> None:
    violation_id, _ = _suppressing_violation(world, policy)
    with world.database.transaction() as session:
        violation = session.get(Violation, violation_id)
        assert violation is not None
        violations.resolve_violation(session, violation, reason="retracted")
        with pytest.raises(Conflict, match="RESOLVED, not ACTIVE"):
            violations.dismiss_violation(session, violation, reason="dispute upheld")
