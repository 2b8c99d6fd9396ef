"""What people read of a held deactivation: the seller's banner and hold (in the
marketplace's time, ja/en), the specialist's refusal and hold box, AHS's priority calls,
and the proposal's rating lines in the reader's words through the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from kenzen.access import Role
from kenzen.identity.service import find_user, set_language
from kenzen.policy.document import Policy
from tests.assurance.test_holds import PROPOSALS, _propose, bypassing_policy
from tests.conftest import Clock, World
from tests.web.forms import page_token
from tests.web.test_proposal_pages import _log_in

#: 16:00 UTC on the 20th is already 01:00 on the 21st in Tokyo (outside AHS hours).
LATE = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _late(clock: Clock) -> None:
    clock.move_to(LATE)


def test_the_seller_reads_the_review_and_its_deadline_in_the_marketplaces_time(
    client: TestClient, world: World, policy: Policy
) -> None:
    _propose(world, policy)
    _log_in(client, world, Role.SELLER)
    page = client.get("/").text  # S1 reads Japanese
    banner = re.search(r'data-testid="review-under-way">(.*?)<', page, re.S)
    assert banner is not None
    assert "2026-11-21" in banner.group(1)  # the day in Tokyo, not the UTC date
    hold = re.search(r'data-testid="hold-state">(.*?)<a', page, re.S)
    assert hold is not None
    assert "2026-11-24 01:00 JST" in hold.group(1)
    assert "アカウント健全性保証" in hold.group(1)
    with world.database.transaction() as session:
        set_language(session, find_user(session, "seller-pages@example.test").as_actor(), "en")
    assert "until 2026-11-24 01:00 JST to work with us" in client.get("/assurance").text


def test_the_specialist_is_refused_on_the_page_with_the_reason(
    client: TestClient, world: World, policy: Policy
) -> None:
    proposal_id = _propose(world, policy)
    _log_in(client, world, Role.ACCOUNT_SPECIALIST)
    url = f"/staff/proposals/{proposal_id}"
    page = client.get(url, headers={"Accept-Language": "en"}).text
    box = page.split('data-testid="proposal-hold"')[1].split("</section>")[0]
    assert "Inside the seller" in box, box
    refused = _confirm(client, url, "en")
    assert refused.status_code == 409
    assert "held by Account Health Assurance" in refused.text
    assert 'data-testid="decision-error"' in refused.text


def test_a_japanese_specialist_reads_the_refusal_and_its_reason_in_japanese(
    client: TestClient, world: World, policy: Policy
) -> None:
    proposal_id = _propose(world, policy)
    _log_in(client, world, Role.ACCOUNT_SPECIALIST)
    url = f"/staff/proposals/{proposal_id}"
    refused = _confirm(client, url, "ja-JP,ja;q=0.9")
    assert refused.status_code == 409
    error = refused.text.split('data-testid="decision-error"')[1].split("</")[0]
    assert (
        f"措置の提案 {proposal_id} はアカウントヘルス保証により保留されています: "
        "出品者は 2026-11-24 01:00 JST まで対応できます"
    ) in error
    assert "held by" not in refused.text


def test_ahs_sees_the_priority_call_first_with_its_deadline(
    client: TestClient, world: World, policy: Policy
) -> None:
    _propose(world, policy)
    _log_in(client, world, Role.AHS_AGENT)
    page = client.get("/staff/callbacks", headers={"Accept-Language": "en"}).text
    assert "Account Health Assurance: priority calls" in page
    section = page.split('data-testid="priority-calls"')[1].split("</section>")[0]
    assert section.count('data-testid="priority-call"') == 1
    assert "11-21 09:00 JST" in section  # the first open slot in Tokyo
    assert "11-24 01:00 JST" in section  # the deadline
    assert "+819012345678" in section
    assert 'data-testid="queued-call"' not in page


def test_the_api_gives_the_rating_lines_in_the_readers_words(
    client: TestClient, world: World, policy: Policy, clock: Clock
) -> None:
    clock.move_to(LATE - timedelta(hours=6))
    proposal_id = _propose(world, policy)
    for language, word in (("en", "Restricted"), ("ja", "制限")):
        response = client.get(
            f"{PROPOSALS}/{proposal_id}",
            headers={**world.headers(Role.ACCOUNT_SPECIALIST), "Accept-Language": language},
        )
        assert response.status_code == 200, response.text
        lines = response.json()["evidence"]["rating"]["lines"]
        texts = [line["text"] for line in lines]
        assert all(isinstance(text, str) for text in texts), texts
        assert any(word in text for text in texts), texts


def test_the_specialist_reads_why_a_deactivation_is_not_held(
    client: TestClient, world: World
) -> None:
    proposal_id = _propose(world, bypassing_policy())
    _log_in(client, world, Role.ACCOUNT_SPECIALIST)
    page = client.get(f"/staff/proposals/{proposal_id}", headers={"Accept-Language": "en"}).text
    box = page.split('data-testid="proposal-hold"')[1].split("</section>")[0]
    assert "does not hold this deactivation" in box
    assert "restrictedProductPolicyViolations" not in box  # named in words, not by its id


@pytest.mark.parametrize(
    ("language", "staff_words", "seller_words"),
    [
        ("en", "The seller has until", "you have until"),
        ("ja", "出品者の対応期間中", "ご対応いただけます"),
    ],
)
def test_staff_on_the_sellers_page_read_the_hold_in_staff_words(
    client: TestClient,
    world: World,
    policy: Policy,
    language: str,
    staff_words: str,
    seller_words: str,
) -> None:
    _propose(world, policy)
    _log_in(client, world, Role.ACCOUNT_SPECIALIST)
    page = client.get("/sellers/S1", headers={"Accept-Language": language}).text
    hold = page.split('data-testid="assurance-hold"')[1].split("</div>")[0]
    assert staff_words in hold
    assert "2026-11-24 01:00 JST" in hold  # the seller's deadline, in the marketplace's time
    assert seller_words not in page


def _confirm(client: TestClient, url: str, languages: str) -> Response:
    """A specialist's attempt to confirm the proposal at ``url``, read in ``languages``."""
    return client.post(
        f"{url}/decision",
        data={"verdict": "CONFIRM", "reasons": "確認済み", "csrf_token": page_token(client, url)},
        headers={"Accept-Language": languages},
    )
