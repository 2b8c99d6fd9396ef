from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from kenzen.cases import account_status
from kenzen.complaints import brand_check
from kenzen.complaints.brand_check import ListingRow
from kenzen.complaints.schemas import ListingIn, ListingOut
from kenzen.config import Settings
from kenzen.health import service as health
from kenzen.health.schemas import SellerHealthOut, SellerRatingOut
from kenzen.ids import RowId
from kenzen.sellers import service as sellers
from kenzen.sellers.schemas import (
    AccountStatusChangeOut,
    EmergencyContactOut,
    SetAccountStatus,
    SetEmergencyContact,
)
from kenzen.web.deps import CurrentActor, CurrentPolicy, Db, ReaderLanguage

router = APIRouter(prefix="/sellers", tags=["sellers"])


@router.get("/{seller_id}/health", operation_id="getSellerHealth")
def get_seller_health(
    seller_id: str, actor: CurrentActor, db: Db, policy: CurrentPolicy
) -> SellerHealthOut:
    """Status, rating explained point by point, metrics, violations and open cases."""
    with db.transaction() as session:
        return SellerHealthOut.of(health.get_seller_health(session, actor, policy, seller_id))


@router.get("/{seller_id}/rating", operation_id="getSellerRating")
def get_seller_rating(
    seller_id: str,
    actor: CurrentActor,
    db: Db,
    policy: CurrentPolicy,
    request: Request,
    language: ReaderLanguage,
    resolve: Annotated[
        list[RowId] | None, Query(max_length=100, description="What if these were resolved")
    ] = None,
    start: Annotated[
        date | None,
        Query(alias="from", description="First day of the history (default: 179 days before to)"),
    ] = None,
    end: Annotated[
        date | None, Query(alias="to", description="Last day of the history (default: today)")
    ] = None,
) -> SellerRatingOut:
    """The Account Health Rating explained, what-if for chosen violations, and the daily
    ratings from ``from`` to ``to`` (at most 366 days)."""
    settings: Settings = request.app.state.settings
    with db.transaction() as session:
        history = health.rating_history(
            session, actor, settings.events_dir, seller_id, start=start, end=end
        )
        now = health.rating_what_if(session, actor, policy, seller_id, resolve or [])
        return SellerRatingOut.of_history(now, history, language)


@router.put("/{seller_id}/listings/{sku}", operation_id="putListing")
def put_listing(
    seller_id: str, sku: str, body: ListingIn, actor: CurrentActor, db: Db
) -> ListingOut:
    """Create or update a listing; it is screened against registered brands at once."""
    row = ListingRow(
        line=1,
        seller_id=seller_id,
        sku=sku,
        listing_id=body.listing_id,
        title=body.title,
        brand=body.brand,
        description=body.description,
        fulfillment=body.fulfillment.value,
    )
    with db.transaction() as session:
        listing, findings = brand_check.upsert_listing(session, actor, row)
        return ListingOut.of(listing, findings, listing.seller.language.value)


@router.post("/{seller_id}/status", operation_id="setAccountStatus")
def set_account_status(
    seller_id: str, body: SetAccountStatus, actor: CurrentActor, db: Db
) -> AccountStatusChangeOut:
    with db.transaction() as session:
        change = account_status.set_account_status(
            session, actor, seller_id, status=body.status, reason=body.reason, case_id=body.case_id
        )
        return AccountStatusChangeOut.model_validate(change)


@router.put("/{seller_id}/emergency-contact", operation_id="setEmergencyContact")
def set_emergency_contact(
    seller_id: str, body: SetEmergencyContact, actor: CurrentActor, db: Db
) -> EmergencyContactOut:
    """The number Account Health Support calls before a deactivation is confirmed
    (Account Health Assurance needs one on file)."""
    with db.transaction() as session:
        number = sellers.set_emergency_phone(session, actor, seller_id, body.phone)
        return EmergencyContactOut(seller_id=seller_id, phone=number)


@router.get(
    "/{seller_id}/performance-report",
    operation_id="getSellerPerformanceReport",
    summary="Seller performance report shaped like SP-API GET_V2_SELLER_PERFORMANCE_REPORT",
)
def get_seller_performance_report(
    seller_id: str, actor: CurrentActor, db: Db, policy: CurrentPolicy, as_of: date | None = None
) -> dict[str, Any]:
    with db.transaction() as session:
        return health.performance_report(session, actor, policy, seller_id, as_of)
