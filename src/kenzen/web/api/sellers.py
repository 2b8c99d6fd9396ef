from datetime import date
from typing import Any

from fastapi import APIRouter

from kenzen.health import service as health
from kenzen.health.schemas import SellerHealthOut
from kenzen.metrics import service as metrics
from kenzen.sellers import service
from kenzen.sellers.schemas import AccountStatusChangeOut, SetAccountStatus
from kenzen.web.deps import CurrentActor, Db

router = APIRouter(prefix="/sellers", tags=["sellers"])


@router.get("/{seller_id}/health", operation_id="getSellerHealth")
def get_seller_health(seller_id: str, actor: CurrentActor, db: Db) -> SellerHealthOut:
    with db.transaction() as session:
        return SellerHealthOut.of(health.get_seller_health(session, actor, seller_id))


@router.post("/{seller_id}/status", operation_id="setAccountStatus")
def set_account_status(
    seller_id: str, body: SetAccountStatus, actor: CurrentActor, db: Db
) -> AccountStatusChangeOut:
    with db.transaction() as session:
        change = service.set_account_status(
            session, actor, seller_id, status=body.status, reason=body.reason, case_id=body.case_id
        )
        return AccountStatusChangeOut.model_validate(change)


@router.get(
    "/{seller_id}/performance-report",
    operation_id="getSellerPerformanceReport",
    summary="Seller performance report shaped like SP-API GET_V2_SELLER_PERFORMANCE_REPORT",
)
def get_seller_performance_report(
    seller_id: str, actor: CurrentActor, db: Db, as_of: date | None = None
) -> dict[str, Any]:
    with db.transaction() as session:
        return metrics.performance_report(session, actor, seller_id, as_of)
