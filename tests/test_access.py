"""The whole (role, operation) matrix, through the HTTP API, on the configured database.

The expected outcomes are written out here by hand, independently of ``access.PERMISSIONS``,
so a change to the table that nobody meant shows up as a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen.access import SYSTEM, Role
from kenzen.audit import AuditEntry, Outcome
from kenzen.cases.models import CaseKind
from kenzen.cases.service import open_case
from kenzen.complaints import disputes
from kenzen.complaints.brand_check import ListingRow, upsert_listing
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import BrandAuthorisation, ComplaintKind, DisputeReason
from kenzen.complaints.service import file_complaint, register_brand
from kenzen.i18n import Message
from kenzen.policy.document import Policy, ReviewMode
from kenzen.policy.proposals import Proposed, open_proposal
from tests.conftest import World
from tests.evidence import image

INQUIRY = Message("case.inquiry.title")

SELLER, RIGHTS, AHS, SPECIALIST, ADMIN = (
    Role.SELLER,
    Role.RIGHTS_OWNER,
    Role.AHS_AGENT,
    Role.ACCOUNT_SPECIALIST,
    Role.ADMIN,
)

ORDERS_CSV = (
    "order_id,seller_id,marketplace_id,purchased_at,fulfillment,updated_at\n"
    "O1,S1,JP,2026-11-01T10:00:00+09:00,marketplace,2026-11-01T10:00:00+09:00\n"
)

Call = Callable[[TestClient, dict[str, str], dict[str, int]], Response]

OPERATIONS: dict[str, Call] = {
    "whoAmI": lambda c, h, ids: c.get("/api/v1/me", headers=h),
    "getSellerHealth (own)": lambda c, h, ids: c.get("/api/v1/sellers/S1/health", headers=h),
    "getSellerHealth (other)": lambda c, h, ids: c.get("/api/v1/sellers/S2/health", headers=h),
    "listCases (own)": lambda c, h, ids: c.get("/api/v1/cases?seller_id=S1", headers=h),
    "listCases (other)": lambda c, h, ids: c.get("/api/v1/cases?seller_id=S2", headers=h),
    "getCase (own)": lambda c, h, ids: c.get(f"/api/v1/cases/{ids['S1']}", headers=h),
    "getCase (other)": lambda c, h, ids: c.get(f"/api/v1/cases/{ids['S2']}", headers=h),
    "addCaseNote seller-visible (own)": lambda c, h, ids: c.post(
        f"/api/v1/cases/{ids['S1']}/notes", headers=h, json={"text": "hi", "visibility": "seller"}
    ),
    "addCaseNote ahs-internal (own)": lambda c, h, ids: c.post(
        f"/api/v1/cases/{ids['S1']}/notes", headers=h, json={"text": "hi", "visibility": "ahs"}
    ),
    "addCaseNote specialist-internal (own)": lambda c, h, ids: c.post(
        f"/api/v1/cases/{ids['S1']}/notes",
        headers=h,
        json={"text": "hi", "visibility": "seller_performance"},
    ),
    "getSellerPerformanceReport (own)": lambda c, h, ids: c.get(
        "/api/v1/sellers/S1/performance-report", headers=h
    ),
    "getSellerPerformanceReport (other)": lambda c, h, ids: c.get(
        "/api/v1/sellers/S2/performance-report", headers=h
    ),
    "importEvents": lambda c, h, ids: c.post(
        "/api/v1/events/orders",
        headers=h,
        files={"file": ("orders.csv", ORDERS_CSV.encode(), "text/csv")},
    ),
    "getSellerRating (own)": lambda c, h, ids: c.get("/api/v1/sellers/S1/rating", headers=h),
    "getSellerRating (other)": lambda c, h, ids: c.get("/api/v1/sellers/S2/rating", headers=h),
    "putListing (own)": lambda c, h, ids: c.put(
        "/api/v1/sellers/S1/listings/NEW-1", headers=h, json={"listing_id": "B0N", "title": "x"}
    ),
    "putListing (other)": lambda c, h, ids: c.put(
        "/api/v1/sellers/S2/listings/NEW-1", headers=h, json={"listing_id": "B0N", "title": "x"}
    ),
    "registerBrand": lambda c, h, ids: c.post(
        "/api/v1/brands", headers=h, json={"name": "B", "registration_number": "R", "country": "JP"}
    ),
    "listBrands": lambda c, h, ids: c.get("/api/v1/brands", headers=h),
    "fileComplaint": lambda c, h, ids: c.post(
        "/api/v1/complaints",
        headers=h,
        json={
            "brand_id": ids["brand"],
            "kind": "trademark",
            "listings": [{"listing_id": "B0SKU1"}],
            "evidence": "test buy",
        },
    ),
    "listComplaints": lambda c, h, ids: c.get("/api/v1/complaints", headers=h),
    "searchListings": lambda c, h, ids: c.get(
        "/api/v1/catalogue/listings?listing_id=B0SKU1", headers=h
    ),
    "disputeComplaint": lambda c, h, ids: c.post(
        f"/api/v1/complaints/{ids['complaint']}/disputes",
        headers=h,
        json={"reason": "authentic_with_invoices", "statement": "genuine"},
    ),
    "addDisputeFile": lambda c, h, ids: c.post(
        "/api/v1/dispute-files",
        headers=h,
        data={"dispute_id": str(ids["dispute"])},
        files={"file": ("invoice.png", image(), "image/png")},
    ),
    "listDisputes": lambda c, h, ids: c.get("/api/v1/disputes", headers=h),
    "decideDispute": lambda c, h, ids: c.post(
        f"/api/v1/disputes/{ids['dispute']}/decision",
        headers=h,
        json={"outcome": "uphold", "reason": "the mark is on the box"},
    ),
    "requestRetraction": lambda c, h, ids: c.post(
        f"/api/v1/complaints/{ids['complaint']}/retraction-requests",
        headers=h,
        json={"message": "please"},
    ),
    "listRetractionRequests": lambda c, h, ids: c.get("/api/v1/retraction-requests", headers=h),
    "answerRetractionRequest": lambda c, h, ids: c.post(
        f"/api/v1/retraction-requests/{ids['request']}/answer",
        headers=h,
        json={"retract": False, "reason": "the mark is ours"},
    ),
    "getNotifierReputation": lambda c, h, ids: c.get(
        f"/api/v1/notifiers/{ids['owner']}/reputation", headers=h
    ),
    "listBrandAuthorisations": lambda c, h, ids: c.get("/api/v1/brand-authorisations", headers=h),
    "listOwnerNotices": lambda c, h, ids: c.get("/api/v1/owner-notices", headers=h),
    "listOwnerNotices (another owner's)": lambda c, h, ids: c.get(
        f"/api/v1/owner-notices?owner_id={ids['owner'] + 1000}", headers=h
    ),
    "revokeBrandAuthorisation": lambda c, h, ids: c.post(
        f"/api/v1/brand-authorisations/{ids['letter']}/revocation",
        headers=h,
        json={"reason": "the brand withdrew it"},
    ),
    "decideHeldComplaint (not held)": lambda c, h, ids: c.post(
        f"/api/v1/complaints/{ids['complaint']}/hold-decision",
        headers=h,
        json={"count": True, "reason": "genuine"},
    ),
    "addComplaintFile": lambda c, h, ids: c.post(
        "/api/v1/complaint-files",
        headers=h,
        data={"complaint_id": str(ids["complaint"])},
        files={"file": ("buy.png", image(), "image/png")},
    ),
    "getPolicy": lambda c, h, ids: c.get("/api/v1/policy", headers=h),
    "getTransparencyReport": lambda c, h, ids: c.get(
        "/api/v1/transparency-report?from=2026-01-01&to=2026-01-31", headers=h
    ),
    "reloadPolicy": lambda c, h, ids: c.post("/api/v1/policy/reload", headers=h),
    "setAccountStatus (own)": lambda c, h, ids: c.post(
        "/api/v1/sellers/S1/status", headers=h, json={"status": "AT_RISK", "reason": "ODR 1.4%"}
    ),
    "setAccountStatus (other)": lambda c, h, ids: c.post(
        "/api/v1/sellers/S2/status", headers=h, json={"status": "AT_RISK", "reason": "ODR 1.4%"}
    ),
    "setEmergencyContact (own)": lambda c, h, ids: c.put(
        "/api/v1/sellers/S1/emergency-contact", headers=h, json={"phone": "090-1234-5678"}
    ),
    "setEmergencyContact (other)": lambda c, h, ids: c.put(
        "/api/v1/sellers/S2/emergency-contact", headers=h, json={"phone": "090-1234-5678"}
    ),
    "getAssuranceStatus (own)": lambda c, h, ids: c.get("/api/v1/sellers/S1/assurance", headers=h),
    "getAssuranceStatus (other)": lambda c, h, ids: c.get(
        "/api/v1/sellers/S2/assurance", headers=h
    ),
    "getQueueOverview": lambda c, h, ids: c.get("/api/v1/queues", headers=h),
    "readMetrics": lambda c, h, ids: c.get("/metrics", headers=h),
    "listEnforcementProposals": lambda c, h, ids: c.get("/api/v1/enforcement-proposals", headers=h),
    "getEnforcementProposal": lambda c, h, ids: c.get(
        f"/api/v1/enforcement-proposals/{ids['proposal']}", headers=h
    ),
    "decideEnforcementProposal": lambda c, h, ids: c.post(
        f"/api/v1/enforcement-proposals/{ids['proposal']}/decision",
        headers=h,
        json={"verdict": "REJECT", "reasons": "not proven"},
    ),
}

# "own" is seller S1, which the seller user acts for; "other" is seller S2.
EXPECTED: dict[str, dict[Role, int]] = {
    "whoAmI": {SELLER: 200, RIGHTS: 200, AHS: 200, SPECIALIST: 200, ADMIN: 200},
    "getSellerHealth (own)": {SELLER: 200, RIGHTS: 403, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "getSellerHealth (other)": {SELLER: 404, RIGHTS: 403, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "listCases (own)": {SELLER: 200, RIGHTS: 403, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "listCases (other)": {SELLER: 404, RIGHTS: 403, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "getCase (own)": {SELLER: 200, RIGHTS: 403, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "getCase (other)": {SELLER: 404, RIGHTS: 403, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "addCaseNote seller-visible (own)": {
        SELLER: 201,
        RIGHTS: 403,
        AHS: 201,
        SPECIALIST: 201,
        ADMIN: 403,
    },
    "addCaseNote ahs-internal (own)": {
        SELLER: 403,
        RIGHTS: 403,
        AHS: 201,
        SPECIALIST: 403,
        ADMIN: 403,
    },
    "addCaseNote specialist-internal (own)": {
        SELLER: 403,
        RIGHTS: 403,
        AHS: 403,
        SPECIALIST: 201,
        ADMIN: 403,
    },
    "getSellerPerformanceReport (own)": {
        SELLER: 200,
        RIGHTS: 403,
        AHS: 200,
        SPECIALIST: 200,
        ADMIN: 403,
    },
    "getSellerPerformanceReport (other)": {
        SELLER: 404,
        RIGHTS: 403,
        AHS: 200,
        SPECIALIST: 200,
        ADMIN: 403,
    },
    "importEvents": {SELLER: 403, RIGHTS: 403, AHS: 403, SPECIALIST: 403, ADMIN: 200},
    "getSellerRating (own)": {SELLER: 200, RIGHTS: 403, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "getSellerRating (other)": {SELLER: 404, RIGHTS: 403, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "putListing (own)": {SELLER: 200, RIGHTS: 403, AHS: 403, SPECIALIST: 403, ADMIN: 403},
    "putListing (other)": {SELLER: 404, RIGHTS: 403, AHS: 403, SPECIALIST: 403, ADMIN: 403},
    "registerBrand": {SELLER: 403, RIGHTS: 201, AHS: 403, SPECIALIST: 403, ADMIN: 403},
    "listBrands": {SELLER: 403, RIGHTS: 200, AHS: 403, SPECIALIST: 403, ADMIN: 403},
    "fileComplaint": {SELLER: 403, RIGHTS: 201, AHS: 403, SPECIALIST: 403, ADMIN: 403},
    "listComplaints": {SELLER: 403, RIGHTS: 200, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "searchListings": {SELLER: 403, RIGHTS: 200, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "addComplaintFile": {SELLER: 403, RIGHTS: 201, AHS: 403, SPECIALIST: 403, ADMIN: 403},
    "getNotifierReputation": {SELLER: 403, RIGHTS: 200, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    # the specialist passes the permission and meets the complaint's state
    "decideHeldComplaint (not held)": {
        SELLER: 403,
        RIGHTS: 403,
        AHS: 403,
        SPECIALIST: 409,
        ADMIN: 403,
    },
    "disputeComplaint": {SELLER: 201, RIGHTS: 403, AHS: 403, SPECIALIST: 403, ADMIN: 403},
    "addDisputeFile": {SELLER: 201, RIGHTS: 403, AHS: 403, SPECIALIST: 403, ADMIN: 403},
    "listDisputes": {SELLER: 200, RIGHTS: 200, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "decideDispute": {SELLER: 403, RIGHTS: 403, AHS: 403, SPECIALIST: 200, ADMIN: 403},
    "requestRetraction": {SELLER: 201, RIGHTS: 403, AHS: 403, SPECIALIST: 403, ADMIN: 403},
    "listRetractionRequests": {SELLER: 200, RIGHTS: 200, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "answerRetractionRequest": {SELLER: 403, RIGHTS: 200, AHS: 403, SPECIALIST: 403, ADMIN: 403},
    "listBrandAuthorisations": {SELLER: 200, RIGHTS: 200, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "listOwnerNotices": {SELLER: 403, RIGHTS: 200, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "listOwnerNotices (another owner's)": {
        SELLER: 403,
        RIGHTS: 404,
        AHS: 200,
        SPECIALIST: 200,
        ADMIN: 403,
    },
    "revokeBrandAuthorisation": {SELLER: 403, RIGHTS: 403, AHS: 403, SPECIALIST: 200, ADMIN: 403},
    "getPolicy": {SELLER: 200, RIGHTS: 200, AHS: 200, SPECIALIST: 200, ADMIN: 200},
    "getTransparencyReport": {SELLER: 403, RIGHTS: 403, AHS: 200, SPECIALIST: 200, ADMIN: 200},
    "reloadPolicy": {SELLER: 403, RIGHTS: 403, AHS: 403, SPECIALIST: 403, ADMIN: 200},
    "setAccountStatus (own)": {SELLER: 403, RIGHTS: 403, AHS: 403, SPECIALIST: 200, ADMIN: 403},
    "setAccountStatus (other)": {SELLER: 403, RIGHTS: 403, AHS: 403, SPECIALIST: 200, ADMIN: 403},
    "setEmergencyContact (own)": {SELLER: 200, RIGHTS: 403, AHS: 403, SPECIALIST: 403, ADMIN: 403},
    "setEmergencyContact (other)": {
        SELLER: 404,
        RIGHTS: 403,
        AHS: 403,
        SPECIALIST: 403,
        ADMIN: 403,
    },
    "getQueueOverview": {SELLER: 403, RIGHTS: 403, AHS: 200, SPECIALIST: 200, ADMIN: 200},
    "readMetrics": {SELLER: 403, RIGHTS: 403, AHS: 403, SPECIALIST: 403, ADMIN: 200},
    "getAssuranceStatus (own)": {SELLER: 200, RIGHTS: 403, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "getAssuranceStatus (other)": {SELLER: 404, RIGHTS: 403, AHS: 200, SPECIALIST: 200, ADMIN: 403},
    "listEnforcementProposals": {SELLER: 403, RIGHTS: 403, AHS: 403, SPECIALIST: 200, ADMIN: 403},
    "getEnforcementProposal": {SELLER: 403, RIGHTS: 403, AHS: 403, SPECIALIST: 200, ADMIN: 403},
    "decideEnforcementProposal": {
        SELLER: 403,
        RIGHTS: 403,
        AHS: 403,
        SPECIALIST: 200,
        ADMIN: 403,
    },
}

MATRIX = [
    (operation, role, status) for operation, row in EXPECTED.items() for role, status in row.items()
]


def _cases(world: World, policy: Policy) -> dict[str, int]:
    """Cases of S1 and S2, a brand of the rights owner, a listing of S1 (B0SKU1) and the
    rights owner's complaints against it, one disputed and asked to be retracted."""
    with world.database.transaction() as session:
        ids = {
            seller_id: open_case(
                session, seller_id=seller_id, kind=CaseKind.GENERAL, title=INQUIRY
            ).id
            for seller_id in ("S1", "S2")
        }
        ids["brand"] = register_brand(
            session,
            world.actors[RIGHTS],
            name="Sorano",
            registration_number="JP-1",
            country="JP",
        ).id
        row = ListingRow(1, "S1", "SKU-1", "B0SKU1", "earphones", "", "", "merchant")
        upsert_listing(session, SYSTEM, row)
        ids["complaint"] = file_complaint(
            session,
            world.actors[RIGHTS],
            policy,
            brand_id=ids["brand"],
            kind=ComplaintKind.TRADEMARK,
            listings=[ListingRef("B0SKU1")],
            evidence="test buy",
        ).id
        answered = file_complaint(
            session,
            world.actors[RIGHTS],
            policy,
            brand_id=ids["brand"],
            kind=ComplaintKind.TRADEMARK,
            listings=[ListingRef("B0SKU1")],
            evidence="test buy",
        ).id
        seller = world.actors[SELLER]
        ids["dispute"] = disputes.dispute_complaint(
            session, seller, answered, reason=DisputeReason.NO_INFRINGEMENT, statement="no"
        ).id
        ids["request"] = disputes.request_retraction(session, seller, answered, message="pls").id
        ids["owner"] = world.actors[RIGHTS].user_id or 0
        ids["letter"] = _accepted_letter(world, policy, session)
        proposal = open_proposal(
            session,
            Proposed(
                seller_id="S1",
                kind="DEACTIVATE",
                rule="caps.ip_complaints",
                review=ReviewMode.SPECIALIST,
                as_of=date(2026, 11, 20),
                policy_version="0" * 64,
                facts=frozenset({"rule:caps.ip_complaints"}),
                evidence={},
                case_id=ids["S1"],
            ),
        )
        assert proposal is not None
        ids["proposal"] = proposal.id
        return ids


def _accepted_letter(world: World, policy: Policy, session: Session) -> int:
    """S1's letter of authorisation for a second brand, accepted on a dispute."""
    kumo = register_brand(
        session, world.actors[RIGHTS], name="Kumo", registration_number="JP-2", country="JP"
    ).id
    row = ListingRow(1, "S1", "SKU-2", "B0SKU2", "case", "", "", "merchant")
    upsert_listing(session, SYSTEM, row)
    complaint = file_complaint(
        session,
        world.actors[RIGHTS],
        policy,
        brand_id=kumo,
        kind=ComplaintKind.TRADEMARK,
        listings=[ListingRef("B0SKU2")],
        evidence="test buy",
    ).id
    dispute = disputes.dispute_complaint(
        session, world.actors[SELLER], complaint, reason=DisputeReason.AUTHORISED, statement="LoA"
    ).id
    disputes.decide_dispute(session, SYSTEM, dispute, complaint_valid=False, reason="genuine")
    return session.scalars(select(BrandAuthorisation.id)).one()


def test_matrix_covers_every_operation_and_role() -> None:
    assert set(EXPECTED) == set(OPERATIONS)
    human_roles = {SELLER, RIGHTS, AHS, SPECIALIST, ADMIN}
    assert all(set(row) == human_roles for row in EXPECTED.values())


@pytest.mark.parametrize(("operation", "role", "expected"), MATRIX)
def test_access_matrix(
    client: TestClient, world: World, policy: Policy, operation: str, role: Role, expected: int
) -> None:
    response = OPERATIONS[operation](client, world.headers(role), _cases(world, policy))
    assert response.status_code == expected, response.text


def test_denied_attempts_are_audited_and_change_nothing(client: TestClient, world: World) -> None:
    response = client.post(
        "/api/v1/sellers/S1/status",
        headers=world.headers(AHS),
        json={"status": "DEACTIVATED", "reason": "AHS has no authority"},
    )
    assert response.status_code == 403
    hidden = client.get("/api/v1/sellers/S2/health", headers=world.headers(SELLER))
    assert hidden.status_code == 404
    assert hidden.json() == {"detail": "出品者 S2 が見つかりません"}  # S1's seller reads Japanese
    with world.database.transaction() as session:
        denied = session.scalars(
            select(AuditEntry).where(AuditEntry.outcome == Outcome.DENIED).order_by(AuditEntry.id)
        ).all()
        assert [(e.actor, e.action, e.target) for e in denied] == [
            ("ahs_agent@example.test", "setAccountStatus", "seller:S1"),
            ("seller@example.test", "getSellerHealth", "seller:S2"),
        ]
    health = client.get("/api/v1/sellers/S1/health", headers=world.headers(SPECIALIST))
    assert health.json()["status"] == "NORMAL"


def test_another_sellers_case_is_indistinguishable_from_a_missing_one(
    client: TestClient, world: World, policy: Policy
) -> None:
    ids = _cases(world, policy)
    foreign = client.get(f"/api/v1/cases/{ids['S2']}", headers=world.headers(SELLER))
    missing = client.get("/api/v1/cases/999999", headers=world.headers(SELLER))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["detail"] == f"ケース {ids['S2']} が見つかりません"  # S1 reads Japanese
    assert missing.json()["detail"] == "ケース 999999 が見つかりません"


def test_a_seller_listing_cases_sees_only_its_own(
    client: TestClient, world: World, policy: Policy
) -> None:
    _cases(world, policy)
    listed = client.get("/api/v1/cases", headers=world.headers(SELLER)).json()
    assert {c["seller_id"] for c in listed} == {"S1"}
    staff = client.get("/api/v1/cases", headers=world.headers(AHS)).json()
    assert {c["seller_id"] for c in staff} == {"S1", "S2"}
