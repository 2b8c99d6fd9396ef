"""What the operational database keeps of the metrics: each seller's latest values (what
evaluation and the pages read in their transactions), and when each as-of date was computed.

Every date's snapshots and order volumes live as Parquet beside the events
(:mod:`kenzen.metrics.service`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kenzen.db import Base, UTCDateTime


class LatestSellerMetrics(Base):
    """A seller's metrics and order volume of the latest as-of date computed for it: one row
    per seller, so a run over every seller writes one row each, in bulk."""

    __tablename__ = "latest_seller_metrics"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), primary_key=True)
    marketplace_id: Mapped[str] = mapped_column(String(32))
    as_of: Mapped[date] = mapped_column(Date)
    fulfilled_orders: Mapped[int] = mapped_column(Integer)
    """Orders fulfilled in the Account Health Rating's window ending on ``as_of``."""
    metrics: Mapped[str] = mapped_column(Text)
    """JSON: metric name -> [window_from, window_to, numerator, denominator, rate, status,
    target_value, target_condition, target_inclusive, [breakdown counts]] (compact: a run
    over every seller writes them all; :mod:`kenzen.metrics.service` reads and writes it)."""
    fingerprint: Mapped[str | None] = mapped_column(String(32))
    """A digest of what evaluation reads (the values without the dates): a run whose
    fingerprint differs marks the seller for evaluation; NULL when not known."""


class MetricRun(Base):
    """When the metrics of an as-of date were last computed, so a rerun can be incremental."""

    __tablename__ = "metric_runs"

    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    events_batch: Mapped[int] = mapped_column(Integer)
    """The last event-store import the run saw; later imports name the sellers to redo."""
