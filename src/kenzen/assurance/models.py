"""Holds on protected sellers' deactivation proposals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from kenzen.db import Base, UTCDateTime, utcnow


class AssuranceHold(Base):
    """What Account Health Assurance did about one deactivation proposal: held it for the
    seller to work with us, or let it pass because the proposal rests on a bypass category.
    One per proposal, so a second round of the worker never books a second call or notice.
    AHS's attempts are the calls completed on the hold's case since it opened."""

    __tablename__ = "assurance_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("enforcement_proposals.id"), unique=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    """The proposal's case: the seller reads the hold there and answers with a Plan of
    Action on it."""
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response_hours: Mapped[int] = mapped_column(Integer)
    """The policy's at opening: a later policy does not move a running window."""
    bypassed_by: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The bypass categories the proposal rests on; empty for a hold."""
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the proposal was decided or withdrawn and the open priority calls cancelled."""

    @property
    def bypassed(self) -> bool:
        return bool(self.bypassed_by)
