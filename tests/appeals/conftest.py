"""A seller deactivated by five IP complaints — the seed's situation — to appeal from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kenzen.access import SYSTEM, Role
from kenzen.cases.models import Case
from kenzen.complaints import service as complaints
from kenzen.complaints.brand_check import ListingRow, upsert_listing
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import ComplaintKind
from kenzen.policy.document import Policy
from kenzen.policy.evaluation import evaluate
from tests.conftest import World, confirm_proposals


@dataclass(frozen=True)
class Deactivated:
    case_id: int
    """The deactivation case the seller appeals."""
    listing_ids: tuple[str, str]


def deactivate(world: World, policy: Policy) -> Deactivated:
    rights = world.actors[Role.RIGHTS_OWNER]
    with world.database.transaction() as session:
        brand = complaints.register_brand(
            session,
            rights,
            name="Sorano",
            registration_number="JP-T-1",
            country="JP",
            terms=["ソラノ"],
        )
        for sku in ("A1", "A2"):
            row = ListingRow(
                1, "S1", sku, f"B0{sku}", "ソラノ イヤホン", "ノーブランド", "", "merchant"
            )
            upsert_listing(session, SYSTEM, row)
        for n in range(5):
            complaints.file_complaint(
                session,
                rights,
                policy,
                brand_id=brand.id,
                kind=ComplaintKind.TRADEMARK,
                listings=[ListingRef(f"B0A{n % 2 + 1}")],
                evidence=f"test buy {n}",
            )
    evaluate(world.database, SYSTEM, policy, datetime.now(ZoneInfo("Asia/Tokyo")).date())
    assert confirm_proposals(world, policy, "S1")  # a specialist confirms the deactivation
    with world.database.transaction() as session:
        case = session.scalars(select(Case).where(Case.topic == "caps.ip_complaints")).one()
        return Deactivated(case.id, ("B0A1", "B0A2"))


@pytest.fixture
def deactivated(world: World, policy: Policy) -> Deactivated:
    return deactivate(world, policy)


GOOD_POA = {
    "language": "ja",
    "root_causes": [
        {
            "text": "商標を確認せずノーブランドとして出品した",
            "violation_id": None,
            "actions": ["対象2出品を削除し在庫120点を隔離しました"],
            "preventive_measures": [
                "出品前に商標データベースを確認するチェックリストを担当者2名で運用します"
            ],
        }
    ],
    "listings": [
        {"listing_id": "B0A1", "text": "削除しました"},
        {"listing_id": "B0A2", "text": "削除しました"},
    ],
}
