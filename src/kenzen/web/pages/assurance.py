"""The seller's Account Health Assurance page: the badge and progress, the protection's
terms, and the emergency contact number AHS calls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from kenzen.access import Action, Actor
from kenzen.assurance import service as assurance
from kenzen.errors import InvalidInput
from kenzen.i18n import N_
from kenzen.policy.document import Policy
from kenzen.sellers import service as sellers
from kenzen.web.deps import Db
from kenzen.web.pages.common import PageRoute, language_of, refusal, render, require_actor

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _own_seller(actor: Actor) -> str:
    if actor.seller_id is None:
        raise InvalidInput(N_("error.web.only_seller_has_account_health_assurance"))
    return actor.seller_id


@router.get("/assurance", response_class=HTMLResponse)
def assurance_page(request: Request, db: Db) -> Response:
    return _page(request, db, require_actor(request))


def _page(
    request: Request, db: Db, actor: Actor, *, error: str | None = None, status_code: int = 200
) -> Response:
    policy: Policy = request.app.state.policy.current
    with db.transaction() as session:
        seller_id = _own_seller(actor)
        status = assurance.assurance_status(session, actor, policy, seller_id)
        seller = sellers.get_seller(session, actor, seller_id, Action.GET_ASSURANCE_STATUS)
        return render(
            request,
            "assurance.html",
            language_of(request, actor),
            status_code=status_code,
            actor=actor,
            seller=seller,
            assurance=status,
            rules=policy.document.assurance,
            error=error,
        )


@router.post("/assurance/emergency-contact")
def set_emergency_contact(
    request: Request, db: Db, phone: Annotated[str, Form(max_length=40)]
) -> Response:
    actor = require_actor(request)
    try:
        with db.transaction() as session:
            sellers.set_emergency_phone(session, actor, _own_seller(actor), phone)
    except InvalidInput as error:
        return _page(request, db, actor, error=refusal(request, error), status_code=422)
    return RedirectResponse("/assurance", status_code=303)
