"""Bodies of the enforcement proposal operations (staff only: they name the reviewers)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from kenzen.cases.schemas import DecisionDue
from kenzen.i18n import Message
from kenzen.policy.document import ReviewMode
from kenzen.policy.models import EnforcementProposal, ProposalStatus, Verdict
from kenzen.policy.proposals import MAX_REASONS


class ProposalReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    reviewer: str
    verdict: Verdict
    reasons: str
    at: datetime


class ProposalOut(BaseModel):
    """One proposal in the queue."""

    id: int
    seller_id: str
    kind: str
    rule: str
    review: ReviewMode
    status: ProposalStatus
    confirmations: int
    confirmations_needed: int
    as_of: date
    policy_version: str
    case_id: int | None
    created_at: datetime
    decided_at: datetime | None
    outcome: str | None
    decision_due: DecisionDue | None = None
    """While pending: when the specialists' decision is due (policy ``[deadlines]``)."""

    @classmethod
    def of(cls, proposal: EnforcementProposal, due: DecisionDue | None = None) -> ProposalOut:
        return cls(
            id=proposal.id,
            seller_id=proposal.seller_id,
            kind=proposal.kind,
            rule=proposal.rule,
            review=proposal.review,
            status=proposal.status,
            confirmations=proposal.confirmations,
            confirmations_needed=proposal.confirmations_needed,
            as_of=proposal.as_of,
            policy_version=proposal.policy_version,
            case_id=proposal.case_id,
            created_at=proposal.created_at,
            decided_at=proposal.decided_at,
            outcome=proposal.outcome,
            decision_due=due,
        )


def readable_evidence(evidence: dict[str, Any], language: str) -> dict[str, Any]:
    """The evidence with each rating line's text (a stored message) put into the reader's
    words, as the pages and the API show it."""
    rating = evidence.get("rating")
    if not rating:
        return evidence
    lines = [
        {**line, "text": Message.from_json(line["text"]).render(language)}
        for line in rating.get("lines", [])
    ]
    return {**evidence, "rating": {**rating, "lines": lines}}


class ProposalDetailOut(ProposalOut):
    """A proposal with the evidence it was made on and every review so far."""

    evidence: dict[str, Any]
    """Causes, the rating line by line (each line's text in the reader's language),
    counting violations with their evidence (a complaint's text), metrics and the policy
    version, as they stood when proposed."""
    reviews: list[ProposalReviewOut]

    @classmethod
    def read_by(
        cls, proposal: EnforcementProposal, language: str, due: DecisionDue | None = None
    ) -> ProposalDetailOut:
        return cls(
            **ProposalOut.of(proposal, due).model_dump(),
            evidence=readable_evidence(proposal.evidence, language),
            reviews=[ProposalReviewOut.model_validate(r) for r in proposal.reviews],
        )


class DecideProposal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Verdict
    reasons: Annotated[str, Field(min_length=1, max_length=MAX_REASONS)]
