"""Which sellers Account Health Assurance protects, computed once a day from the stored
rating history and kept per seller, so evaluation and the pages read one row.

The worker computes a marketplace's sellers right after it records the ratings of the day
that ended (:mod:`kenzen.policy.history`); the window therefore ends on the latest finished
day. Whether an emergency phone is on file is read from the seller when asked.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen.events import staging
from kenzen.events.validation import lit
from kenzen.policy import history
from kenzen.policy.assurance import Eligibility, eligibility, recorded_eligibility
from kenzen.policy.document import Policy
from kenzen.policy.models import AssuranceEligibility
from kenzen.sellers import marks
from kenzen.sellers.models import Seller


def record_eligibility(
    session: Session, events_dir: Path, policy: Policy, marketplace_id: str, day: date
) -> int:
    """Compute every seller's eligibility in one marketplace with the window ending on
    ``day``, from one read of the history (with the ratings this transaction recorded);
    returns the sellers computed."""
    rules = policy.document.assurance
    start = day - timedelta(days=rules.window_days - 1)
    table = history.rating_table(events_dir)
    where = f"marketplace_id = {lit(marketplace_id)}"
    rows = table.read(start, day, where, state=table.committed(staging.staged(session)))
    ratings: dict[str, dict[date, int]] = defaultdict(dict)
    for row in rows.to_pylist():
        ratings[row["seller_id"]][row["day"]] = row["rating"]
    sellers = list(session.scalars(select(Seller).where(Seller.marketplace_id == marketplace_id)))
    for seller in sellers:
        computed = eligibility(
            rules,
            ratings[seller.id],
            day,
            has_emergency_phone=seller.emergency_phone is not None,
        )
        session.merge(
            AssuranceEligibility(
                seller_id=seller.id,
                as_of=day,
                window_days=computed.window_days,
                min_rating=computed.min_rating,
                max_days_below=computed.max_days_below,
                days_at_or_above=computed.days_at_or_above,
                days_below=computed.days_below,
                days_without_rating=computed.days_without_rating,
                policy_version=policy.version,
            )
        )
    marks.renew_facts_stamp(session, [s.id for s in sellers])
    return len(sellers)


def eligibility_of(session: Session, policy: Policy, seller: Seller) -> Eligibility | None:
    """The seller's eligibility on the latest computed day; None before the first."""
    return recorded_eligibility(
        session.get(AssuranceEligibility, seller.id),
        policy.document.assurance,
        has_emergency_phone=seller.emergency_phone is not None,
    )
