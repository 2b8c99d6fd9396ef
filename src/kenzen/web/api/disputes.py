"""The seller's answers to a complaint: disputes, retraction requests, and their outcomes.
A pending one tells when its decision is due (``decision_due``)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from sqlalchemy.orm import Session

from kenzen.access import Action
from kenzen.complaints import authorisations, disputes
from kenzen.complaints.models import Dispute, DisputeStatus, RetractionRequest, RetractionStatus
from kenzen.complaints.schemas import (
    AnswerRetractionRequest,
    BrandAuthorisationOut,
    ComplaintFileOut,
    DecideDispute,
    DisputeComplaint,
    DisputeFileForm,
    DisputeOut,
    RequestRetraction,
    RetractionRequestOut,
    RevokeBrandAuthorisation,
)
from kenzen.config import Settings
from kenzen.deadlines import service as deadlines
from kenzen.evidence import MAX_FILE_BYTES
from kenzen.policy.document import Policy
from kenzen.web.deps import CurrentActor, CurrentPolicy, Db, PathId
from kenzen.web.uploads import (
    MAX_ATTACHMENT_BODY,
    Upload,
    authorised_upload,
    multipart_body,
    permitted,
)

router = APIRouter(tags=["disputes"])


@router.post(
    "/complaints/{complaint_id}/disputes",
    operation_id="disputeComplaint",
    status_code=status.HTTP_201_CREATED,
)
def dispute_complaint(
    complaint_id: PathId,
    body: DisputeComplaint,
    actor: CurrentActor,
    db: Db,
    policy: CurrentPolicy,
) -> DisputeOut:
    """The seller says the complaint is wrong, for a specialist to decide."""
    with db.transaction() as session:
        dispute = disputes.dispute_complaint(
            session, actor, complaint_id, reason=body.reason, statement=body.statement
        )
        return _disputes_out(session, policy, [dispute])[0]


DisputeFileUpload = Annotated[
    Upload[DisputeFileForm],
    Depends(authorised_upload(permitted(Action.ADD_DISPUTE_FILE), DisputeFileForm)),
]


@router.post(
    "/dispute-files",
    operation_id="addDisputeFile",
    status_code=status.HTTP_201_CREATED,
    max_body_size=MAX_ATTACHMENT_BODY,
    openapi_extra=multipart_body(DisputeFileForm, "PDF, PNG or JPEG, at most 10 MB"),
)
def add_dispute_file(
    request: Request, actor: CurrentActor, db: Db, upload: DisputeFileUpload
) -> ComplaintFileOut:
    """Invoices or a letter of authorisation for the seller's own pending dispute."""
    settings: Settings = request.app.state.settings
    data = upload.file.file.read(MAX_FILE_BYTES + 1)
    with db.transaction() as session:
        attached = disputes.add_dispute_file(
            session,
            actor,
            settings.attachments_dir,
            upload.fields.dispute_id,
            filename=upload.file.filename or "evidence",
            data=data,
        )
        return ComplaintFileOut.model_validate(attached)


@router.get("/disputes", operation_id="listDisputes")
def list_disputes(
    actor: CurrentActor, db: Db, policy: CurrentPolicy, status: DisputeStatus | None = None
) -> list[DisputeOut]:
    """Pending disputes first, the earliest due first; then the decided ones."""
    with db.transaction() as session:
        found = disputes.list_disputes(session, actor, status=status)
        return _disputes_out(session, policy, found)


@router.post("/disputes/{dispute_id}/decision", operation_id="decideDispute")
def decide_dispute(
    dispute_id: PathId, body: DecideDispute, actor: CurrentActor, db: Db
) -> DisputeOut:
    """A specialist upholds the complaint or finds it invalid (it stops counting)."""
    with db.transaction() as session:
        dispute = disputes.decide_dispute(
            session,
            actor,
            dispute_id,
            complaint_valid=body.outcome == "uphold",
            reason=body.reason,
        )
        return DisputeOut.of(dispute)


def _disputes_out(session: Session, policy: Policy, found: list[Dispute]) -> list[DisputeOut]:
    ordered = deadlines.in_due_order(session, policy.document.deadlines, "disputes", found)
    return [DisputeOut.of(dispute, due) for dispute, due in ordered]


@router.post(
    "/complaints/{complaint_id}/retraction-requests",
    operation_id="requestRetraction",
    status_code=status.HTTP_201_CREATED,
)
def request_retraction(
    complaint_id: PathId,
    body: RequestRetraction,
    actor: CurrentActor,
    db: Db,
    policy: CurrentPolicy,
) -> RetractionRequestOut:
    """The seller asks the rights owner to withdraw the complaint."""
    with db.transaction() as session:
        request = disputes.request_retraction(session, actor, complaint_id, message=body.message)
        return _requests_out(session, policy, [request])[0]


@router.get("/retraction-requests", operation_id="listRetractionRequests")
def list_retraction_requests(
    actor: CurrentActor, db: Db, policy: CurrentPolicy, status: RetractionStatus | None = None
) -> list[RetractionRequestOut]:
    """Pending requests first, the earliest answer due first; then the answered ones."""
    with db.transaction() as session:
        found = disputes.list_retraction_requests(session, actor, status=status)
        return _requests_out(session, policy, found)


@router.post("/retraction-requests/{request_id}/answer", operation_id="answerRetractionRequest")
def answer_retraction_request(
    request_id: PathId, body: AnswerRetractionRequest, actor: CurrentActor, db: Db
) -> RetractionRequestOut:
    """The rights owner retracts the complaint or declines, with a reason."""
    with db.transaction() as session:
        request = disputes.answer_retraction_request(
            session, actor, request_id, retract=body.retract, reason=body.reason
        )
        return RetractionRequestOut.of(request)


def _requests_out(
    session: Session, policy: Policy, found: list[RetractionRequest]
) -> list[RetractionRequestOut]:
    rules = policy.document.deadlines
    ordered = deadlines.in_due_order(session, rules, "retraction_requests", found)
    return [RetractionRequestOut.of(request, due) for request, due in ordered]


@router.get("/brand-authorisations", operation_id="listBrandAuthorisations")
def list_brand_authorisations(
    actor: CurrentActor, db: Db, standing_only: bool = False
) -> list[BrandAuthorisationOut]:
    """Accepted letters of authorisation: staff see all, a seller its own, a rights owner
    those for its brands."""
    with db.transaction() as session:
        found = authorisations.list_authorisations(session, actor, standing_only=standing_only)
        return [BrandAuthorisationOut.of(a) for a in found]


@router.post(
    "/brand-authorisations/{authorisation_id}/revocation",
    operation_id="revokeBrandAuthorisation",
)
def revoke_brand_authorisation(
    authorisation_id: PathId, body: RevokeBrandAuthorisation, actor: CurrentActor, db: Db
) -> BrandAuthorisationOut:
    """A specialist revokes the letter: the brand's screening and complaints apply to the
    seller again."""
    with db.transaction() as session:
        revoked = authorisations.revoke_authorisation(
            session, actor, authorisation_id, reason=body.reason
        )
        return BrandAuthorisationOut.of(revoked)
