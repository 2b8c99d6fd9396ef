"""The facts of an assessment, read straight from a SQLite database with the standard library.

``kenzen report sp-api`` on the default database reads one seller, its row of latest
metrics, its violations and its Assurance eligibility; through SQLAlchemy's ORM and the
models that would cost most of the command's run. The rows are read-only views of the
columns the assessment reads, converted as the ORM's column types convert them; the ORM
reader (:class:`kenzen.policy.records.SessionFacts`) answers the same questions, and the
tests compare the two.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from kenzen.policy.assessment import ViolationStatus
from kenzen.sellers.status import AccountStatus


def _instant(stored: str | None) -> datetime | None:
    """A ``UTCDateTime`` column as the ORM reads it: SQLite keeps UTC without an offset."""
    return None if stored is None else datetime.fromisoformat(stored).replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class MarketplaceZone:
    time_zone: str


@dataclass(frozen=True, slots=True)
class SellerRow:
    id: str
    marketplace_id: str
    status: AccountStatus
    emergency_phone: str | None
    facts_stamp: str
    marketplace: MarketplaceZone


@dataclass(frozen=True, slots=True)
class LatestRow:
    seller_id: str
    marketplace_id: str
    as_of: date
    fulfilled_orders: int
    metrics: str


@dataclass(frozen=True, slots=True)
class ViolationRow:
    id: int
    category: str
    status: ViolationStatus
    occurred_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class EligibilityRow:
    as_of: date
    window_days: int
    min_rating: int
    max_days_below: int
    days_at_or_above: int
    days_below: int
    days_without_rating: int


class SqliteFacts:
    """``FactRecords`` over one SQLite connection (opened read-only by the caller, who
    begins one transaction so that every row is of the same moment)."""

    def __init__(self, connection: sqlite3.Connection, events_dir: Path | None) -> None:
        self.connection = connection
        self._events_dir = events_dir

    @property
    def events_dir(self) -> Path | None:
        return self._events_dir

    @property
    def staged(self) -> tuple[()]:
        """Nothing: this reader only reads."""
        return ()

    def _one(self, sql: str, *params: Any) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.connection.execute(sql, params).fetchone()
        return row

    def seller(self, seller_id: str) -> SellerRow | None:
        row = self._one(
            "SELECT s.id, s.marketplace_id, s.status, s.emergency_phone, s.facts_stamp,"
            " m.time_zone FROM sellers AS s JOIN marketplaces AS m ON m.id = s.marketplace_id"
            " WHERE s.id = ?",
            seller_id,
        )
        if row is None:
            return None
        id_, marketplace_id, status, phone, stamp, time_zone = row
        return SellerRow(
            id_, marketplace_id, AccountStatus(status), phone, stamp, MarketplaceZone(time_zone)
        )

    def latest_metrics(self, seller_id: str) -> LatestRow | None:
        row = self._one(
            "SELECT seller_id, marketplace_id, as_of, fulfilled_orders, metrics"
            " FROM latest_seller_metrics WHERE seller_id = ?",
            seller_id,
        )
        if row is None:
            return None
        seller, marketplace_id, as_of, fulfilled, metrics = row
        return LatestRow(seller, marketplace_id, date.fromisoformat(as_of), fulfilled, metrics)

    def violations(self, seller_id: str) -> list[ViolationRow]:
        rows = self.connection.execute(
            "SELECT id, category, status, occurred_at, resolved_at FROM violations"
            " WHERE seller_id = ?",
            (seller_id,),
        )
        return [
            ViolationRow(
                id_,
                category,
                ViolationStatus(status),
                datetime.fromisoformat(occurred).replace(tzinfo=UTC),
                _instant(resolved),
            )
            for id_, category, status, occurred, resolved in rows
        ]

    def eligibility(self, seller_id: str) -> EligibilityRow | None:
        row = self._one(
            "SELECT as_of, window_days, min_rating, max_days_below, days_at_or_above,"
            " days_below, days_without_rating FROM assurance_eligibility WHERE seller_id = ?",
            seller_id,
        )
        if row is None:
            return None
        as_of, *counts = row
        return EligibilityRow(date.fromisoformat(as_of), *counts)
