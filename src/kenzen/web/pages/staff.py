"""The staff console: the AHS callback line, the Account Specialists' review desk (appeals
and enforcement proposals), and seller search. Each service refuses a role
that may not use it; the page only renders what the service returned."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from kenzen import clock
from kenzen.appeals import service as appeals
from kenzen.appeals.models import PENDING, AppealStatus
from kenzen.assurance import service as assurance
from kenzen.cases import service as cases
from kenzen.deadlines import service as deadlines
from kenzen.errors import Conflict, InvalidInput, NotFound
from kenzen.health.assessments import current_assessment, local_today
from kenzen.i18n import N_
from kenzen.policy import proposals
from kenzen.policy.models import Verdict
from kenzen.policy.records import SessionFacts
from kenzen.policy.schemas import readable_evidence
from kenzen.sellers import service as sellers
from kenzen.support import service as support
from kenzen.support.models import CallbackStatus, CallOutcome
from kenzen.web.deps import Db, PathId
from kenzen.web.pages.common import (
    PageRoute,
    deadline_rules,
    language_of,
    refusal,
    render,
    require_actor,
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)

_WAITING = (CallbackStatus.BOOKED, CallbackStatus.CLAIMED)


@router.get("/staff/callbacks", response_class=HTMLResponse)
def callback_queue(request: Request, db: Db) -> Response:
    """Account Health Assurance's priority calls by deadline, then today's calls by time,
    then the coming days (each in the marketplace's time); a call not made on its booked day
    is marked overdue."""
    actor = require_actor(request)
    with db.transaction() as session:
        waiting = [
            v for v in support.list_callbacks(session, actor) if v.callback.status in _WAITING
        ]
        dues = deadlines.due_of_items(
            session, deadline_rules(request), "callbacks", [v.callback.id for v in waiting]
        )
        priority = sorted(
            (v for v in waiting if v.callback.priority),
            key=lambda v: (v.callback.deadline or v.callback.slot_start, v.callback.id),
        )
        views = [v for v in waiting if not v.callback.priority]
        today = [
            v
            for v in views
            if v.local_start.date() == clock.now().astimezone(v.local_start.tzinfo).date()
        ]
        later = [v for v in views if v not in today]
        return render(
            request,
            "staff_callbacks.html",
            language_of(request, actor),
            actor=actor,
            priority=priority,
            today=today,
            later=later,
            dues=dues,
        )


@router.post("/staff/callbacks/{callback_id}/claim")
def claim(request: Request, db: Db, callback_id: PathId) -> Response:
    actor = require_actor(request)
    with db.transaction() as session:
        support.claim_callback(session, actor, callback_id)
    return RedirectResponse(f"/staff/callbacks/{callback_id}", status_code=303)


@router.get("/staff/callbacks/{callback_id}", response_class=HTMLResponse)
def callback_page(request: Request, db: Db, callback_id: PathId) -> Response:
    """The call in hand: the case, the guidance to explain, and the notes form."""
    actor = require_actor(request)
    with db.transaction() as session:
        view = next(
            (v for v in support.list_callbacks(session, actor) if v.callback.id == callback_id),
            None,
        )
        if view is None:
            raise NotFound(N_("error.web.callback_not_found"), callback_id=callback_id)
        detail = cases.get_case(session, actor, view.callback.case_id)
        return render(
            request,
            "staff_callback.html",
            language_of(request, actor),
            actor=actor,
            view=view,
            case=detail.case,
            entries=list(reversed(detail.entries)),
            guidance=appeals.guidance(session, actor, view.callback.case_id),
            outcomes=list(CallOutcome),
        )


@router.post("/staff/callbacks/{callback_id}/complete")
def complete(
    request: Request,
    db: Db,
    callback_id: PathId,
    outcome: Annotated[CallOutcome, Form()],
    notes: Annotated[str, Form(max_length=support.MAX_NOTES)] = "",
) -> Response:
    actor = require_actor(request)
    with db.transaction() as session:
        support.complete_callback(session, actor, callback_id, outcome=outcome, notes=notes)
    return RedirectResponse("/staff/callbacks", status_code=303)


@router.get("/staff/appeals", response_class=HTMLResponse)
def review_queue(request: Request, db: Db) -> Response:
    """Appeals waiting for a decision, the earliest due first, overdue ones marked."""
    actor = require_actor(request)
    with db.transaction() as session:
        waiting = deadlines.staff_queue(session, actor, deadline_rules(request), "appeals")
        pending = {a.id: a for a in appeals.list_appeals(session, actor) if a.status in PENDING}
        return render(
            request,
            "staff_appeals.html",
            language_of(request, actor),
            actor=actor,
            queue=[(pending[w.item_id], w) for w in waiting if w.item_id in pending],
        )


def _packet(
    request: Request, db: Db, appeal_id: int, *, error: str | None = None, status_code: int = 200
) -> Response:
    actor = require_actor(request)
    with db.transaction() as session:
        packet = appeals.get_appeal(session, actor, appeal_id)
        latest = packet.appeal.versions[-1] if packet.appeal.versions else None
        return render(
            request,
            "staff_packet.html",
            language_of(request, actor),
            status_code=status_code,
            actor=actor,
            packet=packet,
            latest=latest,
            entries=list(reversed(packet.case.entries)),
            decisions=[
                AppealStatus.ACCEPTED,
                AppealStatus.REJECTED,
                AppealStatus.MORE_INFO_REQUESTED,
            ],
            pending=packet.appeal.status in PENDING,
            error=error,
        )


@router.get("/staff/appeals/{appeal_id}", response_class=HTMLResponse)
def review_packet(request: Request, db: Db, appeal_id: PathId) -> Response:
    return _packet(request, db, appeal_id)


@router.post("/staff/appeals/{appeal_id}/decision")
def decide(
    request: Request,
    db: Db,
    appeal_id: PathId,
    decision: Annotated[AppealStatus, Form()],
    reasons: Annotated[str, Form(max_length=10_000)] = "",
    deadline: Annotated[date | None, Form()] = None,
) -> Response:
    actor = require_actor(request)
    due = datetime.combine(deadline, time(23, 59), UTC) if deadline else None
    try:
        with db.transaction() as session:
            appeals.decide_appeal(
                session, actor, appeal_id, decision=decision, reasons=reasons, deadline=due
            )
    except InvalidInput as error:
        return _packet(request, db, appeal_id, error=refusal(request, error), status_code=422)
    return RedirectResponse(f"/staff/appeals/{appeal_id}", status_code=303)


@router.get("/staff/sellers", response_class=HTMLResponse)
def seller_search(request: Request, db: Db, q: str = "") -> Response:
    actor = require_actor(request)
    with db.transaction() as session:
        found = sellers.search_sellers(session, actor, q[:200])
        policy = request.app.state.policy.current
        records = SessionFacts(session)
        ratings = {
            s.id: current_assessment(records, policy, s, local_today(s)).rating for s in found
        }
        return render(
            request,
            "staff_sellers.html",
            language_of(request, actor),
            actor=actor,
            q=q,
            found=found,
            ratings=ratings,
        )


@router.get("/staff/proposals", response_class=HTMLResponse)
def proposal_queue(request: Request, db: Db) -> Response:
    """Actions the policy proposed and specialists decide, the oldest first."""
    actor = require_actor(request)
    with db.transaction() as session:
        return render(
            request,
            "staff_proposals.html",
            language_of(request, actor),
            actor=actor,
            queue=deadlines.with_dues(
                session,
                deadline_rules(request),
                "proposals",
                proposals.list_proposals(session, actor),
            ),
        )


def _proposal(
    request: Request, db: Db, proposal_id: int, *, error: str | None = None, status_code: int = 200
) -> Response:
    actor = require_actor(request)
    language = language_of(request, actor)
    with db.transaction() as session:
        proposal = proposals.get_proposal(session, actor, proposal_id)
        return render(
            request,
            "staff_proposal.html",
            language,
            status_code=status_code,
            actor=actor,
            proposal=proposal,
            evidence=readable_evidence(proposal.evidence, language),
            hold=assurance.hold_of(session, actor, proposal),
            reviewed=any(r.reviewer_id == actor.user_id for r in proposal.reviews),
            verdicts=list(Verdict),
            error=error,
        )


@router.get("/staff/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(request: Request, db: Db, proposal_id: PathId) -> Response:
    """The evidence a proposal was made on, the reviews so far, and the decision form."""
    return _proposal(request, db, proposal_id)


@router.post("/staff/proposals/{proposal_id}/decision")
def decide_proposal(
    request: Request,
    db: Db,
    proposal_id: PathId,
    verdict: Annotated[Verdict, Form()],
    reasons: Annotated[str, Form(max_length=proposals.MAX_REASONS)] = "",
) -> Response:
    actor = require_actor(request)
    policy = request.app.state.policy.current
    try:
        with db.transaction() as session:
            assurance.decide_proposal(
                session, actor, policy, proposal_id, verdict=verdict, reasons=reasons
            )
    except InvalidInput as error:
        return _proposal(request, db, proposal_id, error=refusal(request, error), status_code=422)
    except Conflict as error:
        return _proposal(request, db, proposal_id, error=refusal(request, error), status_code=409)
    return RedirectResponse(f"/staff/proposals/{proposal_id}", status_code=303)
