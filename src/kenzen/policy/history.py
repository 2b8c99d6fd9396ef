"""The daily Account Health Rating of every seller, kept as Parquet beside the events.

One row per seller per day: the rating as it stood at the end of that day in the seller's
marketplace, from the violations as they stood then and the orders fulfilled in the
rating's window. The worker writes each marketplace's finished days at its midnight,
``kenzen evaluate`` the day it evaluates, the demo its past. A day written again replaces
what was written for it (:mod:`kenzen.events.dated`: latest run wins).

:func:`seller_ratings` is the read side for the seller's chart, ``getSellerRating`` and
the Account Health Assurance check ("days at 250 or more in the last 180 days"). What it
reads is kept in each process by the history's committed state (the digest of its
manifest, which every run replaces): a seller's page reads the Parquet files once a day,
not once a request, and a day a run writes is seen by every process at once, when the
run's transaction commits (:mod:`kenzen.events.staging`); that transaction reads it before.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
from cachetools import LRUCache
from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen.errors import InvalidInput
from kenzen.events import staging
from kenzen.events.dated import HISTORY, DatedTable, Staged
from kenzen.events.validation import lit
from kenzen.metrics import service as metrics
from kenzen.policy.assessment import end_of_day, violation_facts
from kenzen.policy.document import Band, Policy
from kenzen.policy.models import Violation
from kenzen.policy.rating import compute_rating
from kenzen.sellers.models import Marketplace, Seller

log = logging.getLogger(__name__)

#: Where the history lives under the event store's directory.
RATINGS_DIRECTORY = Path(HISTORY) / "ratings"

RATING_SCHEMA = pa.schema(
    [
        ("seller_id", pa.string()),
        ("marketplace_id", pa.string()),
        ("day", pa.date32()),
        ("rating", pa.int32()),
        ("band", pa.string()),
        ("policy_version", pa.string()),
    ]
)


@dataclass(frozen=True, slots=True)
class DailyRating:
    """A seller's rating at the end of one day."""

    day: date
    rating: int
    band: Band
    policy_version: str


def rating_table(events_dir: Path) -> DatedTable:
    return DatedTable(
        events_dir / RATINGS_DIRECTORY, RATING_SCHEMA, day_column="day", key=("seller_id",)
    )


#: Sellers' histories a process keeps (a 180-day history takes about 25 kB).
CACHED_HISTORIES = 1024
_HistoryKey = tuple[str, str, str, date, date]
_histories: LRUCache[_HistoryKey, tuple[DailyRating, ...]] = LRUCache(CACHED_HISTORIES)
_histories_lock = threading.Lock()


def seller_ratings(
    events_dir: Path,
    seller_id: str,
    start: date,
    end: date,
    *,
    staged: Sequence[Staged] = (),
) -> list[DailyRating]:
    """The seller's daily ratings from ``start`` to ``end`` (inclusive), oldest first; a
    day nobody recorded is absent; with what the caller's transaction ``staged``
    (:func:`kenzen.events.staging.staged`). Reads only: the caller has authorised the
    reader."""
    table = rating_table(events_dir)
    state = table.committed(staged)
    key = (str(table.directory), state.version, seller_id, start, end)
    with _histories_lock:
        found = _histories.get(key)
    if found is None:
        rows = table.read(start, end, f"seller_id = {lit(seller_id)}", state=state)
        found = tuple(
            DailyRating(r["day"], r["rating"], Band(r["band"]), sys.intern(r["policy_version"]))
            for r in rows.to_pylist()
        )
        with _histories_lock:
            _histories[key] = found
    return list(found)


def record_daily_ratings(
    session: Session, events_dir: Path, policy: Policy, marketplace_id: str, day: date
) -> int:
    """Compute and store every seller's rating of ``day`` in one marketplace (replacing
    what was stored for that day and marketplace), published once this transaction commits
    (:mod:`kenzen.events.staging`); returns the sellers recorded."""
    marketplace = session.get(Marketplace, marketplace_id)
    if marketplace is None:
        raise ValueError(f"no marketplace {marketplace_id}")
    instant = end_of_day(day, marketplace.time_zone)
    seller_ids = list(
        session.scalars(
            select(Seller.id).where(Seller.marketplace_id == marketplace_id).order_by(Seller.id)
        )
    )
    by_seller: dict[str, list[Violation]] = defaultdict(list)
    for violation in session.scalars(
        select(Violation)
        .join(Seller, Seller.id == Violation.seller_id)
        .where(Seller.marketplace_id == marketplace_id, Violation.occurred_at <= instant)
    ):
        by_seller[violation.seller_id].append(violation)
    volumes = metrics.fulfilled_orders_of(session, events_dir, marketplace_id, day)
    columns: dict[str, list[object]] = {name: [] for name in RATING_SCHEMA.names}
    for seller_id in seller_ids:
        try:
            rating = compute_rating(
                policy,
                violation_facts(by_seller[seller_id], instant),
                fulfilled_orders=volumes.get(seller_id, 0),
                as_of=instant,
            )
        except InvalidInput as error:  # e.g. a category the policy dropped: evaluation says so
            log.warning("no rating of %s for seller %s: %s", day, seller_id, error.message)
            continue
        for name, value in (
            ("seller_id", seller_id),
            ("marketplace_id", marketplace_id),
            ("day", day),
            ("rating", rating.value),
            ("band", rating.band.value),
            ("policy_version", policy.version),
        ):
            columns[name].append(value)
    staging.stage(
        session,
        rating_table(events_dir),
        day,
        pa.table(columns, schema=RATING_SCHEMA),
        scope=marketplace_id,
    )
    return len(columns["seller_id"])
