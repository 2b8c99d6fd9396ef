from fastapi import APIRouter

from kenzen.sellers import service
from kenzen.sellers.schemas import AccountStatusChangeOut, SellerHealthOut, SetAccountStatus
from kenzen.web.deps import CurrentActor, Db

router = APIRouter(prefix="/sellers", tags=["sellers"])


@router.get("/{seller_id}/health", operation_id="getSellerHealth")
def get_seller_health(seller_id: str, actor: CurrentActor, db: Db) -> SellerHealthOut:
    with db.transaction() as session:
        return SellerHealthOut.of(service.get_seller_health(session, actor, seller_id))


@router.post("/{seller_id}/status", operation_id="setAccountStatus")
def set_account_status(
    seller_id: str, body: SetAccountStatus, actor: CurrentActor, db: Db
) -> AccountStatusChangeOut:
    with db.transaction() as session:
        change = service.set_account_status(
            session, actor, seller_id, status=body.status, reason=body.reason, case_id=body.case_id
        )
        return AccountStatusChangeOut.model_validate(change)
