"""A refusal is answered in the caller's language — the user's choice, else the seller
account's, else the browser's — while what programs read stays put: the status, Amazon's
error code, and the field a message names."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kenzen.access import Role
from kenzen.identity import service as identity
from tests.conftest import World


def _speaks(world: World, role: Role, language: str) -> None:
    with world.database.transaction() as session:
        identity.set_language(session, world.actors[role], language)


def test_a_missing_case_is_not_found_in_the_sellers_language(
    client: TestClient, world: World
) -> None:
    seller = world.headers(Role.SELLER)  # S1's account language is Japanese
    japanese = client.get("/api/v1/cases/424242", headers=seller)
    assert japanese.status_code == 404
    assert japanese.json() == {"detail": "ケース 424242 が見つかりません"}
    assert japanese.headers["Content-Language"] == "ja"
    _speaks(world, Role.SELLER, "en")  # the user's own choice wins over the account's
    english = client.get("/api/v1/cases/424242", headers=seller)
    assert english.status_code == 404
    assert english.json() == {"detail": "case 424242 not found"}
    assert english.headers["Content-Language"] == "en"


def test_a_conflict_keeps_its_values_in_either_language(client: TestClient, world: World) -> None:
    body = {"status": "NORMAL", "reason": "review"}  # S1 is NORMAL already
    answers = {
        language: client.post(
            "/api/v1/sellers/S1/status",
            json=body,
            headers={**world.headers(Role.ACCOUNT_SPECIALIST), "Accept-Language": language},
        )
        for language in ("ja-JP,ja;q=0.9", "en-GB")
    }
    assert [answer.status_code for answer in answers.values()] == [409, 409]
    assert answers["ja-JP,ja;q=0.9"].json()["detail"] == "アカウントはすでに NORMAL です"
    assert answers["en-GB"].json()["detail"] == "the account is already NORMAL"


def test_an_invalid_value_names_its_field_in_either_language(
    client: TestClient, world: World
) -> None:
    webhook = {"url": "https://example.test/hook#part", "marketplace_id": "JP"}
    _speaks(world, Role.ADMIN, "ja")
    japanese = client.post("/api/v1/webhooks", json=webhook, headers=world.headers(Role.ADMIN))
    _speaks(world, Role.ADMIN, "en")
    english = client.post("/api/v1/webhooks", json=webhook, headers=world.headers(Role.ADMIN))
    assert (japanese.status_code, english.status_code) == (422, 422)
    assert japanese.json()["detail"] == "url: #フラグメントを含めないでください"
    assert english.json()["detail"] == "url: must not have a #fragment"


def test_a_caller_without_credentials_reads_the_browsers_language(client: TestClient) -> None:
    answer = client.get("/api/v1/cases", headers={"Accept-Language": "ja"})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert answer.json()["detail"].startswith("認証が必要です")
