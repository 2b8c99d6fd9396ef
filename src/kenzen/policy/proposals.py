"""Enforcement proposals: the one writer of proposals and their reviews.

Evaluation opens a proposal where the policy has people decide an action
(:mod:`kenzen.policy.enforcement`), and withdraws it when the policy stops demanding it.
Account Specialists confirm or reject it; under four eyes the second confirmation must come
from a different specialist. Applying a confirmed action is enforcement's
(``decide_enforcement_proposal``), through the same status transition as an automatic one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kenzen import access
from kenzen.access import Action, Actor
from kenzen.db import utcnow
from kenzen.errors import Conflict, InvalidInput, NotFound
from kenzen.i18n import N_
from kenzen.policy.document import ReviewMode
from kenzen.policy.models import (
    EnforcementProposal,
    ProposalReview,
    ProposalStatus,
    Verdict,
)
from kenzen.policy.review import has_new_facts

MAX_REASONS = 10_000


@dataclass(frozen=True, slots=True)
class Proposed:
    """What evaluation asks to have decided."""

    seller_id: str
    kind: str
    rule: str
    review: ReviewMode
    as_of: date
    policy_version: str
    facts: frozenset[str]
    evidence: dict[str, Any]
    case_id: int | None


def pending(session: Session, seller_id: str) -> list[EnforcementProposal]:
    """The seller's proposals waiting for a decision, oldest first."""
    return list(
        session.scalars(
            select(EnforcementProposal)
            .where(
                EnforcementProposal.seller_id == seller_id,
                EnforcementProposal.status == ProposalStatus.PENDING,
            )
            .order_by(EnforcementProposal.id)
        )
    )


def open_proposal(session: Session, proposed: Proposed) -> EnforcementProposal | None:
    """Open the proposal unless one for the same action is pending, or a rejected one saw
    every fact this one rests on; None when nothing was opened."""
    same = select(EnforcementProposal).where(
        EnforcementProposal.seller_id == proposed.seller_id,
        EnforcementProposal.kind == proposed.kind,
    )
    if session.scalar(same.where(EnforcementProposal.status == ProposalStatus.PENDING)):
        return None
    rejected = session.scalar(
        same.where(EnforcementProposal.status == ProposalStatus.REJECTED)
        .order_by(EnforcementProposal.id.desc())
        .limit(1)
    )
    if rejected is not None and not has_new_facts(proposed.facts, rejected.facts):
        return None
    proposal = EnforcementProposal(
        seller_id=proposed.seller_id,
        kind=proposed.kind,
        rule=proposed.rule,
        review=proposed.review,
        as_of=proposed.as_of,
        policy_version=proposed.policy_version,
        facts=sorted(proposed.facts),
        evidence=proposed.evidence,
        case_id=proposed.case_id,
        created_at=utcnow(),
    )
    session.add(proposal)
    session.flush()
    session.add(
        access.record(
            access.SYSTEM,
            "proposeEnforcement",
            f"seller:{proposed.seller_id}",
            {
                "proposal_id": proposal.id,
                "kind": proposed.kind,
                "rule": proposed.rule,
                "review": proposed.review.value,
                "policy_version": proposed.policy_version,
            },
        )
    )
    return proposal


def withdraw_undemanded(
    session: Session, seller_id: str, demanded: Iterable[str]
) -> list[EnforcementProposal]:
    """Withdraw the seller's pending proposals of actions the policy no longer demands."""
    still = set(demanded)
    withdrawn = []
    for proposal in pending(session, seller_id):
        if proposal.kind in still:
            continue
        proposal.status = ProposalStatus.WITHDRAWN
        proposal.decided_at = utcnow()
        proposal.outcome = "the policy no longer demands the action"
        session.add(
            access.record(
                access.SYSTEM,
                "withdrawEnforcementProposal",
                f"seller:{seller_id}",
                {"proposal_id": proposal.id, "kind": proposal.kind},
            )
        )
        withdrawn.append(proposal)
    return withdrawn


def end_by_accepted_plan(
    session: Session, actor: Actor, case_id: int, appeal_id: int
) -> list[EnforcementProposal]:
    """The specialist who accepted the seller's Plan of Action on a case thereby decided
    against the actions proposed on it: they end as rejected, so the same facts do not
    propose them again (new facts do). Called inside ``decideAppeal``."""
    ended = list(
        session.scalars(
            select(EnforcementProposal).where(
                EnforcementProposal.case_id == case_id,
                EnforcementProposal.status == ProposalStatus.PENDING,
            )
        )
    )
    for proposal in ended:
        proposal.status = ProposalStatus.REJECTED
        proposal.decided_at = utcnow()
        proposal.outcome = f"the seller's Plan of Action was accepted (appeal {appeal_id})"
        session.add(
            access.record(
                actor,
                "endEnforcementProposal",
                f"seller:{proposal.seller_id}",
                {"proposal_id": proposal.id, "kind": proposal.kind, "appeal_id": appeal_id},
            )
        )
    return ended


def list_proposals(
    session: Session,
    actor: Actor,
    *,
    status: ProposalStatus | None = ProposalStatus.PENDING,
    seller_id: str | None = None,
    limit: int = 200,
) -> list[EnforcementProposal]:
    """The specialists' queue: pending proposals (or those of ``status``), oldest first."""
    access.authorize(actor, Action.LIST_ENFORCEMENT_PROPOSALS, seller_id=seller_id)
    query = (
        select(EnforcementProposal)
        .options(selectinload(EnforcementProposal.reviews))
        .order_by(EnforcementProposal.created_at, EnforcementProposal.id)
        .limit(limit)
    )
    if status is not None:
        query = query.where(EnforcementProposal.status == status)
    if seller_id is not None:
        query = query.where(EnforcementProposal.seller_id == seller_id)
    return list(session.scalars(query))


def get_proposal(session: Session, actor: Actor, proposal_id: int) -> EnforcementProposal:
    return access.load(
        session,
        actor,
        Action.GET_ENFORCEMENT_PROPOSAL,
        EnforcementProposal,
        proposal_id,
        missing=N_("error.not_found.enforcement_proposal"),
    )


def record_review(
    session: Session, actor: Actor, proposal_id: int, *, verdict: Verdict, reasons: str
) -> EnforcementProposal:
    """Record a specialist's confirmation or rejection. A rejection ends the proposal; a
    confirmation ends it once enough different specialists have confirmed (status
    CONFIRMED: the caller applies the action in the same transaction)."""
    access.authorize(actor, Action.DECIDE_ENFORCEMENT_PROPOSAL)
    reasons = reasons.strip()
    if not reasons:
        raise InvalidInput(N_("error.policy.reasons_say_why_record"))
    if len(reasons) > MAX_REASONS:
        raise InvalidInput(N_("error.policy.reasons_most_characters"), max_reasons=MAX_REASONS)
    proposal = session.scalar(
        select(EnforcementProposal).where(EnforcementProposal.id == proposal_id).with_for_update()
    )
    if proposal is None:
        raise NotFound(N_("error.policy.proposal_not_found"), proposal_id=proposal_id)
    if proposal.status is not ProposalStatus.PENDING:
        raise Conflict(
            N_("error.policy.proposal_in_status"),
            proposal_id=proposal_id,
            status=proposal.status.value,
        )
    reviewer_id = access.authorize_another_reviewer(
        actor,
        Action.DECIDE_ENFORCEMENT_PROPOSAL,
        earlier=[r.reviewer_id for r in proposal.reviews],
        target=f"seller:{proposal.seller_id}",
    )
    proposal.reviews.append(
        ProposalReview(
            reviewer_id=reviewer_id,
            reviewer=actor.label,
            verdict=verdict,
            reasons=reasons,
            at=utcnow(),
        )
    )
    if verdict is Verdict.REJECT:
        proposal.status = ProposalStatus.REJECTED
    elif proposal.confirmations >= proposal.confirmations_needed:
        proposal.status = ProposalStatus.CONFIRMED
    if proposal.status is not ProposalStatus.PENDING:
        proposal.decided_at = utcnow()
        proposal.outcome = reasons
    session.add(
        access.record(
            actor,
            Action.DECIDE_ENFORCEMENT_PROPOSAL,
            f"seller:{proposal.seller_id}",
            {
                "proposal_id": proposal.id,
                "verdict": verdict.value,
                "status": proposal.status.value,
                "confirmations": proposal.confirmations,
                "reasons": reasons,
            },
        )
    )
    session.flush()
    return proposal
