"""The demo's seller under Account Health Assurance, inside its 72-hour window.

The first well-behaved seller with nothing pending is long established: the demo's 120 days
of events cannot show six months of an established seller's volume, so its past
``window_days`` days are written into the rating history at 320, it has an emergency
contact number, and its eligibility is computed as the worker does at midnight. Today an
Account Specialist records two restricted-product violations, the cap proposes a
deactivation, and Account Health Assurance holds it: AHS has a priority call, the seller a
notice with its deadline.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
from sqlalchemy.orm import Session

from kenzen.access import Actor, Role
from kenzen.assurance import service as assurance
from kenzen.demo.accounts import DEMO_MARKETPLACE, DEMO_SELLER, DemoAccounts, Profile
from kenzen.events import staging
from kenzen.policy import assured, enforcement, history, proposals
from kenzen.policy.document import ActionKind, Band, Policy
from kenzen.sellers import service as sellers

PAST_RATING = 320
EMERGENCY_PHONE = "03-6555-0142"
_REASON = "販売が制限されている商品（医薬品）の出品が確認されました。"


def add_assured_seller(
    session: Session,
    actor: Actor,
    policy: Policy,
    accounts: DemoAccounts,
    events_dir: Path,
    today: date,
) -> str:
    """Make the protected seller, propose its deactivation and hold it; its id."""
    seller_id = next(
        seller_id
        for seller_id, profile in sorted(accounts.sellers.items())
        if profile is Profile.GOOD
        and seller_id != DEMO_SELLER
        and not proposals.pending(session, seller_id)
    )
    sellers.set_emergency_phone(session, actor, seller_id, EMERGENCY_PHONE)
    for days_ago in range(policy.document.assurance.window_days, 0, -1):
        day = today - timedelta(days=days_ago)
        row = {
            "seller_id": [seller_id],
            "marketplace_id": [DEMO_MARKETPLACE],
            "day": [day],
            "rating": [PAST_RATING],
            "band": [Band.HEALTHY.value],
            "policy_version": [policy.version],
        }
        staging.stage(
            session,
            history.rating_table(events_dir),
            day,
            pa.table(row, schema=history.RATING_SCHEMA),
            scope=None,
        )
    assured.record_eligibility(
        session, events_dir, policy, DEMO_MARKETPLACE, today - timedelta(days=1)
    )
    specialist = accounts.users[Role.ACCOUNT_SPECIALIST]
    for _ in range(2):
        enforcement.record_reviewed_violation(
            session,
            specialist,
            policy,
            seller_id,
            category="restrictedProductPolicyViolations",
            reason=_REASON,
        )
    enforcement.enforce_seller(session, actor, policy, seller_id, today)
    (proposal,) = [
        p for p in proposals.pending(session, seller_id) if p.kind == ActionKind.DEACTIVATE.value
    ]
    assurance.open_hold(session, actor, policy, proposal)
    return seller_id
