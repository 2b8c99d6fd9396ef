"""Request and response bodies of the sellers API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from kenzen.ids import RowId
from kenzen.sellers.service import MAX_REASON_LENGTH
from kenzen.sellers.status import AccountStatus


class SetAccountStatus(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: AccountStatus
    reason: str = Field(min_length=1, max_length=MAX_REASON_LENGTH)
    case_id: RowId | None = None


class AccountStatusChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seller_id: str
    previous_status: AccountStatus
    status: AccountStatus
    reason: str
    actor: str
    case_id: int
    at: datetime


class SetEmergencyContact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(min_length=3, max_length=40, description="National or E.164")


class EmergencyContactOut(BaseModel):
    seller_id: str
    phone: str
    """E.164."""
