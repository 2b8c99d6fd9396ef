"""Appeals through the use cases: submission, versions, evidence, review and decisions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from kenzen.access import SYSTEM, Actor, Role, Visibility
from kenzen.appeals import service
from kenzen.appeals.models import AppealStatus, AttachmentKind
from kenzen.appeals.poa import PlanOfAction
from kenzen.appeals.schemas import ReviewPacketOut
from kenzen.cases.models import Case, CaseStatus
from kenzen.cases.service import add_case_note
from kenzen.complaints import disputes
from kenzen.complaints.models import Complaint, ComplaintKind, ComplaintStatus, DisputeReason
from kenzen.db import utcnow
from kenzen.errors import Conflict, Forbidden, InvalidInput, NotFound
from kenzen.policy.models import Violation, ViolationStatus
from kenzen.sellers.models import Listing, ListingStatus, Seller
from kenzen.sellers.status import AccountStatus
from tests import evidence
from tests.appeals.conftest import GOOD_POA, Deactivated
from tests.conftest import World

POA = PlanOfAction.model_validate(GOOD_POA)
PDF = evidence.pdf()


def _submit(world: World, case_id: int, *, draft: bool = False) -> int:
    with world.database.transaction() as session:
        return service.submit_appeal(
            session, world.actors[Role.SELLER], case_id, POA, draft=draft
        ).id


def _decide(world: World, appeal_id: int, decision: AppealStatus, reasons: str = "") -> None:
    with world.database.transaction() as session:
        service.decide_appeal(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            appeal_id,
            decision=decision,
            reasons=reasons,
            deadline=utcnow() + timedelta(days=3),
        )


def test_the_case_facts_are_every_active_violation_and_listing(
    world: World, deactivated: Deactivated
) -> None:
    with world.database.transaction() as session:
        case = session.get(Case, deactivated.case_id)
        assert case is not None
        facts = service.case_facts(session, case)
        assert len(facts.violations) == 5
        assert [x.listing_id for x in facts.listings] == ["B0A1", "B0A2"]
        assert [c.kind.value for c in facts.complaints] == ["trademark"] * 5


def test_submit_keeps_versions_and_allows_one_pending_appeal(
    world: World, deactivated: Deactivated
) -> None:
    appeal_id = _submit(world, deactivated.case_id, draft=True)
    assert _submit(world, deactivated.case_id) == appeal_id  # the draft becomes version 1
    with world.database.transaction() as session, pytest.raises(Conflict, match="pending"):
        service.submit_appeal(session, world.actors[Role.SELLER], deactivated.case_id, POA)
    _decide(world, appeal_id, AppealStatus.MORE_INFO_REQUESTED, "Attach the invoices.")
    _submit(world, deactivated.case_id)
    with world.database.transaction() as session:
        packet = service.get_appeal(session, world.actors[Role.SELLER], appeal_id)
        assert [v.number for v in packet.appeal.versions] == [1, 2]
        assert packet.appeal.status is AppealStatus.SUBMITTED
        assert [d.reasons for d in packet.appeal.decisions] == ["Attach the invoices."]


def test_checker_findings_are_stored_with_the_version(
    world: World, deactivated: Deactivated
) -> None:
    appeal_id = _submit(world, deactivated.case_id)
    with world.database.transaction() as session:
        packet = service.get_appeal(session, world.actors[Role.ACCOUNT_SPECIALIST], appeal_id)
        codes = [f["code"] for f in packet.appeal.versions[0].findings]
        # the one cause names no violation: it is taken to explain all five
        assert "tie_causes" not in codes
        assert "violation_not_explained" not in codes


def test_accept_reinstates_resolves_and_restores_in_one_go(
    world: World, deactivated: Deactivated
) -> None:
    appeal_id = _submit(world, deactivated.case_id)
    with world.database.transaction() as session:
        service.review_appeal(session, world.actors[Role.ACCOUNT_SPECIALIST], appeal_id)
    _decide(world, appeal_id, AppealStatus.ACCEPTED, "Plan accepted.")
    with world.database.transaction() as session:
        seller = session.get(Seller, "S1")
        assert seller is not None
        assert seller.status is AccountStatus.NORMAL
        assert set(session.scalars(select(Violation.status))) == {ViolationStatus.RESOLVED}
        listings = session.scalars(select(Listing).where(Listing.seller_id == "S1")).all()
        assert {x.status for x in listings} == {ListingStatus.ACTIVE}
        case = session.get(Case, deactivated.case_id)
        assert case is not None
        assert case.status is CaseStatus.RESOLVED
    with world.database.transaction() as session, pytest.raises(Conflict, match="already"):
        service.decide_appeal(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            appeal_id,
            decision=AppealStatus.REJECTED,
            reasons="too late",
        )


def test_reject_needs_reasons_the_seller_reads(world: World, deactivated: Deactivated) -> None:
    appeal_id = _submit(world, deactivated.case_id)
    with world.database.transaction() as session, pytest.raises(InvalidInput, match="reasons"):
        service.decide_appeal(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            appeal_id,
            decision=AppealStatus.REJECTED,
            reasons=" ",
        )
    _decide(world, appeal_id, AppealStatus.REJECTED, "Invoices do not show the brand.")
    with world.database.transaction() as session:
        packet = service.get_appeal(session, world.actors[Role.SELLER], appeal_id)
        texts = [e.text_in("en") for e in packet.case.entries]
        assert any("Invoices do not show the brand." in t for t in texts)
        seller = session.get(Seller, "S1")
        assert seller is not None
        assert seller.status is AccountStatus.DEACTIVATED


def test_more_info_needs_a_future_deadline_and_waits_for_the_seller(
    world: World, deactivated: Deactivated
) -> None:
    appeal_id = _submit(world, deactivated.case_id)
    with world.database.transaction() as session, pytest.raises(InvalidInput, match="deadline"):
        service.decide_appeal(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            appeal_id,
            decision=AppealStatus.MORE_INFO_REQUESTED,
            reasons="x",
            deadline=utcnow() - timedelta(days=1),
        )
    _decide(world, appeal_id, AppealStatus.MORE_INFO_REQUESTED, "Which supplier?")
    with world.database.transaction() as session:
        case = session.get(Case, deactivated.case_id)
        assert case is not None
        assert case.status is CaseStatus.AWAITING_SELLER
        assert case.deadline is not None


def test_only_specialists_decide_and_sellers_only_appeal_their_own(
    world: World, deactivated: Deactivated
) -> None:
    appeal_id = _submit(world, deactivated.case_id)
    with world.database.transaction() as session, pytest.raises(Forbidden):
        service.decide_appeal(
            session,
            world.actors[Role.AHS_AGENT],
            appeal_id,
            decision=AppealStatus.ACCEPTED,
            reasons="",
        )
    with world.database.transaction() as session:
        other = service.list_appeals(session, world.actors[Role.SELLER], seller_id=None)
        assert [a.id for a in other] == [appeal_id]


def test_a_specialists_packet_never_holds_ahs_call_notes(
    world: World, deactivated: Deactivated
) -> None:
    appeal_id = _submit(world, deactivated.case_id)
    with world.database.transaction() as session:
        add_case_note(
            session,
            world.actors[Role.AHS_AGENT],
            deactivated.case_id,
            text="CALL-NOTE: seller was upset",
            visibility=Visibility.AHS,
        )
    with world.database.transaction() as session:
        specialist = service.get_appeal(session, world.actors[Role.ACCOUNT_SPECIALIST], appeal_id)
        assert all("CALL-NOTE" not in e.text_in("en") for e in specialist.case.entries)
        ahs = service.get_appeal(session, world.actors[Role.AHS_AGENT], appeal_id)
        assert any("CALL-NOTE" in e.text_in("en") for e in ahs.case.entries)


def test_attachments_are_checked_by_content_and_stored_by_hash(
    world: World, deactivated: Deactivated, tmp_path: Path
) -> None:
    appeal_id = _submit(world, deactivated.case_id, draft=True)
    seller = world.actors[Role.SELLER]
    with world.database.transaction() as session:
        attachment = service.add_attachment(
            session,
            seller,
            tmp_path,
            appeal_id,
            filename="invoice.pdf",
            data=PDF,
            kind=AttachmentKind.INVOICE,
        )
    stored = tmp_path / attachment.sha256[:2] / attachment.sha256
    assert stored.read_bytes() == PDF
    rejected = [
        ("invoice.pdf", b"MZ\x90\x00 an executable", "not a PDF, PNG or JPEG"),
        ("big.pdf", b"%PDF-" + b"0" * service.MAX_ATTACHMENT_BYTES, "larger than"),
        ("cut.pdf", PDF[: len(PDF) // 2], "not a readable PDF"),
        ("fake.pdf", b"%PDF-1.7\n%%EOF\n", "not a readable PDF"),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a readable PNG image"),
        ("cut.jpg", evidence.image("JPEG")[:40], "not a readable JPEG image"),
    ]
    for filename, data, message in rejected:
        with world.database.transaction() as session, pytest.raises(InvalidInput, match=message):
            service.add_attachment(
                session,
                seller,
                tmp_path,
                appeal_id,
                filename=filename,
                data=data,
                kind=AttachmentKind.INVOICE,
            )
    with world.database.transaction() as session:
        for n in range(service.MAX_ATTACHMENTS - 1):
            service.add_attachment(
                session,
                seller,
                tmp_path,
                appeal_id,
                filename=f"p{n}.png",
                data=evidence.image("PNG", shade=n),
                kind=AttachmentKind.OTHER,
            )
    with world.database.transaction() as session, pytest.raises(InvalidInput, match="at most 20"):
        service.add_attachment(
            session,
            seller,
            tmp_path,
            appeal_id,
            filename="one-more.jpg",
            data=evidence.image("JPEG"),
            kind=AttachmentKind.OTHER,
        )


def test_appeal_on_someone_elses_or_a_missing_case(world: World, deactivated: Deactivated) -> None:
    with world.database.transaction() as session:
        other = Actor(email="s2@example.test", role=Role.SELLER, seller_id="S2")
        with pytest.raises(NotFound, match=f"case {deactivated.case_id} not found"):
            service.submit_appeal(session, other, deactivated.case_id, POA)
        with pytest.raises(NotFound, match="case 99999 not found"):
            service.submit_appeal(session, SYSTEM, 99999, POA)


def test_the_packet_shows_each_complaint_and_what_both_sides_answered(
    world: World, deactivated: Deactivated
) -> None:
    appeal_id = _submit(world, deactivated.case_id)
    with world.database.transaction() as session:
        first = session.scalars(select(Complaint).order_by(Complaint.id)).first()
        assert first is not None
        disputes.dispute_complaint(
            session,
            world.actors[Role.SELLER],
            first.id,
            reason=DisputeReason.AUTHENTIC,
            statement="Bought from the distributor.",
        )
    with world.database.transaction() as session:
        packet = ReviewPacketOut.of(
            service.get_appeal(session, world.actors[Role.ACCOUNT_SPECIALIST], appeal_id), "ja"
        )
    assert len(packet.complaints) == 5
    shown = packet.complaints[0]
    assert (shown.owner, shown.brand, shown.brand_registration_number, shown.kind) == (
        "rights_owner@example.test",
        "Sorano",
        "JP-T-1",
        ComplaintKind.TRADEMARK,
    )
    assert (shown.claim, shown.status) == ("test buy 0", ComplaintStatus.FILED)
    [listing] = shown.listings
    assert (listing.listing_id, listing.title) == ("B0A1", "ソラノ イヤホン")
    assert [(f.kind, f.matched) for f in listing.findings] == [("NO_BRAND_NAMES_TERM", "ソラノ")]
    assert [d.statement for d in shown.disputes] == ["Bought from the distributor."]
    assert shown.retraction_requests == []
