"""The seed's whole journey through the HTTP API, on SQLite and PostgreSQL alike.

A rights owner's complaints lead to a deactivation a specialist confirms; the seller reads
the notice and the guidance, books a call (18:30 is after hours: 09:00 next day is
offered), AHS calls and keeps notes, the seller fixes a vague Plan of Action with the
checker and submits; AHS may not decide; a specialist asks for more, then accepts; the
account is NORMAL again, the listings are back, every step is audited — and the specialist
never saw the call notes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
from fastapi.testclient import TestClient
from sqlalchemy import select

from kenzen.access import SYSTEM, Role
from kenzen.audit import AuditEntry
from kenzen.policy.document import Policy
from kenzen.policy.evaluation import evaluate
from tests import evidence
from tests.conftest import World

JST = ZoneInfo("Asia/Tokyo")
CALL_NOTE = "Seller thought the goods were no-brand; explained the three parts of a POA."


def test_the_appeal_journey(client: TestClient, world: World, policy: Policy) -> None:
    seen_by_specialist: list[str] = []

    def as_(role: Role, method: str, url: str, **kwargs: object) -> httpx2.Response:
        response = client.request(method, url, headers=world.headers(role), **kwargs)  # type: ignore[arg-type]
        if role is Role.ACCOUNT_SPECIALIST:
            seen_by_specialist.append(response.text)
        return response

    # the rights owner registers its brand; the seller's listings name it as "no brand"
    brand = as_(
        Role.RIGHTS_OWNER,
        "POST",
        "/api/v1/brands",
        json={
            "name": "Sorano",
            "registration_number": "JP-T-6123456",
            "country": "JP",
            "terms": ["ソラノ"],
        },
    ).json()
    listings = [
        as_(
            Role.SELLER,
            "PUT",
            f"/api/v1/sellers/S1/listings/{sku}",
            json={
                "listing_id": f"B0{sku}",
                "title": "ソラノ ワイヤレスイヤホン",
                "brand": "ノーブランド",
            },
        ).json()
        for sku in ("A1", "A2")
    ]
    assert listings[0]["findings"][0]["kind"] == "NO_BRAND_NAMES_TERM"
    for n in range(5):
        filed = as_(
            Role.RIGHTS_OWNER,
            "POST",
            "/api/v1/complaints",
            json={
                "brand_id": brand["id"],
                "kind": "counterfeit" if n % 2 else "trademark",
                "listings": [{"listing_id": listings[n % 2]["listing_id"]}],
                "evidence": f"Test buy {n + 1}",
            },
        )
        assert filed.status_code == 201, filed.text

    # evaluation: five received IP complaints hit the cap → a deactivation is proposed, the
    # seller sees the review under way, a specialist confirms → DEACTIVATED
    evaluate(world.database, SYSTEM, policy, datetime.now(JST).date())
    health = as_(Role.SELLER, "GET", "/api/v1/sellers/S1/health").json()
    assert [r["action"] for r in health["reviews_under_way"]] == ["DEACTIVATE"]
    [proposal] = as_(Role.ACCOUNT_SPECIALIST, "GET", "/api/v1/enforcement-proposals").json()
    confirmed = as_(
        Role.ACCOUNT_SPECIALIST,
        "POST",
        f"/api/v1/enforcement-proposals/{proposal['id']}/decision",
        json={"verdict": "CONFIRM", "reasons": "Five test buys show the registered mark."},
    )
    assert confirmed.json()["status"] == "CONFIRMED", confirmed.text
    health = as_(Role.SELLER, "GET", "/api/v1/sellers/S1/health").json()
    assert health["status"] == "DEACTIVATED"
    case_id = next(c["id"] for c in health["open_cases"] if c["kind"] == "policy_violation")
    case = as_(Role.SELLER, "GET", f"/api/v1/cases/{case_id}").json()
    texts = [e["text"] for e in case["entries"]]
    assert "審査しています" in texts[0]  # first the review, then its outcome
    assert any("から 停止 に変わりました" in t for t in texts[1:])  # S1 reads Japanese
    assert all(
        world.actors[Role.ACCOUNT_SPECIALIST].email not in e["author"] for e in case["entries"]
    )
    guidance = as_(Role.SELLER, "GET", f"/api/v1/cases/{case_id}/guidance").json()
    assert [g["topic"] for g in guidance] == ["ip"]
    assert guidance[0]["why"].startswith("権利者から")

    # a callback at 18:30 JST is offered at 09:00 the next day
    evening = datetime.combine(
        datetime.now(JST).date() + timedelta(days=1), datetime.min.time(), JST
    )
    booked = as_(
        Role.SELLER,
        "POST",
        "/api/v1/sellers/S1/callbacks",
        json={
            "phone": "090-1234-5678",
            "case_id": case_id,
            "preferred_time": (evening + timedelta(hours=18, minutes=30)).isoformat(),
        },
    ).json()
    assert booked["offered"] is True
    assert booked["slot_start"] == (evening + timedelta(days=1, hours=9)).isoformat()
    claimed = as_(Role.AHS_AGENT, "POST", f"/api/v1/callbacks/{booked['id']}/claim")
    assert claimed.json()["status"] == "CLAIMED"
    done = as_(
        Role.AHS_AGENT,
        "POST",
        f"/api/v1/callbacks/{booked['id']}/complete",
        json={
            "outcome": "REACHED",
            "notes": CALL_NOTE,
        },
    ).json()
    assert done["notes"] == CALL_NOTE

    # the seller checks a vague plan, then fixes it
    vague = {
        "language": "ja",
        "root_causes": [
            {
                "text": "不注意でした",
                "actions": ["今後気をつけます"],
                "preventive_measures": ["徹底します"],
            }
        ],
    }
    findings = as_(
        Role.SELLER,
        "POST",
        "/api/v1/appeals/check",
        json={
            "poa": vague,
            "case_id": case_id,
        },
    ).json()
    codes = {f["code"] for f in findings}
    assert {"vague_promise", "vague_cause", "listing_not_addressed"} <= codes
    violation_ids = [v["id"] for v in health["violations"]]
    fixed: dict[str, Any] = {
        "language": "ja",
        "root_causes": [
            {
                "text": "商標登録を確認せず、仕入先の表示どおりノーブランドとして出品した",
                "violation_id": violation_id,
                "actions": ["対象の2出品を削除し、在庫120点を隔離しました"],
                "preventive_measures": [
                    "出品前に商標データベースを担当者2名でダブルチェックします"
                ],
            }
            for violation_id in violation_ids
        ],
        "listings": [
            {"listing_id": "B0A1", "text": "出品を削除し在庫を隔離しました"},
            {"listing_id": "B0A2", "text": "出品を削除し在庫を隔離しました"},
        ],
    }
    appeal = as_(
        Role.SELLER,
        "POST",
        f"/api/v1/cases/{case_id}/appeal",
        json={
            "poa": fixed,
            "draft": True,
        },
    ).json()
    invoice = as_(
        Role.SELLER,
        "POST",
        "/api/v1/attachments",
        data={
            "appeal_id": str(appeal["id"]),
            "kind": "invoice",
        },
        files={"file": ("invoice.pdf", evidence.pdf(), "application/pdf")},
    )
    assert invoice.status_code == 201, invoice.text
    fixed["attachment_ids"] = [invoice.json()["id"]]
    assert (
        as_(
            Role.SELLER,
            "POST",
            "/api/v1/appeals/check",
            json={
                "poa": fixed,
                "case_id": case_id,
            },
        ).json()
        == []
    )
    submitted = as_(Role.SELLER, "POST", f"/api/v1/cases/{case_id}/appeal", json={"poa": fixed})
    assert submitted.json()["status"] == "SUBMITTED"

    # AHS has no power over the decision
    forbidden = as_(
        Role.AHS_AGENT,
        "POST",
        f"/api/v1/appeals/{appeal['id']}/decision",
        json={
            "decision": "ACCEPTED",
        },
    )
    assert forbidden.status_code == 403

    # the specialist works the queue, asks for more, then accepts
    queue = as_(Role.ACCOUNT_SPECIALIST, "GET", "/api/v1/appeals?status=SUBMITTED").json()
    assert [a["id"] for a in queue] == [appeal["id"]]
    packet = as_(Role.ACCOUNT_SPECIALIST, "GET", f"/api/v1/appeals/{appeal['id']}").json()
    assert len(packet["violations"]) == 5
    assert packet["appeal"]["attachments"][0]["content_type"] == "application/pdf"
    as_(Role.ACCOUNT_SPECIALIST, "POST", f"/api/v1/appeals/{appeal['id']}/review")
    deadline = (datetime.now(JST) + timedelta(days=3)).isoformat()
    asked = as_(
        Role.ACCOUNT_SPECIALIST,
        "POST",
        f"/api/v1/appeals/{appeal['id']}/decision",
        json={
            "decision": "MORE_INFO_REQUESTED",
            "reasons": "仕入先の名前を記載してください。",
            "deadline": deadline,
        },
    )
    assert asked.json()["status"] == "MORE_INFO_REQUESTED"
    fixed["root_causes"][0]["actions"].append("仕入先A社との取引を停止しました")
    resubmitted = as_(Role.SELLER, "POST", f"/api/v1/cases/{case_id}/appeal", json={"poa": fixed})
    assert [v["number"] for v in resubmitted.json()["versions"]] == [1, 2]
    accepted = as_(
        Role.ACCOUNT_SPECIALIST,
        "POST",
        f"/api/v1/appeals/{appeal['id']}/decision",
        json={
            "decision": "ACCEPTED",
            "reasons": "改善計画書を承認します。",
        },
    )
    assert accepted.json()["status"] == "ACCEPTED"

    # reinstated, listings back, everything audited, no call notes for the specialist
    after = as_(Role.SELLER, "GET", "/api/v1/sellers/S1/health").json()
    assert (after["status"], after["violations"]) == ("NORMAL", [])
    for listing in listings:
        relisted = as_(
            Role.SELLER,
            "PUT",
            f"/api/v1/sellers/S1/listings/{listing['sku']}",
            json={
                "listing_id": listing["listing_id"],
                "title": "ワイヤレスイヤホン",
                "brand": "Sorano",
            },
        ).json()
        assert relisted["status"] == "ACTIVE"
    with world.database.transaction() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {
        "registerBrand",
        "fileComplaint",
        "evaluatePolicy",
        "setAccountStatus",
        "requestCallback",
        "claimCallback",
        "completeCallback",
        "submitAppeal",
        "addAttachment",
        "reviewAppeal",
        "decideAppeal",
    } <= actions
    assert seen_by_specialist
    assert all(CALL_NOTE not in body for body in seen_by_specialist)
