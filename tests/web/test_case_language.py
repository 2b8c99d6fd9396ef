"""A case log is read in the reader's language, whoever it was written for: an English
specialist reads a Japanese seller's entries in English, the seller reads them in Japanese."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kenzen.access import SYSTEM, Role
from kenzen.cases.account_status import set_account_status
from kenzen.identity import service as identity
from kenzen.sellers.status import AccountStatus
from tests.conftest import World


def _deactivate_s1(world: World) -> int:
    with world.database.transaction() as session:
        change = set_account_status(
            session, SYSTEM, "S1", status=AccountStatus.DEACTIVATED, reason="IP complaints"
        )
        return change.case_id


def _read(client: TestClient, world: World, role: Role, case_id: int, accept: str) -> list[str]:
    headers = {**world.headers(role), "Accept-Language": accept}
    case = client.get(f"/api/v1/cases/{case_id}", headers=headers).json()
    return [case["title"], *(entry["text"] for entry in case["entries"])]


def test_each_reader_gets_the_case_log_in_their_language(client: TestClient, world: World) -> None:
    case_id = _deactivate_s1(world)  # S1's account language is Japanese
    assert _read(client, world, Role.SELLER, case_id, "en") == [
        "アカウントの状態: 停止",  # the seller's account language wins over the browser
        "アカウントの状態が 正常 から 停止 に変わりました。理由: IP complaints",
    ]
    assert _read(client, world, Role.ACCOUNT_SPECIALIST, case_id, "en-GB,en;q=0.9") == [
        "Account status: Deactivated",
        "Your account status changed from Normal to Deactivated. Reason: IP complaints",
    ]
    assert _read(client, world, Role.ACCOUNT_SPECIALIST, case_id, "ja") == [
        "アカウントの状態: 停止",
        "アカウントの状態が 正常 から 停止 に変わりました。理由: IP complaints",
    ]


def test_a_users_chosen_language_wins_over_the_browser(client: TestClient, world: World) -> None:
    case_id = _deactivate_s1(world)
    with world.database.transaction() as session:
        identity.set_language(session, world.actors[Role.SELLER], "en")
    assert _read(client, world, Role.SELLER, case_id, "ja")[0] == "Account status: Deactivated"


def test_a_persons_note_is_shown_as_written_to_every_reader(
    client: TestClient, world: World
) -> None:
    case_id = _deactivate_s1(world)
    note = {"text": "請求書を確認しました。", "visibility": "seller"}
    headers = world.headers(Role.ACCOUNT_SPECIALIST)
    added = client.post(f"/api/v1/cases/{case_id}/notes", json=note, headers=headers).json()
    assert (added["text"], added["message_id"]) == ("請求書を確認しました。", None)
    assert _read(client, world, Role.ACCOUNT_SPECIALIST, case_id, "en")[-1] == note["text"]
