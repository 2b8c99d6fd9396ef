"""Shadow runs and backtests: what a candidate policy would do differently, changing nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor
from kenzen.policy.assessment import assess
from kenzen.policy.document import Band, Policy
from kenzen.policy.facts import read_facts
from kenzen.policy.records import SessionFacts
from kenzen.sellers.models import Seller
from kenzen.sellers.status import AccountStatus


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
    date, and violations are taken as they stood then. Both policies see the same facts,
    read once per seller and date.
    """
    access.authorize(actor, Action.EVALUATE)
    differences = []
    all_sellers = session.scalars(select(Seller).order_by(Seller.id)).all()
    records = SessionFacts(session)
    for day in dates:
        for seller in all_sellers:
            facts = read_facts(records, live, seller, day)
            before, after = assess(live, facts), assess(candidate, facts)
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
