"""The demo marketplace's accounts: sellers in every status, listings, cases and users."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from kenzen.access import Actor, Role, Visibility
from kenzen.cases import service as cases
from kenzen.cases.models import CaseKind
from kenzen.identity import service as identity
from kenzen.sellers import service as sellers
from kenzen.sellers.status import AccountStatus

DEMO_PASSWORD = "kenzen-demo"  # noqa: S105 - documented, demo-only
DEMO_MARKETPLACE = "JP"
DEMO_SELLER = "S0001"
DEMO_USERS: tuple[tuple[str, Role], ...] = (
    ("seller@demo.kenzen.test", Role.SELLER),
    ("ahs@demo.kenzen.test", Role.AHS_AGENT),
    ("specialist@demo.kenzen.test", Role.ACCOUNT_SPECIALIST),
    ("rights@demo.kenzen.test", Role.RIGHTS_OWNER),
    ("admin@demo.kenzen.test", Role.ADMIN),
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

_STATUS_REASONS: dict[AccountStatus, tuple[str, str]] = {
    AccountStatus.AT_RISK: (
        "注文不良率が目標の1%を超えています。",
        "Order defect rate is above the 1% target.",
    ),
    AccountStatus.DEACTIVATED: (
        "知的財産権の侵害の申し立てを受けました(登録商標を含む出品)。",
        "Intellectual property complaints received (listings naming a registered brand).",
    ),
}


@dataclass(frozen=True, slots=True)
class DemoAccounts:
    sellers: dict[str, AccountStatus]
    listings: int
    cases: int


def _asin(rng: random.Random) -> str:
    return "B0" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=8))


def _status_for(index: int, rng: random.Random) -> AccountStatus:
    if index == 1:
        return AccountStatus.DEACTIVATED
    roll = rng.random()
    if roll < 0.12:
        return AccountStatus.DEACTIVATED
    if roll < 0.32:
        return AccountStatus.AT_RISK
    return AccountStatus.NORMAL


def create_accounts(
    session: Session, actor: Actor, *, seed: int, sellers_count: int, today: date
) -> DemoAccounts:
    """Create marketplace JP with sellers in every status, listings, cases and users."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    sellers.add_marketplace(
        session,
        actor,
        marketplace_id=DEMO_MARKETPLACE,
        name="Kenzen Demo Marketplace Japan",
        time_zone="Asia/Tokyo",
        currency="JPY",
        language="ja",
    )
    statuses: dict[str, AccountStatus] = {}
    listings = 0
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
        for number in range(rng.randint(2, 6)):
            title_ja, title_en = rng.choice(_PRODUCTS)
            sellers.add_listing(
                session,
                actor,
                seller_id=seller_id,
                sku=f"{seller_id}-{number + 1:03d}",
                listing_id=_asin(rng),
                title=title_ja if japanese else title_en,
                brand=rng.choice(_BRANDS),
            )
            listings += 1
        status = _status_for(index, rng)
        statuses[seller_id] = status
        if status is not AccountStatus.NORMAL:
            reason_ja, reason_en = _STATUS_REASONS[status]
            sellers.set_account_status(
                session,
                actor,
                seller_id,
                status=status,
                reason=reason_ja if japanese else reason_en,
            )
            case_count += 1
    users = {
        role: identity.add_user(
            session,
            actor,
            email=email,
            role=role,
            password=DEMO_PASSWORD,
            seller_id=DEMO_SELLER if role is Role.SELLER else None,
        ).as_actor()
        for email, role in DEMO_USERS
    }
    for index in range(1, sellers_count + 1, 25):
        _inquiry_case(session, users, f"S{index:04d}")
        case_count += 1
    return DemoAccounts(sellers=statuses, listings=listings, cases=case_count)


def _inquiry_case(session: Session, users: dict[Role, Actor], seller_id: str) -> None:
    """A case with an entry for each audience, to show who sees what."""
    case = cases.open_case(
        session, seller_id=seller_id, kind=CaseKind.GENERAL, title="出品に関するお問い合わせ"
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
