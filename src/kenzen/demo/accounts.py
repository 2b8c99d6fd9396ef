"""The demo marketplace's accounts: sellers in every status, listings, cases and users."""

from __future__ import annotations

import enum
import random
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from kenzen.access import Actor, Role, Visibility
from kenzen.cases import service as cases
from kenzen.cases.models import CaseKind
from kenzen.complaints import brand_check
from kenzen.complaints import service as complaints
from kenzen.complaints.brand_check import ListingRow
from kenzen.i18n import N_, Message
from kenzen.identity import service as identity
from kenzen.sellers import service as sellers
from kenzen.sellers.models import Fulfillment

DEMO_PASSWORD = "kenzen-demo"  # noqa: S105 - documented, demo-only
DEMO_MARKETPLACE = "JP"
DEMO_TIME_ZONE = "Asia/Tokyo"
DEMO_SELLER = "S0001"
#: A rights owner whose notices were found invalid often enough to be held (DSA Art. 23).
HELD_NOTIFIER = "notifier@demo.kenzen.test"
#: A second Account Specialist: four eyes are two people.
DEMO_REVIEWER = "reviewer@demo.kenzen.test"
DEMO_USERS: tuple[tuple[str, Role], ...] = (
    ("seller@demo.kenzen.test", Role.SELLER),
    ("ahs@demo.kenzen.test", Role.AHS_AGENT),
    ("specialist@demo.kenzen.test", Role.ACCOUNT_SPECIALIST),
    ("rights@demo.kenzen.test", Role.RIGHTS_OWNER),
    ("admin@demo.kenzen.test", Role.ADMIN),
    (DEMO_REVIEWER, Role.ACCOUNT_SPECIALIST),
)

_JA_NAMES = (
    "さくら",
    "ひかり",
    "みどり",
    "あおば",
    "ふじ",
    "こはる",
    "つばさ",
    "やまと",
    "かえで",
    "すずらん",
)
_JA_SUFFIXES = ("商店", "ストア", "トレーディング", "マート", "堂", "屋")
_EN_NAMES = ("Blue Harbor", "Maple", "Northwind", "Cedar", "Lumen", "Pine Street", "Harbor Lane")
_EN_SUFFIXES = ("Goods", "Trading", "Supply", "Outlet", "Store")
_PRODUCTS = (
    ("スマートフォンケース", "Smartphone case"),
    ("USB-C 充電ケーブル 1m", "USB-C charging cable 1m"),
    ("ステンレス水筒 500ml", "Stainless bottle 500ml"),
    ("ワイヤレスイヤホン", "Wireless earphones"),
    ("キッチンタイマー", "Kitchen timer"),
    ("LED デスクライト", "LED desk lamp"),
    ("トートバッグ", "Tote bag"),
    ("スニーカー 替え紐", "Sneaker laces"),
)
_BRANDS = ("", "ノーブランド", "Generic", "Kenzen Basics", "ひかり工房")


class Profile(enum.Enum):
    """How a demo seller behaves; its events, complaints and violations follow from it."""

    GOOD = "good"
    SLOPPY_SHIPPER = "sloppy shipper"
    DEFECTIVE = "many order defects"
    IP_INFRINGER = "sells a registered brand as no-brand"
    POLICY_VIOLATOR = "a few policy violations"
    REPEAT_OFFENDER = "many policy violations"


_PROFILE_ODDS = (
    (Profile.SLOPPY_SHIPPER, 0.08),
    (Profile.DEFECTIVE, 0.10),
    (Profile.IP_INFRINGER, 0.04),
    (Profile.POLICY_VIOLATOR, 0.05),
    (Profile.REPEAT_OFFENDER, 0.02),
)
#: The demo rights owner's brand, which the seed's seller took for a no-brand product.
BRAND_TERMS = ("Sorano", "ソラノ")
#: How a Japanese infringer spells the brand in its two branded listings: half-width katakana
#: and hiragana, which screening and the rights owner's brand search read as ソラノ.
BRAND_SPELLINGS = ("ｿﾗﾉ", "そらの")


@dataclass(frozen=True, slots=True)
class DemoAccounts:
    sellers: dict[str, Profile]
    users: dict[Role, Actor]
    listings: int
    cases: int


def _asin(rng: random.Random) -> str:
    return "B0" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=8))


def _profile_for(index: int, rng: random.Random) -> Profile:
    if index == 1:
        return Profile.IP_INFRINGER
    roll = rng.random()
    for profile, odds in _PROFILE_ODDS:
        if roll < odds:
            return profile
        roll -= odds
    return Profile.GOOD


def create_accounts(
    session: Session, actor: Actor, *, seed: int, sellers_count: int, today: date
) -> DemoAccounts:
    """Create marketplace JP, sellers with their profiles and listings, and the users."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    sellers.add_marketplace(
        session,
        actor,
        marketplace_id=DEMO_MARKETPLACE,
        name="Kenzen Demo Marketplace Japan",
        time_zone=DEMO_TIME_ZONE,
        currency="JPY",
        language="ja",
    )
    profiles: dict[str, Profile] = {}
    rows: list[ListingRow] = []
    case_count = 0
    midnight = datetime.combine(today, time(), tzinfo=UTC)
    for index in range(1, sellers_count + 1):
        seller_id = f"S{index:04d}"
        japanese = index == 1 or rng.random() < 0.8
        if japanese:
            name = rng.choice(_JA_NAMES) + rng.choice(_JA_SUFFIXES)
        else:
            name = f"{rng.choice(_EN_NAMES)} {rng.choice(_EN_SUFFIXES)}"
        sellers.add_seller(
            session,
            actor,
            seller_id=seller_id,
            marketplace_id=DEMO_MARKETPLACE,
            display_name=name,
            email=f"{seller_id.lower()}@sellers.demo.kenzen.test",
            language="ja" if japanese else "en",
            registered_at=midnight - timedelta(days=rng.randint(30, 1500)),
        )
        profile = _profile_for(index, rng)
        profiles[seller_id] = profile
        for number in range(rng.randint(3, 6)):
            title_ja, title_en = rng.choice(_PRODUCTS)
            title, brand = (title_ja if japanese else title_en), rng.choice(_BRANDS)
            if profile is Profile.IP_INFRINGER and number < 2:
                # The seed's root cause: a branded product listed as no-brand.
                spelled = BRAND_SPELLINGS[number] if japanese else BRAND_TERMS[0]
                title, brand = f"{spelled} {title}", "ノーブランド"
            fulfillment = Fulfillment.MERCHANT if rng.random() < 0.7 else Fulfillment.MARKETPLACE
            rows.append(
                ListingRow(
                    line=len(rows) + 1,
                    seller_id=seller_id,
                    sku=f"{seller_id}-{number + 1:03d}",
                    listing_id=_asin(rng),
                    title=title,
                    brand=brand,
                    description="",
                    fulfillment=fulfillment.value,
                )
            )
    users: dict[Role, Actor] = {}
    for email, role in DEMO_USERS:
        user = identity.add_user(
            session,
            actor,
            email=email,
            role=role,
            password=DEMO_PASSWORD,
            seller_id=DEMO_SELLER if role is Role.SELLER else None,
        )
        users.setdefault(role, user.as_actor())  # the first user of each role
    complaints.register_brand(
        session,
        users[Role.RIGHTS_OWNER],
        name=BRAND_TERMS[0],
        registration_number="JP-T-6123456",
        country="JP",
        terms=BRAND_TERMS[1:],
    )
    for row in rows:
        brand_check.upsert_listing(session, actor, row)
    for index in range(1, sellers_count + 1, 25):
        _inquiry_case(session, users, f"S{index:04d}")
        case_count += 1
    return DemoAccounts(sellers=profiles, users=users, listings=len(rows), cases=case_count)


def _inquiry_case(session: Session, users: dict[Role, Actor], seller_id: str) -> None:
    """A case with an entry for each audience, to show who sees what."""
    case = cases.open_case(
        session, seller_id=seller_id, kind=CaseKind.GENERAL, title=Message(N_("case.inquiry.title"))
    )
    notes = (
        (
            Role.ACCOUNT_SPECIALIST,
            Visibility.SELLER,
            "お問い合わせを受け付けました。担当者が確認します。",
        ),
        (
            Role.ACCOUNT_SPECIALIST,
            Visibility.SELLER_PERFORMANCE,
            "Listing history reviewed; no policy issue found yet.",
        ),
        (Role.AHS_AGENT, Visibility.AHS, "Seller called back; explained how the review works."),
    )
    for role, visibility, text in notes:
        cases.add_case_note(session, users[role], case.id, text=text, visibility=visibility)
