from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from kenzen import clock
from kenzen.cases import service
from kenzen.cases.models import CaseStatus
from kenzen.cases.schemas import AddCaseNote, CaseEntryOut, CaseOut, CaseSummary, DecisionDue
from kenzen.deadlines import service as deadlines
from kenzen.policy.document import Policy
from kenzen.web.deps import CurrentActor, CurrentPolicy, Db, PathId, ReaderLanguage

router = APIRouter(prefix="/cases", tags=["cases"])


@router.get("", operation_id="listCases")
def list_cases(
    actor: CurrentActor,
    db: Db,
    policy: CurrentPolicy,
    language: ReaderLanguage,
    seller_id: str | None = None,
    case_status: Annotated[CaseStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[CaseSummary]:
    """Cases, each with the time the decision it waits for is due."""
    with db.transaction() as session:
        found = service.list_cases(
            session, actor, seller_id=seller_id, status=case_status, limit=limit
        )
        dues = _dues(session, policy, [c.id for c in found])
        return [
            CaseSummary.of(c, language).model_copy(update={"decision_due": dues.get(c.id)})
            for c in found
        ]


@router.get("/{case_id}", operation_id="getCase")
def get_case(
    case_id: PathId, actor: CurrentActor, db: Db, policy: CurrentPolicy, language: ReaderLanguage
) -> CaseOut:
    """Titles and entries in the reader's language: their setting, else the seller account's,
    else the best of ``Accept-Language``."""
    with db.transaction() as session:
        case = CaseOut.of_detail(service.get_case(session, actor, case_id), language)
        return case.model_copy(
            update={"decision_due": _dues(session, policy, [case_id]).get(case_id)}
        )


def _dues(session: Session, policy: Policy, case_ids: list[int]) -> dict[int, DecisionDue]:
    now = clock.now()
    found = deadlines.due_by_case(session, policy.document.deadlines, case_ids)
    return {case_id: deadlines.as_due(item, now) for case_id, item in found.items()}


@router.post("/{case_id}/notes", operation_id="addCaseNote", status_code=status.HTTP_201_CREATED)
def add_case_note(
    case_id: PathId, body: AddCaseNote, actor: CurrentActor, db: Db, language: ReaderLanguage
) -> CaseEntryOut:
    with db.transaction() as session:
        entry = service.add_case_note(
            session, actor, case_id, text=body.text, visibility=body.visibility
        )
        return CaseEntryOut.of(entry, language)
