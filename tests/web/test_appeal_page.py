"""The seller's Plan of Action page in each shape: the whole text with a picker beside each
cause read, Amazon's three boxes, a Word file read into a draft; the specialist's packet
shows the seller's words beside the structured view."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from kenzen.access import Role
from kenzen.policy.document import Policy
from tests.appeals.conftest import Deactivated, deactivate
from tests.appeals.test_corpus import CORPUS, word_document
from tests.conftest import World
from tests.web.forms import page_token as _csrf
from tests.web.test_appeal_inputs import PASTED
from tests.web.test_staff_pages import LogIn, log_in

__all__ = ["log_in"]


@pytest.fixture
def case(world: World, policy: Policy) -> Deactivated:
    return deactivate(world, policy)


def _codes(html: str) -> list[str]:
    return re.findall(r'data-code="([^"]+)"', html)


def test_pasted_text_shows_findings_and_a_picker_for_each_cause(
    client: TestClient, log_in: LogIn, case: Deactivated
) -> None:
    log_in(Role.SELLER)
    url = f"/cases/{case.case_id}/appeal"
    token = _csrf(client, url)
    form = {"csrf_token": token, "shape": "text", "text": PASTED}
    checked = client.post(f"{url}/check", data=form).text
    assert _codes(checked) == ["tie_causes", "actions_not_tied"]
    assert 'id="reading" data-testid="reading" hx-swap-oob="true"' in checked
    assert "根本原因 2 件、実施した対策 1 件、再発防止策 1 件として読み取りました。" in checked
    options = re.findall(r'<option value="(v:\d+)"', checked)
    assert len(options) == 2 * 5  # two causes, five violations to pick from
    picked = {**form, "tie-0": options[0], "tie-1": options[1]}
    rechecked = client.post(f"{url}/check", data=picked).text
    assert "tie_causes" not in _codes(rechecked)
    assert f'value="{options[1]}" selected' in rechecked


def test_three_boxes_are_saved_and_come_back_as_the_text(
    client: TestClient, log_in: LogIn, case: Deactivated
) -> None:
    log_in(Role.SELLER)
    url = f"/cases/{case.case_id}/appeal"
    form = {
        "csrf_token": _csrf(client, url),
        "shape": "boxes",
        "box-cause": "商標を確認せずに出品しました。",
        "box-actions": "・B0A1 と B0A2 を削除しました。",
        "box-prevent": "・出品前に担当者2名が商標データベースを確認します。",
        "intent": "draft",
    }
    assert client.post(url, data=form, follow_redirects=False).status_code == 303
    page = client.get(url).text
    assert 'id="shape-text" checked' in page
    assert "根本原因:\n商標を確認せずに出品しました。" in page


def test_a_word_file_is_read_into_a_draft_in_the_sellers_words(
    client: TestClient, world: World, log_in: LogIn, case: Deactivated
) -> None:
    log_in(Role.SELLER)
    url = f"/cases/{case.case_id}/appeal"
    data = word_document((CORPUS / "good-ja-word.docx.txt").read_text("utf-8"))
    read = client.post(
        f"{url}/file",
        data={"csrf_token": _csrf(client, url)},
        files={"upload": ("改善計画書.docx", data, "application/octet-stream")},
        follow_redirects=False,
    )
    assert read.status_code == 303
    page = client.get(url).text
    assert "改善計画書.docx から読み込みました" in page
    assert "在庫管理システムを導入し" in page
    refused = client.post(
        f"{url}/file",
        data={"csrf_token": _csrf(client, url)},
        files={"upload": ("plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "x")},
    )
    assert refused.status_code == 422
    assert "plan.doc は古い Word の .doc ファイルです。.docx で保存してください" in refused.text


def test_the_packet_shows_the_sellers_words_beside_the_structured_view(
    client: TestClient, world: World, log_in: LogIn, case: Deactivated
) -> None:
    appeal = client.post(
        f"/api/v1/cases/{case.case_id}/appeal",
        json={"text": PASTED},
        headers=world.headers(Role.SELLER),
    ).json()
    log_in(Role.ACCOUNT_SPECIALIST)
    packet = client.get(f"/staff/appeals/{appeal['id']}").text
    words = packet[
        packet.index('data-testid="packet-words"') : packet.index('data-testid="packet-plan"')
    ]
    assert "Dear Seller Performance Team," in words
    assert "以上、よろしくお願いいたします。" in words
    assert "2. 出品前にブランドを確認する手順がありませんでした。" in words
    # and the complaints themselves: who filed them, with today's screening of each listing
    assert packet.count('data-testid="complaint-detail"') == 5
    assert 'data-testid="complaint-owner">rights_owner@example.test<' in packet
    assert 'data-testid="packet-finding">Sorano «ソラノ» (title)<' in packet
