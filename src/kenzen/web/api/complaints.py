from fastapi import APIRouter, status

from kenzen.complaints import service
from kenzen.complaints.schemas import (
    BrandOut,
    ComplaintOut,
    FileComplaint,
    RegisterBrand,
    RetractComplaint,
)
from kenzen.web.deps import CurrentActor, CurrentPolicy, Db, PathId

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
        )
        return ComplaintOut.of(complaint)


@router.post("/complaints/{complaint_id}/retract", operation_id="retractComplaint")
def retract_complaint(
    complaint_id: PathId, body: RetractComplaint, actor: CurrentActor, db: Db
) -> ComplaintOut:
    with db.transaction() as session:
        complaint = service.retract_complaint(session, actor, complaint_id, reason=body.reason)
        return ComplaintOut.of(complaint)


@router.get("/complaints", operation_id="listComplaints")
def list_complaints(
    actor: CurrentActor, db: Db, seller_id: str | None = None
) -> list[ComplaintOut]:
    with db.transaction() as session:
        found = service.list_complaints(session, actor, seller_id=seller_id)
        return [ComplaintOut.of(c) for c in found]
