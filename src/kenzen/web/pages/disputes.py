"""The pages of a complaint's answers: the seller disputes or asks for a retraction from the
case, the rights owner answers on its page, a specialist decides disputes in a queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from kenzen.complaints import authorisations, disputes, reputation
from kenzen.complaints import service as complaints
from kenzen.complaints.models import ComplaintStatus, DisputeReason, DisputeStatus
from kenzen.deadlines import service as deadlines
from kenzen.errors import NotFound
from kenzen.evidence import MAX_FILE_BYTES
from kenzen.i18n import N_
from kenzen.policy.document import Policy
from kenzen.web.deps import Db, PathId
from kenzen.web.pages.common import (
    PageRoute,
    language_of,
    page_upload,
    render,
    require_actor,
    settings_of,
)
from kenzen.web.uploads import MAX_ATTACHMENT_BODY, NoFields, Upload

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _complaint_id(request: Request, db: Db, case_id: int) -> int:
    actor = require_actor(request)
    with db.transaction() as session:
        complaint = disputes.complaint_of_case(session, actor, case_id)
        if complaint is None:
            raise NotFound(N_("error.web.no_complaint_case"), case_id=case_id)
        return complaint.id


@router.post("/cases/{case_id}/complaint/dispute")
def dispute(
    request: Request,
    db: Db,
    case_id: PathId,
    reason: Annotated[DisputeReason, Form()],
    statement: Annotated[str, Form(max_length=20_000)],
) -> Response:
    actor = require_actor(request)
    complaint_id = _complaint_id(request, db, case_id)
    with db.transaction() as session:
        disputes.dispute_complaint(session, actor, complaint_id, reason=reason, statement=statement)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/complaint/dispute/files", max_body_size=MAX_ATTACHMENT_BODY)
def add_dispute_file(
    request: Request,
    db: Db,
    case_id: PathId,
    upload: Annotated[Upload[NoFields], Depends(page_upload)],
) -> Response:
    """An invoice or a letter of authorisation for the seller's dispute on this case."""
    actor = require_actor(request)
    data = upload.file.file.read(MAX_FILE_BYTES + 1)
    with db.transaction() as session:
        complaint = disputes.complaint_of_case(session, actor, case_id)
        if complaint is None or not complaint.disputes:
            raise NotFound(N_("error.web.no_dispute_case"), case_id=case_id)
        disputes.add_dispute_file(
            session,
            actor,
            settings_of(request).attachments_dir,
            complaint.disputes[0].id,
            filename=upload.file.filename or "evidence",
            data=data,
        )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/complaint/retraction")
def request_retraction(
    request: Request, db: Db, case_id: PathId, message: Annotated[str, Form(max_length=5_000)]
) -> Response:
    actor = require_actor(request)
    complaint_id = _complaint_id(request, db, case_id)
    with db.transaction() as session:
        disputes.request_retraction(session, actor, complaint_id, message=message)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/rights/retraction-requests/{request_id}/answer")
def answer_retraction_request(
    request: Request,
    db: Db,
    request_id: PathId,
    answer: Annotated[str, Form(pattern="^(retract|decline)$")],
    reason: Annotated[str, Form(max_length=5_000)],
) -> Response:
    actor = require_actor(request)
    with db.transaction() as session:
        disputes.answer_retraction_request(
            session, actor, request_id, retract=answer == "retract", reason=reason
        )
    return RedirectResponse("/rights", status_code=303)


@router.get("/staff/disputes", response_class=HTMLResponse)
def dispute_queue(request: Request, db: Db) -> Response:
    """Pending disputes, the earliest due first (overdue ones marked), each with the
    complaint it answers; complaints held for their notifier's reputation, with its
    figures; the letters of authorisation that stand, which a specialist may revoke."""
    actor = require_actor(request)
    policy: Policy = request.app.state.policy.current
    with db.transaction() as session:
        held = list(
            reversed(complaints.list_complaints(session, actor, status=ComplaintStatus.HELD))
        )
        standing = {
            owner_id: reputation.get_notifier_reputation(session, actor, policy, owner_id)
            for owner_id in {c.owner_id for c in held}
        }
        return render(
            request,
            "staff_disputes.html",
            language_of(request, actor),
            actor=actor,
            disputes=deadlines.with_dues(
                session,
                policy.document.deadlines,
                "disputes",
                disputes.list_disputes(session, actor, status=DisputeStatus.PENDING),
            ),
            held=held,
            standing=standing,
            letters=authorisations.list_authorisations(session, actor, standing_only=True),
        )


@router.post("/staff/complaints/{complaint_id}/hold-decision")
def decide_held_complaint(
    request: Request,
    db: Db,
    complaint_id: PathId,
    outcome: Annotated[str, Form(pattern="^(count|invalid)$")],
    reason: Annotated[str, Form(max_length=5_000)],
) -> Response:
    actor = require_actor(request)
    policy: Policy = request.app.state.policy.current
    with db.transaction() as session:
        complaints.decide_held_complaint(
            session, actor, policy, complaint_id, count=outcome == "count", reason=reason
        )
    return RedirectResponse("/staff/disputes", status_code=303)


@router.post("/staff/disputes/{dispute_id}/decision")
def decide_dispute(
    request: Request,
    db: Db,
    dispute_id: PathId,
    outcome: Annotated[str, Form(pattern="^(uphold|invalid)$")],
    reason: Annotated[str, Form(max_length=5_000)],
) -> Response:
    actor = require_actor(request)
    with db.transaction() as session:
        disputes.decide_dispute(
            session, actor, dispute_id, complaint_valid=outcome == "uphold", reason=reason
        )
    return RedirectResponse("/staff/disputes", status_code=303)


@router.post("/staff/brand-authorisations/{authorisation_id}/revoke")
def revoke_brand_authorisation(
    request: Request,
    db: Db,
    authorisation_id: PathId,
    reason: Annotated[str, Form(max_length=5_000)],
) -> Response:
    actor = require_actor(request)
    with db.transaction() as session:
        authorisations.revoke_authorisation(session, actor, authorisation_id, reason=reason)
    return RedirectResponse("/staff/disputes", status_code=303)
