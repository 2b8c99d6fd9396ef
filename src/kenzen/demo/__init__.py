"""The demo marketplace JP: accounts, 120 days of events, their metric history, complaints,
violations, the statuses the policy gives them, 180 days of daily ratings, and a seller
under Account Health Assurance inside its 72-hour window.

Deterministic for a seed and a day, and built only through the domain services and the
real import path, so the demo exercises what a marketplace would run.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kenzen import access, clock
from kenzen.access import Action, Actor
from kenzen.demo.accounts import (
    DEMO_MARKETPLACE,
    DEMO_PASSWORD,
    DEMO_SELLER,
    DEMO_TIME_ZONE,
    DEMO_USERS,
    create_accounts,
)
from kenzen.demo.appeals import add_appeals, add_callbacks
from kenzen.demo.assurance import add_assured_seller
from kenzen.demo.enforcement import apply_enforcement
from kenzen.demo.events import generate
from kenzen.errors import Conflict
from kenzen.events import service as events
from kenzen.events.store import EventStore
from kenzen.i18n import N_
from kenzen.metrics import service as metrics
from kenzen.policy import history
from kenzen.policy.document import Policy
from kenzen.sellers.models import Marketplace, Seller

__all__ = ["DEMO_MARKETPLACE", "DEMO_PASSWORD", "DEMO_SELLER", "DEMO_USERS", "load_demo"]

#: Daily snapshots for the last weeks, weekly before: enough for 90-day trends.
DAILY_DAYS = 28
TREND_DAYS = 90
#: Past days whose ratings the demo records, for the seller's 180-day rating chart.
RATING_HISTORY_DAYS = 180


@dataclass(frozen=True, slots=True)
class DemoSummary:
    sellers: int
    statuses: dict[str, int]
    listings: int
    orders: int
    defects: int
    snapshot_days: int
    changed_by_policy: int
    appeals: int
    callbacks: int


def has_data(session: Session) -> bool:
    return session.scalar(select(Marketplace.id).limit(1)) is not None


def snapshot_days(today: date) -> list[date]:
    weekly = range(TREND_DAYS, DAILY_DAYS, -7)
    daily = range(DAILY_DAYS, -1, -1)
    return [today - timedelta(days=d) for d in (*weekly, *daily)]


def load_demo(
    session: Session,
    actor: Actor,
    store: EventStore,
    policy: Policy,
    *,
    today: date | None = None,
    seed: int = 7,
    sellers_count: int = 240,
) -> DemoSummary:
    """Load the demo as of ``today`` (default: today in Japan, the demo marketplace's zone)."""
    access.authorize(actor, Action.LOAD_DEMO)
    if has_data(session):
        raise Conflict(N_("error.demo.database_already_holds_data"))
    today = today or clock.today(DEMO_TIME_ZONE)
    accounts = create_accounts(session, actor, seed=seed, sellers_count=sellers_count, today=today)
    marketplace = session.get(Marketplace, DEMO_MARKETPLACE)
    assert marketplace is not None
    with tempfile.TemporaryDirectory(prefix="kenzen-demo-") as folder:
        orders_path, defects_path = generate(
            sorted(accounts.sellers.items()),
            marketplace_id=DEMO_MARKETPLACE,
            time_zone=marketplace.time_zone,
            today=today,
            seed=seed,
            folder=Path(folder),
        )
        orders = events.import_events(session, actor, store, "orders", orders_path)
        defects = events.import_events(session, actor, store, "defects", defects_path)
    days = snapshot_days(today)
    for day in days:
        metrics.compute_snapshots(session, actor, store, day, full=True)
    changed = apply_enforcement(session, actor, policy, accounts, today)
    for days_ago in range(RATING_HISTORY_DAYS, 0, -1):
        history.record_daily_ratings(
            session, store.directory, policy, DEMO_MARKETPLACE, today - timedelta(days=days_ago)
        )
    add_assured_seller(session, actor, policy, accounts, store.directory, today)
    appeal_count = add_appeals(session, accounts)
    callback_count = add_callbacks(session, accounts, actor)
    statuses = dict(
        session.execute(select(Seller.status, func.count()).group_by(Seller.status)).all()
    )
    return DemoSummary(
        sellers=len(accounts.sellers),
        statuses={status.value: count for status, count in statuses.items()},
        listings=accounts.listings,
        orders=orders.inserted,
        defects=defects.inserted,
        snapshot_days=len(days),
        changed_by_policy=changed,
        appeals=appeal_count,
        callbacks=callback_count,
    )
