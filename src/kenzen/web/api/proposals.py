from typing import Annotated

from fastapi import APIRouter, Query

from kenzen.assurance.service import decide_proposal
from kenzen.deadlines import service as deadlines
from kenzen.policy import proposals
from kenzen.policy.models import ProposalStatus
from kenzen.policy.schemas import DecideProposal, ProposalDetailOut, ProposalOut
from kenzen.web.deps import CurrentActor, CurrentPolicy, Db, PathId, ReaderLanguage

router = APIRouter(prefix="/enforcement-proposals", tags=["enforcement"])


@router.get("", operation_id="listEnforcementProposals")
def list_enforcement_proposals(
    actor: CurrentActor,
    db: Db,
    policy: CurrentPolicy,
    seller_id: Annotated[str | None, Query(max_length=64)] = None,
    proposal_status: Annotated[ProposalStatus, Query(alias="status")] = ProposalStatus.PENDING,
) -> list[ProposalOut]:
    """The specialists' queue: proposals waiting for a decision, the earliest due first (or
    those of another status, oldest first)."""
    with db.transaction() as session:
        found = proposals.list_proposals(
            session, actor, status=proposal_status, seller_id=seller_id
        )
        ordered = deadlines.in_due_order(session, policy.document.deadlines, "proposals", found)
        return [ProposalOut.of(proposal, due) for proposal, due in ordered]


@router.get("/{proposal_id}", operation_id="getEnforcementProposal")
def get_enforcement_proposal(
    proposal_id: PathId,
    actor: CurrentActor,
    db: Db,
    policy: CurrentPolicy,
    language: ReaderLanguage,
) -> ProposalDetailOut:
    """A proposal with its evidence (rating lines in the reader's language), its reviews so
    far and, while pending, when its decision is due."""
    with db.transaction() as session:
        proposal = proposals.get_proposal(session, actor, proposal_id)
        [(_, due)] = deadlines.in_due_order(
            session, policy.document.deadlines, "proposals", [proposal]
        )
        return ProposalDetailOut.read_by(proposal, language, due)


@router.post("/{proposal_id}/decision", operation_id="decideEnforcementProposal")
def decide(
    proposal_id: PathId,
    body: DecideProposal,
    actor: CurrentActor,
    db: Db,
    policy: CurrentPolicy,
    language: ReaderLanguage,
) -> ProposalDetailOut:
    """Confirm or reject with reasons. Under four eyes a second, different specialist must
    confirm (the first one again: 403); once confirmed the action is applied. A
    deactivation held by Account Health Assurance cannot be confirmed (409) until AHS has
    reached the seller (or tried every open day) and the seller's time to respond has
    passed, or while the seller's Plan of Action awaits its decision."""
    with db.transaction() as session:
        proposal = decide_proposal(
            session, actor, policy, proposal_id, verdict=body.verdict, reasons=body.reasons
        )
        return ProposalDetailOut.read_by(proposal, language)
