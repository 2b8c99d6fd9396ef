"""Request and response bodies of brands, complaints and listings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from kenzen.complaints.brand_check import describe
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import Brand, Complaint, ComplaintKind, ComplaintStatus
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
    evidence: str = Field(min_length=1, max_length=20_000)


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
    filed_at: datetime
    retracted_at: datetime | None
    violation_id: int | None
    case_id: int | None

    @classmethod
    def of(cls, complaint: Complaint) -> ComplaintOut:
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
            filed_at=complaint.filed_at,
            retracted_at=complaint.retracted_at,
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
    kind: str
    field: str
    matched: str
    start: int
    end: int
    brand: str
    registration_number: str
    country: str
    message: str


class ListingOut(BaseModel):
    seller_id: str
    sku: str
    listing_id: str
    title: str
    brand: str
    status: ListingStatus
    findings: list[FindingOut]

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
                FindingOut(
                    kind=f.kind,
                    field=f.field,
                    matched=f.matched,
                    start=f.start,
                    end=f.end,
                    brand=f.term.brand,
                    registration_number=f.term.registration_number,
                    country=f.term.country,
                    message=describe(f).render(language),
                )
                for f in findings
            ],
        )
