from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from kenzen import access
from kenzen.access import Action
from kenzen.policy.document import PolicyHolder
from kenzen.web.deps import CurrentActor, Db

router = APIRouter(prefix="/policy", tags=["policy"])


class PolicyOut(BaseModel):
    version: str
    source: str
    document: dict[str, Any]


def _out(holder: PolicyHolder) -> PolicyOut:
    return PolicyOut(
        version=holder.current.version,
        source=str(holder.path) if holder.path else "kenzen default",
        document=holder.current.document.model_dump(mode="json"),
    )


@router.get("", operation_id="getPolicy")
def get_policy(request: Request, actor: CurrentActor, db: Db) -> PolicyOut:
    """The enforcement policy in force, so anyone affected can read the rules."""
    with db.transaction():
        access.authorize(actor, Action.GET_POLICY)
    return _out(request.app.state.policy)


@router.post("/reload", operation_id="reloadPolicy")
def reload_policy(request: Request, actor: CurrentActor, db: Db) -> PolicyOut:
    """Re-read KENZEN_POLICY; an invalid file is refused (422) and the old policy stays."""
    holder: PolicyHolder = request.app.state.policy
    with db.transaction() as session:
        access.authorize(actor, Action.RELOAD_POLICY)
        previous = holder.current.version
        current = holder.reload()
        session.add(
            access.record(
                actor,
                Action.RELOAD_POLICY,
                f"policy:{current.short_version}",
                {"previous": previous, "current": current.version},
            )
        )
    return _out(holder)
