"""Continuous evaluation: the worker's side of enforcement.

Each round: where a new day began (midnight in the marketplace's time zone), the metrics
of the new date are computed, the marketplace's sellers marked, because their windows
and violation memory moved, and the ratings of the day that ended recorded
(:mod:`kenzen.policy.history`) with every seller's Account Health Assurance eligibility
(:mod:`kenzen.policy.assured`); then the marked sellers are evaluated, oldest mark first —
after the metrics caught up with any events imported since — each in a transaction of its
own that also clears the mark. A seller that fails keeps its mark and is retried after a
growing pause; a worker killed mid-evaluation rolls that seller back, mark included, so
the next worker evaluates it. Concurrent workers each lock the mark they evaluate and skip
the others' (:func:`kenzen.sellers.marks.claim_mark`). The event store is opened only while
computing, so imports through the API or the command line are never locked out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen.access import SYSTEM
from kenzen.db import Database, utcnow
from kenzen.errors import KenzenError
from kenzen.events import staging
from kenzen.events.store import EventStore
from kenzen.metrics import service as metrics
from kenzen.policy import assured, history
from kenzen.policy.document import PolicyHolder
from kenzen.policy.enforcement import SellerOutcome, enforce_seller
from kenzen.policy.evaluation import SellerFailure
from kenzen.policy.models import EvaluationDay
from kenzen.sellers import marks
from kenzen.sellers.models import Marketplace, Seller

log = logging.getLogger("kenzen.evaluation")
#: Finished days whose ratings a worker records when it starts a day after a pause.
CATCH_UP_DAYS = 7
T = TypeVar("T")


@dataclass
class Round:
    """What one round did."""

    new_days: list[tuple[str, date]] = field(default_factory=list)
    evaluated: list[SellerOutcome] = field(default_factory=list)
    failed: list[SellerFailure] = field(default_factory=list)

    @property
    def work(self) -> int:
        return len(self.new_days) + len(self.evaluated) + len(self.failed)


@dataclass
class Evaluator:
    database: Database
    events_dir: Path
    policy: PolicyHolder
    batch: int = 50
    """Marked sellers taken per round (the oldest marks)."""
    event_store: str | None = None
    """Where the orders and defects live when not under ``events_dir`` (KENZEN_EVENT_STORE)."""

    def run_once(self) -> Round:
        """One round at the clock's now: new days, then the marked sellers due."""
        now = utcnow()
        self._guarded(self._publish_pending, now)
        done = Round(new_days=self._guarded(self.start_new_days, now) or [])
        due = self._due(now)
        if due:
            self._guarded(self._catch_up_metrics, now)
            due = self._due(now)
        for seller_id in due:
            try:
                with self.database.transaction() as session:
                    version = marks.claim_mark(session, seller_id, now)
                    if version is None:  # another worker has it, or had it
                        continue
                    with marks.evaluating(session, seller_id):
                        outcome = self._evaluate(session, seller_id, now)
                    marks.clear_mark(session, seller_id, version)
            except Exception as error:  # the mark stays; the seller is retried later
                reason = error.message if isinstance(error, KenzenError) else repr(error)
                if not isinstance(error, KenzenError):
                    log.exception("evaluating seller %s failed", seller_id)
                with self.database.transaction() as session:
                    retry = marks.retry_later(session, seller_id, reason, now)
                log.warning("seller %s: %s; retrying at %s", seller_id, reason, retry)
                done.failed.append(SellerFailure(seller_id, reason))
            else:
                done.evaluated.append(outcome)
        return done

    def run(self, stop: threading.Event, *, poll_seconds: float) -> None:
        """Evaluate until ``stop`` is set, polling while there is nothing to do."""
        while not stop.is_set():
            if self.run_once().work == 0:
                stop.wait(poll_seconds)

    @staticmethod
    def _guarded(step: Callable[[datetime], T], now: datetime) -> T | None:
        """A step that needs the event store (busy with an import, say) is tried again next
        round; the marked sellers are evaluated meanwhile."""
        try:
            return step(now)
        except Exception:
            log.exception("%s failed; trying again next round", step.__name__)
            return None

    def _evaluate(self, session: Session, seller_id: str, now: datetime) -> SellerOutcome:
        seller = session.get(Seller, seller_id)
        as_of = _local_day(now, seller.marketplace.time_zone) if seller else now.date()
        return enforce_seller(session, SYSTEM, self.policy.current, seller_id, as_of)

    def _due(self, now: datetime) -> list[str]:
        with self.database.transaction() as session:
            return marks.due_marks(session, now, self.batch)

    def _marketplace_days(self, now: datetime) -> dict[str, date]:
        with self.database.transaction() as session:
            zones = session.execute(select(Marketplace.id, Marketplace.time_zone)).all()
        return {marketplace: _local_day(now, zone) for marketplace, zone in zones}

    def start_new_days(self, now: datetime) -> list[tuple[str, date]]:
        """At midnight in each marketplace: the new date's metrics, and its sellers marked."""
        started = []
        for marketplace_id, today in self._marketplace_days(now).items():
            with self.database.transaction() as session:
                day = session.get(EvaluationDay, marketplace_id)
                if day is not None and day.as_of >= today:
                    continue
                with EventStore(self.events_dir, segments=self.event_store) as store:
                    metrics.compute_snapshots(session, SYSTEM, store, today)
                sellers = session.scalars(
                    select(Seller.id).where(Seller.marketplace_id == marketplace_id)
                )
                marks.mark_for_evaluation(session, sellers, reason="a new day")
                first = today - timedelta(days=1) if day is None else day.as_of
                for ended in _days(max(first, today - timedelta(days=CATCH_UP_DAYS)), today):
                    history.record_daily_ratings(
                        session, self.events_dir, self.policy.current, marketplace_id, ended
                    )
                assured.record_eligibility(
                    session,
                    self.events_dir,
                    self.policy.current,
                    marketplace_id,
                    today - timedelta(days=1),
                )
                if day is None:
                    day = EvaluationDay(marketplace_id=marketplace_id)
                    session.add(day)
                day.as_of, day.started_at = today, now
            started.append((marketplace_id, today))
        return started

    def _publish_pending(self, now: datetime) -> None:
        """Publish what a committed transaction staged in the history and did not publish
        (its process stopped in between): :mod:`kenzen.events.staging`."""
        with self.database.transaction() as session:
            staging.publish_pending(session, self.events_dir)

    def _catch_up_metrics(self, now: datetime) -> None:
        """Recompute today's metrics for the sellers whose events arrived since the last run
        (the run marks them); nothing when no event arrived."""
        for today in sorted(set(self._marketplace_days(now).values())):
            with (
                self.database.transaction() as session,
                EventStore(self.events_dir, segments=self.event_store) as store,
            ):
                metrics.compute_snapshots(session, SYSTEM, store, today)


def _days(first: date, end: date) -> list[date]:
    """``first`` up to the day before ``end``."""
    return [first + timedelta(days=n) for n in range((end - first).days)]


def _local_day(now: datetime, time_zone: str) -> date:
    return now.astimezone(ZoneInfo(time_zone)).date()
