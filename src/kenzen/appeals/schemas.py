"""Request and response bodies of appeals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kenzen.appeals.checker import Finding
from kenzen.appeals.guidance import Guidance
from kenzen.appeals.models import Appeal, AppealStatus, Attachment
from kenzen.appeals.poa import MAX_ITEMS, PlanOfAction, validated
from kenzen.appeals.reader import MAX_PLAN_TEXT
from kenzen.appeals.service import ReviewPacket
from kenzen.appeals.written import PlanSource, Tie, WrittenPlan, from_boxes, from_text
from kenzen.cases.schemas import CaseOut, DecisionDue
from kenzen.complaints.models import Complaint, ComplaintKind, ComplaintStatus
from kenzen.complaints.schemas import ComplaintFileOut, DisputeOut, RetractionRequestOut
from kenzen.complaints.schemas import FindingOut as ScreeningOut
from kenzen.complaints.screening import Finding as ScreeningFinding
from kenzen.ids import RowId

_STRICT = ConfigDict(extra="forbid")


class Boxes(BaseModel):
    """Amazon's appeal form: three boxes, each free text with items of any kind."""

    model_config = _STRICT

    root_cause: str = Field(default="", max_length=MAX_PLAN_TEXT)
    actions: str = Field(default="", max_length=MAX_PLAN_TEXT)
    preventive_measures: str = Field(default="", max_length=MAX_PLAN_TEXT)


class CauseTie(BaseModel):
    """Root cause ``cause`` (counted from 1) explains this violation or metric of the case."""

    model_config = _STRICT

    cause: int = Field(ge=1, le=MAX_ITEMS)
    violation_id: int | None = Field(default=None, ge=1)
    metric: str | None = Field(default=None, max_length=64)


class PlanInput(BaseModel):
    """The plan in one of three shapes: ``poa`` (structured), ``text`` (the whole plan as
    the seller wrote it: plain, Markdown, pasted from Word) or ``boxes``. With text or boxes,
    ``ties`` say which violation or metric each cause explains."""

    model_config = _STRICT

    poa: PlanOfAction | None = None
    text: str | None = Field(default=None, max_length=MAX_PLAN_TEXT)
    boxes: Boxes | None = None
    ties: tuple[CauseTie, ...] = Field(default=(), max_length=MAX_ITEMS)
    attachment_ids: tuple[int, ...] = Field(default=(), max_length=20)

    @model_validator(mode="after")
    def _one_shape(self) -> PlanInput:
        given = [name for name in ("poa", "text", "boxes") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of poa, text, boxes")
        if self.poa is not None and self.ties:
            raise ValueError("ties go with text or boxes; a structured cause names its own")
        return self

    def written(self) -> WrittenPlan:
        ties = [Tie(t.cause, t.violation_id, t.metric) for t in self.ties]
        if self.text is not None:
            return from_text(self.text, ties, self.attachment_ids)
        if self.boxes is not None:
            box = self.boxes
            return from_boxes(
                box.root_cause, box.actions, box.preventive_measures, ties, self.attachment_ids
            )
        assert self.poa is not None
        ids = list(dict.fromkeys((*self.poa.attachment_ids, *self.attachment_ids)))
        return WrittenPlan.structured(validated({**self.poa.model_dump(), "attachment_ids": ids}))


class SubmitAppeal(PlanInput):
    draft: bool = False


class CheckAppeal(PlanInput):
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
    """The structured view of the plan."""
    text: str | None
    """The seller's own words, verbatim."""
    source: PlanSource
    filename: str | None
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
    decision_due: DecisionDue | None = None

    @classmethod
    def of(cls, appeal: Appeal, due: DecisionDue | None = None) -> AppealOut:
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
            decision_due=due,
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


class PacketListing(BaseModel):
    listing_id: str
    title: str
    findings: list[ScreeningOut]


class PacketComplaint(BaseModel):
    """The complaint itself, as the rights owner filed it and as both sides answered it."""

    id: int
    owner: str
    brand: str
    brand_registration_number: str
    country: str
    kind: ComplaintKind
    registration_number: str | None
    work: str | None
    test_buy_order_id: str | None
    listings: list[PacketListing]
    claim: str
    files: list[ComplaintFileOut]
    filed_at: datetime
    status: ComplaintStatus
    disputes: list[DisputeOut]
    retraction_requests: list[RetractionRequestOut]

    @classmethod
    def of(
        cls, complaint: Complaint, findings: dict[int, list[ScreeningFinding]]
    ) -> PacketComplaint:
        return cls(
            id=complaint.id,
            owner=complaint.owner.email,
            brand=complaint.brand.name,
            brand_registration_number=complaint.brand.registration_number,
            country=complaint.brand.country,
            kind=complaint.kind,
            registration_number=complaint.registration_number,
            work=complaint.work,
            test_buy_order_id=complaint.test_buy_order_id,
            listings=[
                PacketListing(
                    listing_id=link.listing.listing_id,
                    title=link.listing.title,
                    findings=[
                        ScreeningOut.model_validate(ScreeningOut.fields_of(f))
                        for f in findings.get(link.listing_id, [])
                    ],
                )
                for link in complaint.listings
            ],
            claim=complaint.evidence,
            files=[ComplaintFileOut.model_validate(f) for f in complaint.files],
            filed_at=complaint.filed_at,
            status=complaint.status,
            disputes=[DisputeOut.of(d) for d in complaint.disputes],
            retraction_requests=[
                RetractionRequestOut.model_validate(r) for r in complaint.retraction_requests
            ],
        )


class ReviewPacketOut(BaseModel):
    """The appeal with its case, evidence and guidance; AHS call notes never appear here
    for an Account Specialist (the case entries are filtered by who reads them)."""

    appeal: AppealOut
    case: CaseOut
    violations: list[EvidenceViolation]
    metrics: list[str]
    listings: list[EvidenceListing]
    complaints: list[PacketComplaint]
    guidance: list[GuidanceOut]

    @classmethod
    def of(cls, packet: ReviewPacket, language: str) -> ReviewPacketOut:
        facts = packet.facts
        return cls(
            appeal=AppealOut.of(packet.appeal),
            case=CaseOut.of_detail(packet.case, language),
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
            complaints=[PacketComplaint.of(c, packet.findings) for c in facts.complaints],
            guidance=[GuidanceOut.of(g) for g in packet.guidance],
        )


def attachment_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut.model_validate(attachment)
