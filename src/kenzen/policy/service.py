"""Use cases of enforcement: the policy in force, evaluation, shadow runs and backtests.

For each seller the pure core (:mod:`kenzen.policy.rating`, :mod:`kenzen.policy.decide`)
says what the policy demands; this module compares that with what already exists (open
cases, listing states, the account status) and acts only on the difference, so running
the same evaluation twice changes nothing. Every action records the policy version and
its evidence, and goes through the access module as the acting user (Kenzen itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access, i18n
from kenzen.access import Action, Actor, Visibility
from kenzen.cases import account_status
from kenzen.cases import service as cases
from kenzen.cases.models import Case, CaseKind, EntryKind
from kenzen.db import utcnow
from kenzen.errors import InvalidInput
from kenzen.i18n import N_
from kenzen.metrics import service as metrics
from kenzen.metrics.definitions import METRIC_NAMES
from kenzen.metrics.engine import MetricValue
from kenzen.policy.decide import Decision, PolicyAction, decide, metric_statuses
from kenzen.policy.document import ActionKind, Band, Policy, load_policy
from kenzen.policy.models import EnforcementAction, Violation, ViolationStatus
from kenzen.policy.rating import Rating, ViolationFact, active_counts, compute_rating
from kenzen.sellers import service as sellers
from kenzen.sellers.models import AccountStatusChange, Fulfillment, Listing, ListingStatus, Seller
from kenzen.sellers.status import AccountStatus


class PolicyHolder:
    """The policy in force. A replacement that fails validation is refused with the key and
    the reason, and the previous policy stays in force."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.current = load_policy(path)

    def reload(self) -> Policy:
        self.current = load_policy(self.path)
        return self.current


def end_of_day(day: date, time_zone: str) -> datetime:
    """The last instant of ``day`` in the marketplace's time zone, in UTC."""
    midnight = datetime.combine(day + timedelta(days=1), time(), ZoneInfo(time_zone))
    return midnight.astimezone(UTC) - timedelta(microseconds=1)


def violation_facts(violations: Iterable[Violation], instant: datetime) -> list[ViolationFact]:
    """The violations as they stood at ``instant``: a later resolution had not happened yet."""
    facts = []
    for v in violations:
        if v.occurred_at > instant:
            continue
        active = v.status is ViolationStatus.ACTIVE or (
            v.status is not ViolationStatus.DISMISSED
            and v.resolved_at is not None
            and v.resolved_at > instant
        )
        facts.append(
            ViolationFact(str(v.id), v.category, v.occurred_at, "ACTIVE" if active else "RESOLVED")
        )
    return facts


@dataclass(frozen=True)
class Assessment:
    """Everything the policy concluded about one seller on one date."""

    seller_id: str
    as_of: date
    instant: datetime
    metrics: list[MetricValue]
    facts: list[ViolationFact]
    """The seller's violations as they stood at ``instant``."""
    fulfilled_orders: int
    counts: dict[str, int]
    rating: Rating
    decision: Decision

    @property
    def status_after(self) -> AccountStatus:
        for action in self.decision.actions:
            if action.status is not None:
                return action.status
        return self.decision.account_status


def assess(session: Session, policy: Policy, seller: Seller, as_of: date) -> Assessment:
    """What the policy demands for ``seller`` on ``as_of`` — reads only, never writes."""
    instant = end_of_day(as_of, seller.marketplace.time_zone)
    violations = session.scalars(select(Violation).where(Violation.seller_id == seller.id))
    facts = violation_facts(violations, instant)
    snapshot_day = metrics.latest_as_of(session, seller.id, as_of)
    values = metrics.seller_metrics(session, seller.id, snapshot_day) if snapshot_day else []
    fulfilled = metrics.fulfilled_orders(session, seller.id, as_of)
    rating = compute_rating(policy, facts, fulfilled_orders=fulfilled, as_of=instant)
    counts = active_counts(policy, facts, instant)
    decision = decide(
        policy,
        account_status=seller.status,
        metrics=metric_statuses(values),
        counts=counts,
        rating=rating.value,
    )
    return Assessment(seller.id, as_of, instant, values, facts, fulfilled, counts, rating, decision)


@dataclass
class SellerOutcome:
    seller_id: str
    rating: int
    band: Band
    status_before: AccountStatus
    status_after: AccountStatus
    actions: list[str] = field(default_factory=list)


@dataclass
class EvaluationReport:
    as_of: date
    policy_version: str
    sellers: int
    changed: list[SellerOutcome]


def evaluate(
    session: Session,
    actor: Actor,
    policy: Policy,
    as_of: date,
    *,
    seller_ids: Sequence[str] | None = None,
) -> EvaluationReport:
    """Apply the policy to every seller (or the given ones) on ``as_of``."""
    access.authorize(actor, Action.EVALUATE)
    query = select(Seller).order_by(Seller.id)
    if seller_ids is not None:
        query = query.where(Seller.id.in_(seller_ids))
    changed = []
    count = 0
    for seller in session.scalars(query).all():
        count += 1
        _expire(session, policy, seller, end_of_day(as_of, seller.marketplace.time_zone))
        assessment = assess(session, policy, seller, as_of)
        outcome = _apply(session, actor, policy, seller, assessment)
        if outcome.actions:
            changed.append(outcome)
    session.add(
        access.record(
            actor,
            Action.EVALUATE,
            f"policy:{policy.short_version}",
            {"as_of": as_of.isoformat(), "sellers": count, "changed": len(changed)},
        )
    )
    return EvaluationReport(as_of, policy.version, count, changed)


def _expire(session: Session, policy: Policy, seller: Seller, instant: datetime) -> None:
    """Violations past their category's memory stop counting for good."""
    active = session.scalars(
        select(Violation).where(
            Violation.seller_id == seller.id, Violation.status == ViolationStatus.ACTIVE
        )
    )
    for violation in active:
        memory = timedelta(days=policy.violations[violation.category].memory_days)
        if violation.occurred_at <= instant - memory:
            violation.status = ViolationStatus.EXPIRED
            violation.resolved_at = instant
            violation.resolution = f"expired after {memory.days} days"


def _case_kind(rule: str) -> CaseKind:
    if rule.startswith("metrics."):
        return CaseKind.PERFORMANCE
    if rule.startswith("rating."):
        return CaseKind.ACCOUNT_STATUS
    return CaseKind.POLICY_VIOLATION


#: Titles of the rules the policy's structure defines (message ids).
_RULE_TITLES = {
    "caps.ip_complaints": N_("rule.caps.ip_complaints"),
    "caps.restricted_products": N_("rule.caps.restricted_products"),
    "rating.bands.AT_RISK": N_("rule.rating.bands.AT_RISK"),
    "rating.bands.UNHEALTHY": N_("rule.rating.bands.UNHEALTHY"),
}


def _topic_label(policy: Policy, rule: str, language: str) -> str:
    """What a rule is about, for a case title the seller understands."""
    category = policy.violations.get(rule.removeprefix("violations."))
    metric = METRIC_NAMES.get(rule.removeprefix("metrics."))
    if rule.startswith("metrics.") and metric is not None:
        return i18n.t(metric, language)
    if rule.startswith("violations.") and category is not None:
        return i18n.pick(category.text, language).title
    if rule in _RULE_TITLES:
        return i18n.t(_RULE_TITLES[rule], language)
    return rule


def _case_for(session: Session, policy: Policy, seller: Seller, rule: str) -> tuple[Case, bool]:
    """The open case about ``rule``, or a new one; and whether it is new."""
    existing = cases.open_case_about(session, seller.id, rule)
    if existing is not None:
        return existing, False
    language = seller.language.value
    title = i18n.t("case.policy.title", language, topic=_topic_label(policy, rule, language))
    case = cases.open_case(
        session, seller_id=seller.id, kind=_case_kind(rule), title=title, topic=rule
    )
    return case, True


def _evidence(action: PolicyAction) -> list[dict[str, Any]]:
    return [{"rule": e.rule, "detail": e.detail, "facts": dict(e.facts)} for e in action.evidence]


def _record(
    session: Session,
    policy: Policy,
    seller: Seller,
    assessment: Assessment,
    action: PolicyAction,
    case: Case | None,
) -> None:
    session.add(
        EnforcementAction(
            seller_id=seller.id,
            kind=action.kind.value,
            rule=action.rule,
            as_of=assessment.as_of,
            policy_version=policy.version,
            evidence=_evidence(action),
            case_id=case.id if case else None,
        )
    )


def _warning_text(seller: Seller, action: PolicyAction, values: list[MetricValue]) -> str:
    language = seller.language.value
    metric = action.rule.removeprefix("metrics.")
    measured = next((v for v in values if v.metric == metric), None)
    if action.rule.startswith("metrics.") and measured is not None:
        rate = "–" if measured.rate is None else f"{measured.rate:.2%}"
        condition = "<" if measured.target_condition == "LESS_THAN" else "≥"
        return i18n.t(
            "entry.warning.metric",
            language,
            metric=i18n.t(METRIC_NAMES[metric], language),
            rate=rate,
            window_from=measured.window_from.isoformat(),
            window_to=measured.window_to.isoformat(),
            target=f"{condition} {measured.target_value:.1%}",
        )
    detail = "; ".join(e.detail for e in action.evidence)
    return i18n.t("entry.warning.rule", language, rule=action.rule, detail=detail)


def _listing_names(listings: Sequence[Listing]) -> str:
    return ", ".join(f"{listing.listing_id} ({listing.sku})" for listing in listings)


def _apply(
    session: Session, actor: Actor, policy: Policy, seller: Seller, assessment: Assessment
) -> SellerOutcome:
    decision = assessment.decision
    outcome = SellerOutcome(
        seller.id,
        decision.rating,
        decision.band,
        seller.status,
        assessment.status_after,
    )
    language = seller.language.value
    for action in decision.actions:
        if action.kind is ActionKind.RECORD_VIOLATION:
            if _record_violation(session, policy, seller, assessment, action):
                outcome.actions.append(f"{action.kind.value} {action.category} ({action.rule})")
            continue
        if action.kind is ActionKind.WARN:
            case, fresh = _case_for(session, policy, seller, action.rule)
            if not fresh:
                continue
            cases.append_entry(
                session,
                case,
                actor,
                visibility=Visibility.SELLER,
                kind=EntryKind.WARNING,
                text=_warning_text(seller, action, assessment.metrics),
            )
        elif action.kind is ActionKind.RESTRICT_MERCHANT_LISTINGS:
            restricted = _deactivate_listings(
                session, seller, f"restricted:{action.rule}", merchant_only=True
            )
            if not restricted:
                continue
            case, _ = _case_for(session, policy, seller, action.rule)
            cases.append_entry(
                session,
                case,
                actor,
                visibility=Visibility.SELLER,
                kind=EntryKind.RESTRICTION,
                text=i18n.t(
                    "entry.restricted",
                    language,
                    rule=action.rule,
                    listings=_listing_names(restricted),
                ),
            )
        else:
            status = action.status
            assert status is not None
            case, _ = _case_for(session, policy, seller, action.rule)
            reason = "; ".join(e.detail for e in action.evidence)
            account_status.set_account_status(
                session, actor, seller.id, status=status, reason=reason, case_id=case.id
            )
            if status is AccountStatus.DEACTIVATED:
                inactive = _deactivate_listings(session, seller, "deactivated", merchant_only=False)
                if inactive:
                    cases.append_entry(
                        session,
                        case,
                        actor,
                        visibility=Visibility.SELLER,
                        kind=EntryKind.RESTRICTION,
                        text=i18n.t(
                            "entry.deactivated_listings",
                            language,
                            listings=_listing_names(inactive),
                        ),
                    )
        _record(session, policy, seller, assessment, action, case)
        outcome.actions.append(f"{action.kind.value} ({action.rule})")
    lifted = _lift_at_risk(session, actor, seller, decision)
    if lifted:
        outcome.actions.append("SET_NORMAL (no rule demands AT_RISK any more)")
        outcome.status_after = AccountStatus.NORMAL
    return outcome


def _record_violation(
    session: Session,
    policy: Policy,
    seller: Seller,
    assessment: Assessment,
    action: PolicyAction,
) -> bool:
    """Record the violation a rule counts, unless one from that rule is still active."""
    assert action.category is not None
    active = session.scalar(
        select(Violation.id).where(
            Violation.seller_id == seller.id,
            Violation.rule == action.rule,
            Violation.status == ViolationStatus.ACTIVE,
        )
    )
    if active is not None:
        return False
    case, _ = _case_for(session, policy, seller, action.rule)
    session.add(
        Violation(
            seller_id=seller.id,
            category=action.category,
            source=f"{action.rule}@{assessment.as_of.isoformat()}",
            rule=action.rule,
            occurred_at=assessment.instant,
            evidence={"rules": _evidence(action)},
            policy_version=policy.version,
            case_id=case.id,
        )
    )
    _record(session, policy, seller, assessment, action, case)
    return True


def _deactivate_listings(
    session: Session, seller: Seller, reason: str, *, merchant_only: bool
) -> list[Listing]:
    query = select(Listing).where(
        Listing.seller_id == seller.id, Listing.status == ListingStatus.ACTIVE
    )
    if merchant_only:
        query = query.where(Listing.fulfillment == Fulfillment.MERCHANT)
    listings = list(session.scalars(query.order_by(Listing.id)))
    for listing in listings:
        listing.status = ListingStatus.INACTIVE
        listing.status_reason = reason
    return listings


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
    )
    return True


def record_violation(
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
        raise InvalidInput(f"category: {category!r} is not a category of the policy")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason: describe what was found")
    when = occurred_at or utcnow()
    topic = f"violations.{category}"
    case, _ = _case_for(session, policy, seller, topic)
    text = i18n.pick(policy.violations[category].text, seller.language.value)
    violation = Violation(
        seller_id=seller.id,
        category=category,
        source=f"review:{when.isoformat()}:{category}",
        occurred_at=when,
        listing_ids=list(listing_ids),
        evidence={"reason": reason, "recorded_by": actor.label},
        policy_version=policy.version,
        case_id=case.id,
    )
    session.add(violation)
    session.flush()
    cases.append_entry(
        session,
        case,
        actor,
        visibility=Visibility.SELLER,
        kind=EntryKind.VIOLATION,
        text=f"{text.title}: {reason}\n{text.explanation}\n{text.what_to_do}",
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


@dataclass(frozen=True)
class ShadowDifference:
    seller_id: str
    as_of: date
    live_status: AccountStatus
    candidate_status: AccountStatus
    live_band: Band
    candidate_band: Band
    live_rating: int
    candidate_rating: int
    new_actions: tuple[str, ...]
    """What the candidate would do that the live policy would not (violations, cases)."""


@dataclass(frozen=True)
class ShadowReport:
    live_version: str
    candidate_version: str
    dates: tuple[date, ...]
    sellers: int
    differences: tuple[ShadowDifference, ...]


def shadow(
    session: Session,
    actor: Actor,
    live: Policy,
    candidate: Policy,
    dates: Sequence[date],
) -> ShadowReport:
    """What ``candidate`` would do differently from ``live``, changing nothing.

    Over several dates this is a backtest: metrics come from the stored snapshots of each
    date, and violations are taken as they stood then.
    """
    access.authorize(actor, Action.EVALUATE)
    differences = []
    all_sellers = session.scalars(select(Seller).order_by(Seller.id)).all()
    for day in dates:
        for seller in all_sellers:
            before, after = (
                assess(session, live, seller, day),
                assess(session, candidate, seller, day),
            )
            live_actions = {(a.kind, a.rule) for a in before.decision.actions}
            new = tuple(
                f"{a.kind.value} ({a.rule})"
                for a in after.decision.actions
                if (a.kind, a.rule) not in live_actions
            )
            if (
                before.status_after != after.status_after
                or before.rating.band != after.rating.band
                or new
            ):
                differences.append(
                    ShadowDifference(
                        seller.id,
                        day,
                        before.status_after,
                        after.status_after,
                        before.rating.band,
                        after.rating.band,
                        before.rating.value,
                        after.rating.value,
                        new,
                    )
                )
    return ShadowReport(
        live.version, candidate.version, tuple(dates), len(all_sellers), tuple(differences)
    )
