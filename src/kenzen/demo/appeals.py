"""Demo appeals in every status (one waiting past its decision deadline) and callbacks for
today and tomorrow.

S0001 — the seed's seller — is left without an appeal, so a visitor can write one.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from itertools import cycle
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import clock
from kenzen.access import Actor, Role
from kenzen.appeals import service as appeals
from kenzen.appeals.models import AppealStatus
from kenzen.appeals.poa import PlanOfAction
from kenzen.cases.models import OPEN_STATUSES, Case, CaseKind
from kenzen.db import utcnow
from kenzen.demo.accounts import DEMO_SELLER, DEMO_TIME_ZONE, DemoAccounts
from kenzen.policy.document import CallbackRules
from kenzen.support import service as support
from kenzen.support.models import CallOutcome

#: The stages a demo appeal is taken to, one after another.
STAGES = (
    AppealStatus.DRAFT,
    AppealStatus.SUBMITTED,
    AppealStatus.UNDER_REVIEW,
    AppealStatus.MORE_INFO_REQUESTED,
    AppealStatus.REJECTED,
    AppealStatus.ACCEPTED,
)
_REASONS = {
    AppealStatus.MORE_INFO_REQUESTED: "出荷作業日数の変更日と対象の出品数を記載してください。",
    AppealStatus.REJECTED: "根本原因が指標の悪化を説明していません。注文ごとに示してください。",
    AppealStatus.ACCEPTED: "改善計画書を承認しました。",
}


#: The first submitted appeal was submitted this long ago, past the policy's decision target
#: (48 hours by default), so the review queue shows an overdue decision and the worker's
#: staff notice about it.
OVERDUE_BY = timedelta(days=3)


def _plan(facts: appeals.CaseFacts) -> PlanOfAction:
    cause = {
        "text": "出荷作業日数を1日に設定しており、午後の注文が翌々日の出荷になっていた",
        "actions": ["全出品の出荷作業日数を2日に変更しました"],
        "preventive_measures": ["毎日15時に出荷期限が翌日の注文一覧を担当者が確認します"],
    }
    causes = [{**cause, "violation_id": v.id} for v in facts.violations] or [
        {**cause, "metric": facts.metrics[0] if facts.metrics else None}
    ]
    listings = [
        {"listing_id": x.listing_id, "text": "出品内容を確認しました"} for x in facts.listings
    ]
    return PlanOfAction.model_validate(
        {"language": "ja", "root_causes": causes, "listings": listings}
    )


def add_appeals(session: Session, accounts: DemoAccounts) -> int:
    specialist = accounts.users[Role.ACCOUNT_SPECIALIST]
    candidates = session.scalars(
        select(Case)
        .where(
            Case.seller_id != DEMO_SELLER,
            Case.status.in_(OPEN_STATUSES),
            Case.kind.in_((CaseKind.PERFORMANCE, CaseKind.POLICY_VIOLATION)),
        )
        .order_by(Case.id)
    ).all()
    seen: set[str] = set()
    stages = cycle(STAGES)
    count = 0
    for case in candidates:
        if case.seller_id in seen or count == 2 * len(STAGES):
            continue
        seen.add(case.seller_id)
        seller = Actor(email=f"demo:{case.seller_id}", role=Role.SELLER, seller_id=case.seller_id)
        stage = next(stages)
        poa = _plan(appeals.case_facts(session, case))
        late = stage is AppealStatus.SUBMITTED and count < len(STAGES)
        submitted = clock.now() - OVERDUE_BY if late else clock.now()
        with clock.use(clock.fixed(submitted)):
            appeal = appeals.submit_appeal(
                session, seller, case.id, poa, draft=stage is AppealStatus.DRAFT
            )
        if stage not in (AppealStatus.DRAFT, AppealStatus.SUBMITTED):
            appeals.review_appeal(session, specialist, appeal.id)
        if stage in _REASONS:
            appeals.decide_appeal(
                session,
                specialist,
                appeal.id,
                decision=stage,
                reasons=_REASONS[stage],
                deadline=utcnow() + timedelta(days=5),
            )
        count += 1
    return count


def add_callbacks(session: Session, accounts: DemoAccounts, actor: Actor) -> int:
    """Calls booked for the rest of today and tomorrow; one completed call with notes."""
    ahs = accounts.users[Role.AHS_AGENT]
    zone = ZoneInfo(DEMO_TIME_ZONE)
    today = clock.today(DEMO_TIME_ZONE)
    wishes = [
        datetime.combine(day, time(hour), zone)
        for day in (today, today + timedelta(days=1))
        for hour in (10, 13, 15)
    ]
    sellers = sorted(s for s in accounts.sellers if s != DEMO_SELLER)[: len(wishes)]
    booked = []
    for seller_id, wish in zip(sellers, wishes, strict=False):
        booked.append(
            support.request_callback(
                session,
                actor,
                seller_id,
                phone="03-1234-5678",
                preferred=wish,
                rules=CallbackRules(),
            )
        )
    if not booked:
        return 0
    first = booked[0].callback
    support.claim_callback(session, ahs, first.id)
    support.complete_callback(
        session,
        ahs,
        first.id,
        outcome=CallOutcome.REACHED,
        notes="改善計画書の3つの要素(根本原因・対策・再発防止策)を説明しました。",
    )
    return len(booked)
