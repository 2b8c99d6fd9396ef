"""AHS hours per marketplace and the callbacks sellers book."""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kenzen.db import Base, UTCDateTime, str_enum, utcnow
from kenzen.i18n import N_, labels


class AhsHours(Base):
    """When Account Health Support calls back in one marketplace (default: 09–17 JST)."""

    __tablename__ = "ahs_hours"

    marketplace_id: Mapped[str] = mapped_column(ForeignKey("marketplaces.id"), primary_key=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    holiday_country: Mapped[str | None] = mapped_column(String(2))


class CallbackStatus(enum.StrEnum):
    BOOKED = "BOOKED"
    CLAIMED = "CLAIMED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class CallOutcome(enum.StrEnum):
    REACHED = "REACHED"
    NO_ANSWER = "NO_ANSWER"
    WRONG_NUMBER = "WRONG_NUMBER"


#: How staff read each outcome (message ids).
OUTCOME_NAMES = labels(
    CallOutcome,
    {
        CallOutcome.REACHED: N_("ui.outcome.REACHED"),
        CallOutcome.NO_ANSWER: N_("ui.outcome.NO_ANSWER"),
        CallOutcome.WRONG_NUMBER: N_("ui.outcome.WRONG_NUMBER"),
    },
)


class Callback(Base):
    """A booked call. ``seat`` numbers the agents of a slot: the unique (slot, seat) pair
    is what keeps a slot from ever holding more calls than agents, also under concurrency."""

    __tablename__ = "callbacks"
    __table_args__ = (UniqueConstraint("marketplace_id", "slot_start", "seat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    marketplace_id: Mapped[str] = mapped_column(ForeignKey("marketplaces.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    phone: Mapped[str] = mapped_column(String(20))
    """E.164."""
    requested_for: Mapped[datetime] = mapped_column(UTCDateTime)
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    seat: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[CallbackStatus] = mapped_column(
        str_enum(CallbackStatus), default=CallbackStatus.BOOKED, index=True
    )
    claimed_by: Mapped[str | None] = mapped_column(String(320))
    outcome: Mapped[CallOutcome | None] = mapped_column(str_enum(CallOutcome))
    notes: Mapped[str | None] = mapped_column(Text)
    """Call notes: AHS only, never shown to sellers or Account Specialists."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    """AHS calls the seller before ``deadline`` (Account Health Assurance): the call is
    booked by Kenzen, not the seller, and a failed attempt is booked again the next open day."""
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """A priority call's: the end of the seller's time to work with us."""
