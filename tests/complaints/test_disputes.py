"""Both sides of a complaint: the seller disputes or asks for a retraction, the rights owner
answers, a specialist decides; an invalid or retracted complaint stops counting."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from kenzen.access import SYSTEM, Actor, Role, Visibility
from kenzen.audit import AuditEntry
from kenzen.cases.models import CaseStatus
from kenzen.cases.service import get_case
from kenzen.complaints import authorisations, disputes, service
from kenzen.complaints.brand_check import ListingRow, upsert_listing
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import (
    BrandAuthorisation,
    Complaint,
    ComplaintKind,
    ComplaintStatus,
    Dispute,
    DisputeReason,
    DisputeStatus,
    RetractionRequest,
    RetractionStatus,
)
from kenzen.errors import Conflict, Forbidden, InvalidInput, NotFound
from kenzen.health.service import get_seller_health
from kenzen.identity.service import add_user
from kenzen.policy.document import Policy
from kenzen.policy.models import Violation, ViolationStatus
from kenzen.sellers.models import EvaluationMark, Listing, ListingStatus
from tests.complaints.test_service import brand
from tests.conftest import World
from tests.evidence import pdf


def _two_complaints(world: World, policy: Policy) -> tuple[int, int]:
    brand_id = brand(world)
    ids = []
    with world.database.transaction() as session:
        for sku in ("A1", "A2"):
            row = ListingRow(
                1, "S1", sku, f"B0{sku}", "ソラノ イヤホン", "ノーブランド", "", "merchant"
            )
            upsert_listing(session, SYSTEM, row)
    for sku in ("A1", "A2"):
        with world.database.transaction() as session:
            ids.append(
                service.file_complaint(
                    session,
                    world.actors[Role.RIGHTS_OWNER],
                    policy,
                    brand_id=brand_id,
                    kind=ComplaintKind.TRADEMARK,
                    listings=[ListingRef(f"B0{sku}")],
                    evidence="Not our product.",
                ).id
            )
    return ids[0], ids[1]


def _another(world: World, role: Role, email: str, seller_id: str | None = None) -> Actor:
    with world.database.transaction() as session:
        return add_user(
            session, SYSTEM, email=email, role=role, password=None, seller_id=seller_id
        ).as_actor()


def _statuses(world: World) -> dict[str, object]:
    with world.database.transaction() as session:
        return {
            "complaints": sorted(session.scalars(select(Complaint.status))),
            "violations": sorted(session.scalars(select(Violation.status))),
            "listings": sorted(session.scalars(select(Listing.status))),
            "disputes": sorted(session.scalars(select(Dispute.status))),
            "requests": sorted(session.scalars(select(RetractionRequest.status))),
        }


def test_the_loop_returns_the_sellers_rating(world: World, policy: Policy, tmp_path: Path) -> None:
    disputed, asked = _two_complaints(world, policy)
    seller = world.actors[Role.SELLER]
    with world.database.transaction() as session:
        assert get_seller_health(session, seller, policy, "S1").rating.value < 200
        dispute = disputes.dispute_complaint(
            session,
            seller,
            disputed,
            reason=DisputeReason.AUTHENTIC,
            statement="Bought from the brand's distributor.",
        )
    with world.database.transaction() as session:
        disputes.add_dispute_file(
            session, seller, tmp_path, dispute.id, filename="invoice.pdf", data=pdf()
        )
        request = disputes.request_retraction(
            session, seller, asked, message="These are genuine; see the invoice."
        )
    with world.database.transaction() as session:
        disputes.answer_retraction_request(
            session, world.actors[Role.RIGHTS_OWNER], request.id, retract=True, reason="Checked"
        )
    with world.database.transaction() as session:
        session.query(EvaluationMark).delete()
    with world.database.transaction() as session:
        decided = disputes.decide_dispute(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            dispute.id,
            complaint_valid=False,
            reason="The invoices show genuine goods.",
        )
        assert decided.status is DisputeStatus.COMPLAINT_INVALID
        assert decided.decided_at is not None
    assert _statuses(world) == {
        "complaints": [ComplaintStatus.INVALID, ComplaintStatus.RETRACTED],
        "violations": [ViolationStatus.DISMISSED, ViolationStatus.RESOLVED],
        "listings": [ListingStatus.ACTIVE, ListingStatus.ACTIVE],
        "disputes": [DisputeStatus.COMPLAINT_INVALID],
        "requests": [RetractionStatus.RETRACTED],
    }
    with world.database.transaction() as session:
        assert session.get(EvaluationMark, "S1") is not None
        health = get_seller_health(session, seller, policy, "S1")
        assert (health.rating.value, health.violations) == (200, [])
        complaint = session.get_one(Complaint, disputed)
        assert complaint.case_id is not None
        case = get_case(session, seller, complaint.case_id)
        assert case.case.status is CaseStatus.RESOLVED
        texts = [e.text_in("ja") for e in case.entries if e.visibility is Visibility.SELLER]
        assert "異議を受け付けました" in texts[-2]
        assert "The invoices show genuine goods." in texts[-1]
        assert [f.filename for f in session.get_one(Dispute, dispute.id).files] == ["invoice.pdf"]


def test_someone_elses_complaint_or_request_is_not_found_and_nothing_changes(
    world: World, policy: Policy
) -> None:
    disputed, _ = _two_complaints(world, policy)
    stranger = _another(world, Role.SELLER, "s2@example.test", "S2")
    with world.database.transaction() as session:
        request = disputes.request_retraction(
            session, world.actors[Role.SELLER], disputed, message="Please retract."
        )
    before = _statuses(world)
    with world.database.transaction() as session, pytest.raises(NotFound, match="complaint"):
        disputes.dispute_complaint(
            session, stranger, disputed, reason=DisputeReason.NO_INFRINGEMENT, statement="x"
        )
    with world.database.transaction() as session, pytest.raises(NotFound, match="complaint"):
        disputes.request_retraction(session, stranger, disputed, message="x")
    other_owner = _another(world, Role.RIGHTS_OWNER, "other@example.test")
    with (
        world.database.transaction() as session,
        pytest.raises(NotFound, match=f"retraction request {request.id} not found"),
    ):
        disputes.answer_retraction_request(
            session, other_owner, request.id, retract=True, reason="x"
        )
    assert _statuses(world) == before


def test_an_upheld_complaint_keeps_counting_and_is_decided_once(
    world: World, policy: Policy
) -> None:
    disputed, _ = _two_complaints(world, policy)
    specialist = world.actors[Role.ACCOUNT_SPECIALIST]
    with world.database.transaction() as session:
        dispute = disputes.dispute_complaint(
            session,
            world.actors[Role.SELLER],
            disputed,
            reason=DisputeReason.WRONG_LISTING,
            statement="That listing is a cable.",
        )
    with world.database.transaction() as session:
        disputes.decide_dispute(
            session, specialist, dispute.id, complaint_valid=True, reason="It is the earphones."
        )
    with world.database.transaction() as session, pytest.raises(Conflict, match="already"):
        disputes.decide_dispute(session, specialist, dispute.id, complaint_valid=False, reason="x")
    with world.database.transaction() as session, pytest.raises(Conflict, match="disputed"):
        disputes.dispute_complaint(
            session,
            world.actors[Role.SELLER],
            disputed,
            reason=DisputeReason.AUTHENTIC,
            statement="again",
        )
    assert _statuses(world)["violations"] == [ViolationStatus.ACTIVE, ViolationStatus.ACTIVE]


def test_an_accepted_letter_of_authorisation_stops_screening_and_complaints(
    world: World, policy: Policy
) -> None:
    _, disputed = accepted_letter(world, policy)
    with world.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(BrandAuthorisation)) == 1
        mine = ListingRow(1, "S1", "A3", "B0A3", "ソラノ ケース", "", "", "merchant")
        theirs = ListingRow(1, "S2", "Z1", "B0Z1", "ソラノ ケース", "", "", "merchant")
        assert upsert_listing(session, SYSTEM, mine)[1] == []
        assert len(upsert_listing(session, SYSTEM, theirs)[1]) == 1
    with world.database.transaction() as session:
        brand_id = session.get_one(Complaint, disputed).brand_id
    with (
        world.database.transaction() as session,
        pytest.raises(Conflict, match="letter of authorisation"),
    ):
        service.file_complaint(
            session,
            world.actors[Role.RIGHTS_OWNER],
            policy,
            brand_id=brand_id,
            kind=ComplaintKind.TRADEMARK,
            listings=[ListingRef("B0A3")],
            evidence="x",
        )
    with world.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 2


def accepted_letter(world: World, policy: Policy) -> tuple[int, int]:
    """S1's letter for the brand accepted on a dispute; (letter id, complaint id)."""
    disputed, _ = _two_complaints(world, policy)
    with world.database.transaction() as session:
        dispute = disputes.dispute_complaint(
            session,
            world.actors[Role.SELLER],
            disputed,
            reason=DisputeReason.AUTHORISED,
            statement="We are an authorised reseller.",
        )
    with world.database.transaction() as session:
        disputes.decide_dispute(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            dispute.id,
            complaint_valid=False,
            reason="The letter of authorisation is genuine.",
        )
        letter = session.scalars(select(BrandAuthorisation)).one()
        return letter.id, disputed


def test_a_revoked_letter_lets_screening_and_complaints_apply_again(
    world: World, policy: Policy
) -> None:
    letter_id, disputed = accepted_letter(world, policy)
    specialist = world.actors[Role.ACCOUNT_SPECIALIST]
    with world.database.transaction() as session:
        revoked = authorisations.revoke_authorisation(
            session, specialist, letter_id, reason="The brand withdrew the letter."
        )
        assert revoked.revoked_by == specialist.label
    row = ListingRow(1, "S1", "A3", "B0A3", "ソラノ ケース", "", "", "merchant")
    with world.database.transaction() as session:
        assert [f.term.brand for f in upsert_listing(session, SYSTEM, row)[1]] == ["Sorano"]
        complaint = session.get_one(Complaint, disputed)
        filed = service.file_complaint(
            session,
            world.actors[Role.RIGHTS_OWNER],
            policy,
            brand_id=complaint.brand_id,
            kind=ComplaintKind.TRADEMARK,
            listings=[ListingRef("B0A3")],
            evidence="The letter is withdrawn.",
        )
        assert filed.status is ComplaintStatus.FILED
    with world.database.transaction() as session:
        assert complaint.case_id is not None
        case = get_case(session, world.actors[Role.SELLER], complaint.case_id)
        told = [e.text_in("en") for e in case.entries if e.visibility is Visibility.SELLER]
        assert "revoked your letter of authorisation for Sorano" in told[-1]
        assert "The brand withdrew the letter." in told[-1]
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "revokeBrandAuthorisation")
        ).one()
        assert audit.detail["authorisation_id"] == letter_id
        standing = authorisations.list_authorisations(session, specialist, standing_only=True)
        assert standing == []


def test_a_letter_is_revoked_once_with_a_reason_by_a_specialist_only(
    world: World, policy: Policy
) -> None:
    letter_id, _ = accepted_letter(world, policy)
    specialist = world.actors[Role.ACCOUNT_SPECIALIST]
    with world.database.transaction() as session, pytest.raises(InvalidInput, match=r"^reason"):
        authorisations.revoke_authorisation(session, specialist, letter_id, reason="  ")
    for role in (Role.SELLER, Role.RIGHTS_OWNER, Role.AHS_AGENT):
        with world.database.transaction() as session, pytest.raises(Forbidden):
            authorisations.revoke_authorisation(session, world.actors[role], letter_id, reason="no")
    with world.database.transaction() as session:
        assert session.get_one(BrandAuthorisation, letter_id).revoked_at is None
        authorisations.revoke_authorisation(session, specialist, letter_id, reason="Forged.")
    with world.database.transaction() as session, pytest.raises(Conflict, match="already"):
        authorisations.revoke_authorisation(session, specialist, letter_id, reason="again")
    with world.database.transaction() as session, pytest.raises(NotFound):
        authorisations.revoke_authorisation(session, specialist, letter_id + 99, reason="x")


def test_a_new_letter_may_follow_a_revoked_one(world: World, policy: Policy) -> None:
    letter_id, _ = accepted_letter(world, policy)
    with world.database.transaction() as session:
        authorisations.revoke_authorisation(
            session, world.actors[Role.ACCOUNT_SPECIALIST], letter_id, reason="Expired."
        )
    with world.database.transaction() as session:
        rights_owner = world.actors[Role.RIGHTS_OWNER]
        complaint = service.list_complaints(session, rights_owner)[0]
        assert complaint.status is ComplaintStatus.FILED
    with world.database.transaction() as session:
        dispute = disputes.dispute_complaint(
            session,
            world.actors[Role.SELLER],
            complaint.id,
            reason=DisputeReason.AUTHORISED,
            statement="A renewed letter.",
        )
    with world.database.transaction() as session:
        disputes.decide_dispute(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            dispute.id,
            complaint_valid=False,
            reason="The renewed letter is genuine.",
        )
    with world.database.transaction() as session:
        letters = authorisations.list_authorisations(session, world.actors[Role.SELLER])
        assert [a.revoked_at is None for a in letters] == [False, True]
        theirs = authorisations.list_authorisations(session, world.actors[Role.RIGHTS_OWNER])
        assert len(theirs) == 2
