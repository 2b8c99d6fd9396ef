"""Request and response bodies of appeals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kenzen.appeals.checker import Finding
from kenzen.appeals.guidance import Guidance
from kenzen.appeals.models import Appeal, AppealStatus, Attachment
from kenzen.appeals.poa import PlanOfAction
from kenzen.appeals.service import ReviewPacket
from kenzen.cases.schemas import CaseOut
from kenzen.ids import RowId

_STRICT = ConfigDict(extra="forbid")


class SubmitAppeal(BaseModel):
    model_config = _STRICT

    poa: PlanOfAction
    draft: bool = False


class CheckAppeal(BaseModel):
    model_config = _STRICT

    poa: PlanOfAction
    case_id: RowId | None = None


class DecideAppeal(BaseModel):
    model_config = _STRICT

    decision: AppealStatus
    reasons: str = Field(default="", max_length=5_000)
    deadline: datetime | None = None


class FindingOut(BaseModel):
    code: str
    severity: str
    part: str
    message: dict[str, str]

    @classmethod
    def of(cls, finding: Finding) -> FindingOut:
        return cls(
            code=finding.code,
            severity=finding.severity,
            part=finding.part,
            message=finding.message,
        )


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    content: dict[str, Any]
    findings: list[dict[str, Any]]
    saved_at: datetime
    submitted_at: datetime | None


class DecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    decision: AppealStatus
    reasons: str
    deadline: datetime | None
    decided_by: str
    decided_at: datetime


class AppealOut(BaseModel):
    id: int
    case_id: int
    seller_id: str
    status: AppealStatus
    reviewer: str | None
    submitted_at: datetime | None
    versions: list[VersionOut]
    decisions: list[DecisionOut]
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, appeal: Appeal) -> AppealOut:
        return cls(
            id=appeal.id,
            case_id=appeal.case_id,
            seller_id=appeal.seller_id,
            status=appeal.status,
            reviewer=appeal.reviewer,
            submitted_at=appeal.submitted_at,
            versions=[VersionOut.model_validate(v) for v in appeal.versions],
            decisions=[DecisionOut.model_validate(d) for d in appeal.decisions],
            attachments=[AttachmentOut.model_validate(a) for a in appeal.attachments],
        )


class GuidanceOut(BaseModel):
    topic: str
    why: str
    how: str
    after: str

    @classmethod
    def of(cls, guidance: Guidance) -> GuidanceOut:
        return cls(topic=guidance.topic, why=guidance.why, how=guidance.how, after=guidance.after)


class EvidenceViolation(BaseModel):
    id: int
    category: str
    status: str
    occurred_at: datetime
    listing_ids: list[str]
    evidence: dict[str, Any]
    policy_version: str


class EvidenceListing(BaseModel):
    listing_id: str
    sku: str
    title: str
    status: str


class ReviewPacketOut(BaseModel):
    """The appeal with its case, evidence and guidance; AHS call notes never appear here
    for an Account Specialist (the case entries are filtered by who reads them)."""

    appeal: AppealOut
    case: CaseOut
    violations: list[EvidenceViolation]
    metrics: list[str]
    listings: list[EvidenceListing]
    guidance: list[GuidanceOut]

    @classmethod
    def of(cls, packet: ReviewPacket) -> ReviewPacketOut:
        facts = packet.facts
        return cls(
            appeal=AppealOut.of(packet.appeal),
            case=CaseOut.of(packet.case),
            violations=[
                EvidenceViolation(
                    id=v.id,
                    category=v.category,
                    status=v.status.value,
                    occurred_at=v.occurred_at,
                    listing_ids=v.listing_ids,
                    evidence=v.evidence,
                    policy_version=v.policy_version,
                )
                for v in facts.violations
            ],
            metrics=facts.metrics,
            listings=[
                EvidenceListing(
                    listing_id=x.listing_id, sku=x.sku, title=x.title, status=x.status.value
                )
                for x in facts.listings
            ],
            guidance=[GuidanceOut.of(g) for g in packet.guidance],
        )


def attachment_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut.model_validate(attachment)
