from __future__ import annotations

import pytest

from kenzen.complaints.normalize import fold, fold_with_offsets
from kenzen.complaints.screening import NO_BRAND_WORDS, RegisteredTerm, Screener
from tests.complaints.conftest import ACE, ACME, ACME_PRO, CANON, PANA, SONY, MakeListing


def test_fold() -> None:
    assert fold("ＡＣＭＥ　ｐｒｏ") == "acme pro"  # full-width letters and space
    assert fold("ﾊﾟﾅｿﾆｯｸ") == "パナソニツク"  # half-width kana, voiced mark joined, small kana
    assert fold("ぱなそにっく") == fold("パナソニック")  # hiragana = katakana
    assert fold("キャノン") == fold("キヤノン")  # small ャ = large ヤ
    assert fold("  Straße\t\n ﬁne ") == "strasse fine"
    assert fold("ボール") != fold("ボル")  # the long vowel mark is kept


@pytest.mark.parametrize(
    "text",
    [
        "ﾊﾟﾅｿﾆｯｸ  製 ＡＣＭＥ",
        "  e\u0301cole  ａ¨b ",
        "ぱなそにっく ｿﾆｰ ＡＣＭＥ",
        "Straße ﬁne",
        "ｿﾆｰ　ｹｰｽ",
        "",
        "   ",
    ],
)
def test_fold_with_offsets_agrees_with_fold(text: str) -> None:
    folded, starts, ends = fold_with_offsets(text)
    assert folded == fold(text)
    assert len(starts) == len(ends) == len(folded)
    assert all(0 <= s < e <= len(text) for s, e in zip(starts, ends, strict=True))


@pytest.mark.parametrize(
    ("title", "matched"),
    [
        ("ACME gadget", "ACME"),
        ("gadget ＡＣＭＥ", "ＡＣＭＥ"),  # full-width
        ("ｱｸﾒ is not registered; ﾊﾟﾅｿﾆｯｸ 製", "ﾊﾟﾅｿﾆｯｸ"),  # half-width kana
        ("ぱなそにっく の電池", "ぱなそにっく"),  # hiragana
        ("キャノン互換インク", "キャノン"),  # small kana variant of キヤノン
        ("互換ソニー用ケーブル", "ソニー"),  # Japanese term inside Japanese text
    ],
)
def test_no_brand_listing_naming_a_term(
    screener: Screener, listing: MakeListing, title: str, matched: str
) -> None:
    (finding,) = screener.screen(listing(title=title, brand="ノーブランド"))
    assert finding.kind == "NO_BRAND_NAMES_TERM"
    assert finding.field == "title"
    assert title[finding.start : finding.end] == matched == finding.matched


def test_a_finding_explains_itself(screener: Screener, listing: MakeListing) -> None:
    (f,) = screener.screen(listing(title="Case", description="Fits the ＡＣＭＥ X100.", brand=""))
    assert (f.seller_id, f.sku, f.listing_id) == ("S1", "SKU-1", "L-1")
    assert (f.kind, f.field, f.start, f.end, f.matched) == (
        "NO_BRAND_NAMES_TERM",
        "description",
        9,
        13,
        "ＡＣＭＥ",
    )
    assert f.term == ACME
    assert (f.term.owner_id, f.term.brand, f.term.registration_number, f.term.country) == (
        "owner-acme",
        "Acme",
        "TM-0001",
        "JP",
    )


def test_ascii_terms_match_on_word_boundaries(screener: Screener, listing: MakeListing) -> None:
    assert screener.screen(listing(title="space heater, acmeish, placebo", brand="")) == []
    found = screener.screen(listing(title="ace-of-spades (ACE) acme.", brand=""))
    assert [(f.term, f.matched) for f in found] == [(ACE, "ace"), (ACE, "ACE"), (ACME, "acme")]
    # next to Japanese text an ASCII term still counts as a word
    (f,) = screener.screen(listing(title="Acme製ケース", brand=""))
    assert f.term == ACME


def test_multi_word_terms_ignore_spacing(screener: Screener, listing: MakeListing) -> None:
    found = screener.screen(listing(title="ACME　 PRO case", brand=""))
    assert {(f.term, f.matched) for f in found} == {(ACME, "ACME"), (ACME_PRO, "ACME　 PRO")}


@pytest.mark.parametrize(
    "brand",
    [
        "",
        "  ",
        "No Brand",
        "NO-BRAND",
        "nobrand",
        "Generic",
        "ｕｎｂｒａｎｄｅｄ",
        "ノーブランド",
        "ﾉｰﾌﾞﾗﾝﾄﾞ",
        "ノンブランド",
        "ブランドなし",
        "ぶらんどなし",
        "汎用",
        "N/A",
    ],
)
def test_no_brand_words(screener: Screener, brand: str) -> None:
    assert screener.is_no_brand(brand)


def test_a_real_brand_is_not_no_brand(screener: Screener, listing: MakeListing) -> None:
    assert not screener.is_no_brand("Zorvex")
    assert "no brand" in NO_BRAND_WORDS
    # a branded listing's title is not screened: "for Acme" on an accessory is fine
    assert screener.screen(listing(title="Cover for ACME phones", brand="Zorvex")) == []


def test_brand_field_of_another_owner(screener: Screener, listing: MakeListing) -> None:
    (f,) = screener.screen(listing(title="phone case", brand="ｱｰﾄ ソニー"))
    assert (f.kind, f.field, f.term, f.matched) == (
        "BRAND_OF_ANOTHER_OWNER",
        "brand",
        SONY,
        "ソニー",
    )
    (f,) = screener.screen(listing(brand="ACME"))
    assert f.term == ACME


def test_own_or_authorised_brand_is_fine(screener: Screener, listing: MakeListing) -> None:
    assert screener.screen(listing(brand="Acme"), authorised_owners={"owner-acme"}) == []
    assert (
        screener.screen(listing(title="Acme case", brand=""), authorised_owners={"owner-acme"})
        == []
    )
    # authorised for one owner is not authorised for another
    found = screener.screen(
        listing(title="Acme ソニー", brand=""), authorised_owners={"owner-acme"}
    )
    assert [f.term for f in found] == [SONY]


def test_the_same_term_registered_by_two_owners(listing: MakeListing) -> None:
    other = RegisteredTerm("ACME", "owner-other", "Acme EU", "EU-9", "DE")
    s = Screener([ACME, other])
    found = s.screen(listing(brand="acme"), authorised_owners={"owner-acme"})
    assert [f.term for f in found] == [other]


def test_screen_many(screener: Screener, listing: MakeListing) -> None:
    listings = [
        listing(title="ソニー cable", brand="", seller_id="S1"),
        listing(title="ソニー cable", brand="", seller_id="S2"),
        listing(title="plain cable", brand="", seller_id="S3"),
        listing(brand="キヤノン", seller_id="S4"),
    ]
    found = list(screener.screen_many(listings, authorisations={"S2": {"owner-sony"}}))
    assert [(f.seller_id, f.term) for f in found] == [("S1", SONY), ("S4", CANON)]
    assert [f.seller_id for f in screener.screen_many(listings[:1])] == ["S1"]


def test_no_terms_finds_nothing(listing: MakeListing) -> None:
    assert Screener([]).screen(listing(title="Acme", brand="")) == []


def test_a_hiragana_no_brand_word(screener: Screener, listing: MakeListing) -> None:
    (f,) = screener.screen(listing(title="パナソニック", brand="なし"))
    assert f.term == PANA
