"""A rights owner's catalogue search: public ids, sellers, and its brand's terms folded as
screening folds them; paginated; only public data and only its own findings."""

from __future__ import annotations

import pytest

from kenzen.access import SYSTEM, Actor, Role
from kenzen.complaints import service
from kenzen.complaints.brand_check import ListingRow, upsert_listing
from kenzen.complaints.catalogue import MAX_PAGE_SIZE, search_listings
from kenzen.errors import Forbidden, InvalidInput, NotFound
from kenzen.identity.service import add_user
from tests.conftest import World

CATALOGUE = [
    ("S1", "K1", "B0KANA1", "ﾐﾄﾞﾘｶﾒﾗ 一眼レフ", "ノーブランド"),
    ("S2", "K2", "B0KANA2", "みどりかめら 交換レンズ", ""),
    ("S2", "K3", "B0KANA3", "カメラバッグ", "Midori"),
    ("S1", "K4", "B0OTHER", "ソラノ イヤホン", ""),
]


def _catalogue(world: World) -> tuple[int, int]:
    """The rights owner's brand ミドリカメラ and another owner's brand ソラノ."""
    with world.database.transaction() as session:
        for seller_id, sku, listing_id, title, brand in CATALOGUE:
            row = ListingRow(1, seller_id, sku, listing_id, title, brand, "", "merchant")
            upsert_listing(session, SYSTEM, row)
        midori = service.register_brand(
            session,
            world.actors[Role.RIGHTS_OWNER],
            name="ミドリカメラ",
            registration_number="JP-T-1",
            country="JP",
        ).id
        other = add_user(
            session, SYSTEM, email="sorano@example.test", role=Role.RIGHTS_OWNER, password=None
        )
        sorano = service.register_brand(
            session, other.as_actor(), name="ソラノ", registration_number="JP-T-2", country="JP"
        ).id
    return midori, sorano


def _ids(
    world: World,
    actor: Actor,
    *,
    listing_id: str | None = None,
    seller_id: str | None = None,
    brand_id: int | None = None,
    page: int = 1,
    page_size: int = 20,
) -> list[str]:
    with world.database.transaction() as session:
        found = search_listings(
            session,
            actor,
            listing_id=listing_id,
            seller_id=seller_id,
            brand_id=brand_id,
            page=page,
            page_size=page_size,
        )
        return [hit.listing.listing_id for hit in found.hits]


def test_a_brand_search_finds_its_name_in_every_kana_and_width(world: World) -> None:
    midori, _ = _catalogue(world)
    owner = world.actors[Role.RIGHTS_OWNER]
    assert _ids(world, owner, brand_id=midori) == ["B0KANA1", "B0KANA2"]
    with world.database.transaction() as session:
        found = search_listings(session, owner, brand_id=midori)
        assert found.total == 2
        findings = {hit.listing.listing_id: hit.findings for hit in found.hits}
        assert [(f.kind, f.matched) for f in findings["B0KANA1"]] == [
            ("NO_BRAND_NAMES_TERM", "ﾐﾄﾞﾘｶﾒﾗ")
        ]


def test_search_by_listing_id_and_seller(world: World) -> None:
    _catalogue(world)
    owner = world.actors[Role.RIGHTS_OWNER]
    assert _ids(world, owner, listing_id="B0KANA3") == ["B0KANA3"]
    assert _ids(world, owner, seller_id="S1") == ["B0KANA1", "B0OTHER"]
    assert _ids(world, owner, seller_id="S1", listing_id="B0KANA2") == []


def test_an_owner_sees_only_its_own_findings_and_brands(world: World) -> None:
    _, sorano = _catalogue(world)
    owner = world.actors[Role.RIGHTS_OWNER]
    with world.database.transaction() as session:
        [hit] = search_listings(session, owner, listing_id="B0OTHER").hits
        assert hit.findings == []  # ソラノ is another owner's brand
        [staff_hit] = search_listings(
            session, world.actors[Role.ACCOUNT_SPECIALIST], listing_id="B0OTHER"
        ).hits
        assert [f.term.brand for f in staff_hit.findings] == ["ソラノ"]
    with world.database.transaction() as session, pytest.raises(NotFound, match="brand"):
        search_listings(session, owner, brand_id=sorano)
    with world.database.transaction() as session, pytest.raises(Forbidden):
        search_listings(session, world.actors[Role.SELLER], listing_id="B0KANA1")


def test_pages_are_bounded(world: World) -> None:
    midori, _ = _catalogue(world)
    owner = world.actors[Role.RIGHTS_OWNER]
    assert _ids(world, owner, brand_id=midori, page=2, page_size=1) == ["B0KANA2"]
    assert _ids(world, owner, brand_id=midori, page=3, page_size=1) == []
    assert len(_ids(world, owner, seller_id="S2", page_size=MAX_PAGE_SIZE)) == 2
    for seller_id, page, page_size, message in [
        ("S1", 1, MAX_PAGE_SIZE + 1, "page_size: between 1 and 100"),
        ("S1", 1, 0, "page_size"),
        ("S1", 0, 10, "page: from 1"),
        (None, 1, 10, "listing_id, seller_id or brand_id"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            _ids(world, owner, seller_id=seller_id, page=page, page_size=page_size)


def test_a_brand_search_follows_listings_stored_after_the_brand(world: World) -> None:
    midori, _ = _catalogue(world)
    owner = world.actors[Role.RIGHTS_OWNER]
    with world.database.transaction() as session:
        for sku, listing_id, title in [
            ("K5", "B0LATER", "ＭＩＤＯＲＩカメラ 三脚"),
            ("K6", "B0KATA", "ミドリカメラ ストラップ"),
        ]:
            row = ListingRow(1, "S1", sku, listing_id, title, "", "", "merchant")
            upsert_listing(session, SYSTEM, row)
        # K1 is re-titled: it no longer names the brand
        row = ListingRow(1, "S1", "K1", "B0KANA1", "一眼レフ", "", "", "merchant")
        upsert_listing(session, SYSTEM, row)
    assert _ids(world, owner, brand_id=midori) == ["B0KANA2", "B0KATA"]
    assert _ids(world, owner, brand_id=midori, seller_id="S1") == ["B0KATA"]
    with world.database.transaction() as session:
        row = ListingRow(1, "S1", "K5", "B0LATER", "ミドリカメラ 三脚", "", "", "merchant")
        upsert_listing(session, SYSTEM, row)
    assert _ids(world, owner, brand_id=midori) == ["B0KANA2", "B0KATA", "B0LATER"]
