"""Request and response bodies of brands, complaints and listings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from kenzen.cases.schemas import DecisionDue
from kenzen.complaints.brand_check import describe
from kenzen.complaints.catalogue import Hit, ListingRef, SearchPage
from kenzen.complaints.models import (
    Brand,
    BrandAuthorisation,
    Complaint,
    ComplaintKind,
    ComplaintStatus,
    Dispute,
    DisputeReason,
    DisputeStatus,
    RetractionRequest,
    RetractionStatus,
)
from kenzen.complaints.screening import Finding
from kenzen.ids import RowId
from kenzen.sellers.models import Fulfillment, Listing, ListingStatus
from kenzen.text import Name

_STRICT = ConfigDict(extra="forbid")


class RegisterBrand(BaseModel):
    model_config = _STRICT

    name: Name = Field(min_length=1, max_length=200)
    registration_number: str = Field(min_length=1, max_length=64)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2")
    terms: list[Annotated[Name, Field(max_length=200)]] = Field(
        default_factory=list, max_length=200
    )


class BrandOut(BaseModel):
    id: int
    name: str
    registration_number: str
    country: str
    terms: list[str]
    created_at: datetime

    @classmethod
    def of(cls, brand: Brand) -> BrandOut:
        return cls(
            id=brand.id,
            name=brand.name,
            registration_number=brand.registration_number,
            country=brand.country,
            terms=[t.term for t in brand.terms],
            created_at=brand.created_at,
        )


class ListingRefIn(BaseModel):
    """A listing by the marketplace's listing id, and the seller if several offer it."""

    model_config = _STRICT

    listing_id: str = Field(min_length=1, max_length=32, description="The public listing id")
    seller_id: str | None = Field(default=None, min_length=1, max_length=64)

    def ref(self) -> ListingRef:
        return ListingRef(self.listing_id, self.seller_id)


class FileComplaint(BaseModel):
    model_config = _STRICT

    brand_id: RowId
    kind: ComplaintKind
    listings: list[ListingRefIn] = Field(min_length=1, max_length=500)
    evidence: str = Field(min_length=1, max_length=20_000, description="The claim")
    registration_number: str | None = Field(
        default=None, max_length=64, description="Required for design and patent complaints"
    )
    work: str | None = Field(
        default=None,
        max_length=2_000,
        description="Required for copyright: the protected work, described or at a URL",
    )
    test_buy_order_id: str | None = Field(
        default=None, max_length=64, description="Required for counterfeit after a test buy"
    )


class ComplaintFileForm(BaseModel):
    """The form fields of an evidence upload besides the file."""

    model_config = _STRICT

    complaint_id: RowId


class ComplaintFileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


class RetractComplaint(BaseModel):
    model_config = _STRICT

    reason: str = Field(min_length=1, max_length=2_000)


class ComplaintListingOut(BaseModel):
    """Public listing data only: what the listing page shows."""

    listing_id: str
    title: str


class ComplaintOut(BaseModel):
    id: int
    brand_id: int
    seller_id: str
    kind: ComplaintKind
    status: ComplaintStatus
    listings: list[ComplaintListingOut]
    evidence: str
    registration_number: str | None
    work: str | None
    test_buy_order_id: str | None
    files: list[ComplaintFileOut]
    filed_at: datetime
    retracted_at: datetime | None
    disputes: list[DisputeOut] = Field(
        description="The seller's disputes; a pending one with its decision_due"
    )
    retraction_requests: list[RetractionRequestOut] = Field(
        description="The seller's retraction requests; a pending one with its decision_due"
    )
    violation_id: int | None
    case_id: int | None

    @classmethod
    def of(
        cls,
        complaint: Complaint,
        dispute_dues: Mapping[int, DecisionDue],
        request_dues: Mapping[int, DecisionDue],
    ) -> ComplaintOut:
        """The complaint with the due times of its pending answers, by their ids."""
        return cls(
            id=complaint.id,
            brand_id=complaint.brand_id,
            seller_id=complaint.seller_id,
            kind=complaint.kind,
            status=complaint.status,
            listings=[
                ComplaintListingOut(listing_id=link.listing.listing_id, title=link.listing.title)
                for link in complaint.listings
            ],
            evidence=complaint.evidence,
            registration_number=complaint.registration_number,
            work=complaint.work,
            test_buy_order_id=complaint.test_buy_order_id,
            files=[ComplaintFileOut.model_validate(f) for f in complaint.files],
            filed_at=complaint.filed_at,
            retracted_at=complaint.retracted_at,
            disputes=[DisputeOut.of(d, dispute_dues.get(d.id)) for d in complaint.disputes],
            retraction_requests=[
                RetractionRequestOut.of(r, request_dues.get(r.id))
                for r in complaint.retraction_requests
            ],
            violation_id=complaint.violation_id,
            case_id=complaint.case_id,
        )


class ListingIn(BaseModel):
    model_config = _STRICT

    listing_id: str = Field(min_length=1, max_length=32)
    title: Name = Field(min_length=1, max_length=500)
    brand: Name = Field(default="", max_length=200)
    description: str = Field(default="", max_length=20_000)
    fulfillment: Fulfillment = Fulfillment.MERCHANT


class FindingOut(BaseModel):
    """A registered term found in a listing."""

    kind: str
    field: str
    matched: str
    start: int
    end: int
    brand: str
    registration_number: str
    country: str

    @classmethod
    def fields_of(cls, finding: Finding) -> dict[str, str | int]:
        return {
            "kind": finding.kind,
            "field": finding.field,
            "matched": finding.matched,
            "start": finding.start,
            "end": finding.end,
            "brand": finding.term.brand,
            "registration_number": finding.term.registration_number,
            "country": finding.term.country,
        }


class ExplainedFindingOut(FindingOut):
    """A finding as the seller reads it: with what to do, naming its SKU."""

    message: str


class ListingOut(BaseModel):
    seller_id: str
    sku: str
    listing_id: str
    title: str
    brand: str
    status: ListingStatus
    findings: list[ExplainedFindingOut]

    @classmethod
    def of(cls, listing: Listing, findings: list[Finding], language: str) -> ListingOut:
        return cls(
            seller_id=listing.seller_id,
            sku=listing.sku,
            listing_id=listing.listing_id,
            title=listing.title,
            brand=listing.brand,
            status=listing.status,
            findings=[
                ExplainedFindingOut.model_validate(
                    {**FindingOut.fields_of(f), "message": describe(f).render(language)}
                )
                for f in findings
            ],
        )


class CatalogueListingOut(BaseModel):
    """Public listing data only: no SKU, nothing of the seller's record."""

    listing_id: str
    seller_id: str
    title: str
    brand: str
    status: ListingStatus
    findings: list[FindingOut]

    @classmethod
    def of(cls, hit: Hit) -> CatalogueListingOut:
        listing = hit.listing
        return cls(
            listing_id=listing.listing_id,
            seller_id=listing.seller_id,
            title=listing.title,
            brand=listing.brand,
            status=listing.status,
            findings=[FindingOut.model_validate(FindingOut.fields_of(f)) for f in hit.findings],
        )


class ListingSearchOut(BaseModel):
    items: list[CatalogueListingOut]
    page: int
    page_size: int
    total: int

    @classmethod
    def of(cls, found: SearchPage) -> ListingSearchOut:
        return cls(
            items=[CatalogueListingOut.of(hit) for hit in found.hits],
            page=found.page,
            page_size=found.page_size,
            total=found.total,
        )


class DisputeComplaint(BaseModel):
    model_config = _STRICT

    reason: DisputeReason
    statement: str = Field(min_length=1, max_length=20_000)


class DisputeFileForm(BaseModel):
    """The form fields of a dispute's evidence upload besides the file."""

    model_config = _STRICT

    dispute_id: RowId


class DecideDispute(BaseModel):
    model_config = _STRICT

    outcome: Literal["uphold", "invalid"] = Field(
        description="uphold the complaint, or find it invalid (it stops counting)"
    )
    reason: str = Field(min_length=1, max_length=5_000)


class DisputeOut(BaseModel):
    id: int
    complaint_id: int
    seller_id: str
    reason: DisputeReason
    statement: str
    status: DisputeStatus
    files: list[ComplaintFileOut]
    filed_at: datetime
    decided_at: datetime | None
    decision_reason: str | None
    decision_due: DecisionDue | None = None
    """While pending: when the specialist's decision is due (policy ``[deadlines]``)."""

    @classmethod
    def of(cls, dispute: Dispute, due: DecisionDue | None = None) -> DisputeOut:
        return cls(
            id=dispute.id,
            complaint_id=dispute.complaint_id,
            seller_id=dispute.seller_id,
            reason=dispute.reason,
            statement=dispute.statement,
            status=dispute.status,
            files=[ComplaintFileOut.model_validate(f) for f in dispute.files],
            filed_at=dispute.filed_at,
            decided_at=dispute.decided_at,
            decision_reason=dispute.decision_reason,
            decision_due=due,
        )


class RequestRetraction(BaseModel):
    model_config = _STRICT

    message: str = Field(min_length=1, max_length=5_000)


class AnswerRetractionRequest(BaseModel):
    model_config = _STRICT

    retract: bool = Field(description="true: withdraw the complaint; false: decline")
    reason: str = Field(min_length=1, max_length=5_000)


class RetractionRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    complaint_id: int
    seller_id: str
    message: str
    status: RetractionStatus
    requested_at: datetime
    answered_at: datetime | None
    answer_reason: str | None
    decision_due: DecisionDue | None = None
    """While pending: when the rights owner's answer is due (policy ``[deadlines]``)."""

    @classmethod
    def of(cls, request: RetractionRequest, due: DecisionDue | None = None) -> RetractionRequestOut:
        return cls.model_validate(request).model_copy(update={"decision_due": due})


class ReputationOut(BaseModel):
    """A rights owner's notices within the policy's window, and whether its new complaints
    are held for a specialist (EU DSA Art. 23)."""

    model_config = ConfigDict(from_attributes=True)

    owner_id: int
    window_days: int
    since: datetime
    filed: int
    retracted: int
    found_invalid: int
    hold_after_invalid: int
    held: bool


class DecideHeldComplaint(BaseModel):
    model_config = _STRICT

    count: bool = Field(description="true: the complaint counts from now; false: it is invalid")
    reason: str = Field(min_length=1, max_length=5_000)


class BrandAuthorisationOut(BaseModel):
    """A seller's letter of authorisation for a brand, accepted on a dispute; while it is
    not revoked, the brand neither flags nor complains about the seller's listings."""

    id: int
    brand_id: int
    brand: str
    seller_id: str
    dispute_id: int
    accepted_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None

    @classmethod
    def of(cls, authorisation: BrandAuthorisation) -> BrandAuthorisationOut:
        return cls(
            id=authorisation.id,
            brand_id=authorisation.brand_id,
            brand=authorisation.brand.name,
            seller_id=authorisation.seller_id,
            dispute_id=authorisation.dispute_id,
            accepted_at=authorisation.accepted_at,
            revoked_at=authorisation.revoked_at,
            revocation_reason=authorisation.revocation_reason,
        )


class RevokeBrandAuthorisation(BaseModel):
    model_config = _STRICT

    reason: str = Field(
        min_length=1, max_length=5_000, description="Why (withdrawn, expired, forged …)"
    )
