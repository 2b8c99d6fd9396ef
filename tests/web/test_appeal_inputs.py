"""One plan, many inputs through the API: structured as before, the whole text, Amazon's
three boxes, or a Word or text file — the seller's words kept for the specialist."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from kenzen.access import Role
from kenzen.appeals.documents import MAX_PLAN_FILE_BYTES
from kenzen.appeals.reader import MAX_PLAN_TEXT
from kenzen.policy.document import Policy
from tests.appeals.conftest import Deactivated, deactivate
from tests.appeals.test_corpus import CORPUS, word_document
from tests.conftest import World

PASTED = """Dear Seller Performance Team,

【根本原因】
1. 仕入先の「ノーブランド」という説明を信じ、商標データベースで確認せずに出品しました。
2. 出品前にブランドを確認する手順がありませんでした。

【是正措置】
1. 出品 B0A1 と B0A2 を削除し、在庫120点を隔離しました。

【再発防止策】
1. 出品前に商標データベースで商品名を確認するチェックリストを使い、担当者2名で確認します。

以上、よろしくお願いいたします。
"""


@pytest.fixture
def case(world: World, policy: Policy) -> Deactivated:
    return deactivate(world, policy)


def _post(client: TestClient, world: World, url: str, **kwargs: Any) -> Any:
    return client.post(url, headers=world.headers(Role.SELLER), **kwargs)


def _violations(client: TestClient, world: World) -> list[int]:
    health = client.get("/api/v1/sellers/S1/health", headers=world.headers(Role.SELLER)).json()
    return [v["id"] for v in health["violations"]]


def test_pasted_text_is_checked_and_the_checker_asks_which_cause_explains_what(
    client: TestClient, world: World, case: Deactivated
) -> None:
    body = {"text": PASTED, "case_id": case.case_id}
    codes = [f["code"] for f in _post(client, world, "/api/v1/appeals/check", json=body).json()]
    assert codes == ["tie_causes", "actions_not_tied"]
    violations = _violations(client, world)
    ties = [{"cause": 1, "violation_id": v} for v in violations[:1]]
    tied = _post(client, world, "/api/v1/appeals/check", json={**body, "ties": ties}).json()
    # one cause tied: the other is taken to explain the four violations left
    assert [f["code"] for f in tied] == ["actions_not_tied"]


def test_a_text_plan_is_submitted_and_the_specialist_reads_the_sellers_words(
    client: TestClient, world: World, case: Deactivated
) -> None:
    ties = [{"cause": 1, "violation_id": v} for v in _violations(client, world)[:1]]
    appeal = _post(
        client, world, f"/api/v1/cases/{case.case_id}/appeal", json={"text": PASTED, "ties": ties}
    )
    assert appeal.status_code == 201, appeal.text
    packet = client.get(
        f"/api/v1/appeals/{appeal.json()['id']}", headers=world.headers(Role.ACCOUNT_SPECIALIST)
    ).json()
    [version] = packet["appeal"]["versions"]
    assert (version["text"], version["source"], version["filename"]) == (PASTED, "text", None)
    assert len(version["content"]["root_causes"]) == 2
    assert version["content"]["root_causes"][0]["violation_id"] == ties[0]["violation_id"]
    assert version["content"]["closing"] == "以上、よろしくお願いいたします。"


def test_amazons_three_boxes(client: TestClient, world: World, case: Deactivated) -> None:
    boxes = {
        "root_cause": "商標を確認せずに出品しました。",
        "actions": "・B0A1 と B0A2 を削除しました。",
        "preventive_measures": "・出品前に担当者2名が商標データベースを確認します。",
    }
    appeal = _post(
        client, world, f"/api/v1/cases/{case.case_id}/appeal", json={"boxes": boxes, "draft": True}
    ).json()
    version = appeal["versions"][0]
    assert version["source"] == "boxes"
    assert version["text"].startswith("根本原因:\n商標を確認せずに出品しました。")
    [cause] = version["content"]["root_causes"]
    assert cause["actions"] == ["B0A1 と B0A2 を削除しました。"]


def test_a_word_file_is_checked_and_submitted(
    client: TestClient, world: World, case: Deactivated
) -> None:
    data = word_document((CORPUS / "good-ja-word.docx.txt").read_text("utf-8"))
    upload = {"file": ("改善計画書.docx", data, "application/octet-stream")}
    checked = _post(client, world, "/api/v1/appeals/check/file", files=upload)
    assert checked.status_code == 200, checked.text
    assert "no_root_cause" not in [f["code"] for f in checked.json()]
    submitted = _post(
        client,
        world,
        f"/api/v1/cases/{case.case_id}/appeal/file",
        files=upload,
        data={"draft": "true"},
    )
    assert submitted.status_code == 201, submitted.text
    version = submitted.json()["versions"][0]
    assert (version["source"], version["filename"]) == ("file", "改善計画書.docx")
    assert version["text"].startswith("# 改善計画書\n# 第1 根本原因\n- 注文確定後")


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"text": "x", "poa": {}}, 422, "exactly one of poa, text, boxes"),
        ({}, 422, "exactly one of poa, text, boxes"),
        ({"poa": {}, "ties": [{"cause": 1, "violation_id": 1}]}, 422, "ties go with text"),
        ({"text": "x" * (MAX_PLAN_TEXT + 1)}, 422, "text"),
        (
            {"text": "Root cause: x", "ties": [{"cause": 2, "violation_id": 1}]},
            422,
            "ties[0].cause",
        ),
    ],
)
def test_bad_plan_input_names_the_field(
    client: TestClient, world: World, body: dict[str, Any], status: int, message: str
) -> None:
    response = _post(client, world, "/api/v1/appeals/check", json=body)
    assert response.status_code == status
    assert message in response.text


def test_a_text_at_the_length_limit_is_read(client: TestClient, world: World) -> None:
    text = "Root cause: x\nActions taken\n" + "".join("- " + "y" * 2900 + "\n" for _ in range(10))
    text += "z" * (MAX_PLAN_TEXT - len(text))
    response = _post(client, world, "/api/v1/appeals/check", json={"text": text})
    assert response.status_code == 200, response.text[:300]


def test_a_file_too_large_or_of_the_wrong_kind_is_refused(client: TestClient, world: World) -> None:
    large = {"file": ("plan.txt", b"x" * (MAX_PLAN_FILE_BYTES + 1), "text/plain")}
    refused = _post(client, world, "/api/v1/appeals/check/file", files=large)
    assert refused.status_code == 422
    assert f"file: plan.txt は {MAX_PLAN_FILE_BYTES} バイトを超えています" in refused.text
    pdf = {"file": ("plan.pdf", b"%PDF-1.7\n\x00", "application/pdf")}
    assert (
        ".docx ファイルでもテキストファイルでもありません"
        in _post(client, world, "/api/v1/appeals/check/file", files=pdf).text
    )
