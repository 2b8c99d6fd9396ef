"""The rights owner's page: its brands and terms, its complaints and their state, filing
and retracting. The services limit a rights owner to its own brands and complaints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from kenzen.complaints import service as complaints
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import ComplaintKind
from kenzen.errors import InvalidInput
from kenzen.ids import MAX_ID
from kenzen.policy.document import Policy
from kenzen.web.deps import Db, PathId
from kenzen.web.pages.common import PageRoute, language_of, render, require_actor

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/rights", response_class=HTMLResponse)
def rights_page(request: Request, db: Db) -> Response:
    actor = require_actor(request)
    with db.transaction() as session:
        return render(
            request,
            "rights.html",
            language_of(request, actor),
            actor=actor,
            brands=complaints.list_brands(session, actor),
            complaints=complaints.list_complaints(session, actor),
            kinds=list(ComplaintKind),
        )


@router.post("/rights/brands")
def register_brand(
    request: Request,
    db: Db,
    name: Annotated[str, Form(max_length=200)],
    registration_number: Annotated[str, Form(max_length=64)],
    country: Annotated[str, Form(max_length=2)],
    terms: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    actor = require_actor(request)
    with db.transaction() as session:
        complaints.register_brand(
            session,
            actor,
            name=name,
            registration_number=registration_number,
            country=country,
            terms=[t.strip() for t in terms.splitlines() if t.strip()],
        )
    return RedirectResponse("/rights", status_code=303)


@router.post("/rights/complaints")
def file_complaint(
    request: Request,
    db: Db,
    brand_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    kind: Annotated[ComplaintKind, Form()],
    listing_ids: Annotated[str, Form(max_length=2000)],
    evidence: Annotated[str, Form(max_length=10_000)],
    seller_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    actor = require_actor(request)
    named = listing_ids.replace(",", " ").split()
    if not named:
        raise InvalidInput("listing_ids: listing ids separated by spaces or commas")
    seller = seller_id.strip() or None
    policy: Policy = request.app.state.policy.current
    with db.transaction() as session:
        complaints.file_complaint(
            session,
            actor,
            policy,
            brand_id=brand_id,
            kind=kind,
            listings=[ListingRef(listing_id, seller) for listing_id in named],
            evidence=evidence,
        )
    return RedirectResponse("/rights", status_code=303)


@router.post("/rights/complaints/{complaint_id}/retract")
def retract_complaint(
    request: Request,
    db: Db,
    complaint_id: PathId,
    reason: Annotated[str, Form(max_length=5000)],
) -> Response:
    actor = require_actor(request)
    with db.transaction() as session:
        complaints.retract_complaint(session, actor, complaint_id, reason=reason)
    return RedirectResponse("/rights", status_code=303)
