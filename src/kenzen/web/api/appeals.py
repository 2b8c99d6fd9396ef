from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from kenzen.access import Action
from kenzen.appeals import service, written
from kenzen.appeals.documents import MAX_PLAN_FILE_BYTES
from kenzen.appeals.models import Appeal, AppealStatus, AttachmentKind
from kenzen.appeals.schemas import (
    AppealOut,
    AttachmentOut,
    CheckAppeal,
    DecideAppeal,
    FindingOut,
    GuidanceOut,
    ReviewPacketOut,
    SubmitAppeal,
)
from kenzen.config import Settings
from kenzen.deadlines import service as deadlines
from kenzen.ids import RowId
from kenzen.policy.document import Policy
from kenzen.web.deps import CurrentActor, CurrentPolicy, Db, PathId, ReaderLanguage
from kenzen.web.uploads import (
    MAX_ATTACHMENT_BODY,
    Upload,
    authorised_upload,
    multipart_body,
    permitted,
)

router = APIRouter(tags=["appeals"])

PLAN_FILE = "The plan as Word (.docx) or text (.txt, .md), at most 768 KiB"


class PlanFileForm(BaseModel):
    draft: bool = False


class CheckFileForm(BaseModel):
    case_id: RowId | None = None


PlanFileUpload = Annotated[
    Upload[PlanFileForm],
    Depends(authorised_upload(permitted(Action.SUBMIT_APPEAL), PlanFileForm)),
]
CheckFileUpload = Annotated[
    Upload[CheckFileForm],
    Depends(authorised_upload(permitted(Action.CHECK_APPEAL), CheckFileForm)),
]


def _with_dues(session: Session, policy: Policy, found: list[Appeal]) -> list[AppealOut]:
    """The appeals with the time their decision is due; those waiting first, earliest due
    first, the others in the order given."""
    ordered = deadlines.in_due_order(session, policy.document.deadlines, "appeals", found)
    return [AppealOut.of(appeal, due) for appeal, due in ordered]


@router.post(
    "/cases/{case_id}/appeal", operation_id="submitAppeal", status_code=status.HTTP_201_CREATED
)
def submit_appeal(
    case_id: PathId, body: SubmitAppeal, actor: CurrentActor, db: Db, policy: CurrentPolicy
) -> AppealOut:
    """Save a draft or submit a Plan of Action — structured, as text, or in Amazon's three
    boxes; a resubmission keeps every earlier version, each with the seller's words."""
    plan = body.written()
    with db.transaction() as session:
        appeal = service.submit_appeal(session, actor, case_id, plan, draft=body.draft)
        return _with_dues(session, policy, [appeal])[0]


@router.post(
    "/cases/{case_id}/appeal/file",
    operation_id="submitAppealFile",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=multipart_body(PlanFileForm, PLAN_FILE),
)
def submit_appeal_file(
    case_id: PathId,
    actor: CurrentActor,
    db: Db,
    upload: PlanFileUpload,
    policy: CurrentPolicy,
) -> AppealOut:
    """Save a draft or submit the plan as the seller's Word or text file."""
    plan = _plan_of(upload)
    with db.transaction() as session:
        appeal = service.submit_appeal(session, actor, case_id, plan, draft=upload.fields.draft)
        return _with_dues(session, policy, [appeal])[0]


def _plan_of(upload: Upload[PlanFileForm] | Upload[CheckFileForm]) -> written.WrittenPlan:
    name = upload.file.filename or "plan"
    return written.from_file(name, upload.file.file.read(MAX_PLAN_FILE_BYTES + 1))


@router.post("/appeals/check", operation_id="checkAppeal")
def check_appeal(body: CheckAppeal, actor: CurrentActor, db: Db) -> list[FindingOut]:
    """Findings on a plan before it is submitted. It guides; it never decides."""
    plan = body.written()
    with db.transaction() as session:
        findings = service.check_appeal(session, actor, plan, body.case_id)
        return [FindingOut.of(f) for f in findings]


@router.post(
    "/appeals/check/file",
    operation_id="checkAppealFile",
    openapi_extra=multipart_body(CheckFileForm, PLAN_FILE),
)
def check_appeal_file(actor: CurrentActor, db: Db, upload: CheckFileUpload) -> list[FindingOut]:
    """Findings on a plan in a Word or text file, before it is submitted."""
    plan = _plan_of(upload)
    case_id = upload.fields.case_id
    with db.transaction() as session:
        return [FindingOut.of(f) for f in service.check_appeal(session, actor, plan, case_id)]


@router.get("/appeals", operation_id="listAppeals")
def list_appeals(
    actor: CurrentActor,
    db: Db,
    policy: CurrentPolicy,
    seller_id: str | None = None,
    appeal_status: Annotated[AppealStatus | None, Query(alias="status")] = None,
) -> list[AppealOut]:
    """For Account Specialists the review queue: waiting appeals by the time their decision
    is due, then the others."""
    with db.transaction() as session:
        found = service.list_appeals(session, actor, status=appeal_status, seller_id=seller_id)
        return _with_dues(session, policy, found)


@router.get("/appeals/{appeal_id}", operation_id="getAppeal")
def get_appeal(
    appeal_id: PathId, actor: CurrentActor, db: Db, language: ReaderLanguage
) -> ReviewPacketOut:
    """The review packet: the appeal, its case, the evidence and the guidance."""
    with db.transaction() as session:
        return ReviewPacketOut.of(service.get_appeal(session, actor, appeal_id), language)


@router.post("/appeals/{appeal_id}/review", operation_id="reviewAppeal")
def review_appeal(
    appeal_id: PathId, actor: CurrentActor, db: Db, policy: CurrentPolicy
) -> AppealOut:
    with db.transaction() as session:
        return _with_dues(session, policy, [service.review_appeal(session, actor, appeal_id)])[0]


@router.post("/appeals/{appeal_id}/decision", operation_id="decideAppeal")
def decide_appeal(appeal_id: PathId, body: DecideAppeal, actor: CurrentActor, db: Db) -> AppealOut:
    """Accept (reinstates), reject with reasons, or ask for more information by a deadline."""
    with db.transaction() as session:
        appeal = service.decide_appeal(
            session,
            actor,
            appeal_id,
            decision=body.decision,
            reasons=body.reasons,
            deadline=body.deadline,
        )
        return AppealOut.of(appeal)


class AttachmentForm(BaseModel):
    appeal_id: RowId
    kind: AttachmentKind


AttachmentUpload = Annotated[
    Upload[AttachmentForm],
    Depends(authorised_upload(permitted(Action.ADD_ATTACHMENT), AttachmentForm)),
]


@router.post(
    "/attachments",
    operation_id="addAttachment",
    status_code=status.HTTP_201_CREATED,
    max_body_size=MAX_ATTACHMENT_BODY,
    openapi_extra=multipart_body(AttachmentForm, "PDF, PNG or JPEG, at most 10 MB"),
)
def add_attachment(
    request: Request, actor: CurrentActor, db: Db, upload: AttachmentUpload
) -> AttachmentOut:
    """Evidence for an appeal; the body is read only once the caller may add attachments."""
    settings: Settings = request.app.state.settings
    data = upload.file.file.read(service.MAX_ATTACHMENT_BYTES + 1)
    with db.transaction() as session:
        attachment = service.add_attachment(
            session,
            actor,
            settings.attachments_dir,
            upload.fields.appeal_id,
            filename=upload.file.filename or "attachment",
            data=data,
            kind=upload.fields.kind,
        )
        return AttachmentOut.model_validate(attachment)


@router.get("/cases/{case_id}/guidance", operation_id="getGuidance")
def get_guidance(case_id: PathId, actor: CurrentActor, db: Db) -> list[GuidanceOut]:
    """Why a Plan of Action is needed, how to write it, and what happens after submission."""
    with db.transaction() as session:
        return [GuidanceOut.of(g) for g in service.guidance(session, actor, case_id)]
