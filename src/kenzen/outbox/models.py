"""Notices (the mail outbox), webhook subscriptions and deliveries, and seller preferences.

A notice row is both the record of what was said to a seller (or a rights owner) and the
outbox entry the worker delivers: it is written in the transaction that wrote the case entry
(or changed the owner's complaint), so nothing is sent that is not recorded, and nothing
recorded is lost before it is sent. The rows refer to sellers, users, marketplaces and cases
by key only: the outbox sits below those domains.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kenzen.db import Base, StoredMessage, UTCDateTime, str_enum, utcnow
from kenzen.i18n import Message
from kenzen.languages import Language


class DeliveryStatus(enum.StrEnum):
    """Where an outbox row stands: waiting (or retrying), done, or given up."""

    QUEUED = "QUEUED"
    SENT = "SENT"
    FAILED = "FAILED"


class AttemptOutcome(enum.StrEnum):
    SENT = "SENT"
    RETRY = "RETRY"
    FAILED = "FAILED"


class DeliveryState:
    """The worker's bookkeeping, shared by every outbox row it claims, retries and gives up."""

    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, 16), default=DeliveryStatus.QUEUED, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """A worker's lease, renewed while it sends: after it, another worker may take the row."""
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)


class Notice(DeliveryState, Base):
    """One message to a seller or to a rights owner; its id is the ``X-Kenzen-Notice-Id``
    and the Message-ID.

    A seller's notice tells a case entry (``case_id``, ``case_entry_id``) and is put into
    words from it. A rights owner has no cases: its notice (``owner_id``) carries its own
    ``message``, a message id with values rendered in the owner's language when sent or
    read. Exactly one of the two recipients is set, and with it its kind of content.
    """

    __tablename__ = "notices"
    __table_args__ = (
        CheckConstraint(
            "(seller_id IS NULL) <> (owner_id IS NULL)", name="ck_notices_one_recipient"
        ),
        CheckConstraint(
            "(owner_id IS NULL) = (case_entry_id IS NOT NULL AND case_id IS NOT NULL "
            "AND message IS NULL)",
            name="ck_notices_content_of_recipient",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    """A random UUID, so notice ids cannot be guessed or enumerated."""
    seller_id: Mapped[str | None] = mapped_column(ForeignKey("sellers.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    """The rights owner (a user's id) the notice is for. No foreign key: every process that
    writes (the policy worker, the metric runs) loads the outbox, not always the users
    table, and an unresolved key would stop each of its flushes."""
    marketplace_id: Mapped[str] = mapped_column(ForeignKey("marketplaces.id"))
    """The marketplace the notice is sent from (for an owner: the one its complaint is in)."""
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    case_entry_id: Mapped[int | None] = mapped_column(ForeignKey("case_entries.id"), unique=True)
    message: Mapped[Message | None] = mapped_column(StoredMessage(none_as_null=True))
    kind: Mapped[str] = mapped_column(String(32))
    """The case entry's kind, or the owner notice's; plain text so new kinds need no
    migration here."""
    mandatory: Mapped[bool] = mapped_column(Boolean)
    language: Mapped[Language] = mapped_column(str_enum(Language, 2))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NoticeAttempt(Base):
    """The delivery log of a notice: one row per try, written before the try, with what the
    relay answered."""

    __tablename__ = "notice_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[AttemptOutcome | None] = mapped_column(str_enum(AttemptOutcome, 16))
    """None while the attempt is under way (or its worker died: the next one settles it)."""
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the worker let the relay take the message (before the end-of-data line); a
    notice handed over is never sent again."""
    transport: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")


class NotificationPreference(Base):
    """A seller's choices; mandatory notices go out whatever is muted here."""

    __tablename__ = "notification_preferences"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), primary_key=True)
    language: Mapped[Language | None] = mapped_column(str_enum(Language, 2))
    """None: the seller's own language."""
    extra_recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    muted: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Optional notice kinds the seller does not want by mail (they stay in the case log)."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookSubscription(Base):
    """An endpoint for one marketplace's events of one type: an operator's (every seller), or
    an SP-API app's for the one seller that subscribed it (``seller_id``)."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    marketplace_id: Mapped[str] = mapped_column(ForeignKey("marketplaces.id"), index=True)
    seller_id: Mapped[str | None] = mapped_column(ForeignKey("sellers.id"), index=True)
    notification_type: Mapped[str] = mapped_column(String(64), default="ACCOUNT_STATUS_CHANGED")
    application_id: Mapped[str] = mapped_column(String(64), default="kenzen")
    """``notificationMetadata.applicationId``: "kenzen", or the SP-API app's client id."""
    url: Mapped[str] = mapped_column(String(2000))
    secret_ciphertext: Mapped[str] = mapped_column(Text)
    """The signing secret, encrypted with a key kept under KENZEN_HOME/keys, not here."""
    secret_hint: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookDelivery(DeliveryState, Base):
    """One event for one subscription: the outbox row the worker posts and retries."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"), index=True)
    notification_id: Mapped[str] = mapped_column(String(36), unique=True)
    """Stable across retries, so receivers recognise a duplicate."""
    notification_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscription: Mapped[WebhookSubscription] = relationship()
    log: Mapped[list[WebhookAttempt]] = relationship(order_by="WebhookAttempt.id")


class WebhookAttempt(Base):
    """The delivery log of a subscription: every post, its HTTP status and duration."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[AttemptOutcome | None] = mapped_column(str_enum(AttemptOutcome, 16))
    """None while the post is under way (or its worker died: the next one settles it)."""
    http_status: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str] = mapped_column(Text, default="")
