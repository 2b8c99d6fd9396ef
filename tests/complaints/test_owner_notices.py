"""Rights owners are told what happens to their complaints: one notice per event, queued in
the outbox with the change, in the owner's language, readable by that owner only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from kenzen.access import SYSTEM, Actor, Role
from kenzen.complaints import authorisations, disputes, service
from kenzen.complaints.brand_check import ListingRow, upsert_listing
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import BrandAuthorisation, ComplaintKind, DisputeReason
from kenzen.identity.service import add_user, create_api_token
from kenzen.outbox.models import DeliveryStatus, Notice
from kenzen.policy.document import Policy
from tests.complaints.test_service import brand
from tests.conftest import World


def _listing(world: World, sku: str, seller_id: str = "S1") -> None:
    with world.database.transaction() as session:
        row = ListingRow(1, seller_id, sku, f"B0{sku}", "ソラノ イヤホン", "", "", "merchant")
        upsert_listing(session, SYSTEM, row)


def _file(world: World, policy: Policy, brand_id: int, sku: str, owner: Actor | None = None) -> int:
    with world.database.transaction() as session:
        return service.file_complaint(
            session,
            owner or world.actors[Role.RIGHTS_OWNER],
            policy,
            brand_id=brand_id,
            kind=ComplaintKind.TRADEMARK,
            listings=[ListingRef(f"B0{sku}")],
            evidence="Not our product.",
        ).id


def _dispute(world: World, complaint_id: int, reason: DisputeReason, *, valid: bool) -> None:
    with world.database.transaction() as session:
        dispute = disputes.dispute_complaint(
            session, world.actors[Role.SELLER], complaint_id, reason=reason, statement="Ours."
        )
    with world.database.transaction() as session:
        disputes.decide_dispute(
            session,
            world.actors[Role.ACCOUNT_SPECIALIST],
            dispute.id,
            complaint_valid=valid,
            reason="Checked the goods.",
        )


def _told(world: World, owner: Actor | None = None) -> list[tuple[str, str]]:
    """(kind, English text) of the owner's notices, oldest first."""
    user_id = (owner or world.actors[Role.RIGHTS_OWNER]).user_id
    with world.database.transaction() as session:
        found = session.scalars(
            select(Notice).where(Notice.owner_id == user_id).order_by(Notice.created_at, Notice.id)
        )
        return [(n.kind, n.message.render("en") if n.message else "") for n in found]


def test_the_owner_is_told_each_outcome_once(world: World, policy: Policy) -> None:
    brand_id = brand(world)
    for sku in ("A1", "A2", "A3", "A4"):
        _listing(world, sku)
    asked, upheld, invalid, authorised = (
        _file(world, policy, brand_id, sku) for sku in ("A1", "A2", "A3", "A4")
    )
    assert _told(world) == []  # filing and counting tell the seller, not the owner
    with world.database.transaction() as session:
        request = disputes.request_retraction(
            session, world.actors[Role.SELLER], asked, message="We bought them from you."
        )
    with world.database.transaction() as session:
        disputes.answer_retraction_request(
            session, world.actors[Role.RIGHTS_OWNER], request.id, retract=True, reason="Right."
        )
    _dispute(world, upheld, DisputeReason.NO_INFRINGEMENT, valid=True)
    _dispute(world, invalid, DisputeReason.NO_INFRINGEMENT, valid=False)
    _dispute(world, authorised, DisputeReason.AUTHORISED, valid=False)
    with world.database.transaction() as session:
        letter = session.scalars(select(BrandAuthorisation.id)).one()
        authorisations.revoke_authorisation(
            session, world.actors[Role.ACCOUNT_SPECIALIST], letter, reason="Forged."
        )
    told = _told(world)
    assert [kind for kind, _ in told] == [
        "retraction_requested",
        "complaint_retracted",
        "complaint_upheld",
        "complaint_invalid",
        "complaint_invalid",
        "authorisation_revoked",
    ]
    assert f"Seller S1 asks you to retract your complaint #{asked} (Sorano)" in told[0][1]
    assert "“We bought them from you.”" in told[0][1]
    assert f"complaint #{asked} (Sorano, seller S1) is retracted." in told[1][1]
    assert told[1][1].endswith("The reason: “Right.”")
    assert f"upheld your complaint #{upheld} (Sorano)" in told[2][1]
    assert f"found your complaint #{invalid} (Sorano, seller S1) invalid" in told[3][1]
    assert "revoked seller S1's letter of authorisation for Sorano." in told[5][1]
    with world.database.transaction() as session:
        notices = list(session.scalars(select(Notice).where(Notice.owner_id.is_not(None))))
        assert {n.recipients[0] for n in notices} == {"rights_owner@example.test"}
        assert {(n.language.value, n.seller_id, n.case_id, n.mandatory) for n in notices} == {
            ("ja", None, None, True)  # the owner chose no language: the marketplace's
        }
        assert {n.status for n in notices} == {DeliveryStatus.QUEUED}


def test_the_owner_is_told_of_a_hold_and_its_decision(world: World, policy: Policy) -> None:
    brand_id = brand(world)
    _listing(world, "A1")
    for _ in range(policy.document.notifiers.hold_after_invalid):
        _dispute(
            world, _file(world, policy, brand_id, "A1"), DisputeReason.NO_INFRINGEMENT, valid=False
        )
    held, refused = _file(world, policy, brand_id, "A1"), _file(world, policy, brand_id, "A1")
    with world.database.transaction() as session:
        specialist = world.actors[Role.ACCOUNT_SPECIALIST]
        service.decide_held_complaint(session, specialist, policy, held, count=True, reason="OK.")
        service.decide_held_complaint(
            session, specialist, policy, refused, count=False, reason="No proof."
        )
    told = _told(world)[policy.document.notifiers.hold_after_invalid :]
    days = policy.document.notifiers.window_days
    threshold = policy.document.notifiers.hold_after_invalid
    assert [kind for kind, _ in told] == [
        "complaint_held",
        "complaint_held",
        "held_complaint_counts",
        "complaint_invalid",
    ]
    assert (
        f"{threshold} of your complaints in the last {days} days were found invalid" in told[0][1]
    )
    assert "Digital Services Act Art. 23" in told[0][1]
    assert f"held complaint #{held} (Sorano, seller S1) count from now." in told[2][1]
    assert f"complaint #{refused} (Sorano, seller S1) invalid." in told[3][1]
    assert told[3][1].endswith("“No proof.”")


def test_an_owner_reads_its_own_notices_only(
    client: TestClient, world: World, policy: Policy
) -> None:
    brand_id = brand(world)
    _listing(world, "A1")
    _dispute(world, _file(world, policy, brand_id, "A1"), DisputeReason.NO_INFRINGEMENT, valid=True)
    with world.database.transaction() as session:
        other = add_user(
            session,
            SYSTEM,
            email="other-owner@example.test",
            role=Role.RIGHTS_OWNER,
            password=None,
        )
        other_token = create_api_token(session, SYSTEM, email=other.email)
        other_id = other.id
    mine = client.get("/api/v1/owner-notices", headers=world.headers(Role.RIGHTS_OWNER))
    assert mine.status_code == 200
    [notice] = mine.json()
    assert notice["kind"] == "complaint_upheld"
    assert notice["message_id"] == "owner.complaint_upheld"
    assert notice["text"].startswith("A specialist upheld your complaint")
    japanese = client.get(
        "/api/v1/owner-notices",
        headers={**world.headers(Role.RIGHTS_OWNER), "accept-language": "ja"},
    ).json()
    assert "申立て" in japanese[0]["text"]
    theirs = {"Authorization": f"Bearer {other_token}"}
    assert client.get("/api/v1/owner-notices", headers=theirs).json() == []
    owner_id = world.actors[Role.RIGHTS_OWNER].user_id
    foreign = client.get(f"/api/v1/owner-notices?owner_id={owner_id}", headers=theirs)
    missing = client.get("/api/v1/owner-notices?owner_id=999999", headers=theirs)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["detail"] == f"rights owner {owner_id} not found"
    staff = client.get(
        f"/api/v1/owner-notices?owner_id={owner_id}", headers=world.headers(Role.AHS_AGENT)
    )
    assert [n["id"] for n in staff.json()] == [notice["id"]]
    other_only = client.get(
        f"/api/v1/owner-notices?owner_id={other_id}", headers=world.headers(Role.AHS_AGENT)
    )
    assert other_only.json() == []
    seller_view = client.get("/api/v1/notices", headers=world.headers(Role.SELLER)).json()
    assert notice["id"] not in {n["id"] for n in seller_view}
    all_sellers = client.get("/api/v1/notices", headers=world.headers(Role.AHS_AGENT)).json()
    assert notice["id"] not in {n["id"] for n in all_sellers}
    bad = client.get("/api/v1/owner-notices?limit=0", headers=world.headers(Role.RIGHTS_OWNER))
    assert bad.status_code == 422
    assert "limit" in bad.text
