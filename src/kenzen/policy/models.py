"""Violations and the enforcement actions taken, each with its policy version and evidence."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kenzen.db import Base, UTCDateTime, str_enum, utcnow


class ViolationStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    RESOLVED = "RESOLVED"
    DISMISSED = "DISMISSED"
    EXPIRED = "EXPIRED"


class Violation(Base):
    """A breach of one policy category by one seller; it costs rating points while active.

    ``source`` names what raised it (``complaint:12``, ``rule:…``) and is unique per seller,
    so evaluating twice never records the same violation twice.
    """

    __tablename__ = "violations"
    __table_args__ = (UniqueConstraint("seller_id", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    category: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[ViolationStatus] = mapped_column(
        str_enum(ViolationStatus), default=ViolationStatus.ACTIVE, index=True
    )
    source: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str | None] = mapped_column(String(200), index=True)
    """The policy rule that recorded it (none for complaints)."""
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    listing_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    policy_version: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EnforcementAction(Base):
    """One action an evaluation took (a warning, a restriction, a status change).

    Unique per seller, rule, kind and as-of date: a rerun of the same evaluation adds
    nothing, and every action keeps the policy version and the evidence behind it.
    """

    __tablename__ = "enforcement_actions"
    __table_args__ = (UniqueConstraint("seller_id", "kind", "rule", "as_of"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[date] = mapped_column(Date, index=True)
    policy_version: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvaluationDay(Base):
    """The last day the worker started in a marketplace (at midnight in its time zone)."""

    __tablename__ = "evaluation_days"

    marketplace_id: Mapped[str] = mapped_column(ForeignKey("marketplaces.id"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AssuranceEligibility(Base):
    """A seller's latest day under the Account Health Assurance rule, computed daily from
    the stored rating history (:mod:`kenzen.policy.assured`); the emergency phone is read
    from the seller when asked, since the seller changes it at any time."""

    __tablename__ = "assurance_eligibility"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    window_days: Mapped[int] = mapped_column(Integer)
    min_rating: Mapped[int] = mapped_column(Integer)
    max_days_below: Mapped[int] = mapped_column(Integer)
    days_at_or_above: Mapped[int] = mapped_column(Integer)
    days_below: Mapped[int] = mapped_column(Integer)
    days_without_rating: Mapped[int] = mapped_column(Integer)
    policy_version: Mapped[str] = mapped_column(String(64))
