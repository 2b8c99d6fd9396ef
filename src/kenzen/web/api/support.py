from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status

from kenzen.support import service
from kenzen.support.models import CallbackStatus
from kenzen.support.schemas import CallbackOut, CompleteCallback, RequestCallback
from kenzen.web.deps import CurrentActor, CurrentPolicy, Db, PathId

router = APIRouter(tags=["account health support"])


@router.post(
    "/sellers/{seller_id}/callbacks",
    operation_id="requestCallback",
    status_code=status.HTTP_201_CREATED,
)
def request_callback(
    seller_id: str, body: RequestCallback, actor: CurrentActor, db: Db, policy: CurrentPolicy
) -> CallbackOut:
    """Book a call from AHS; outside AHS hours the next open slot is offered and booked."""
    with db.transaction() as session:
        view = service.request_callback(
            session,
            actor,
            seller_id,
            phone=body.phone,
            preferred=body.preferred_time,
            rules=policy.document.callbacks,
            case_id=body.case_id,
            replaces=body.replaces,
        )
        return CallbackOut.of(view)


@router.get("/callbacks", operation_id="listCallbacks")
def list_callbacks(
    actor: CurrentActor,
    db: Db,
    seller_id: str | None = None,
    day: Annotated[datetime | None, Query(description="Only this local day")] = None,
    callback_status: Annotated[CallbackStatus | None, Query(alias="status")] = None,
) -> list[CallbackOut]:
    with db.transaction() as session:
        views = service.list_callbacks(
            session, actor, seller_id=seller_id, day=day, status=callback_status
        )
        return [CallbackOut.of(v) for v in views]


@router.post("/callbacks/{callback_id}/claim", operation_id="claimCallback")
def claim_callback(callback_id: PathId, actor: CurrentActor, db: Db) -> CallbackOut:
    with db.transaction() as session:
        return CallbackOut.of(service.claim_callback(session, actor, callback_id))


@router.post("/callbacks/{callback_id}/complete", operation_id="completeCallback")
def complete_callback(
    callback_id: PathId, body: CompleteCallback, actor: CurrentActor, db: Db
) -> CallbackOut:
    with db.transaction() as session:
        view = service.complete_callback(
            session, actor, callback_id, outcome=body.outcome, notes=body.notes
        )
        return CallbackOut.of(view)


@router.post("/callbacks/{callback_id}/cancel", operation_id="cancelCallback")
def cancel_callback(callback_id: PathId, actor: CurrentActor, db: Db) -> CallbackOut:
    with db.transaction() as session:
        return CallbackOut.of(service.cancel_callback(session, actor, callback_id))
