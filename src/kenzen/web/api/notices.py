"""Notices: verify a message, list notices, preferences, and webhook subscriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from kenzen.cases.models import OPTIONAL_NOTICE_KINDS, Case, CaseEntry
from kenzen.cases.schemas import CaseEntryOut
from kenzen.config import Settings
from kenzen.ids import MAX_ID
from kenzen.languages import Language
from kenzen.notify import service, webhooks
from kenzen.notify.keys import Keyring
from kenzen.notify.records import SessionRecords
from kenzen.notify.verify import (
    MAX_MESSAGE_BYTES,
    Verdict,
    Verification,
    verify_notice,
)
from kenzen.outbox.models import (
    AttemptOutcome,
    DeliveryStatus,
    Notice,
    NotificationPreference,
    WebhookDelivery,
    WebhookSubscription,
)
from kenzen.web.deps import CurrentActor, Db, PathId, ReaderLanguage

router = APIRouter(tags=["notices"])


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def keyring_of(request: Request) -> Keyring:
    return Keyring(settings_of(request).keys_dir)


class VerifyNoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(
        min_length=1,
        max_length=MAX_MESSAGE_BYTES,
        description="The whole message, headers and body, as saved from the mail program.",
    )


class ReasonOut(BaseModel):
    code: str
    detail: str
    message: str


class NoticeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    seller_id: str
    case_id: int
    case_entry_id: int
    kind: str
    mandatory: bool
    language: Language
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime


class VerificationOut(BaseModel):
    verdict: Verdict
    reasons: list[ReasonOut]
    from_address: str | None
    genuine_sender: str | None
    signed_by: list[str]
    notice_id: str | None
    case_id: int | None
    case_title: str | None
    case_entry: CaseEntryOut | None

    @classmethod
    def of(cls, result: Verification[Case, CaseEntry], language: str) -> VerificationOut:
        return cls(
            verdict=result.verdict,
            reasons=[
                ReasonOut(code=f.reason.value, detail=f.detail, message=f.message(language))
                for f in result.findings
            ],
            from_address=result.from_address,
            genuine_sender=result.expected_sender,
            signed_by=result.signed_by,
            notice_id=result.notice.id if result.notice else None,
            case_id=result.case.id if result.case else None,
            case_title=result.case.title_in(result.language) if result.case else None,
            case_entry=CaseEntryOut.of(result.entry, result.language) if result.entry else None,
        )


@router.post("/notices/verify", operation_id="verifyNotice")
def verify(
    body: VerifyNoticeIn,
    request: Request,
    actor: CurrentActor,
    db: Db,
    language: ReaderLanguage,
) -> VerificationOut:
    """GENUINE only when signed with the marketplace's key, aligned with From, and the notice
    is the caller's; otherwise SUSPICIOUS with every reason found. The matching case entry
    is in the notice's language, as the mail said it; the reasons in the reader's."""
    with db.transaction() as session:
        records = SessionRecords(session)
        result = verify_notice(records, actor, keyring_of(request), body.message.encode())
        return VerificationOut.of(result, language)


@router.get("/notices", operation_id="listNotices")
def list_notices(
    actor: CurrentActor,
    db: Db,
    seller_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NoticeOut]:
    with db.transaction() as session:
        found: list[Notice] = service.list_notices(session, actor, seller_id=seller_id, limit=limit)
        return [NoticeOut.model_validate(n) for n in found]


class OwnerNoticeOut(BaseModel):
    """What a rights owner was told: the text in the reader's language, and the message id
    and values it is stored as."""

    id: str
    owner_id: int
    kind: str
    text: str
    message_id: str
    language: Language
    status: DeliveryStatus
    sent_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, notice: Notice, language: str) -> OwnerNoticeOut:
        assert notice.owner_id is not None, "an owner's notice"
        assert notice.message is not None, "an owner's notice carries its message"
        return cls(
            id=notice.id,
            owner_id=notice.owner_id,
            kind=notice.kind,
            text=notice.message.render(language),
            message_id=notice.message.id,
            language=notice.language,
            status=notice.status,
            sent_at=notice.sent_at,
            created_at=notice.created_at,
        )


@router.get("/owner-notices", operation_id="listOwnerNotices")
def list_owner_notices(
    actor: CurrentActor,
    db: Db,
    language: ReaderLanguage,
    owner_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[OwnerNoticeOut]:
    """What rights owners were told about their complaints, newest first: a rights owner
    reads its own only; staff any owner's (``owner_id``) or all."""
    with db.transaction() as session:
        found = service.list_owner_notices(session, actor, owner_id=owner_id, limit=limit)
        return [OwnerNoticeOut.of(n, language) for n in found]


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Language | None = Field(default=None, description="None: the seller's language.")
    extra_recipients: list[str] = Field(default_factory=list, max_length=20)
    muted: list[str] = Field(default_factory=list, description="Optional notice kinds only.")


class PreferencesOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seller_id: str
    language: Language | None
    extra_recipients: list[str]
    muted: list[str]
    optional_kinds: list[str] = sorted(OPTIONAL_NOTICE_KINDS)

    @classmethod
    def of(cls, preference: NotificationPreference) -> PreferencesOut:
        return cls(
            seller_id=preference.seller_id,
            language=preference.language,
            extra_recipients=list(preference.extra_recipients),
            muted=list(preference.muted),
        )


@router.get(
    "/sellers/{seller_id}/notification-preferences", operation_id="getNotificationPreferences"
)
def get_preferences(seller_id: str, actor: CurrentActor, db: Db) -> PreferencesOut:
    with db.transaction() as session:
        return PreferencesOut.of(service.get_preferences(session, actor, seller_id))


@router.put(
    "/sellers/{seller_id}/notification-preferences", operation_id="setNotificationPreferences"
)
def set_preferences(
    seller_id: str, body: PreferencesIn, actor: CurrentActor, db: Db
) -> PreferencesOut:
    """Mandatory notices (everything but staff notes) cannot be muted: 422 names the kind."""
    with db.transaction() as session:
        preference = service.set_preferences(
            session,
            actor,
            seller_id,
            language=body.language.value if body.language else None,
            extra_recipients=body.extra_recipients,
            muted=body.muted,
        )
        return PreferencesOut.of(preference)


class AddWebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    marketplace_id: str = Field(min_length=1, max_length=32)
    url: str = Field(min_length=1, max_length=webhooks.MAX_URL_LENGTH, description="https://…")


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    marketplace_id: str
    url: str
    secret_hint: str
    created_by: str
    created_at: datetime
    disabled_at: datetime | None


class NewWebhookOut(WebhookOut):
    secret: str = Field(description="Shown once: verify X-Kenzen-Signature with it.")


class WebhookAttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    outcome: AttemptOutcome | None = Field(description="null while the post is under way.")
    http_status: int | None
    duration_ms: int
    detail: str


class WebhookDeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    notification_id: str
    notification_type: str
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    log: list[WebhookAttemptOut]


@router.post("/webhooks", operation_id="addWebhook", status_code=status.HTTP_201_CREATED)
def add_webhook(body: AddWebhookIn, request: Request, actor: CurrentActor, db: Db) -> NewWebhookOut:
    """Subscribe an HTTPS endpoint to a marketplace's ACCOUNT_STATUS_CHANGED events."""
    with db.transaction() as session:
        subscription, secret = webhooks.add_webhook(
            session,
            actor,
            keyring_of(request),
            marketplace_id=body.marketplace_id,
            url=body.url,
            allow_private=settings_of(request).webhook_allow_private,
        )
        shown = WebhookOut.model_validate(subscription)
        return NewWebhookOut(**shown.model_dump(), secret=secret)


@router.get("/webhooks", operation_id="listWebhooks")
def list_webhooks(
    actor: CurrentActor, db: Db, marketplace_id: str | None = None
) -> list[WebhookOut]:
    with db.transaction() as session:
        found: list[WebhookSubscription] = webhooks.list_webhooks(
            session, actor, marketplace_id=marketplace_id
        )
        return [WebhookOut.model_validate(s) for s in found]


@router.delete("/webhooks/{subscription_id}", operation_id="disableWebhook")
def disable_webhook(subscription_id: PathId, actor: CurrentActor, db: Db) -> WebhookOut:
    with db.transaction() as session:
        return WebhookOut.model_validate(webhooks.disable_webhook(session, actor, subscription_id))


@router.get("/webhooks/{subscription_id}/deliveries", operation_id="listWebhookDeliveries")
def list_webhook_deliveries(
    subscription_id: PathId,
    actor: CurrentActor,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[WebhookDeliveryOut]:
    """The delivery log: each event with every attempt and the endpoint's answer."""
    with db.transaction() as session:
        found: list[WebhookDelivery] = webhooks.list_deliveries(
            session, actor, subscription_id, limit=limit
        )
        return [WebhookDeliveryOut.model_validate(d) for d in found]
