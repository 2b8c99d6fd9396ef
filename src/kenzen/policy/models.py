"""Violations and the enforcement actions taken, each with its policy version and evidence."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kenzen.db import Base, UTCDateTime, str_enum, utcnow
from kenzen.policy.assessment import ViolationStatus as ViolationStatus  # defined with its readers
from kenzen.policy.document import ReviewMode


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
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_proposals.id"))
    """The proposal specialists confirmed, for an action people decided (none when the
    evaluation applied it by itself)."""


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


class ProposalStatus(enum.StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"
    """The policy stopped demanding the action before anyone decided (a complaint retracted)."""


class Verdict(enum.StrEnum):
    CONFIRM = "CONFIRM"
    REJECT = "REJECT"


class EnforcementProposal(Base):
    """An action the policy demands and people decide (``[review]`` in the policy file).

    It keeps the evidence as it stood when it was proposed, and the facts it rests on
    (``facts``: the rules that fired, the counting violations, the bad metrics), so that a
    rejected proposal comes back only when a fact it did not have arrives. At most one
    proposal per seller and action is pending.
    """

    __tablename__ = "enforcement_proposals"
    __table_args__ = (
        Index(
            "uq_enforcement_proposals_pending",
            "seller_id",
            "kind",
            unique=True,
            sqlite_where=text("status = 'PENDING'"),
            postgresql_where=text("status = 'PENDING'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(200))
    review: Mapped[ReviewMode] = mapped_column(str_enum(ReviewMode))
    status: Mapped[ProposalStatus] = mapped_column(
        str_enum(ProposalStatus), default=ProposalStatus.PENDING, index=True
    )
    as_of: Mapped[date] = mapped_column(Date)
    policy_version: Mapped[str] = mapped_column(String(64))
    facts: Mapped[list[str]] = mapped_column(JSON, default=list)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(Text)
    """Why it ended: the reasons of the decisive review, or why it was withdrawn."""

    reviews: Mapped[list[ProposalReview]] = relationship(
        order_by="ProposalReview.id", back_populates="proposal"
    )

    @property
    def confirmations_needed(self) -> int:
        return 2 if self.review is ReviewMode.FOUR_EYES else 1

    @property
    def confirmations(self) -> int:
        return sum(1 for r in self.reviews if r.verdict is Verdict.CONFIRM)


class ProposalReview(Base):
    """One specialist's confirmation or rejection of a proposal, with the reasons; a
    specialist reviews a proposal once, so four eyes are always two people."""

    __tablename__ = "enforcement_proposal_reviews"
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("enforcement_proposals.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewer: Mapped[str] = mapped_column(String(320))
    verdict: Mapped[Verdict] = mapped_column(str_enum(Verdict))
    reasons: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[EnforcementProposal] = relationship(back_populates="reviews")
