"""Violations: the one module that records them and ends them.

A violation is recorded (by a complaint, a rule or a specialist's review) and ends in one
of three ways, all through :func:`_end`, so each releases the listings it suppressed the
same way: resolved (a complaint retracted, an appeal accepted), expired (past its
category's memory) or dismissed (a dispute upheld: it never counted). The actions run
inside the caller's use case, which has authorised the actor and writes the audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen.cases.models import Case, CaseKind
from kenzen.db import utcnow
from kenzen.errors import Conflict, InvalidInput
from kenzen.i18n import N_
from kenzen.policy.document import Policy
from kenzen.policy.models import Violation, ViolationStatus
from kenzen.policy.rules import parse_rule
from kenzen.sellers import holds, marks
from kenzen.sellers.models import Listing


def record_violation(
    session: Session,
    policy: Policy,
    *,
    seller_id: str,
    category: str,
    source: str,
    occurred_at: datetime,
    case_id: int,
    listings: Sequence[Listing] = (),
    evidence: dict[str, Any],
    rule: str | None = None,
) -> Violation:
    """Record a violation; if its category suppresses listings, hold ``listings`` for it
    until it ends. ``source`` names what raised it and is unique per seller."""
    found = policy.violations.get(category)
    if found is None:
        raise InvalidInput(N_("error.policy.category_not_category_policy"), category=category)
    violation = Violation(
        seller_id=seller_id,
        category=category,
        status=ViolationStatus.ACTIVE,
        source=source,
        rule=rule,
        occurred_at=occurred_at,
        listing_ids=[listing.listing_id for listing in listings],
        evidence=evidence,
        policy_version=policy.version,
        case_id=case_id,
    )
    session.add(violation)
    session.flush()
    marks.mark_for_evaluation(session, [seller_id], reason="violation recorded")
    if found.suppresses_listing:
        holds.hold_listings(
            session,
            listings,
            holds.Holder.violation(violation.id),
            case_id=case_id,
            until=occurred_at + timedelta(days=found.memory_days),
        )
    return violation


def resolve_violation(
    session: Session, violation: Violation, *, reason: str, at: datetime | None = None
) -> list[Listing]:
    """It stops counting from ``at`` (default: now) — a complaint retracted, an appeal
    accepted; return the listings it alone held, now active again."""
    return _end(session, violation, ViolationStatus.RESOLVED, reason, at or utcnow())


def dismiss_violation(session: Session, violation: Violation, *, reason: str) -> list[Listing]:
    """The outcome of a dispute found for the seller: it never counted, not even in the
    past (a backtest no longer sees it)."""
    return _end(session, violation, ViolationStatus.DISMISSED, reason, utcnow())


def expire_violations(
    session: Session, policy: Policy, seller_id: str, instant: datetime
) -> list[Violation]:
    """The seller's active violations past their category's memory at ``instant`` stop
    counting for good; return them."""
    expired = []
    for violation in active_violations(session, seller_id):
        category = policy.violations.get(violation.category)
        if category is None:
            raise InvalidInput(
                N_("error.policy.violation_category_not_category_policy"),
                violation_id=violation.id,
                category=violation.category,
            )
        memory = timedelta(days=category.memory_days)
        if violation.occurred_at <= instant - memory:
            _end(
                session,
                violation,
                ViolationStatus.EXPIRED,
                f"expired after {memory.days} days",
                instant,
            )
            expired.append(violation)
    return expired


def _end(
    session: Session, violation: Violation, status: ViolationStatus, reason: str, at: datetime
) -> list[Listing]:
    if violation.status is not ViolationStatus.ACTIVE:
        raise Conflict(
            N_("error.policy.violation_not_active"),
            violation_id=violation.id,
            status=violation.status.value,
        )
    violation.status = status
    violation.resolved_at = at
    violation.resolution = reason
    session.flush()
    marks.mark_for_evaluation(session, [violation.seller_id], reason=f"violation {status.value}")
    return holds.release_listings(
        session, violation.seller_id, [holds.Holder.violation(violation.id)]
    )


def active_violations(session: Session, seller_id: str) -> list[Violation]:
    """The seller's violations that still count, newest first."""
    return list(
        session.scalars(
            select(Violation)
            .where(Violation.seller_id == seller_id, Violation.status == ViolationStatus.ACTIVE)
            .order_by(Violation.occurred_at.desc(), Violation.id.desc())
        )
    )


def violations_of(session: Session, seller_id: str) -> list[Violation]:
    """Every violation of the seller, whatever became of it."""
    return list(session.scalars(select(Violation).where(Violation.seller_id == seller_id)))


def active_from_rule(session: Session, seller_id: str, rule: str) -> Violation | None:
    """The seller's violation recorded by ``rule`` that still counts, if any."""
    return session.scalars(
        select(Violation).where(
            Violation.seller_id == seller_id,
            Violation.rule == rule,
            Violation.status == ViolationStatus.ACTIVE,
        )
    ).first()


def answered_by_case(session: Session, case: Case) -> list[Violation]:
    """The violations an appeal on ``case`` answers for.

    A case opened for one complaint or violation holds that one; a case opened by a cap, a
    rating band or a rule — a deactivation — answers for every active violation."""
    rule = parse_rule(case.topic)
    query = select(Violation).where(Violation.seller_id == case.seller_id)
    if (rule is not None and rule.account_wide) or case.kind is CaseKind.ACCOUNT_STATUS:
        query = query.where(
            (Violation.case_id == case.id) | (Violation.status == ViolationStatus.ACTIVE)
        )
    else:
        query = query.where(Violation.case_id == case.id)
    return list(session.scalars(query.order_by(Violation.id)))


def case_metric(case: Case) -> str | None:
    """The metric a case is about, if a metric rule opened it."""
    rule = parse_rule(case.topic)
    return rule.metric if rule is not None else None
