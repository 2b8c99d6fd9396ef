from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy.orm import Session

from kenzen.access import Action
from kenzen.complaints import catalogue, reputation, service
from kenzen.complaints.models import Complaint, ComplaintStatus
from kenzen.complaints.schemas import (
    BrandOut,
    ComplaintFileForm,
    ComplaintFileOut,
    ComplaintOut,
    DecideHeldComplaint,
    FileComplaint,
    ListingSearchOut,
    RegisterBrand,
    ReputationOut,
    RetractComplaint,
)
from kenzen.config import Settings
from kenzen.deadlines import service as deadlines
from kenzen.evidence import MAX_FILE_BYTES
from kenzen.ids import MAX_ID
from kenzen.policy.document import Policy
from kenzen.web.deps import CurrentActor, CurrentPolicy, Db, PathId
from kenzen.web.uploads import (
    MAX_ATTACHMENT_BODY,
    Upload,
    authorised_upload,
    multipart_body,
    permitted,
)

router = APIRouter(tags=["rights owners"])


@router.post("/brands", operation_id="registerBrand", status_code=status.HTTP_201_CREATED)
def register_brand(body: RegisterBrand, actor: CurrentActor, db: Db) -> BrandOut:
    with db.transaction() as session:
        brand = service.register_brand(
            session,
            actor,
            name=body.name,
            registration_number=body.registration_number,
            country=body.country,
            terms=body.terms,
        )
        return BrandOut.of(brand)


@router.get("/brands", operation_id="listBrands")
def list_brands(actor: CurrentActor, db: Db) -> list[BrandOut]:
    with db.transaction() as session:
        return [BrandOut.of(b) for b in service.list_brands(session, actor)]


@router.post("/complaints", operation_id="fileComplaint", status_code=status.HTTP_201_CREATED)
def file_complaint(
    body: FileComplaint, actor: CurrentActor, db: Db, policy: CurrentPolicy
) -> ComplaintOut:
    with db.transaction() as session:
        complaint = service.file_complaint(
            session,
            actor,
            policy,
            brand_id=body.brand_id,
            kind=body.kind,
            listings=[ref.ref() for ref in body.listings],
            evidence=body.evidence,
            registration_number=body.registration_number,
            work=body.work,
            test_buy_order_id=body.test_buy_order_id,
        )
        return _complaints_out(session, policy, [complaint])[0]


@router.post("/complaints/{complaint_id}/retract", operation_id="retractComplaint")
def retract_complaint(
    complaint_id: PathId, body: RetractComplaint, actor: CurrentActor, db: Db, policy: CurrentPolicy
) -> ComplaintOut:
    with db.transaction() as session:
        complaint = service.retract_complaint(session, actor, complaint_id, reason=body.reason)
        return _complaints_out(session, policy, [complaint])[0]


@router.get("/complaints", operation_id="listComplaints")
def list_complaints(
    actor: CurrentActor,
    db: Db,
    policy: CurrentPolicy,
    seller_id: Annotated[str | None, Query(max_length=64)] = None,
    status: ComplaintStatus | None = None,
) -> list[ComplaintOut]:
    with db.transaction() as session:
        found = service.list_complaints(session, actor, seller_id=seller_id, status=status)
        return _complaints_out(session, policy, found)


def _complaints_out(
    session: Session, policy: Policy, found: Sequence[Complaint]
) -> list[ComplaintOut]:
    """Each complaint with the due times of its pending disputes and retraction requests, as
    listDisputes and listRetractionRequests give them (one query per queue)."""
    rules = policy.document.deadlines
    dispute_ids = [d.id for c in found for d in c.disputes]
    request_ids = [r.id for c in found for r in c.retraction_requests]
    dispute_dues = deadlines.api_dues(session, rules, "disputes", dispute_ids)
    request_dues = deadlines.api_dues(session, rules, "retraction_requests", request_ids)
    return [ComplaintOut.of(c, dispute_dues, request_dues) for c in found]


@router.post("/complaints/{complaint_id}/hold-decision", operation_id="decideHeldComplaint")
def decide_held_complaint(
    complaint_id: PathId,
    body: DecideHeldComplaint,
    actor: CurrentActor,
    db: Db,
    policy: CurrentPolicy,
) -> ComplaintOut:
    """A specialist lets a held complaint count, or finds it invalid."""
    with db.transaction() as session:
        complaint = service.decide_held_complaint(
            session, actor, policy, complaint_id, count=body.count, reason=body.reason
        )
        return _complaints_out(session, policy, [complaint])[0]


@router.get("/notifiers/{owner_id}/reputation", operation_id="getNotifierReputation")
def get_notifier_reputation(
    owner_id: PathId, actor: CurrentActor, db: Db, policy: CurrentPolicy
) -> ReputationOut:
    """Complaints filed, retracted and found invalid within the policy's window, and the hold."""
    with db.transaction() as session:
        found = reputation.get_notifier_reputation(session, actor, policy, owner_id)
        return ReputationOut.model_validate(found)


ComplaintFileUpload = Annotated[
    Upload[ComplaintFileForm],
    Depends(authorised_upload(permitted(Action.ADD_COMPLAINT_FILE), ComplaintFileForm)),
]


@router.post(
    "/complaint-files",
    operation_id="addComplaintFile",
    status_code=status.HTTP_201_CREATED,
    max_body_size=MAX_ATTACHMENT_BODY,
    openapi_extra=multipart_body(ComplaintFileForm, "PDF, PNG or JPEG, at most 10 MB"),
)
def add_complaint_file(
    request: Request, actor: CurrentActor, db: Db, upload: ComplaintFileUpload
) -> ComplaintFileOut:
    """Evidence for one's own complaint; the body is read only once the caller may add it."""
    settings: Settings = request.app.state.settings
    data = upload.file.file.read(MAX_FILE_BYTES + 1)
    with db.transaction() as session:
        attached = service.add_complaint_file(
            session,
            actor,
            settings.attachments_dir,
            upload.fields.complaint_id,
            filename=upload.file.filename or "evidence",
            data=data,
        )
        return ComplaintFileOut.model_validate(attached)


@router.get("/catalogue/listings", operation_id="searchListings")
def search_listings(
    actor: CurrentActor,
    db: Db,
    listing_id: Annotated[str | None, Query(max_length=32)] = None,
    seller_id: Annotated[str | None, Query(max_length=64)] = None,
    brand_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=catalogue.MAX_PAGE_SIZE)] = (
        catalogue.DEFAULT_PAGE_SIZE
    ),
) -> ListingSearchOut:
    """Listings by public id, seller, or a brand's registered terms, with screening findings."""
    with db.transaction() as session:
        found = catalogue.search_listings(
            session,
            actor,
            listing_id=listing_id,
            seller_id=seller_id,
            brand_id=brand_id,
            page=page,
            page_size=page_size,
        )
        return ListingSearchOut.of(found)
