from fastapi import APIRouter

from kenzen.assurance import service
from kenzen.assurance.schemas import AssuranceStatusOut
from kenzen.web.deps import CurrentActor, CurrentPolicy, Db

router = APIRouter(tags=["account health assurance"])


@router.get("/sellers/{seller_id}/assurance", operation_id="getAssuranceStatus")
def get_assurance_status(
    seller_id: str, actor: CurrentActor, db: Db, policy: CurrentPolicy
) -> AssuranceStatusOut:
    """Whether Account Health Assurance protects the seller, the progress towards it
    ("143 of 180 days at 250 or more"), and the holds on its pending deactivations: the
    time left to work with us and Account Health Support's calls."""
    with db.transaction() as session:
        return AssuranceStatusOut.of(service.assurance_status(session, actor, policy, seller_id))
