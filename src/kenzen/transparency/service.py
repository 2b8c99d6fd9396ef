"""The transparency report over a period, counted from the records and the audit log.

Nothing is kept for the report: every figure is a query over what the use cases already
wrote — complaints (the notices), enforcement actions, violations, account status changes,
appeal versions and decisions, and the audit log for who recorded a violation. Running the
report twice over the same period gives the same numbers.

- **notices**: complaints filed in the period, by kind and by the filer's role;
- **actions**: the policy's actions taken by Kenzen's evaluation (automated unless
  specialists confirmed the proposal it applies), violations
  recorded (automated unless a person recorded them, as the audit log says) and account
  statuses a person set;
- **notice to action**: from a complaint's filing to the violation it caused, for
  complaints filed in the period that led to one;
- **appeal to decision**: from the submission of the version decided to the decision, for
  decisions taken in the period; **appeals** counts those decisions by outcome;
- **deactivations reversed**: reinstatements in the period by an accepted appeal, by the
  rule of the deactivation's case;
- **notifiers held**: rights owners whose complaints filed in the period were held for a
  specialist (DSA Art. 23), from the filings the audit log kept;
- **notices ended**: complaints retracted by their notifier, or found invalid by a
  specialist, in the period;
- **disputes** (the seller's complaint against a notice, DSA Art. 20): those decided in
  the period by outcome, and the time from the dispute to its decision.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from kenzen import access, clock
from kenzen.access import Action, Actor, Role
from kenzen.appeals.models import Appeal, AppealDecision, AppealStatus, AppealVersion
from kenzen.audit import AuditEntry, Outcome
from kenzen.cases.models import Case
from kenzen.complaints.models import Complaint, ComplaintStatus, Dispute
from kenzen.identity.models import User
from kenzen.policy.document import ActionKind
from kenzen.policy.models import EnforcementAction, Violation
from kenzen.sellers.models import AccountStatusChange
from kenzen.sellers.status import AccountStatus
from kenzen.transparency.figures import Period, summarise
from kenzen.transparency.figures import period as parse_period
from kenzen.transparency.schemas import (
    ActionCount,
    DurationsOut,
    NoticeCount,
    OutcomeCount,
    ReversalCount,
    TransparencyReport,
)


def transparency_report(
    session: Session, actor: Actor, first: str | date, last: str | date
) -> TransparencyReport:
    access.authorize(actor, Action.GET_TRANSPARENCY_REPORT)
    chosen = parse_period(first, last)
    return TransparencyReport(
        period_from=chosen.first,
        period_to=chosen.last,
        generated_at=clock.now(),
        notices=_notices(session, chosen),
        actions=_actions(session, chosen),
        notice_to_action=_notice_to_action(session, chosen),
        appeal_to_decision=_appeal_to_decision(session, chosen),
        appeals=_appeal_outcomes(session, chosen),
        deactivations_reversed=_reversals(session, chosen),
        notifiers_held=_notifiers_held(session, chosen),
        notices_ended=_notices_ended(session, chosen),
        dispute_to_decision=_dispute_to_decision(session, chosen),
        disputes=_dispute_outcomes(session, chosen),
    )


def _notifiers_held(session: Session, chosen: Period) -> int:
    filings = session.execute(
        select(AuditEntry.actor, AuditEntry.detail).where(
            AuditEntry.action == Action.FILE_COMPLAINT,
            AuditEntry.outcome == Outcome.OK,
            AuditEntry.at >= chosen.start,
            AuditEntry.at < chosen.end,
        )
    )
    return len({actor for actor, detail in filings if detail.get("held")})


def _notices(session: Session, chosen: Period) -> list[NoticeCount]:
    rows = session.execute(
        select(Complaint.kind, User.role, func.count())
        .join(User, User.id == Complaint.owner_id)
        .where(Complaint.filed_at >= chosen.start, Complaint.filed_at < chosen.end)
        .group_by(Complaint.kind, User.role)
        .order_by(Complaint.kind, User.role)
    )
    return [
        NoticeCount(kind=kind.value, notifier_type=role.value, count=n) for kind, role, n in rows
    ]


def _recorded_by_people(session: Session, chosen: Period) -> set[int]:
    """Violations a person recorded (a specialist's review), as the audit log has them."""
    details = session.scalars(
        select(AuditEntry.detail).where(
            AuditEntry.action == Action.RECORD_VIOLATION.value,
            AuditEntry.outcome == Outcome.OK,
            AuditEntry.actor_role != Role.SYSTEM.value,
            AuditEntry.at >= chosen.start,
            AuditEntry.at < chosen.end,
        )
    )
    return {int(detail["violation_id"]) for detail in details if "violation_id" in detail}


def _actions(session: Session, chosen: Period) -> list[ActionCount]:
    counted: Counter[tuple[str, str, bool]] = Counter()
    taken = session.execute(
        select(EnforcementAction.kind, EnforcementAction.rule, EnforcementAction.proposal_id).where(
            EnforcementAction.created_at >= chosen.start,
            EnforcementAction.created_at < chosen.end,
            EnforcementAction.kind != ActionKind.RECORD_VIOLATION.value,
        )
    )
    for kind, rule, proposal_id in taken:
        counted[(kind, rule, proposal_id is None)] += 1
    by_people = _recorded_by_people(session, chosen)
    recorded = session.execute(
        select(Violation.id, Violation.category).where(
            Violation.created_at >= chosen.start, Violation.created_at < chosen.end
        )
    )
    for violation_id, category in recorded:
        counted[(ActionKind.RECORD_VIOLATION.value, category, violation_id not in by_people)] += 1
    set_by_people = session.execute(
        select(AccountStatusChange.status, Case.topic)
        .join(Case, Case.id == AccountStatusChange.case_id)
        .where(
            AccountStatusChange.at >= chosen.start,
            AccountStatusChange.at < chosen.end,
            AccountStatusChange.actor_role != Role.SYSTEM.value,
        )
    )
    for status, topic in set_by_people:
        counted[(f"ACCOUNT_STATUS_{status.value}", topic or "", False)] += 1
    return [
        ActionCount(action=action, category=category, automated=automated, count=n)
        for (action, category, automated), n in sorted(counted.items())
    ]


def _notice_to_action(session: Session, chosen: Period) -> DurationsOut:
    rows = session.execute(
        select(Complaint.filed_at, Violation.created_at)
        .join(Violation, Violation.id == Complaint.violation_id)
        .where(Complaint.filed_at >= chosen.start, Complaint.filed_at < chosen.end)
    )
    return _durations([acted - filed for filed, acted in rows])


def _appeal_to_decision(session: Session, chosen: Period) -> DurationsOut:
    rows = session.execute(
        select(AppealVersion.submitted_at, AppealDecision.decided_at)
        .join(
            AppealVersion,
            (AppealVersion.appeal_id == AppealDecision.appeal_id)
            & (AppealVersion.number == AppealDecision.version),
        )
        .where(
            AppealDecision.decided_at >= chosen.start,
            AppealDecision.decided_at < chosen.end,
            AppealVersion.submitted_at.is_not(None),
        )
    )
    return _durations([decided - submitted for submitted, decided in rows if submitted])


def _durations(values: list[timedelta]) -> DurationsOut:
    summary = summarise(values)
    return DurationsOut(
        count=summary.count, median_hours=summary.median_hours, p90_hours=summary.p90_hours
    )


def _appeal_outcomes(session: Session, chosen: Period) -> list[OutcomeCount]:
    rows = session.execute(
        select(AppealDecision.decision, func.count())
        .where(AppealDecision.decided_at >= chosen.start, AppealDecision.decided_at < chosen.end)
        .group_by(AppealDecision.decision)
        .order_by(AppealDecision.decision)
    )
    return [OutcomeCount(outcome=outcome.value, count=n) for outcome, n in rows]


def _notices_ended(session: Session, chosen: Period) -> list[OutcomeCount]:
    counted = []
    for outcome, at in (
        (ComplaintStatus.RETRACTED, Complaint.retracted_at),
        (ComplaintStatus.INVALID, Complaint.found_invalid_at),
    ):
        n = session.scalar(
            select(func.count()).where(
                Complaint.status == outcome, at >= chosen.start, at < chosen.end
            )
        )
        if n:
            counted.append(OutcomeCount(outcome=outcome.value, count=n))
    return counted


def _decided_disputes(chosen: Period) -> ColumnElement[bool]:
    return (Dispute.decided_at >= chosen.start) & (Dispute.decided_at < chosen.end)


def _dispute_to_decision(session: Session, chosen: Period) -> DurationsOut:
    rows = session.execute(
        select(Dispute.filed_at, Dispute.decided_at).where(_decided_disputes(chosen))
    )
    return _durations([decided - filed for filed, decided in rows if decided])


def _dispute_outcomes(session: Session, chosen: Period) -> list[OutcomeCount]:
    rows = session.execute(
        select(Dispute.status, func.count())
        .where(_decided_disputes(chosen))
        .group_by(Dispute.status)
        .order_by(Dispute.status)
    )
    return [OutcomeCount(outcome=outcome.value, count=n) for outcome, n in rows]


def _reversals(session: Session, chosen: Period) -> list[ReversalCount]:
    """Reinstatements from DEACTIVATED made on a case whose appeal was accepted."""
    accepted = (
        select(Appeal.case_id)
        .join(AppealDecision, AppealDecision.appeal_id == Appeal.id)
        .where(AppealDecision.decision == AppealStatus.ACCEPTED)
    )
    rows = session.execute(
        select(Case.topic, func.count())
        .select_from(AccountStatusChange)
        .join(Case, Case.id == AccountStatusChange.case_id)
        .where(
            AccountStatusChange.at >= chosen.start,
            AccountStatusChange.at < chosen.end,
            AccountStatusChange.previous_status == AccountStatus.DEACTIVATED,
            AccountStatusChange.status == AccountStatus.NORMAL,
            AccountStatusChange.case_id.in_(accepted),
        )
        .group_by(Case.topic)
        .order_by(Case.topic)
    )
    return [ReversalCount(rule=topic or "", count=n) for topic, n in rows]
