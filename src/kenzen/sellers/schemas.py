"""Request and response bodies of the sellers API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from kenzen.cases.schemas import CaseSummary
from kenzen.sellers.service import MAX_REASON_LENGTH, SellerHealth
from kenzen.sellers.status import AccountStatus


class SetAccountStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: AccountStatus
    reason: str = Field(min_length=1, max_length=MAX_REASON_LENGTH)
    case_id: int | None = Field(default=None, ge=1)


class AccountStatusChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seller_id: str
    previous_status: AccountStatus
    status: AccountStatus
    reason: str
    actor: str
    case_id: int
    at: datetime


class SellerHealthOut(BaseModel):
    seller_id: str
    marketplace_id: str
    display_name: str
    language: str
    status: AccountStatus
    status_meaning: str
    status_changed_at: datetime | None
    open_cases: list[CaseSummary]

    @classmethod
    def of(cls, health: SellerHealth) -> SellerHealthOut:
        seller = health.seller
        return cls(
            seller_id=seller.id,
            marketplace_id=seller.marketplace_id,
            display_name=seller.display_name,
            language=seller.language.value,
            status=seller.status,
            status_meaning=health.status_meaning,
            status_changed_at=seller.status_changed_at,
            open_cases=[CaseSummary.model_validate(c) for c in health.open_cases],
        )
