"""Use cases of appeals: check and submit a Plan of Action, attach evidence, review, decide.

A decision is taken once: the status moves with a conditional UPDATE, so of two Account
Specialists deciding the same appeal at the same moment exactly one succeeds and the other
gets a conflict. Accepting reinstates the seller through the one status function, resolves
the case's violations and restores its listings, all in the decision's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kenzen import access, evidence
from kenzen.access import Action, Actor, Scope, Visibility
from kenzen.appeals.checker import CaseContext, Finding, check
from kenzen.appeals.guidance import Guidance, guidance_for
from kenzen.appeals.models import (
    DECISIONS,
    PENDING,
    Appeal,
    AppealDecision,
    AppealStatus,
    AppealVersion,
    Attachment,
    AttachmentKind,
)
from kenzen.appeals.poa import PlanOfAction
from kenzen.appeals.written import WrittenPlan
from kenzen.cases import account_status
from kenzen.cases import service as cases
from kenzen.cases.models import Case, CaseStatus, EntryKind
from kenzen.complaints import brand_check
from kenzen.complaints.models import Complaint
from kenzen.complaints.screening import Finding as ScreeningFinding
from kenzen.db import utcnow
from kenzen.errors import Conflict, InvalidInput, NotFound
from kenzen.i18n import N_, Message
from kenzen.policy import proposals, violations
from kenzen.policy.models import Violation, ViolationStatus
from kenzen.sellers import holds, marks
from kenzen.sellers.models import Listing, Seller
from kenzen.sellers.status import AccountStatus

MAX_ATTACHMENT_BYTES = evidence.MAX_FILE_BYTES
MAX_ATTACHMENTS = 20
#: Recognised by their first bytes, never by the file name.


@dataclass(frozen=True)
class CaseFacts:
    """What an appeal on a case must answer, and the evidence behind it."""

    case: Case
    violations: list[Violation]
    complaints: list[Complaint]
    metrics: list[str]
    listings: list[Listing]

    def context(self, attachments: list[Attachment]) -> CaseContext:
        kinds = {c.kind.value for c in self.complaints}
        return CaseContext(
            violation_ids=frozenset(v.id for v in self.violations),
            metrics=frozenset(self.metrics),
            listing_ids=frozenset(x.listing_id for x in self.listings),
            categories=frozenset({v.category for v in self.violations} | kinds),
            invoice_attached=any(a.kind is AttachmentKind.INVOICE for a in attachments),
        )


def case_facts(session: Session, case: Case) -> CaseFacts:
    """The violations, metrics and listings a case is about."""
    answered = violations.answered_by_case(session, case)
    complaints = list(
        session.scalars(
            select(Complaint).where(Complaint.violation_id.in_([v.id for v in answered]))
        )
    )
    metric = violations.case_metric(case)
    named = {lid for v in answered for lid in v.listing_ids}
    listings = list(
        session.scalars(
            select(Listing)
            .where(Listing.seller_id == case.seller_id, Listing.listing_id.in_(named))
            .order_by(Listing.id)
        )
    )
    restricted = holds.restricted_under(session, case.id)
    listings = sorted({x.id: x for x in [*listings, *restricted]}.values(), key=lambda x: x.id)
    return CaseFacts(case, answered, complaints, [metric] if metric else [], listings)


def check_appeal(
    session: Session, actor: Actor, plan: PlanOfAction | WrittenPlan, case_id: int | None = None
) -> list[Finding]:
    """Findings on a plan and the words it was read from; with a case, also what the case
    needs that the plan lacks."""
    written = _written(plan)
    if case_id is None:
        access.authorize(actor, Action.CHECK_APPEAL)
        return check(written.plan, text=written.text)
    case = access.load(
        session, actor, Action.CHECK_APPEAL, Case, case_id, missing=N_("error.not_found.case")
    )
    attachments = _attachments(session, case.seller_id, written.plan.attachment_ids)
    return check(written.plan, case_facts(session, case).context(attachments), written.text)


def _written(plan: PlanOfAction | WrittenPlan) -> WrittenPlan:
    return plan if isinstance(plan, WrittenPlan) else WrittenPlan.structured(plan)


def guidance(session: Session, actor: Actor, case_id: int) -> list[Guidance]:
    """What AHS explains for this case: why a plan, how to write it, what happens next."""
    case = access.load(
        session, actor, Action.GET_GUIDANCE, Case, case_id, missing=N_("error.not_found.case")
    )
    facts = case_facts(session, case)
    seller = session.get(Seller, case.seller_id)
    assert seller is not None
    subjects = [v.category for v in facts.violations] + facts.metrics
    return guidance_for(subjects, seller.language.value)


def _attachments(session: Session, seller_id: str, ids: tuple[int, ...]) -> list[Attachment]:
    if not ids:
        return []
    found = list(
        session.scalars(
            select(Attachment)
            .join(Appeal)
            .where(Attachment.id.in_(ids), Appeal.seller_id == seller_id)
        )
    )
    missing = sorted(set(ids) - {a.id for a in found})
    if missing:
        raise NotFound(N_("error.appeals.attachments_not_found"), ids=", ".join(map(str, missing)))
    return found


def submit_appeal(
    session: Session,
    actor: Actor,
    case_id: int,
    plan: PlanOfAction | WrittenPlan,
    *,
    draft: bool = False,
) -> Appeal:
    """Save a draft, or submit the plan; a resubmission adds a version and keeps the others.
    The version keeps the seller's words beside the structured view."""
    written = _written(plan)
    poa = written.plan
    case = access.load(
        session, actor, Action.SUBMIT_APPEAL, Case, case_id, missing=N_("error.not_found.case")
    )
    if case.status is CaseStatus.CLOSED:
        raise Conflict(N_("error.case_closed"), case_id=case_id)
    appeal = session.scalars(select(Appeal).where(Appeal.case_id == case.id)).first()
    if appeal is not None and appeal.status in PENDING:
        raise Conflict(
            N_("error.appeals.appeal_case_already_pending_review"),
            appeal_id=appeal.id,
            case_id=case_id,
        )
    if appeal is not None and appeal.status is AppealStatus.ACCEPTED:
        raise Conflict(
            N_("error.appeals.appeal_case_was_accepted"), appeal_id=appeal.id, case_id=case_id
        )
    if appeal is None:
        appeal = Appeal(case_id=case.id, seller_id=case.seller_id, status=AppealStatus.DRAFT)
        session.add(appeal)
        session.flush()
    attachments = _attachments(session, case.seller_id, poa.attachment_ids)
    findings = check(poa, case_facts(session, case).context(attachments), written.text)
    now = utcnow()
    latest = appeal.versions[-1] if appeal.versions else None
    if latest is not None and latest.submitted_at is None:
        version = latest
    else:
        version = AppealVersion(appeal_id=appeal.id, number=len(appeal.versions) + 1)
        session.add(version)
        appeal.versions.append(version)
    version.content = poa.model_dump(mode="json")
    version.text = written.text
    version.source = written.source
    version.filename = written.filename
    version.findings = [_finding_json(f) for f in findings]
    version.saved_at = now
    if not draft:
        version.submitted_at = now
        appeal.status = AppealStatus.SUBMITTED
        appeal.submitted_at = now
        cases.set_case_status(session, case, CaseStatus.UNDER_REVIEW)
        cases.append_entry(
            session,
            case,
            actor,
            visibility=Visibility.SELLER,
            kind=EntryKind.NOTE,
            message=Message(N_("entry.appeal_received"), {"version": version.number}),
        )
    session.flush()
    session.add(
        access.record(
            actor,
            Action.SUBMIT_APPEAL,
            f"appeal:{appeal.id}",
            {
                "case_id": case.id,
                "version": version.number,
                "draft": draft,
                "errors": sum(1 for f in findings if f.severity == "error"),
            },
        )
    )
    return appeal


def _finding_json(finding: Finding) -> dict[str, object]:
    return {
        "code": finding.code,
        "severity": finding.severity,
        "part": finding.part,
        "message": finding.message,
    }


def add_attachment(
    session: Session,
    actor: Actor,
    folder: Path,
    appeal_id: int,
    *,
    filename: str,
    data: bytes,
    kind: AttachmentKind,
) -> Attachment:
    """Keep a PDF, PNG or JPEG (read in full first) under ``folder`` by its hash."""
    appeal = access.load(
        session,
        actor,
        Action.ADD_ATTACHMENT,
        Appeal,
        appeal_id,
        missing=N_("error.not_found.appeal"),
    )
    if appeal.status in PENDING or appeal.status is AppealStatus.ACCEPTED:
        raise Conflict(
            N_("error.appeals.attachments_closed"), appeal_id=appeal_id, status=appeal.status.value
        )
    if len(appeal.attachments) >= MAX_ATTACHMENTS:
        raise InvalidInput(
            N_("error.appeals.file_appeal_holds_most_attachments"), max_attachments=MAX_ATTACHMENTS
        )
    stored = evidence.store(folder, filename, data)
    attachment = Attachment(
        appeal_id=appeal.id,
        kind=kind,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
    )
    session.add(attachment)
    session.flush()
    session.add(
        access.record(
            actor,
            Action.ADD_ATTACHMENT,
            f"appeal:{appeal.id}",
            {"attachment_id": attachment.id, "sha256": stored.sha256, "kind": kind.value},
        )
    )
    return attachment


def list_appeals(
    session: Session,
    actor: Actor,
    *,
    status: AppealStatus | None = None,
    seller_id: str | None = None,
) -> list[Appeal]:
    """A seller's own appeals; for staff the review queue, earliest deadline first."""
    scope = access.authorize(actor, Action.LIST_APPEALS, seller_id=seller_id)
    query = select(Appeal).join(Case, Case.id == Appeal.case_id)
    if scope is Scope.OWN:
        seller_id = actor.seller_id
    if seller_id is not None:
        query = query.where(Appeal.seller_id == seller_id)
    if status is not None:
        query = query.where(Appeal.status == status)
    query = query.order_by(Case.deadline.is_(None), Case.deadline, Appeal.submitted_at, Appeal.id)
    return list(session.scalars(query))


@dataclass(frozen=True)
class ReviewPacket:
    """Everything a decision rests on — and, for Account Specialists, never AHS notes."""

    appeal: Appeal
    case: cases.CaseDetail
    facts: CaseFacts
    guidance: list[Guidance]
    findings: dict[int, list[ScreeningFinding]]
    """What screening finds today in each listing the case's complaints name, by row."""


def get_appeal(session: Session, actor: Actor, appeal_id: int) -> ReviewPacket:
    appeal = access.load(
        session, actor, Action.GET_APPEAL, Appeal, appeal_id, missing=N_("error.not_found.appeal")
    )
    case = session.get(Case, appeal.case_id)
    assert case is not None
    seller = session.get(Seller, appeal.seller_id)
    assert seller is not None
    facts = case_facts(session, case)
    subjects = [v.category for v in facts.violations] + facts.metrics
    named = {link.listing.sku: link.listing for c in facts.complaints for link in c.listings}
    findings: dict[int, list[ScreeningFinding]] = {x.id: [] for x in named.values()}
    for finding in brand_check.screen(session, named.values()):
        findings[named[finding.sku].id].append(finding)
    return ReviewPacket(
        appeal=appeal,
        case=cases.get_case(session, actor, case.id),
        facts=facts,
        guidance=guidance_for(subjects, seller.language.value),
        findings=findings,
    )


def review_appeal(session: Session, actor: Actor, appeal_id: int) -> Appeal:
    """An Account Specialist takes the appeal for review."""
    appeal = access.load(
        session,
        actor,
        Action.REVIEW_APPEAL,
        Appeal,
        appeal_id,
        missing=N_("error.not_found.appeal"),
    )
    taken = session.execute(
        update(Appeal)
        .where(Appeal.id == appeal.id, Appeal.status == AppealStatus.SUBMITTED)
        .values(status=AppealStatus.UNDER_REVIEW, reviewer=actor.label)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(N_("error.appeals.appeal_not_waiting_review"), appeal_id=appeal_id)
    session.refresh(appeal)
    session.add(access.record(actor, Action.REVIEW_APPEAL, f"appeal:{appeal.id}"))
    return appeal


def decide_appeal(
    session: Session,
    actor: Actor,
    appeal_id: int,
    *,
    decision: AppealStatus,
    reasons: str,
    deadline: datetime | None = None,
) -> Appeal:
    appeal = access.load(
        session,
        actor,
        Action.DECIDE_APPEAL,
        Appeal,
        appeal_id,
        missing=N_("error.not_found.appeal"),
    )
    if decision not in DECISIONS:
        raise InvalidInput(N_("error.appeals.decision_unknown"))
    reasons = reasons.strip()
    if decision is not AppealStatus.ACCEPTED and not reasons:
        raise InvalidInput(N_("error.appeals.reasons_required"))
    now = utcnow()
    if decision is AppealStatus.MORE_INFO_REQUESTED and (deadline is None or deadline <= now):
        raise InvalidInput(N_("error.appeals.deadline_required"))
    won = session.execute(
        update(Appeal)
        .where(Appeal.id == appeal.id, Appeal.status.in_(PENDING))
        .values(status=decision, decided_at=now, reviewer=actor.label)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            N_("error.appeals.appeal_was_already_decided_not_submitted"), appeal_id=appeal_id
        )
    session.refresh(appeal)
    version = appeal.versions[-1].number
    session.add(
        AppealDecision(
            appeal_id=appeal.id,
            version=version,
            decision=decision,
            reasons=reasons,
            deadline=deadline,
            decided_by=actor.label,
            decided_at=now,
        )
    )
    case = session.get(Case, appeal.case_id)
    seller = session.get(Seller, appeal.seller_id)
    assert case is not None
    assert seller is not None
    if decision is AppealStatus.ACCEPTED:
        _reinstate(session, actor, seller, case, reasons)
        proposals.end_by_accepted_plan(session, actor, case.id, appeal.id)
        said = Message(N_("entry.appeal_accepted"), {"reasons": reasons})
    elif decision is AppealStatus.REJECTED:
        cases.set_case_status(session, case, CaseStatus.OPEN)
        said = Message(N_("entry.appeal_rejected"), {"reasons": reasons})
    else:
        assert deadline is not None
        cases.set_case_status(session, case, CaseStatus.AWAITING_SELLER, deadline=deadline)
        said = Message(
            N_("entry.more_info"), {"reasons": reasons, "deadline": deadline.date().isoformat()}
        )
    cases.append_entry(
        session, case, actor, visibility=Visibility.SELLER, kind=EntryKind.NOTE, message=said
    )
    marks.mark_for_evaluation(session, [seller.id], reason="appeal decided")
    session.add(
        access.record(
            actor,
            Action.DECIDE_APPEAL,
            f"appeal:{appeal.id}",
            {"decision": decision.value, "version": version, "case_id": case.id},
        )
    )
    return appeal


def _reinstate(session: Session, actor: Actor, seller: Seller, case: Case, reasons: str) -> None:
    """Status NORMAL, the case's violations resolved, its listings back — one transaction."""
    facts = case_facts(session, case)
    restored = []
    for violation in facts.violations:
        if violation.status is not ViolationStatus.ACTIVE:
            continue
        restored += violations.resolve_violation(
            session, violation, reason=f"appeal accepted on case {case.id}"
        )
        other = session.get(Case, violation.case_id) if violation.case_id != case.id else None
        if other is not None and other.status is not CaseStatus.CLOSED:
            cases.set_case_status(session, other, CaseStatus.RESOLVED)
    if seller.status is not AccountStatus.NORMAL:
        account_status.set_account_status(
            session,
            actor,
            seller.id,
            status=AccountStatus.NORMAL,
            reason=reasons or "Plan of Action accepted",
            case_id=case.id,
        )
    restored += holds.release_listings(
        session, seller.id, [holds.DEACTIVATION, *_restrictions_of(case)]
    )
    if restored:
        names = ", ".join(
            f"{x.listing_id} ({x.sku})" for x in sorted(set(restored), key=lambda x: x.id)
        )
        cases.append_entry(
            session,
            case,
            actor,
            visibility=Visibility.SELLER,
            kind=EntryKind.RESTRICTION,
            message=Message(N_("entry.listings_restored"), {"listings": names}),
        )
    cases.set_case_status(session, case, CaseStatus.RESOLVED)


def _restrictions_of(case: Case) -> list[holds.Holder]:
    return [holds.Holder.restriction(case.topic)] if case.topic is not None else []
