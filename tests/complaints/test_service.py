"""Rights owners' brands and complaints, through the use cases and the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from kenzen.access import SYSTEM, Actor, Role, Visibility
from kenzen.cases.models import Case
from kenzen.cases.service import get_case
from kenzen.complaints import service
from kenzen.complaints.brand_check import ListingRow, upsert_listing
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import Brand, Complaint, ComplaintKind, ComplaintStatus
from kenzen.errors import Conflict, Forbidden, InvalidInput, NotFound
from kenzen.health.service import get_seller_health
from kenzen.identity.service import add_user
from kenzen.policy.document import Policy
from kenzen.policy.models import Violation, ViolationStatus
from kenzen.sellers.models import Listing, ListingStatus
from tests.conftest import World
from tests.evidence import image, pdf


def listing(world: World, seller_id: str, sku: str, title: str, brand: str = "") -> int:
    row = ListingRow(1, seller_id, sku, f"B0{sku}", title, brand, "", "merchant")
    with world.database.transaction() as session:
        return upsert_listing(session, SYSTEM, row)[0].id


def brand(world: World, owner: Actor | None = None) -> int:
    with world.database.transaction() as session:
        return service.register_brand(
            session,
            owner or world.actors[Role.RIGHTS_OWNER],
            name="Sorano",
            registration_number="JP-T-6123456",
            country="jp",
            terms=["ソラノ", "Sorano"],
        ).id


def test_register_brand_keeps_its_name_as_a_term(world: World) -> None:
    brand_id = brand(world)
    with world.database.transaction() as session:
        stored = session.get(Brand, brand_id)
        assert stored is not None
        assert (stored.country, [t.term for t in stored.terms]) == ("JP", ["Sorano", "ソラノ"])
    with world.database.transaction() as session, pytest.raises(Conflict):
        service.register_brand(
            session,
            world.actors[Role.RIGHTS_OWNER],
            name="Sorano",
            registration_number="x",
            country="JP",
        )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": " "}, "name"),
        ({"registration_number": ""}, "registration_number"),
        ({"country": "Japan"}, "country"),
    ],
)
def test_brand_fields_are_validated(world: World, fields: dict[str, str], message: str) -> None:
    arguments = {"name": "X", "registration_number": "R-1", "country": "JP", **fields}
    with world.database.transaction() as session, pytest.raises(InvalidInput, match=message):
        service.register_brand(session, world.actors[Role.RIGHTS_OWNER], **arguments)


def test_complaint_becomes_violation_case_notice_and_suppression(
    world: World, policy: Policy
) -> None:
    brand_id = brand(world)
    listing(world, "S1", "A1", "ソラノ イヤホン", "ノーブランド")
    listing(world, "S1", "A2", "ソラノ ケーブル", "ノーブランド")
    with world.database.transaction() as session:
        complaint = service.file_complaint(
            session,
            world.actors[Role.RIGHTS_OWNER],
            policy,
            brand_id=brand_id,
            kind=ComplaintKind.TRADEMARK,
            listings=[ListingRef("B0A1"), ListingRef("B0A2", "S1")],
            evidence="Test buy",
        )
        assert complaint.case_id is not None
        case = get_case(session, world.actors[Role.SELLER], complaint.case_id)
        texts = [e.text_in("ja") for e in case.entries if e.visibility is Visibility.SELLER]
        assert "B0A1 (A1), B0A2 (A2)" in texts[0]
        assert "商標権侵害" in texts[0]  # S1 reads Japanese
        violation = session.get(Violation, complaint.violation_id)
        assert violation is not None
        assert (violation.category, violation.status, violation.policy_version) == (
            "receivedIntellectualPropertyComplaints",
            ViolationStatus.ACTIVE,
            policy.version,
        )
        statuses = set(session.scalars(select(Listing.status).where(Listing.seller_id == "S1")))
        assert statuses == {ListingStatus.SUPPRESSED}
        health = get_seller_health(session, world.actors[Role.SELLER], policy, "S1")
        assert health.rating.value == 192
        assert [v.points for v in health.violations] == [8]
        assert health.violations[0].text.title == "権利者からの知的財産権侵害の申し立て"


def test_retraction_removes_the_points_and_restores_the_listings(
    world: World, policy: Policy
) -> None:
    brand_id = brand(world)
    listing_id = listing(world, "S1", "A1", "ソラノ イヤホン", "ノーブランド")
    owner = world.actors[Role.RIGHTS_OWNER]
    with world.database.transaction() as session:
        complaint = service.file_complaint(
            session,
            owner,
            policy,
            brand_id=brand_id,
            kind=ComplaintKind.COUNTERFEIT,
            listings=[ListingRef("B0A1")],
            evidence="Test buy",
        )
    with world.database.transaction() as session:
        retracted = service.retract_complaint(session, owner, complaint.id, reason="Licensed")
        assert retracted.status is ComplaintStatus.RETRACTED
    with world.database.transaction() as session:
        stored = session.get(Listing, listing_id)
        assert stored is not None
        assert stored.status is ListingStatus.ACTIVE
        health = get_seller_health(session, world.actors[Role.SELLER], policy, "S1")
        assert (health.rating.value, health.violations) == (200, [])
    with world.database.transaction() as session, pytest.raises(Conflict):
        service.retract_complaint(session, owner, complaint.id, reason="again")


def test_a_rights_owner_sees_and_touches_only_its_own(world: World, policy: Policy) -> None:
    brand_id = brand(world)
    listing(world, "S1", "A1", "ソラノ イヤホン")
    with world.database.transaction() as session:
        other = add_user(
            session, SYSTEM, email="other@example.test", role=Role.RIGHTS_OWNER, password=None
        ).as_actor()
    owner = world.actors[Role.RIGHTS_OWNER]
    with world.database.transaction() as session:
        complaint = service.file_complaint(
            session,
            owner,
            policy,
            brand_id=brand_id,
            kind=ComplaintKind.TRADEMARK,
            listings=[ListingRef("B0A1")],
            evidence="x",
        )
    with world.database.transaction() as session:
        assert service.list_brands(session, other) == []
        assert service.list_complaints(session, other) == []
        assert [c.id for c in service.list_complaints(session, owner)] == [complaint.id]
        with pytest.raises(NotFound, match=f"brand {brand_id} not found"):
            service.file_complaint(
                session,
                other,
                policy,
                brand_id=brand_id,
                kind=ComplaintKind.TRADEMARK,
                listings=[ListingRef("B0A1")],
                evidence="x",
            )
        with pytest.raises(NotFound, match=f"complaint {complaint.id} not found"):
            service.retract_complaint(session, other, complaint.id, reason="x")
    with world.database.transaction() as session, pytest.raises(Forbidden):
        service.list_brands(session, world.actors[Role.SELLER])


def test_complaint_input_is_checked(world: World, policy: Policy) -> None:
    brand_id = brand(world)
    listing(world, "S1", "A1", "x")
    listing(world, "S2", "B1", "x")
    owner = world.actors[Role.RIGHTS_OWNER]
    cases = [
        ([ListingRef("B0A1"), ListingRef("B0B1")], "x", "one seller"),
        ([ListingRef("B0A1"), ListingRef("B0NONE")], "x", r"listings\[1\]: listing B0NONE not"),
        ([ListingRef("B0A1", "S2")], "x", r"listings\[0\]: listing B0A1 of seller S2 not found"),
        ([], "x", "listings: name at least one"),
        ([ListingRef("B0A1")], " ", "evidence"),
    ]
    for refs, evidence, message in cases:
        with world.database.transaction() as session, pytest.raises(InvalidInput, match=message):
            service.file_complaint(
                session,
                owner,
                policy,
                brand_id=brand_id,
                kind=ComplaintKind.TRADEMARK,
                listings=refs,
                evidence=evidence,
            )
    with world.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 0
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_listing_several_sellers_offer_needs_the_seller(world: World, policy: Policy) -> None:
    brand_id = brand(world)
    # S1 offers B0A1 under two SKUs, S2 under one.
    offers = [("S1", "A1"), ("S1", "A1-BIS"), ("S2", "Z9")]
    with world.database.transaction() as session:
        for seller_id, sku in offers:
            row = ListingRow(1, seller_id, sku, "B0A1", "ソラノ イヤホン", "", "", "merchant")
            upsert_listing(session, SYSTEM, row)
    owner = world.actors[Role.RIGHTS_OWNER]

    def file(ref: ListingRef) -> list[str]:
        with world.database.transaction() as session:
            complaint = service.file_complaint(
                session,
                owner,
                policy,
                brand_id=brand_id,
                kind=ComplaintKind.TRADEMARK,
                listings=[ref],
                evidence="x",
            )
            return [link.listing.sku for link in complaint.listings]

    with pytest.raises(InvalidInput, match="offered by sellers S1, S2; name the seller_id"):
        file(ListingRef("B0A1"))
    assert file(ListingRef("B0A1", "S1")) == ["A1", "A1-BIS"]
    assert file(ListingRef("B0A1", "S2")) == ["Z9"]


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        (ComplaintKind.PATENT, {}, "registration_number: required for a patent complaint"),
        (ComplaintKind.DESIGN, {"registration_number": " "}, "registration_number: required"),
        (ComplaintKind.COPYRIGHT, {}, "work: required for a copyright complaint"),
        (ComplaintKind.COUNTERFEIT_TEST_BUY, {}, "test_buy_order_id: required"),
        (ComplaintKind.TRADEMARK, {"work": "a photo"}, "work: not part of a trademark"),
    ],
)
def test_each_kind_needs_its_evidence(
    world: World, policy: Policy, kind: ComplaintKind, fields: dict[str, str], message: str
) -> None:
    brand_id = brand(world)
    listing(world, "S1", "A1", "x")
    with world.database.transaction() as session, pytest.raises(InvalidInput, match=message):
        service.file_complaint(
            session,
            world.actors[Role.RIGHTS_OWNER],
            policy,
            brand_id=brand_id,
            kind=kind,
            listings=[ListingRef("B0A1")],
            evidence="claim",
            **fields,
        )
    with world.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_the_evidence_of_each_kind_is_kept(world: World, policy: Policy) -> None:
    brand_id = brand(world)
    listing(world, "S1", "A1", "x")
    filed = {
        ComplaintKind.PATENT: {"registration_number": "JP-P-7000001"},
        ComplaintKind.COPYRIGHT: {"work": "https://sorano.example/photos/1"},
        ComplaintKind.COUNTERFEIT_TEST_BUY: {"test_buy_order_id": "250-1234567-1234567"},
    }
    for kind, fields in filed.items():
        with world.database.transaction() as session:
            complaint = service.file_complaint(
                session,
                world.actors[Role.RIGHTS_OWNER],
                policy,
                brand_id=brand_id,
                kind=kind,
                listings=[ListingRef("B0A1")],
                evidence="claim",
                **fields,
            )
            [(name, value)] = fields.items()
            assert getattr(complaint, name) == value
            violation = session.get_one(Violation, complaint.violation_id)
            assert violation.evidence[name] == value


def test_evidence_files_attach_as_for_appeals(world: World, policy: Policy, tmp_path: Path) -> None:
    brand_id = brand(world)
    listing(world, "S1", "A1", "x")
    owner = world.actors[Role.RIGHTS_OWNER]
    with world.database.transaction() as session:
        complaint = service.file_complaint(
            session,
            owner,
            policy,
            brand_id=brand_id,
            kind=ComplaintKind.COUNTERFEIT,
            listings=[ListingRef("B0A1")],
            evidence="claim",
        )
    with world.database.transaction() as session:
        stored = service.add_complaint_file(
            session, owner, tmp_path, complaint.id, filename="buy.png", data=image()
        )
        assert (stored.filename, stored.content_type) == ("buy.png", "image/png")
    assert (tmp_path / stored.sha256[:2] / stored.sha256).exists()
    not_a_pdf = pytest.raises(InvalidInput, match=r"note\.txt is not a PDF")
    with world.database.transaction() as session, not_a_pdf:
        service.add_complaint_file(
            session, owner, tmp_path, complaint.id, filename="note.txt", data=b"hello"
        )
    with world.database.transaction() as session:
        other = add_user(
            session, SYSTEM, email="o@example.test", role=Role.RIGHTS_OWNER, password=None
        ).as_actor()
    with world.database.transaction() as session, pytest.raises(NotFound):
        service.add_complaint_file(
            session, other, tmp_path, complaint.id, filename="x.pdf", data=pdf()
        )
    with world.database.transaction() as session:
        service.retract_complaint(session, owner, complaint.id, reason="settled")
    with world.database.transaction() as session, pytest.raises(Conflict, match="RETRACTED"):
        service.add_complaint_file(
            session, owner, tmp_path, complaint.id, filename="x.pdf", data=pdf()
        )
    with world.database.transaction() as session:
        assert [f.filename for f in session.get_one(Complaint, complaint.id).files] == ["buy.png"]
