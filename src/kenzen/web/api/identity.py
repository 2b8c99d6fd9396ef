from fastapi import APIRouter

from kenzen.identity import service
from kenzen.identity.schemas import WhoAmI
from kenzen.web.deps import CurrentActor

router = APIRouter(tags=["identity"])


@router.get("/me", operation_id="whoAmI")
def who_am_i(actor: CurrentActor) -> WhoAmI:
    return WhoAmI.of(service.who_am_i(actor))
