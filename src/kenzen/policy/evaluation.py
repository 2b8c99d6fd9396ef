"""Evaluating many sellers: one transaction per seller, so a failure stays one seller's.

A seller whose enforcement fails (a violation of a category the policy no longer has, a
database error) is rolled back alone and reported with the reason; the others proceed and
keep what was done for them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from sqlalchemy import select

from kenzen import access
from kenzen.access import Action, Actor
from kenzen.db import Database
from kenzen.errors import KenzenError
from kenzen.events import staging
from kenzen.policy import history
from kenzen.policy.document import Policy
from kenzen.policy.enforcement import SellerOutcome, enforce_seller
from kenzen.sellers.models import Marketplace, Seller

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SellerFailure:
    seller_id: str
    reason: str


@dataclass(frozen=True)
class EvaluationReport:
    as_of: date
    policy_version: str
    evaluated: int
    """Sellers evaluated to the end (changed or not)."""
    changed: list[SellerOutcome]
    failed: list[SellerFailure]
    unpublished: list[str] = field(default_factory=list)
    """The day's ratings, committed but not yet published in the history (publishing
    failed: :func:`kenzen.events.staging.unpublished`); the next run publishes them."""


def evaluate(
    database: Database,
    actor: Actor,
    policy: Policy,
    as_of: date,
    *,
    seller_ids: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    events_dir: Path | None = None,
) -> EvaluationReport:
    """Enforce the policy for every seller (or the given ones) on ``as_of``, each in a
    transaction of its own; ``progress`` hears (sellers done, sellers in all) after each.
    With ``events_dir``, every seller's rating of ``as_of`` is then recorded in the
    rating history there."""
    with database.transaction() as session:
        access.authorize(actor, Action.EVALUATE)
        query = select(Seller.id).order_by(Seller.id)
        if seller_ids is not None:
            query = query.where(Seller.id.in_(seller_ids))
        ids = list(session.scalars(query))
    changed, failed = [], []
    for done, seller_id in enumerate(ids, 1):
        try:
            with database.transaction() as session:
                outcome = enforce_seller(session, actor, policy, seller_id, as_of)
        except KenzenError as error:
            failed.append(SellerFailure(seller_id, error.message))
        except Exception as error:  # one seller's failure must not stop the others
            log.exception("evaluating seller %s failed", seller_id)
            failed.append(SellerFailure(seller_id, f"{type(error).__name__}: {error}"))
        else:
            if outcome.actions:
                changed.append(outcome)
        if progress is not None:
            progress(done, len(ids))
    report = EvaluationReport(as_of, policy.version, len(ids) - len(failed), changed, failed)
    with database.transaction() as session:
        if events_dir is not None:
            for marketplace_id in session.scalars(select(Marketplace.id)):
                history.record_daily_ratings(session, events_dir, policy, marketplace_id, as_of)
        session.add(
            access.record(
                actor,
                Action.EVALUATE,
                f"policy:{policy.short_version}",
                {
                    "as_of": as_of.isoformat(),
                    "sellers": report.evaluated,
                    "changed": len(changed),
                    "failed": [f.seller_id for f in failed],
                },
            )
        )
    return replace(report, unpublished=staging.unpublished(session))
