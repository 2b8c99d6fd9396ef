"""The rights owner's API: catalogue search and complaints by public listing id, with the
evidence each kind needs; bounded pages; nothing but public listing data."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kenzen.access import Role
from kenzen.complaints.catalogue import MAX_PAGE_SIZE
from tests.conftest import World
from tests.evidence import pdf


def _catalogue(client: TestClient, world: World) -> int:
    for sku, listing_id, title in (
        ("K1", "B0KANA1", "ﾐﾄﾞﾘｶﾒﾗ 一眼レフ"),
        ("K2", "B0KANA2", "みどりかめら レンズ"),
        ("K3", "B0PLAIN", "三脚"),
    ):
        stored = client.put(
            f"/api/v1/sellers/S1/listings/{sku}",
            headers=world.headers(Role.SELLER),
            json={"listing_id": listing_id, "title": title, "brand": "ノーブランド"},
        )
        assert stored.status_code == 200, stored.text
    brand = client.post(
        "/api/v1/brands",
        headers=world.headers(Role.RIGHTS_OWNER),
        json={"name": "ミドリカメラ", "registration_number": "JP-T-1", "country": "JP"},
    )
    assert brand.status_code == 201, brand.text
    return int(brand.json()["id"])


def test_search_by_brand_terms_then_file_against_the_results(
    client: TestClient, world: World
) -> None:
    brand_id = _catalogue(client, world)
    owner = world.headers(Role.RIGHTS_OWNER)
    found = client.get(f"/api/v1/catalogue/listings?brand_id={brand_id}", headers=owner)
    assert found.status_code == 200, found.text
    body = found.json()
    assert (body["total"], body["page"], body["page_size"]) == (2, 1, 20)
    assert [item["listing_id"] for item in body["items"]] == ["B0KANA1", "B0KANA2"]
    first = body["items"][0]
    assert set(first) == {"listing_id", "seller_id", "title", "brand", "status", "findings"}
    assert first["findings"][0]["matched"] == "ﾐﾄﾞﾘｶﾒﾗ"
    filed = client.post(
        "/api/v1/complaints",
        headers=owner,
        json={
            "brand_id": brand_id,
            "kind": "design",
            "registration_number": "JP-D-1700001",
            "listings": [
                {"listing_id": item["listing_id"], "seller_id": item["seller_id"]}
                for item in body["items"]
            ],
            "evidence": "The camera body copies our registered design.",
        },
    )
    assert filed.status_code == 201, filed.text
    complaint = filed.json()
    assert complaint["listings"] == [
        {"listing_id": "B0KANA1", "title": "ﾐﾄﾞﾘｶﾒﾗ 一眼レフ"},
        {"listing_id": "B0KANA2", "title": "みどりかめら レンズ"},
    ]
    assert complaint["registration_number"] == "JP-D-1700001"
    attached = client.post(
        "/api/v1/complaint-files",
        headers=owner,
        data={"complaint_id": str(complaint["id"])},
        files={"file": ("design.pdf", pdf(), "application/pdf")},
    )
    assert attached.status_code == 201, attached.text
    listed = client.get("/api/v1/complaints", headers=owner).json()
    assert [f["filename"] for f in listed[0]["files"]] == ["design.pdf"]


def test_page_size_is_bounded(client: TestClient, world: World) -> None:
    _catalogue(client, world)
    owner = world.headers(Role.RIGHTS_OWNER)
    at_limit = client.get(
        f"/api/v1/catalogue/listings?seller_id=S1&page_size={MAX_PAGE_SIZE}", headers=owner
    )
    assert at_limit.status_code == 200
    assert at_limit.json()["total"] == 3
    past = client.get(
        f"/api/v1/catalogue/listings?seller_id=S1&page_size={MAX_PAGE_SIZE + 1}", headers=owner
    )
    assert past.status_code == 422
    assert past.json()["detail"][0]["loc"] == ["query", "page_size"]


def test_an_unknown_listing_id_is_named_and_nothing_is_filed(
    client: TestClient, world: World
) -> None:
    brand_id = _catalogue(client, world)
    owner = world.headers(Role.RIGHTS_OWNER)
    refused = client.post(
        "/api/v1/complaints",
        headers=owner,
        json={
            "brand_id": brand_id,
            "kind": "trademark",
            "listings": [{"listing_id": "B0KANA1"}, {"listing_id": "B0NOSUCH"}],
            "evidence": "x",
        },
    )
    assert refused.status_code == 422
    assert refused.json()["detail"] == "listings[1]: listing B0NOSUCH not found"
    missing_number = client.post(
        "/api/v1/complaints",
        headers=owner,
        json={
            "brand_id": brand_id,
            "kind": "patent",
            "listings": [{"listing_id": "B0KANA1"}],
            "evidence": "x",
        },
    )
    assert missing_number.status_code == 422
    assert "registration_number" in missing_number.json()["detail"]
    assert client.get("/api/v1/complaints", headers=owner).json() == []
    health = client.get("/api/v1/sellers/S1/health", headers=world.headers(Role.SELLER))
    assert health.json()["violations"] == []
