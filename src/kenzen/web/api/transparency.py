"""The transparency report for staff (DSA Art. 15/24)."""

from typing import Annotated

from fastapi import APIRouter, Query

from kenzen.transparency.schemas import TransparencyReport
from kenzen.transparency.service import transparency_report
from kenzen.web.deps import CurrentActor, Db

router = APIRouter(tags=["transparency"])


@router.get("/transparency-report", operation_id="getTransparencyReport")
def get_transparency_report(
    actor: CurrentActor,
    db: Db,
    first: Annotated[str, Query(alias="from", min_length=1, max_length=32)],
    last: Annotated[str, Query(alias="to", min_length=1, max_length=32)],
) -> TransparencyReport:
    """Notices, actions, decision times, appeal outcomes and reversals from ``from`` to
    ``to`` (both days included, UTC), counted from the records and the audit log."""
    with db.transaction() as session:
        return transparency_report(session, actor, first, last)
