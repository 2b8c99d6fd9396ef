"""Enforcement of one seller: read the facts, assess, act on the difference.

The pure assessment (:mod:`kenzen.policy.assessment`) says what the policy demands; this
module compares that with what already exists (open cases, listing holds, the account
status) and acts only on the difference, so enforcing the same day twice changes nothing.
Every action records the policy version and its evidence, and goes through the access
module as the acting user (Kenzen itself). One seller is one use case: the caller gives it
a transaction of its own (:mod:`kenzen.policy.evaluation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access, clock
from kenzen.access import SYSTEM, Action, Actor, Visibility
from kenzen.cases import account_status
from kenzen.cases import service as cases
from kenzen.cases.models import Case, CaseKind, EntryKind
from kenzen.db import utcnow
from kenzen.errors import InvalidInput, NotFound
from kenzen.i18n import N_, Message
from kenzen.metrics.values import MetricValue
from kenzen.policy import proposals, violations
from kenzen.policy.assessment import Assessment, end_of_day
from kenzen.policy.decide import Decision, Evidence, PolicyAction
from kenzen.policy.document import ACTION_NAMES, ActionKind, Band, Policy, ReviewMode
from kenzen.policy.facts import assess_seller
from kenzen.policy.models import (
    EnforcementAction,
    EnforcementProposal,
    ProposalStatus,
    Verdict,
    Violation,
)
from kenzen.policy.records import SessionFacts
from kenzen.policy.review import fact_keys, review_mode
from kenzen.policy.rules import RuleKind, RuleRef, parse_rule
from kenzen.sellers import holds
from kenzen.sellers import service as sellers
from kenzen.sellers.models import (
    AccountStatusChange,
    Fulfillment,
    Listing,
    ListingStatus,
    Seller,
)
from kenzen.sellers.status import AccountStatus


@dataclass
class SellerOutcome:
    seller_id: str
    rating: int
    band: Band
    status_before: AccountStatus
    status_after: AccountStatus
    actions: list[str] = field(default_factory=list)


def enforce_seller(
    session: Session, actor: Actor, policy: Policy, seller_id: str, as_of: date
) -> SellerOutcome:
    """Apply the policy to one seller on ``as_of``: expire what is past its memory, assess,
    and act on what the policy demands and does not exist yet."""
    access.authorize(actor, Action.EVALUATE)
    seller = session.get(Seller, seller_id)
    if seller is None:
        raise NotFound(N_("error.seller_not_found"), seller_id=seller_id)
    instant = end_of_day(as_of, seller.marketplace.time_zone)
    violations.expire_violations(session, policy, seller.id, instant)
    assessment = assess_seller(SessionFacts(session), policy, seller, as_of)
    decision = assessment.decision
    outcome = SellerOutcome(
        seller.id, decision.rating, decision.band, seller.status, assessment.status_after
    )
    for action in decision.actions:
        mode = review_mode(policy, action, assessment.facts)
        label = f" {action.category}" if action.category else ""
        if mode is not ReviewMode.AUTOMATIC:
            if _propose(session, actor, policy, seller, assessment, action, mode):
                outcome.actions.append(f"PROPOSED {action.kind.value} ({action.rule}), {mode}")
                outcome.status_after = seller.status
        elif _act(session, actor, policy, seller, assessment, action):
            outcome.actions.append(f"{action.kind.value}{label} ({action.rule})")
    for withdrawn in proposals.withdraw_undemanded(
        session, seller.id, [a.kind.value for a in decision.actions]
    ):
        outcome.actions.append(f"WITHDREW proposal {withdrawn.id} ({withdrawn.kind})")
    if _lift_at_risk(session, actor, seller, decision):
        outcome.actions.append("SET_NORMAL (no rule demands AT_RISK any more)")
        outcome.status_after = AccountStatus.NORMAL
    return outcome


def _act(
    session: Session,
    actor: Actor,
    policy: Policy,
    seller: Seller,
    assessment: Assessment,
    action: PolicyAction,
    proposal: EnforcementProposal | None = None,
) -> bool:
    """Take one demanded action unless it exists already; say whether anything changed.
    ``proposal`` is the confirmed proposal the action applies, if people decided it."""
    if action.kind is ActionKind.RECORD_VIOLATION:
        return _record_rule_violation(session, policy, seller, assessment, action)
    if action.kind is ActionKind.WARN:
        case, fresh = case_for_rule(session, policy, seller, action.rule)
        if not fresh:
            return False
        cases.append_entry(
            session,
            case,
            actor,
            visibility=Visibility.SELLER,
            kind=EntryKind.WARNING,
            message=_warning(policy, action, assessment.facts.metrics),
        )
    elif action.kind is ActionKind.RESTRICT_MERCHANT_LISTINGS:
        merchant = _active_listings(session, seller, merchant_only=True)
        if not merchant:
            return False
        case, _ = case_for_rule(session, policy, seller, action.rule)
        restricted = holds.hold_listings(
            session, merchant, holds.Holder.restriction(action.rule), case_id=case.id
        )
        cases.append_entry(
            session,
            case,
            actor,
            visibility=Visibility.SELLER,
            kind=EntryKind.RESTRICTION,
            message=Message(
                N_("entry.restricted"),
                {
                    "rule": policy.rule_title(action.rule),
                    "listings": _listing_names(restricted),
                },
            ),
        )
    else:
        status = action.status
        assert status is not None
        case, _ = case_for_rule(session, policy, seller, action.rule)
        reason = "; ".join(e.detail for e in action.evidence)
        account_status.set_account_status(
            session,
            actor,
            seller.id,
            status=status,
            reason=reason,
            case_id=case.id,
            told=[policy.rule_title(e.rule) for e in action.evidence],
        )
        if status is AccountStatus.DEACTIVATED:
            _deactivate_listings(session, actor, seller, case)
    _record_action(session, policy, seller, assessment, action, case, proposal)
    return True


def _propose(
    session: Session,
    actor: Actor,
    policy: Policy,
    seller: Seller,
    assessment: Assessment,
    action: PolicyAction,
    mode: ReviewMode,
) -> bool:
    """Open a proposal for people to decide, and tell the seller a review is under way;
    nothing when one is pending or a rejected one already saw these facts."""
    case, _ = case_for_rule(session, policy, seller, action.rule)
    proposal = proposals.open_proposal(
        session,
        proposals.Proposed(
            seller_id=seller.id,
            kind=action.kind.value,
            rule=action.rule,
            review=mode,
            as_of=assessment.facts.as_of,
            policy_version=policy.version,
            facts=fact_keys(assessment, action),
            evidence=_evidence_packet(session, policy, seller, assessment, action, mode),
            case_id=case.id,
        ),
    )
    if proposal is None:
        return False
    cases.append_entry(
        session,
        case,
        actor,
        visibility=Visibility.SELLER,
        kind=EntryKind.ACCOUNT_STATUS,
        message=Message(
            N_("entry.review.opened"),
            {
                "action": Message(ACTION_NAMES[action.kind]),
                "reason": policy.rule_title(action.rule),
            },
        ),
    )
    return True


def _evidence_packet(
    session: Session,
    policy: Policy,
    seller: Seller,
    assessment: Assessment,
    action: PolicyAction,
    mode: ReviewMode,
) -> dict[str, Any]:
    """Everything a specialist needs to decide, as it stood when the action was proposed:
    the causes, the rating line by line, the counting violations with their evidence (a
    complaint's text among them), the metrics and the policy version."""
    facts = assessment.facts
    counting = {v.id for v in facts.violations if v.status == "ACTIVE"}
    rows = [v for v in violations.violations_of(session, seller.id) if str(v.id) in counting]
    return {
        "policy_version": policy.version,
        "as_of": facts.as_of.isoformat(),
        "review": mode.value,
        "fulfilled_orders": facts.fulfilled_orders,
        "assured": facts.assured,
        "causes": _evidence(action),
        "rating": {
            "value": assessment.rating.value,
            "band": assessment.rating.band.value,
            "lines": [
                {
                    "points": line.points,
                    "cause": line.cause,
                    "text": line.text.as_json(),
                    "violation_id": line.violation_id,
                }
                for line in assessment.rating.lines
            ],
        },
        "counts": {category: n for category, n in assessment.counts.items() if n},
        "violations": [
            {
                "id": v.id,
                "category": v.category,
                "occurred_at": v.occurred_at.isoformat(),
                "source": v.source,
                "listing_ids": v.listing_ids,
                "evidence": v.evidence,
            }
            for v in rows
        ],
        "metrics": [
            {
                "metric": m.metric,
                "status": m.status,
                "rate": m.rate,
                "numerator": m.numerator,
                "denominator": m.denominator,
                "target_value": m.target_value,
                "target_condition": m.target_condition,
                "window_from": m.window_from.isoformat(),
                "window_to": m.window_to.isoformat(),
            }
            for m in facts.metrics
        ],
    }


def decide_enforcement_proposal(
    session: Session,
    actor: Actor,
    policy: Policy,
    proposal_id: int,
    *,
    verdict: Verdict,
    reasons: str,
) -> EnforcementProposal:
    """A specialist confirms or rejects a proposal. Once confirmed (by two different
    specialists under four eyes) Kenzen applies the action exactly as it applies an
    automatic one; a rejection tells the seller the review ended without it."""
    proposal = proposals.record_review(
        session, actor, proposal_id, verdict=verdict, reasons=reasons
    )
    if proposal.status is ProposalStatus.PENDING:
        return proposal
    seller = session.get(Seller, proposal.seller_id)
    assert seller is not None
    kind = ActionKind(proposal.kind)
    if proposal.status is ProposalStatus.CONFIRMED:
        today = clock.today(seller.marketplace.time_zone)
        action = PolicyAction(
            kind,
            proposal.rule,
            tuple(
                Evidence(e["rule"], e["detail"], e["facts"])
                for e in proposal.evidence.get("causes", [])
            ),
        )
        assessment = assess_seller(SessionFacts(session), policy, seller, today)
        _act(session, SYSTEM, policy, seller, assessment, action, proposal)
        return proposal
    case, _ = case_for_rule(session, policy, seller, proposal.rule)
    cases.append_entry(
        session,
        case,
        SYSTEM,
        visibility=Visibility.SELLER,
        kind=EntryKind.ACCOUNT_STATUS,
        message=Message(N_("entry.review.rejected"), {"action": Message(ACTION_NAMES[kind])}),
    )
    return proposal


def _active_listings(session: Session, seller: Seller, *, merchant_only: bool) -> list[Listing]:
    query = select(Listing).where(
        Listing.seller_id == seller.id, Listing.status == ListingStatus.ACTIVE
    )
    if merchant_only:
        query = query.where(Listing.fulfillment == Fulfillment.MERCHANT)
    return list(session.scalars(query.order_by(Listing.id)))


def _deactivate_listings(session: Session, actor: Actor, seller: Seller, case: Case) -> None:
    active = _active_listings(session, seller, merchant_only=False)
    inactive = holds.hold_listings(session, active, holds.DEACTIVATION, case_id=case.id)
    if inactive:
        cases.append_entry(
            session,
            case,
            actor,
            visibility=Visibility.SELLER,
            kind=EntryKind.RESTRICTION,
            message=Message(
                N_("entry.deactivated_listings"), {"listings": _listing_names(inactive)}
            ),
        )


def _record_rule_violation(
    session: Session,
    policy: Policy,
    seller: Seller,
    assessment: Assessment,
    action: PolicyAction,
) -> bool:
    """Record the violation a rule counts, unless one from that rule is still active."""
    assert action.category is not None
    if violations.active_from_rule(session, seller.id, action.rule) is not None:
        return False
    case, _ = case_for_rule(session, policy, seller, action.rule)
    violations.record_violation(
        session,
        policy,
        seller_id=seller.id,
        category=action.category,
        source=f"{action.rule}@{assessment.facts.as_of.isoformat()}",
        rule=action.rule,
        occurred_at=assessment.facts.instant,
        evidence={"rules": _evidence(action)},
        case_id=case.id,
    )
    _record_action(session, policy, seller, assessment, action, case)
    return True


def _lift_at_risk(session: Session, actor: Actor, seller: Seller, decision: Decision) -> bool:
    """Return an account to NORMAL once no rule demands AT_RISK, if Kenzen itself set it
    (a specialist's AT_RISK stays until a specialist lifts it)."""
    if seller.status is not AccountStatus.AT_RISK or decision.demanded_status is not (
        AccountStatus.NORMAL
    ):
        return False
    last = session.scalars(
        select(AccountStatusChange)
        .where(AccountStatusChange.seller_id == seller.id)
        .order_by(AccountStatusChange.id.desc())
        .limit(1)
    ).first()
    if last is None or last.actor != actor.label:
        return False
    account_status.set_account_status(
        session,
        actor,
        seller.id,
        status=AccountStatus.NORMAL,
        reason="the policy no longer demands AT_RISK",
        case_id=last.case_id,
        told=Message(N_("reason.at_risk_lifted")),
    )
    return True


def _evidence(action: PolicyAction) -> list[dict[str, Any]]:
    return [{"rule": e.rule, "detail": e.detail, "facts": dict(e.facts)} for e in action.evidence]


def _record_action(
    session: Session,
    policy: Policy,
    seller: Seller,
    assessment: Assessment,
    action: PolicyAction,
    case: Case | None,
    proposal: EnforcementProposal | None = None,
) -> None:
    """One record per seller, action and rule a day: an action taken again the same day
    (its earlier case closed since) updates that day's record instead of failing on it."""
    key: dict[str, Any] = {
        "seller_id": seller.id,
        "kind": action.kind.value,
        "rule": action.rule,
        "as_of": assessment.facts.as_of,
    }
    record = session.scalar(select(EnforcementAction).filter_by(**key))
    if record is None:
        record = EnforcementAction(**key)
        session.add(record)
    record.policy_version = policy.version
    record.evidence = _evidence(action)
    record.case_id = case.id if case else None
    record.proposal_id = proposal.id if proposal else None


def _case_kind(rule: RuleRef | None) -> CaseKind:
    if rule is not None and rule.kind is RuleKind.METRIC:
        return CaseKind.PERFORMANCE
    if rule is not None and rule.kind is RuleKind.BAND:
        return CaseKind.ACCOUNT_STATUS
    return CaseKind.POLICY_VIOLATION


def case_for_rule(session: Session, policy: Policy, seller: Seller, rule: str) -> tuple[Case, bool]:
    """The seller's open case about ``rule``, or a new one; and whether it is new."""
    existing = cases.open_case_about(session, seller.id, rule)
    if existing is not None:
        return existing, False
    title = Message(N_("case.policy.title"), {"topic": policy.rule_title(rule)})
    case = cases.open_case(
        session, seller_id=seller.id, kind=_case_kind(parse_rule(rule)), title=title, topic=rule
    )
    return case, True


def _warning(policy: Policy, action: PolicyAction, values: list[MetricValue]) -> Message:
    rule = parse_rule(action.rule)
    metric = rule.metric if rule is not None else None
    measured = next((v for v in values if v.metric == metric), None)
    if metric is not None and measured is not None:
        rate = "–" if measured.rate is None else f"{measured.rate:.2%}"
        condition = "<" if measured.target_condition == "LESS_THAN" else "≥"
        return Message(
            N_("entry.warning.metric"),
            {
                "metric": policy.rule_title(action.rule),
                "rate": rate,
                "window_from": measured.window_from.isoformat(),
                "window_to": measured.window_to.isoformat(),
                "target": f"{condition} {measured.target_value:.1%}",
            },
        )
    # The evidence's detail names categories and bands by id, in English: it stays with
    # staff in the enforcement action; the seller reads the rule's title.
    return Message(N_("entry.warning.rule"), {"rule": policy.rule_title(action.rule)})


def _listing_names(listings: Sequence[Listing]) -> str:
    return ", ".join(f"{listing.listing_id} ({listing.sku})" for listing in listings)


def record_reviewed_violation(
    session: Session,
    actor: Actor,
    policy: Policy,
    seller_id: str,
    *,
    category: str,
    reason: str,
    listing_ids: Sequence[str] = (),
    occurred_at: datetime | None = None,
) -> Violation:
    """An Account Specialist records a violation found by review (not by a rule)."""
    seller = sellers.get_seller(session, actor, seller_id, Action.RECORD_VIOLATION)
    if category not in policy.violations:
        raise InvalidInput(N_("error.policy.category_not_category_policy"), category=category)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(N_("error.policy.reason_describe_what_was_found"))
    listings = list(
        session.scalars(
            select(Listing)
            .where(Listing.seller_id == seller.id, Listing.listing_id.in_(listing_ids))
            .order_by(Listing.id)
        )
    )
    missing = sorted(set(listing_ids) - {x.listing_id for x in listings})
    if missing:
        raise NotFound(
            N_("error.policy.listing_ids_not_found_seller"),
            missing=", ".join(missing),
            seller_id=seller.id,
        )
    when = occurred_at or utcnow()
    case, _ = case_for_rule(session, policy, seller, str(RuleRef(RuleKind.VIOLATION, category)))
    texts = policy.violations[category].text
    violation = violations.record_violation(
        session,
        policy,
        seller_id=seller.id,
        category=category,
        source=f"review:{when.isoformat()}:{category}",
        occurred_at=when,
        listings=listings,
        evidence={"reason": reason, "recorded_by": actor.label},
        case_id=case.id,
    )
    cases.append_entry(
        session,
        case,
        actor,
        visibility=Visibility.SELLER,
        kind=EntryKind.VIOLATION,
        message=Message(
            N_("entry.violation"),
            {
                "title": {lang: text.title for lang, text in texts.items()},
                "reason": reason,
                "explanation": {lang: text.explanation for lang, text in texts.items()},
                "what_to_do": {lang: text.what_to_do for lang, text in texts.items()},
            },
        ),
    )
    session.add(
        access.record(
            actor,
            Action.RECORD_VIOLATION,
            f"seller:{seller.id}",
            {"violation_id": violation.id, "category": category},
        )
    )
    return violation
