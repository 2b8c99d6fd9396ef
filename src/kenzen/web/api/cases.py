from typing import Annotated

from fastapi import APIRouter, Query, status

from kenzen.cases import service
from kenzen.cases.models import CaseStatus
from kenzen.cases.schemas import AddCaseNote, CaseEntryOut, CaseOut, CaseSummary
from kenzen.web.deps import CurrentActor, Db, PathId

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("", operation_id="listCases")
def list_cases(
    actor: CurrentActor,
    db: Db,
    seller_id: str | None = None,
    case_status: Annotated[CaseStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[CaseSummary]:
    with db.transaction() as session:
        found = service.list_cases(
            session, actor, seller_id=seller_id, status=case_status, limit=limit
        )
        return [CaseSummary.model_validate(c) for c in found]


@router.get("/{case_id}", operation_id="getCase")
def get_case(case_id: PathId, actor: CurrentActor, db: Db) -> CaseOut:
    with db.transaction() as session:
        return CaseOut.of(service.get_case(session, actor, case_id))


@router.post("/{case_id}/notes", operation_id="addCaseNote", status_code=status.HTTP_201_CREATED)
def add_case_note(case_id: PathId, body: AddCaseNote, actor: CurrentActor, db: Db) -> CaseEntryOut:
    with db.transaction() as session:
        entry = service.add_case_note(
            session, actor, case_id, text=body.text, visibility=body.visibility
        )
        return CaseEntryOut.model_validate(entry)
