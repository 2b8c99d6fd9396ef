"""Account Health Assurance's use cases: whether a seller is protected, the hold on a
protected seller's deactivation, and whether the hold lets the proposal be confirmed.

Evaluation marks a deactivation proposal ``assured`` when the seller is protected on the
day (:mod:`kenzen.policy.assured`); the worker then holds it here
(:class:`kenzen.assurance.watch.HoldWatch`), in a transaction of its own per proposal: AHS
gets a priority call at the next open slot with the response deadline, and the seller a
case entry (and so a notice) saying what is wrong and how long they have to work with us.
AHS's attempts are the calls completed on the proposal's case since the hold opened (the
callback line records them); the seller's Plan of Action on that case makes the
deactivation wait for its decision. Until the hold is released (:mod:`kenzen.assurance.hold`)
:func:`decide_proposal` refuses the confirmation. AHS records contact only: it has no power
over the account (``kenzen.access``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access, clock
from kenzen.access import Action, Actor, Visibility
from kenzen.appeals.models import PENDING, Appeal, AppealStatus
from kenzen.assurance.hold import Attempt, HoldFacts, HoldState, HoldView, bypassed_by, hold_view
from kenzen.assurance.models import AssuranceHold
from kenzen.cases import service as cases
from kenzen.cases.models import Case, EntryKind
from kenzen.errors import Conflict
from kenzen.i18n import N_, Message
from kenzen.policy import assured
from kenzen.policy.assurance import Eligibility
from kenzen.policy.document import ActionKind, Policy
from kenzen.policy.enforcement import decide_enforcement_proposal
from kenzen.policy.models import EnforcementProposal, ProposalStatus, Verdict
from kenzen.sellers.models import Seller
from kenzen.sellers.service import get_seller
from kenzen.support import service as support
from kenzen.support.models import Callback, CallbackStatus, CallOutcome


@dataclass(frozen=True)
class HoldStatus:
    hold: AssuranceHold
    proposal: EnforcementProposal
    view: HoldView | None
    """None when a bypass category let the proposal pass."""
    calls: list[Callback]
    """AHS's priority calls on the case, and every call completed there since the hold
    opened, by time."""
    time_zone: str
    """The seller's marketplace's, in which the seller and staff read the times."""

    @property
    def confirmable(self) -> bool:
        return self.view is None or self.view.confirmable


@dataclass(frozen=True)
class AssuranceStatus:
    seller_id: str
    eligibility: Eligibility | None
    """None until the worker computed a first day."""
    holds: list[HoldStatus]
    """Holds on the seller's deactivations still pending."""

    @property
    def protected(self) -> bool:
        return self.eligibility is not None and self.eligibility.eligible


def assurance_status(
    session: Session, actor: Actor, policy: Policy, seller_id: str
) -> AssuranceStatus:
    """Whether Account Health Assurance protects the seller, with the progress towards it,
    and the holds on its pending deactivations."""
    seller = get_seller(session, actor, seller_id, Action.GET_ASSURANCE_STATUS)
    found = session.scalars(
        select(AssuranceHold)
        .join(EnforcementProposal, EnforcementProposal.id == AssuranceHold.proposal_id)
        .where(
            AssuranceHold.seller_id == seller.id,
            EnforcementProposal.status == ProposalStatus.PENDING,
        )
        .order_by(AssuranceHold.id.desc())
    )
    return AssuranceStatus(
        seller.id,
        assured.eligibility_of(session, policy, seller),
        [hold_status(session, hold) for hold in found],
    )


def unheld_proposals(session: Session) -> list[int]:
    """Pending deactivations proposed for protected sellers that have no hold yet."""
    # the worker asks every round: ids only, filtered in the database, never the evidence
    return list(
        session.scalars(
            select(EnforcementProposal.id)
            .outerjoin(AssuranceHold, AssuranceHold.proposal_id == EnforcementProposal.id)
            .where(
                EnforcementProposal.status == ProposalStatus.PENDING,
                EnforcementProposal.kind == ActionKind.DEACTIVATE.value,
                EnforcementProposal.evidence["assured"].as_boolean(),
                AssuranceHold.id.is_(None),
            )
            .order_by(EnforcementProposal.id)
        )
    )


def open_hold(
    session: Session, actor: Actor, policy: Policy, proposal: EnforcementProposal
) -> AssuranceHold:
    """Hold one protected seller's deactivation proposal: a priority call for AHS and a
    notice to the seller; or record that a bypass category lets it pass."""
    access.authorize(actor, Action.HOLD_FOR_ASSURANCE)
    assert proposal.case_id is not None, "evaluation proposes on a case"
    seller = session.get_one(Seller, proposal.seller_id)
    case = session.get_one(Case, proposal.case_id)
    rules = policy.document.assurance
    now = clock.now()
    hold = AssuranceHold(
        proposal_id=proposal.id,
        seller_id=seller.id,
        case_id=case.id,
        opened_at=now,
        response_hours=rules.response_hours,
        bypassed_by=bypassed_by(proposal.evidence, rules.bypass_categories),
    )
    session.add(hold)
    session.flush()
    if hold.bypassed:
        session.add(
            access.record(
                actor,
                "bypassAssurance",
                f"seller:{seller.id}",
                {"proposal_id": proposal.id, "categories": hold.bypassed_by},
            )
        )
        return hold
    respond_by = now + timedelta(hours=rules.response_hours)
    call = support.book_priority_call(
        session, seller, case, phone=seller.emergency_phone or "", after=now, deadline=respond_by
    )
    hours = support.hours_of(session, seller.marketplace_id)
    cases.append_entry(
        session,
        case,
        actor,
        visibility=Visibility.SELLER,
        kind=EntryKind.ACCOUNT_STATUS,
        message=Message(
            N_("entry.assurance.hold"),
            {
                "reason": policy.rule_title(proposal.rule),
                "hours": rules.response_hours,
                "until": support.local_time(hours, respond_by),
                "call": support.local_time(hours, call.slot_start),
                "phone": call.phone or "-",
            },
        ),
    )
    session.add(
        access.record(
            actor,
            Action.HOLD_FOR_ASSURANCE,
            f"seller:{seller.id}",
            {
                "proposal_id": proposal.id,
                "hold_id": hold.id,
                "callback_id": call.id,
                "respond_by": respond_by.isoformat(),
            },
        )
    )
    return hold


def ended_holds(session: Session) -> list[int]:
    """Holds not closed yet whose proposal was decided or withdrawn."""
    return list(
        session.scalars(
            select(AssuranceHold.id)
            .join(EnforcementProposal, EnforcementProposal.id == AssuranceHold.proposal_id)
            .where(
                AssuranceHold.closed_at.is_(None),
                EnforcementProposal.status != ProposalStatus.PENDING,
            )
            .order_by(AssuranceHold.id)
        )
    )


def close_hold(session: Session, actor: Actor, hold_id: int) -> None:
    """The proposal ended: AHS's priority calls still open on the case are cancelled."""
    access.authorize(actor, Action.HOLD_FOR_ASSURANCE)
    hold = session.get_one(AssuranceHold, hold_id, with_for_update=True)
    if hold.closed_at is not None:
        return
    hold.closed_at = clock.now()
    cancelled = support.cancel_priority_calls(session, hold.case_id)
    session.add(
        access.record(
            actor,
            "closeAssuranceHold",
            f"seller:{hold.seller_id}",
            {"hold_id": hold.id, "cancelled_calls": [c.id for c in cancelled]},
        )
    )


def _plan(session: Session, hold: AssuranceHold) -> tuple[datetime | None, datetime | None]:
    """When the seller submitted a Plan of Action on the hold's case — the first version
    since the hold opened, or the one pending review then — and when it was decided
    (accepted or rejected; a request for more information is not a decision)."""
    appeal = session.scalar(select(Appeal).where(Appeal.case_id == hold.case_id))
    if appeal is None:
        return None, None
    since = [
        v.submitted_at
        for v in appeal.versions
        if v.submitted_at is not None and v.submitted_at >= hold.opened_at
    ]
    if since:
        first: datetime | None = min(since)
    elif appeal.status in PENDING:
        first = appeal.submitted_at
    else:
        return None, None
    decided = (
        first is not None
        and appeal.status in (AppealStatus.ACCEPTED, AppealStatus.REJECTED)
        and appeal.decided_at is not None
        and appeal.decided_at >= first
    )
    return first, appeal.decided_at if decided else None


def _calls(session: Session, hold: AssuranceHold) -> list[Callback]:
    return list(
        session.scalars(
            select(Callback)
            .where(
                Callback.case_id == hold.case_id,
                Callback.priority.is_(True) | (Callback.completed_at >= hold.opened_at),
            )
            .order_by(Callback.slot_start, Callback.id)
        )
    )


def hold_status(session: Session, hold: AssuranceHold) -> HoldStatus:
    """The hold as it stands now: its calls and, unless bypassed, its state."""
    proposal = session.get_one(EnforcementProposal, hold.proposal_id)
    marketplace = session.get_one(Seller, hold.seller_id).marketplace
    calls = _calls(session, hold)
    if hold.bypassed:
        return HoldStatus(hold, proposal, None, calls, marketplace.time_zone)
    submitted, decided = _plan(session, hold)
    attempts = [
        Attempt(c.completed_at, c.outcome is CallOutcome.REACHED)
        for c in calls
        if c.status is CallbackStatus.COMPLETED
        and c.completed_at is not None
        and c.completed_at >= hold.opened_at
    ]
    facts = HoldFacts(
        opened_at=hold.opened_at,
        response_hours=hold.response_hours,
        hours=support.hours_of(session, marketplace.id),
        attempts=attempts,
        plan_submitted_at=submitted,
        plan_decided_at=decided,
    )
    return HoldStatus(hold, proposal, hold_view(facts, clock.now()), calls, marketplace.time_zone)


def hold_views(session: Session, proposal_ids: Collection[int]) -> dict[int, HoldView]:
    """The holds (not bypasses) on these proposals as they stand now, by proposal id: when
    each lets the proposal be confirmed (reads only; callers authorise)."""
    if not proposal_ids:
        return {}
    found = session.scalars(
        select(AssuranceHold).where(AssuranceHold.proposal_id.in_(proposal_ids))
    )
    views = {hold.proposal_id: hold_status(session, hold).view for hold in found}
    return {proposal_id: view for proposal_id, view in views.items() if view is not None}


def hold_of(session: Session, actor: Actor, proposal: EnforcementProposal) -> HoldStatus | None:
    """The hold on a proposal the actor may read (None when there is none)."""
    access.authorize(actor, Action.GET_ASSURANCE_STATUS, seller_id=proposal.seller_id)
    hold = session.scalar(select(AssuranceHold).where(AssuranceHold.proposal_id == proposal.id))
    return hold_status(session, hold) if hold is not None else None


def why_held(session: Session, proposal: EnforcementProposal) -> Message | None:
    """Why the proposal cannot be confirmed now, in words for the specialist (put into their
    language where the refusal is shown); None when Account Health Assurance does not stand
    in the way."""
    if (
        proposal.status is not ProposalStatus.PENDING
        or proposal.kind != ActionKind.DEACTIVATE.value
        or not proposal.evidence.get("assured")
    ):
        return None
    hold = session.scalar(select(AssuranceHold).where(AssuranceHold.proposal_id == proposal.id))
    if hold is None:
        return Message(N_("error.assurance.held.call_being_arranged"))
    status = hold_status(session, hold)
    view = status.view
    if view is None or view.confirmable:
        return None
    if view.state is HoldState.WORKING_WITH_US:
        return Message(N_("error.assurance.held.working_with_us"))
    if view.state is HoldState.WAITING_FOR_SELLER:
        # as the hold box beside the refusal writes it: in the marketplace's time
        until = view.respond_by.astimezone(ZoneInfo(status.time_zone))
        return Message(
            N_("error.assurance.held.waiting_for_seller"), {"until": f"{until:%Y-%m-%d %H:%M %Z}"}
        )
    days = ", ".join(d.isoformat() for d in view.days_without_attempt)
    return Message(N_("error.assurance.held.no_attempt"), {"days": days})


def decide_proposal(
    session: Session,
    actor: Actor,
    policy: Policy,
    proposal_id: int,
    *,
    verdict: Verdict,
    reasons: str,
) -> EnforcementProposal:
    """decideEnforcementProposal: a confirmation of a deactivation held by Account Health
    Assurance is refused (409, audited) until the hold is released; a rejection is always
    possible."""
    if verdict is Verdict.CONFIRM:
        proposal = session.get(EnforcementProposal, proposal_id)
        why = why_held(session, proposal) if proposal is not None else None
        if proposal is not None and why is not None:
            access.authorize(actor, Action.DECIDE_ENFORCEMENT_PROPOSAL)
            raise Conflict(
                N_("error.assurance.proposal_held"),
                proposal_id=proposal_id,
                why=why,
                audit=access.refused(
                    actor,
                    Action.DECIDE_ENFORCEMENT_PROPOSAL,
                    f"seller:{proposal.seller_id}",
                    f"held by Account Health Assurance: {why}",
                ),
            )
    return decide_enforcement_proposal(
        session, actor, policy, proposal_id, verdict=verdict, reasons=reasons
    )
