"""The seller's Plan of Action page: one block per violation or metric of the case, the
checker's findings refreshed by htmx as the seller writes, evidence, earlier versions and
the Account Specialist's reasons."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from kenzen.access import Actor
from kenzen.appeals import service as appeals
from kenzen.appeals import written
from kenzen.appeals.documents import MAX_PLAN_FILE_BYTES
from kenzen.appeals.models import Appeal, AppealVersion, AttachmentKind
from kenzen.appeals.poa import PlanOfAction, validated
from kenzen.appeals.reader import boxes_text, read_text
from kenzen.appeals.reader import language_of as plan_language
from kenzen.appeals.written import PlanSource, Tie, WrittenPlan
from kenzen.cases import service as cases
from kenzen.errors import InvalidInput
from kenzen.web.deps import Db, PathId
from kenzen.web.pages.common import (
    PageRoute,
    Posted,
    language_of,
    page_upload,
    refusal,
    render,
    require_actor,
    settings_of,
)
from kenzen.web.uploads import MAX_ATTACHMENT_BODY, NoFields, Upload, authorised_upload

router = APIRouter(include_in_schema=False, route_class=PageRoute)


class EvidenceForm(BaseModel):
    kind: AttachmentKind


#: The router's session check has run before any upload is read (``pages/routes.py``).
EvidenceUpload = Annotated[
    Upload[EvidenceForm], Depends(authorised_upload(require_actor, EvidenceForm, "upload"))
]
PlanFileUpload = Annotated[Upload[NoFields], Depends(page_upload)]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _subjects(facts: appeals.CaseFacts) -> list[dict[str, Any]]:
    """The blocks of the form: every violation and metric the plan must answer."""
    blocks: list[dict[str, Any]] = [
        {"violation_id": v.id, "metric": None, "category": v.category} for v in facts.violations
    ]
    blocks += [{"violation_id": None, "metric": m, "category": m} for m in facts.metrics]
    return blocks or [{"violation_id": None, "metric": None, "category": "-"}]


def plan_from_form(form: FormData, facts: appeals.CaseFacts) -> WrittenPlan:
    """The plan in the shape the seller chose: the whole text, Amazon's three boxes, or one
    block per violation (empty blocks are left out so the checker names them)."""
    attachments = tuple(
        int(a) for a in form.getlist("attachment") if isinstance(a, str) and a.isdigit()
    )
    shape = _field(form, "shape")
    if shape == "text":
        text = _field(form, "text")
        return written.from_text(text, _ties(form, read_text(text)), attachments)
    if shape == "boxes":
        boxes = (
            _field(form, "box-cause"),
            _field(form, "box-actions"),
            _field(form, "box-prevent"),
        )
        plan = read_text(boxes_text(*boxes))
        return written.from_boxes(*boxes, _ties(form, plan), attachments)
    return WrittenPlan.structured(_blocks_plan(form, facts, attachments))


def _ties(form: FormData, plan: PlanOfAction) -> list[Tie]:
    """The seller's pick beside each cause read: ``v:12`` a violation, ``m:name`` a metric."""
    ties = []
    for index in range(len(plan.root_causes)):
        kind, _, value = _field(form, f"tie-{index}").partition(":")
        if kind == "v" and value.isdigit():
            ties.append(Tie(index + 1, violation_id=int(value)))
        elif kind == "m" and value:
            ties.append(Tie(index + 1, metric=value))
    return ties


def _blocks_plan(
    form: FormData, facts: appeals.CaseFacts, attachments: tuple[int, ...]
) -> PlanOfAction:
    causes = []
    for index, block in enumerate(_subjects(facts)):
        text = _field(form, f"cause-{index}")
        if not text:
            continue
        causes.append(
            {
                "text": text,
                "violation_id": block["violation_id"],
                "metric": block["metric"],
                "actions": _lines(_field(form, f"actions-{index}")),
                "preventive_measures": _lines(_field(form, f"prevent-{index}")),
            }
        )
    listings = [
        {"listing_id": x.listing_id, "text": answer}
        for x in facts.listings
        if (answer := _field(form, f"listing-{x.listing_id}"))
    ]
    return validated(
        {
            "language": plan_language(json.dumps([causes, listings], ensure_ascii=False)),
            "root_causes": causes,
            "listings": listings,
            "attachment_ids": list(attachments),
        }
    )


def _values(version: AppealVersion, facts: appeals.CaseFacts) -> dict[str, str]:
    """Form values of a saved version, so a draft or a rejected plan is edited, not retyped:
    a plan given as text comes back as the text, with the causes' ties picked."""
    plan = version.content
    if version.source is not PlanSource.STRUCTURED and version.text is not None:
        values = {"shape": "text", "text": version.text}
        for number, cause in enumerate(plan.get("root_causes", [])):
            if cause.get("violation_id"):
                values[f"tie-{number}"] = f"v:{cause['violation_id']}"
            elif cause.get("metric"):
                values[f"tie-{number}"] = f"m:{cause['metric']}"
        return values
    values = {"shape": "blocks"}
    blocks = _subjects(facts)
    for cause in plan.get("root_causes", []):
        index = next(
            (
                i
                for i, b in enumerate(blocks)
                if b["violation_id"] == cause.get("violation_id")
                and b["metric"] == cause.get("metric")
            ),
            None,
        )
        if index is None or f"cause-{index}" in values:
            continue
        values[f"cause-{index}"] = cause["text"]
        values[f"actions-{index}"] = "\n".join(cause.get("actions", []))
        values[f"prevent-{index}"] = "\n".join(cause.get("preventive_measures", []))
    for answer in plan.get("listings", []):
        values[f"listing-{answer['listing_id']}"] = answer["text"]
    return values


def _appeal_of(session: Session, actor: Actor, case_id: int) -> Appeal | None:
    case = cases.get_case(session, actor, case_id).case
    own = appeals.list_appeals(session, actor, seller_id=case.seller_id)
    return next((a for a in own if a.case_id == case_id), None)


def _page(
    request: Request,
    db: Db,
    actor: Actor,
    case_id: int,
    *,
    form: FormData | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    language = language_of(request, actor)
    with db.transaction() as session:
        detail = cases.get_case(session, actor, case_id)
        facts = appeals.case_facts(session, detail.case)
        appeal = _appeal_of(session, actor, case_id)
        latest = appeal.versions[-1] if appeal is not None and appeal.versions else None
        if form is not None:
            values = {k: v for k, v in form.items() if isinstance(v, str)}
        elif latest is not None:
            values = _values(latest, facts)
        else:
            values = {"shape": "text"}
        try:
            plan: WrittenPlan | None = plan_from_form(_as_form(values), facts)
        except InvalidInput as refused:
            plan, error = None, error or refusal(request, refused)
        findings = appeals.check_appeal(session, actor, plan, case_id) if plan else []
        return render(
            request,
            "appeal.html",
            language,
            status_code=status_code,
            actor=actor,
            case=detail.case,
            facts=facts,
            blocks=_subjects(facts),
            values=values,
            appeal=appeal,
            findings=findings,
            written=plan,
            latest=latest,
            error=error,
            editable=appeal is None
            or appeal.status.value in ("DRAFT", "REJECTED", "MORE_INFO_REQUESTED"),
            kinds=list(AttachmentKind),
        )


def _as_form(values: dict[str, str]) -> FormData:
    return FormData(list(values.items()))


@router.get("/cases/{case_id}/appeal", response_class=HTMLResponse)
def appeal_page(request: Request, db: Db, case_id: PathId) -> Response:
    return _page(request, db, require_actor(request), case_id)


@router.post("/cases/{case_id}/appeal/check", response_class=HTMLResponse)
def check_plan(request: Request, db: Db, case_id: PathId, form: Posted) -> Response:
    """The findings fragment htmx swaps in while the seller types (nothing is saved)."""
    actor = require_actor(request)
    language = language_of(request, actor)
    with db.transaction() as session:
        facts = appeals.case_facts(session, cases.get_case(session, actor, case_id).case)
        try:
            plan = plan_from_form(form, facts)
            findings = appeals.check_appeal(session, actor, plan, case_id)
        except InvalidInput as error:
            return render(
                request, "_findings.html", language, findings=[], error=error.in_language(language)
            )
        return render(
            request,
            "_check.html",
            language,
            findings=findings,
            written=plan,
            blocks=_subjects(facts),
            values={k: v for k, v in form.items() if isinstance(v, str)},
        )


@router.post("/cases/{case_id}/appeal")
def submit_plan(request: Request, db: Db, case_id: PathId, form: Posted) -> Response:
    """Save a draft or submit; a refused plan comes back with the seller's text kept."""
    actor = require_actor(request)
    draft = _field(form, "intent") == "draft"
    try:
        with db.transaction() as session:
            facts = appeals.case_facts(session, cases.get_case(session, actor, case_id).case)
            appeals.submit_appeal(session, actor, case_id, plan_from_form(form, facts), draft=draft)
    except InvalidInput as error:
        return _page(
            request, db, actor, case_id, form=form, error=refusal(request, error), status_code=422
        )
    return RedirectResponse(f"/cases/{case_id}/appeal", status_code=303)


@router.post("/cases/{case_id}/appeal/attachments", max_body_size=MAX_ATTACHMENT_BODY)
def upload_evidence(request: Request, db: Db, case_id: PathId, upload: EvidenceUpload) -> Response:
    """Evidence joins the appeal (a draft is started if there is none yet)."""
    actor = require_actor(request)
    data = upload.file.file.read(appeals.MAX_ATTACHMENT_BYTES + 1)
    with db.transaction() as session:
        appeal = _appeal_of(session, actor, case_id)
        if appeal is None:
            appeal = appeals.submit_appeal(session, actor, case_id, PlanOfAction(), draft=True)
        appeals.add_attachment(
            session,
            actor,
            settings_of(request).attachments_dir,
            appeal.id,
            filename=upload.file.filename or "attachment",
            data=data,
            kind=upload.fields.kind,
        )
    return RedirectResponse(f"/cases/{case_id}/appeal", status_code=303)


@router.post("/cases/{case_id}/appeal/file")
def read_plan_file(request: Request, db: Db, case_id: PathId, upload: PlanFileUpload) -> Response:
    """A plan written in Word or a text editor is read and kept as a draft, in its words."""
    actor = require_actor(request)
    data = upload.file.file.read(MAX_PLAN_FILE_BYTES + 1)
    try:
        plan = written.from_file(upload.file.filename or "plan", data)
        with db.transaction() as session:
            appeals.submit_appeal(session, actor, case_id, plan, draft=True)
    except InvalidInput as error:
        return _page(request, db, actor, case_id, error=refusal(request, error), status_code=422)
    return RedirectResponse(f"/cases/{case_id}/appeal", status_code=303)
