"""The staff console and the rights owners' pages, over real HTTP requests.

The browser suite (tests/e2e) clicks through the appeal journey; these tests cover the
other forms: AHS calls and notes, a rejection the seller reads, rights owners' brands and
complaints, the audit filter, evidence upload and the /verify page.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kenzen.access import SYSTEM, Role
from kenzen.appeals import service as appeals
from kenzen.appeals.poa import PlanOfAction
from kenzen.cases.models import CaseKind
from kenzen.cases.service import open_case
from kenzen.complaints.brand_check import ListingRow, upsert_listing
from kenzen.complaints.models import BrandAuthorisation, Complaint, ComplaintStatus
from kenzen.i18n import Message
from kenzen.identity.models import User
from kenzen.identity.service import add_user
from kenzen.policy.document import Policy
from kenzen.web.app import MAX_BODY_BYTES
from tests import evidence
from tests.complaints.test_disputes import accepted_letter
from tests.conftest import World
from tests.web.forms import booked_callback, page_token

INQUIRY = Message("case.inquiry.title")

PASSWORD = "a staff password"
LogIn = Callable[[Role], None]


@pytest.fixture
def log_in(client: TestClient, world: World) -> LogIn:
    """Log the client in as a fresh user of ``role`` (a seller user acts for S1)."""

    def act(role: Role) -> None:
        email = f"{role.value}-web@example.test"
        with world.database.transaction() as session:
            if session.scalar(select(User.id).where(User.email == email)) is None:
                add_user(
                    session,
                    SYSTEM,
                    email=email,
                    role=role,
                    password=PASSWORD,
                    seller_id="S1" if role is Role.SELLER else None,
                )
        token = page_token(client)
        client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})

    return act


def test_ahs_claims_completes_and_keeps_notes_the_seller_never_sees(
    client: TestClient, world: World, log_in: LogIn
) -> None:
    callback_id = booked_callback(world)
    log_in(Role.AHS_AGENT)
    queue = client.get("/staff/callbacks").text
    assert f'action="/staff/callbacks/{callback_id}/claim"' in queue
    token = page_token(client, "/staff/callbacks")
    claimed = client.post(
        f"/staff/callbacks/{callback_id}/claim",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert claimed.status_code == 303
    client.post(
        f"/staff/callbacks/{callback_id}/complete",
        data={"csrf_token": token, "outcome": "REACHED", "notes": "CALL-NOTE-7: explained POA"},
    )
    assert "CALL-NOTE-7" in client.get(f"/staff/callbacks/{callback_id}").text
    log_in(Role.SELLER)
    assert "CALL-NOTE-7" not in client.get("/callbacks").text
    log_in(Role.ACCOUNT_SPECIALIST)
    assert client.get(f"/staff/callbacks/{callback_id}").status_code == 403


def test_a_rejection_with_reasons_reaches_the_seller(
    client: TestClient, world: World, log_in: LogIn
) -> None:
    with world.database.transaction() as session:
        case = open_case(session, seller_id="S1", kind=CaseKind.POLICY_VIOLATION, title=INQUIRY)
        poa = PlanOfAction.model_validate(
            {"root_causes": [{"text": "x", "actions": ["a 1"], "preventive_measures": ["b 2"]}]}
        )
        appeal = appeals.submit_appeal(session, SYSTEM, case.id, poa)
    log_in(Role.ACCOUNT_SPECIALIST)
    assert f"/staff/appeals/{appeal.id}" in client.get("/staff/appeals").text
    token = page_token(client, f"/staff/appeals/{appeal.id}")
    empty = client.post(
        f"/staff/appeals/{appeal.id}/decision",
        data={"csrf_token": token, "decision": "REJECTED", "reasons": ""},
    )
    assert empty.status_code == 422
    client.post(
        f"/staff/appeals/{appeal.id}/decision",
        data={"csrf_token": token, "decision": "REJECTED", "reasons": "REASON-42: no invoices"},
    )
    log_in(Role.SELLER)
    assert "REASON-42: no invoices" in client.get(f"/cases/{case.id}/appeal").text


def test_rights_owner_registers_files_and_retracts(
    client: TestClient, world: World, log_in: LogIn
) -> None:
    with world.database.transaction() as session:
        row = ListingRow(1, "S1", "A1", "B0A1", "ソラノ イヤホン", "ノーブランド", "", "merchant")
        upsert_listing(session, SYSTEM, row)
    log_in(Role.RIGHTS_OWNER)
    token = page_token(client, "/rights")
    client.post(
        "/rights/brands",
        data={
            "csrf_token": token,
            "name": "Sorano",
            "registration_number": "JP-1",
            "country": "JP",
            "terms": "ソラノ",
        },
    )
    page = client.get("/rights").text
    brand = re.search(r'name="brand_id"[^>]*>\s*<option value="(\d+)"', page)
    assert brand is not None, page
    client.post(
        "/rights/complaints",
        data={
            "csrf_token": token,
            "brand_id": brand.group(1),
            "kind": "trademark",
            "listing_ids": "B0A1",
            "evidence": "Test buy",
        },
    )
    filed = re.search(r'action="/rights/complaints/(\d+)/retract"', client.get("/rights").text)
    assert filed is not None
    client.post(
        f"/rights/complaints/{filed.group(1)}/retract",
        data={"csrf_token": token, "reason": "licensed"},
    )
    assert 'action="/rights/complaints/' not in client.get("/rights").text


def test_rights_owner_searches_in_kana_and_files_from_the_results(
    client: TestClient, world: World, log_in: LogIn
) -> None:
    with world.database.transaction() as session:
        for seller_id, sku, title in (
            ("S1", "K1", "ﾐﾄﾞﾘｶﾒﾗ 一眼レフ"),
            ("S2", "K2", "みどりかめら"),
        ):
            row = ListingRow(1, seller_id, sku, f"B0{sku}", title, "", "", "merchant")
            upsert_listing(session, SYSTEM, row)
    log_in(Role.RIGHTS_OWNER)
    token = page_token(client, "/rights")
    client.post(
        "/rights/brands",
        data={
            "csrf_token": token,
            "name": "ミドリカメラ",
            "registration_number": "R-1",
            "country": "JP",
        },
    )
    brand = re.search(r'name="brand_id"[^>]*>\s*<option value="(\d+)"', client.get("/rights").text)
    assert brand is not None
    page = client.get(f"/rights?brand_id={brand.group(1)}").text
    assert re.findall(r'name="listing" value="([^"]+)"', page) == ["B0K1 S1", "B0K2 S2"]
    form = {"csrf_token": token, "brand_id": brand.group(1), "kind": "copyright"}
    claim = {"listing": ["B0K1 S1"], "evidence": "Our catalogue photo, copied."}
    refused = client.post("/rights/complaints", data={**form, **claim})
    assert refused.status_code == 422
    assert "work: required for a copyright complaint" in refused.text
    filed = client.post(
        "/rights/complaints",
        data={**form, **claim, "work": "https://midori.example/p/1"},
        follow_redirects=False,
    )
    assert filed.status_code == 303
    page = client.get("/rights").text
    assert re.findall(r'data-testid="complaint-listing">([^<]+)<', page) == ["B0K1"]
    complaint = re.search(r'action="/rights/complaints/(\d+)/files"', page)
    assert complaint is not None
    client.post(
        f"/rights/complaints/{complaint.group(1)}/files",
        data={"csrf_token": token},
        files={"upload": ("photo.png", evidence.image(), "image/png")},
    )
    assert 'data-testid="complaint-file">photo.png<' in client.get("/rights").text


def test_a_complaint_disputed_and_asked_to_be_retracted_through_the_pages(
    client: TestClient, world: World, log_in: LogIn
) -> None:
    with world.database.transaction() as session:
        for sku in ("A1", "A2"):
            row = ListingRow(1, "S1", sku, f"B0{sku}", "ソラノ イヤホン", "", "", "merchant")
            upsert_listing(session, SYSTEM, row)
    log_in(Role.RIGHTS_OWNER)
    token = page_token(client, "/rights")
    client.post(
        "/rights/brands",
        data={"csrf_token": token, "name": "ソラノ", "registration_number": "R-1", "country": "JP"},
    )
    brand = re.search(r'name="brand_id"[^>]*>\s*<option value="(\d+)"', client.get("/rights").text)
    assert brand is not None
    for listing_id in ("B0A1", "B0A2"):
        client.post(
            "/rights/complaints",
            data={
                "csrf_token": token,
                "brand_id": brand.group(1),
                "kind": "trademark",
                "listing_ids": listing_id,
                "evidence": "Not our product.",
            },
        )
    with world.database.transaction() as session:
        disputed, asked = session.scalars(select(Complaint.case_id).order_by(Complaint.id))
    log_in(Role.SELLER)
    token = page_token(client, f"/cases/{disputed}")
    client.post(
        f"/cases/{disputed}/complaint/dispute",
        data={"csrf_token": token, "reason": "authentic_with_invoices", "statement": "Genuine."},
    )
    client.post(
        f"/cases/{disputed}/complaint/dispute/files",
        data={"csrf_token": token},
        files={"upload": ("invoice.pdf", evidence.pdf(), "application/pdf")},
    )
    client.post(
        f"/cases/{asked}/complaint/retraction", data={"csrf_token": token, "message": "Please."}
    )
    assert "invoice.pdf" in client.get(f"/cases/{disputed}").text
    log_in(Role.RIGHTS_OWNER)
    token = page_token(client, "/rights")
    page = client.get("/rights").text
    assert page.count('data-testid="owner-notice"') == 1  # the seller's request, told
    assert 'data-kind="retraction_requested"' in page
    request = re.search(r'action="/rights/retraction-requests/(\d+)/answer"', page)
    assert request is not None
    client.post(
        f"/rights/retraction-requests/{request.group(1)}/answer",
        data={"csrf_token": token, "answer": "retract", "reason": "Checked the invoice."},
    )
    log_in(Role.ACCOUNT_SPECIALIST)
    token = page_token(client, "/staff/disputes")
    queue = client.get("/staff/disputes").text
    assert queue.count('data-testid="queued-dispute"') == 1
    assert "invoice.pdf" in queue
    dispute = re.search(r'action="/staff/disputes/(\d+)/decision"', queue)
    assert dispute is not None
    client.post(
        f"/staff/disputes/{dispute.group(1)}/decision",
        data={"csrf_token": token, "outcome": "invalid", "reason": "Genuine goods."},
    )
    assert 'data-testid="queued-dispute"' not in client.get("/staff/disputes").text
    with world.database.transaction() as session:
        statuses = list(session.scalars(select(Complaint.status).order_by(Complaint.id)))
        assert statuses == [ComplaintStatus.INVALID, ComplaintStatus.RETRACTED]
    log_in(Role.SELLER)
    page = client.get(f"/cases/{disputed}").text
    assert 'data-testid="complaint-status">INVALID<' in page
    assert "無効と判断" in page  # S1 reads Japanese: the status label, not only its code
    assert "担当者の判断待ち" not in page
    assert "申立ては無効と判断" in page
    assert "Genuine goods." in page
    log_in(Role.RIGHTS_OWNER)
    page = client.get("/rights", headers={"accept-language": "en"}).text
    told = re.findall(r'data-testid="owner-notice" data-kind="(\w+)"', page)
    assert sorted(told) == ["complaint_invalid", "complaint_retracted", "retraction_requested"]
    assert "Found invalid" in page
    assert "Retracted" in page


def test_the_audit_log_filters_by_action(client: TestClient, world: World, log_in: LogIn) -> None:
    log_in(Role.ADMIN)
    page = client.get("/staff/audit?action=addUser").text
    actions = set(re.findall(r"<td>(addUser|createToken|addSeller)</td>", page))
    assert actions == {"addUser"}


def test_evidence_upload_is_checked_by_content(
    client: TestClient, world: World, log_in: LogIn
) -> None:
    with world.database.transaction() as session:
        case = open_case(session, seller_id="S1", kind=CaseKind.POLICY_VIOLATION, title=INQUIRY)
    log_in(Role.SELLER)
    token = page_token(client, f"/cases/{case.id}/appeal")
    disguised = client.post(
        f"/cases/{case.id}/appeal/attachments",
        data={"csrf_token": token, "kind": "invoice"},
        files={"upload": ("invoice.pdf", b"MZ not a pdf", "application/pdf")},
    )
    assert disguised.status_code == 422
    client.post(
        f"/cases/{case.id}/appeal/attachments",
        data={"csrf_token": token, "kind": "invoice"},
        files={"upload": ("invoice.pdf", evidence.pdf(), "application/pdf")},
    )
    assert "invoice.pdf" in client.get(f"/cases/{case.id}/appeal").text


def test_evidence_past_the_general_body_limit_is_taken_on_the_page(
    client: TestClient, world: World, log_in: LogIn
) -> None:
    with world.database.transaction() as session:
        case = open_case(session, seller_id="S1", kind=CaseKind.POLICY_VIOLATION, title=INQUIRY)
    log_in(Role.SELLER)
    token = page_token(client, f"/cases/{case.id}/appeal")
    picture = evidence.scan(2 * MAX_BODY_BYTES)
    answer = client.post(
        f"/cases/{case.id}/appeal/attachments",
        data={"csrf_token": token, "kind": "invoice"},
        files={"upload": ("invoice-scan.png", picture, "image/png")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "invoice-scan.png" in client.get(f"/cases/{case.id}/appeal").text


def test_verify_page_calls_a_pasted_fake_suspicious(
    client: TestClient, world: World, log_in: LogIn
) -> None:
    log_in(Role.SELLER)
    token = page_token(client, "/verify")
    fake = (
        "From: Amaz0n Account Health <account-health@amaz0n-security.example>\r\n"
        "Subject: Your account is suspended\r\n\r\nClick https://amaz0n-security.example/login\r\n"
    )
    page = client.post("/verify", data={"csrf_token": token, "message": fake}).text
    assert "SUSPICIOUS" in page


def test_a_specialist_revokes_a_letter_of_authorisation_on_the_dispute_page(
    client: TestClient, world: World, policy: Policy, log_in: LogIn
) -> None:
    letter_id, _ = accepted_letter(world, policy)
    log_in(Role.ACCOUNT_SPECIALIST)
    token = page_token(client, "/staff/disputes")
    page = client.get("/staff/disputes", headers={"accept-language": "en"}).text
    assert page.count('data-testid="authorisation"') == 1
    assert "Revoke the letter" in page
    action = f"/staff/brand-authorisations/{letter_id}/revoke"
    refused = client.post(action, data={"csrf_token": token, "reason": " "})
    assert refused.status_code == 422
    assert "reason" in refused.text
    with world.database.transaction() as session:
        assert session.get_one(BrandAuthorisation, letter_id).revoked_at is None
    client.post(action, data={"csrf_token": token, "reason": "The letter was forged."})
    assert 'data-testid="authorisation"' not in client.get("/staff/disputes").text
    with world.database.transaction() as session:
        letter = session.get_one(BrandAuthorisation, letter_id)
        assert letter.revocation_reason == "The letter was forged."
