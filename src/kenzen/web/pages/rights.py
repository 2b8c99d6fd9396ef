"""The rights owner's page: its brands and terms, what it was told (its notices), a search
of the catalogue, its complaints and their state, filing (from the search results or by
listing id), evidence files and retracting. The services limit a rights owner to its own
brands, complaints and notices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from kenzen.access import Role
from kenzen.complaints import catalogue, disputes, reputation
from kenzen.complaints import service as complaints
from kenzen.complaints.catalogue import ListingRef
from kenzen.complaints.models import REQUIRED_FIELD, ComplaintKind
from kenzen.deadlines import service as deadlines
from kenzen.errors import InvalidInput
from kenzen.evidence import MAX_FILE_BYTES
from kenzen.i18n import N_
from kenzen.ids import MAX_ID
from kenzen.notify import service as notices
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

#: Listings one complaint form may name, like the API's limit.
MAX_NAMED = 500
#: The owner's latest notices the page lists (the API pages through all of them).
NOTICES_SHOWN = 50


@router.get("/rights", response_class=HTMLResponse)
def rights_page(
    request: Request,
    db: Db,
    listing_id: Annotated[str, Query(max_length=32)] = "",
    seller_id: Annotated[str, Query(max_length=64)] = "",
    brand_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    actor = require_actor(request)
    policy: Policy = request.app.state.policy.current
    owner_id = actor.user_id if actor.role is Role.RIGHTS_OWNER else None
    with db.transaction() as session:
        found = None
        if listing_id.strip() or seller_id.strip() or brand_id is not None:
            found = catalogue.search_listings(
                session,
                actor,
                listing_id=listing_id.strip() or None,
                seller_id=seller_id.strip() or None,
                brand_id=brand_id,
                page=page,
            )
        return render(
            request,
            "rights.html",
            language_of(request, actor),
            actor=actor,
            brands=complaints.list_brands(session, actor),
            complaints=complaints.list_complaints(session, actor),
            requests=deadlines.with_dues(
                session,
                policy.document.deadlines,
                "retraction_requests",
                disputes.list_retraction_requests(session, actor),
            ),
            standing=(
                reputation.get_notifier_reputation(session, actor, policy, owner_id)
                if owner_id is not None
                else None
            ),
            notices=(
                notices.list_owner_notices(session, actor, limit=NOTICES_SHOWN)
                if owner_id is not None
                else []
            ),
            kinds=list(ComplaintKind),
            required=REQUIRED_FIELD,
            found=found,
            search={"listing_id": listing_id, "seller_id": seller_id, "brand_id": brand_id},
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


def listing_refs(lines: Iterable[str]) -> list[ListingRef]:
    """Listings as the form names them: one per line (or checkbox), a listing id optionally
    followed by the seller id."""
    refs = []
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        if len(parts) > 2:
            raise InvalidInput(
                N_("error.web.listing_ids_not_listing_id_optionally"), line=line.strip()
            )
        refs.append(ListingRef(*parts))
    if len(refs) > MAX_NAMED:
        raise InvalidInput(N_("error.web.listing_ids_most_listings"), max_named=MAX_NAMED)
    return refs


@router.post("/rights/complaints")
def file_complaint(
    request: Request,
    db: Db,
    brand_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    kind: Annotated[ComplaintKind, Form()],
    evidence: Annotated[str, Form(max_length=10_000)],
    listing_ids: Annotated[str, Form(max_length=20_000)] = "",
    listing: Annotated[list[str] | None, Form(max_length=MAX_NAMED)] = None,
    registration_number: Annotated[str, Form(max_length=64)] = "",
    work: Annotated[str, Form(max_length=2_000)] = "",
    test_buy_order_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    actor = require_actor(request)
    refs = listing_refs([*(listing or []), *listing_ids.splitlines()])
    policy: Policy = request.app.state.policy.current
    with db.transaction() as session:
        complaints.file_complaint(
            session,
            actor,
            policy,
            brand_id=brand_id,
            kind=kind,
            listings=refs,
            evidence=evidence,
            registration_number=registration_number,
            work=work,
            test_buy_order_id=test_buy_order_id,
        )
    return RedirectResponse("/rights", status_code=303)


@router.post("/rights/complaints/{complaint_id}/files", max_body_size=MAX_ATTACHMENT_BODY)
def add_complaint_file(
    request: Request,
    db: Db,
    complaint_id: PathId,
    upload: Annotated[Upload[NoFields], Depends(page_upload)],
) -> Response:
    actor = require_actor(request)
    data = upload.file.file.read(MAX_FILE_BYTES + 1)
    with db.transaction() as session:
        complaints.add_complaint_file(
            session,
            actor,
            settings_of(request).attachments_dir,
            complaint_id,
            filename=upload.file.filename or "evidence",
            data=data,
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
