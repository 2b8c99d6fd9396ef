"""The seller's pages: Account Health, cases with their timeline, and the callback booking.

Staff with the right to read a seller's health see the same Account Health page under
``/sellers/{id}``; a seller asking for another seller's id gets the service's 404.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from itertools import islice
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from kenzen import access, clock, i18n
from kenzen.access import Action, Actor, Role
from kenzen.appeals import service as appeals
from kenzen.assurance import service as assurance
from kenzen.cases import service as cases
from kenzen.complaints import disputes
from kenzen.complaints.models import DisputeReason
from kenzen.config import Settings
from kenzen.deadlines import service as deadlines
from kenzen.errors import InvalidInput
from kenzen.health import service as health_service
from kenzen.health.service import RatingHistory, TrendPoint
from kenzen.i18n import N_
from kenzen.ids import MAX_ID
from kenzen.policy.document import Policy
from kenzen.sellers.models import Seller
from kenzen.support import service as support
from kenzen.support.slots import local, slots
from kenzen.web.deps import Db, PathId
from kenzen.web.pages.common import (
    PageRoute,
    deadline_rules,
    language_of,
    metric_name,
    refusal,
    render,
    require_actor,
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)

#: How many bookable slots the callback form offers.
SLOT_CHOICES = 24


def _trend_json(points: list[TrendPoint], target: float, label: str) -> str:
    """The data one chart draws (static/kenzen.js); rates in percent."""
    return json.dumps(
        {
            "label": label,
            "days": [p.day.isoformat() for p in points],
            "values": [None if p.rate is None else round(p.rate * 100, 3) for p in points],
            "target": round(target * 100, 3),
        }
    )


def _rating_history_json(
    history: RatingHistory, today: int, policy: Policy, label: str, band_label: str
) -> str:
    """Every day of the history (null where none was recorded), today's being the gauge's
    rating; the bands' lower bounds as reference lines (static/kenzen.js)."""
    recorded = {d.day: d.rating for d in history.days}
    span = (history.end - history.start).days + 1
    days = [history.start + timedelta(days=n) for n in range(span)]
    bands = policy.document.rating.bands
    return json.dumps(
        {
            "label": label,
            "bands": band_label,
            "days": [d.isoformat() for d in days],
            "values": [today if d == history.end else recorded.get(d) for d in days],
            "thresholds": [bands.HEALTHY.min, bands.AT_RISK.min],
        }
    )


def health_page(request: Request, db: Db, actor: Actor, seller_id: str) -> Response:
    language = language_of(request, actor)
    policy: Policy = request.app.state.policy.current
    settings: Settings = request.app.state.settings
    with db.transaction() as session:
        health = health_service.get_seller_health(session, actor, policy, seller_id)
        protection = assurance.assurance_status(session, actor, policy, seller_id)
        history = health_service.rating_history(
            session, actor, settings.events_dir, seller_id, end=health.as_of
        )
        trends = health_service.metric_trends(session, actor, seller_id)
        case_list = cases.list_cases(session, actor, seller_id=seller_id)
        unread = cases.unread_case_ids(session, actor, [c.id for c in case_list])
        dues = deadlines.due_by_case(session, policy.document.deadlines, [c.id for c in case_list])
        review_dues = deadlines.due_of_items(
            session, policy.document.deadlines, "proposals", [r.id for r in health.reviews]
        )
        texts = {
            v.violation.id: policy.violations[v.violation.category].text for v in health.violations
        }
        charts = {
            m.metric: _trend_json(
                trends.get(m.metric, []),
                m.target_value,
                metric_name(m.metric, language),
            )
            for m in health.metrics
        }
        return render(
            request,
            "seller_health.html",
            language,
            actor=actor,
            health=health,
            texts={vid: i18n.pick(text, language) for vid, text in texts.items()},
            charts=charts,
            rating_history=_rating_history_json(
                history,
                health.rating.value,
                policy,
                i18n.t("ui.rating_history", language),
                i18n.t("ui.rating_band_limits", language),
            ),
            cases=case_list,
            unread=unread,
            dues=dues,
            review_dues=review_dues,
            assurance=protection,
        )


@router.get("/sellers/{seller_id}", response_class=HTMLResponse)
def seller_health(request: Request, db: Db, seller_id: str) -> Response:
    return health_page(request, db, require_actor(request), seller_id)


@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request, db: Db) -> Response:
    actor = require_actor(request)
    with db.transaction() as session:
        found = cases.list_cases(session, actor)
        unread = cases.unread_case_ids(session, actor, [c.id for c in found])
        dues = deadlines.due_by_case(session, deadline_rules(request), [c.id for c in found])
        return render(
            request,
            "cases.html",
            language_of(request, actor),
            actor=actor,
            cases=found,
            unread=unread,
            dues=dues,
        )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, db: Db, case_id: PathId) -> Response:
    """The case's timeline, newest first, and the earliest decision it waits for (a
    complaint's case: each pending dispute or retraction request with its own); AHS also
    sees the guidance it explains."""
    actor = require_actor(request)
    language = language_of(request, actor)
    with db.transaction() as session:
        detail = cases.get_case(session, actor, case_id)
        seen_before = cases.mark_read(session, actor, case_id)
        guidance = appeals.guidance(session, actor, case_id) if actor.role is Role.AHS_AGENT else []
        waiting = deadlines.waiting(session, deadline_rules(request), case_ids=[case_id])
        complaint = (
            disputes.complaint_of_case(session, actor, case_id)
            if access.allows(actor, Action.LIST_DISPUTES)
            else None
        )
        return render(
            request,
            "case.html",
            language,
            actor=actor,
            due=waiting[0] if waiting else None,
            item_dues={(item.queue.name, item.item_id): item for item in waiting},
            case=detail.case,
            entries=list(reversed(detail.entries)),
            seen_before=seen_before,
            guidance=guidance,
            complaint=complaint,
            dispute_reasons=list(DisputeReason),
        )


@router.get("/callbacks", response_class=HTMLResponse)
def callbacks_page(
    request: Request,
    db: Db,
    case: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    move: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    actor = require_actor(request)
    return _callbacks(request, db, actor, case=case, move=move)


def _callbacks(
    request: Request,
    db: Db,
    actor: Actor,
    *,
    case: int | None = None,
    move: int | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    language = language_of(request, actor)
    with db.transaction() as session:
        if actor.seller_id is None:
            raise InvalidInput(N_("error.web.only_seller_books_callback_itself"))
        seller = session.get(Seller, actor.seller_id)
        assert seller is not None
        booked = support.list_callbacks(session, actor, seller_id=seller.id)
        hours = support.hours_of(session, seller.marketplace_id)
        choices = [
            (slot, local(hours, slot)) for slot in islice(slots(hours, clock.now()), SLOT_CHOICES)
        ]
        open_cases = cases.list_cases(session, actor, seller_id=seller.id)
        return render(
            request,
            "callbacks.html",
            language,
            status_code=status_code,
            actor=actor,
            seller=seller,
            callbacks=booked,
            choices=choices,
            time_zone=hours.time_zone,
            cases=[c for c in open_cases if c.status.value != "CLOSED"],
            chosen_case=case,
            move=move,
            error=error,
        )


@router.post("/callbacks")
def book_callback(
    request: Request,
    db: Db,
    phone: Annotated[str, Form(max_length=40)],
    slot: Annotated[str, Form(max_length=40)],
    case_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    replaces: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
) -> Response:
    """Book (or move, with ``replaces``) the call; the service offers the next free slot."""
    actor = require_actor(request)
    try:
        preferred = datetime.fromisoformat(slot)
    except ValueError:
        raise InvalidInput(N_("error.web.slot_pick_offered_times")) from None
    if actor.seller_id is None:
        raise InvalidInput(N_("error.web.only_seller_books_callback_itself"))
    try:
        with db.transaction() as session:
            support.request_callback(
                session,
                actor,
                actor.seller_id,
                phone=phone,
                preferred=preferred,
                rules=request.app.state.policy.current.document.callbacks,
                case_id=case_id,
                replaces=replaces,
            )
    except InvalidInput as error:
        return _callbacks(request, db, actor, error=refusal(request, error), status_code=422)
    return RedirectResponse("/callbacks", status_code=303)


@router.post("/callbacks/{callback_id}/cancel")
def cancel_callback(request: Request, db: Db, callback_id: PathId) -> Response:
    actor = require_actor(request)
    with db.transaction() as session:
        support.cancel_callback(session, actor, callback_id)
    return RedirectResponse("/callbacks", status_code=303)
