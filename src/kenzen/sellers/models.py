"""Marketplaces, sellers, listings and their holds, and the history of every account status
change."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kenzen.db import Base, UTCDateTime, str_enum, utcnow
from kenzen.languages import Language
from kenzen.sellers.status import AccountStatus


class Fulfillment(enum.StrEnum):
    MERCHANT = "merchant"
    MARKETPLACE = "marketplace"


class ListingStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    SUPPRESSED = "SUPPRESSED"


def new_facts_stamp() -> str:
    """A fresh :attr:`Seller.facts_stamp`: random, so no two states of a seller share one,
    not even in a database restored from a backup."""
    return uuid.uuid4().hex


class Marketplace(Base):
    __tablename__ = "marketplaces"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    language: Mapped[Language] = mapped_column(str_enum(Language, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    mail_domain: Mapped[str | None] = mapped_column(String(253))
    """The domain notices are sent from and signed for; see kenzen.notify.sender.sender_for."""


class Seller(Base):
    __tablename__ = "sellers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    marketplace_id: Mapped[str] = mapped_column(ForeignKey("marketplaces.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    language: Mapped[Language] = mapped_column(str_enum(Language, 2))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[AccountStatus] = mapped_column(
        str_enum(AccountStatus), default=AccountStatus.NORMAL, index=True
    )
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emergency_phone: Mapped[str | None] = mapped_column(String(20))
    """E.164; where Account Health Support calls before a deactivation (Assurance)."""
    facts_stamp: Mapped[str] = mapped_column(String(32), default=new_facts_stamp, server_default="")
    """A random value renewed (:func:`kenzen.sellers.marks.renew_facts_stamp`) in the
    transaction that changes any fact the policy reads about the seller: the key of what a
    process keeps of the seller's assessment."""

    marketplace: Mapped[Marketplace] = relationship()
    listings: Mapped[list[Listing]] = relationship(back_populates="seller")


class Listing(Base):
    __tablename__ = "listings"
    __table_args__ = (UniqueConstraint("seller_id", "sku"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    listing_id: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(500))
    brand: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    fulfillment: Mapped[Fulfillment] = mapped_column(
        str_enum(Fulfillment, 16), default=Fulfillment.MERCHANT
    )
    status: Mapped[ListingStatus] = mapped_column(
        str_enum(ListingStatus), default=ListingStatus.ACTIVE
    )
    """ACTIVE while no hold is open; otherwise what the oldest open hold makes it (see
    :mod:`kenzen.sellers.holds`, the only writer)."""

    seller: Mapped[Seller] = relationship(back_populates="listings")


class HoldKind(enum.StrEnum):
    """What holds a listing back."""

    VIOLATION = "violation"
    """A violation of a category that suppresses the listings it names."""
    RESTRICTION = "restriction"
    """A policy rule that restricts the seller's listings (a BAD metric, say)."""
    DEACTIVATION = "deactivation"
    """The account is deactivated."""


class ListingHold(Base):
    """One reason a listing is not active: who holds it, under which case, until when.

    A listing carries any number of holds and is active again only when the last is
    released; released holds stay as its history.
    """

    __tablename__ = "listing_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    kind: Mapped[HoldKind] = mapped_column(str_enum(HoldKind, 16))
    violation_id: Mapped[int | None] = mapped_column(ForeignKey("violations.id"), index=True)
    """The violation holding it (kind ``violation``)."""
    rule: Mapped[str | None] = mapped_column(String(200))
    """The policy rule restricting it (kind ``restriction``)."""
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    """The case that tells the seller why."""
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When it ends by itself (a violation's memory); none: until it is released."""
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class AccountStatusChange(Base):
    """Who changed an account's status, when, why, and under which case."""

    __tablename__ = "account_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    previous_status: Mapped[AccountStatus] = mapped_column(str_enum(AccountStatus))
    status: Mapped[AccountStatus] = mapped_column(str_enum(AccountStatus))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(320))
    actor_role: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvaluationMark(Base):
    """A seller waiting to be evaluated because a fact about its health changed.

    One row per seller: a new fact renews it (``version`` + 1) and keeps its place in the
    queue (``marked_at``, the oldest fact not yet evaluated).
    """

    __tablename__ = "evaluation_marks"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    reason: Mapped[str] = mapped_column(String(64))
    """The latest fact (``complaint filed``, ``events imported`` …), for the log."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    """Evaluations of this mark that failed."""
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """A failed evaluation is retried from then on."""
    last_error: Mapped[str | None] = mapped_column(Text)
