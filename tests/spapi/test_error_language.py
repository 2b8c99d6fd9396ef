"""An SP-API error keeps Amazon's code, and its message is in the authorising seller's
account language (the error shapes themselves are checked in test_api.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.spapi.conftest import AppKeys, access_token


def test_the_selling_partner_api_keeps_amazons_code_and_speaks_the_sellers_language(
    client: TestClient, app_keys: AppKeys
) -> None:
    answers = {
        seller: client.get(
            "/reports/2021-06-30/reports",
            params={"reportTypes": "GET_V2_SELLER_PERFORMANCE_REPORT", "pageSize": "0"},
            headers=access_token(client, app_keys, seller),
        )
        for seller in ("S1", "S2")  # S1 reads Japanese, S2 English
    }
    japanese, english = (answers[s].json()["errors"] for s in ("S1", "S2"))
    assert [e["code"] for e in japanese] == [e["code"] for e in english] == ["InvalidInput"]
    assert japanese[0]["message"] == "pageSize: 1 から 100 までを指定してください"
    assert english[0]["message"] == "pageSize: between 1 and 100"
