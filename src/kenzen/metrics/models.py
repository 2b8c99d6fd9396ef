"""What the operational database keeps of the metrics: the latest values per seller and
metric and the latest order volume per seller (what evaluation and the pages read in their
transactions), and when each as-of date was computed.

Every date's snapshots live as Parquet beside the events (:mod:`kenzen.metrics.service`).
``metric_snapshots`` and ``order_volumes`` are where databases made before that kept every
date; ``kenzen events migrate`` moves their rows into the columnar history.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kenzen.db import Base, UTCDateTime, utcnow


class LatestMetric(Base):
    """A seller's metric of the latest as-of date computed for it."""

    __tablename__ = "latest_metrics"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), primary_key=True)
    marketplace_id: Mapped[str] = mapped_column(String(32))
    as_of: Mapped[date] = mapped_column(Date)
    window_from: Mapped[date] = mapped_column(Date)
    window_to: Mapped[date] = mapped_column(Date)
    numerator: Mapped[int] = mapped_column(Integer)
    denominator: Mapped[int] = mapped_column(Integer)
    rate: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(8))
    target_value: Mapped[float] = mapped_column(Float)
    target_condition: Mapped[str] = mapped_column(String(16))
    target_inclusive: Mapped[bool] = mapped_column(Boolean)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON)


class LatestOrderVolume(Base):
    """Orders a seller fulfilled in the rating's window, as of the latest date computed."""

    __tablename__ = "latest_order_volumes"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    fulfilled_orders: Mapped[int] = mapped_column(Integer)


class MetricSnapshot(Base):
    """Legacy: every date's snapshots, as databases made before the columnar history kept
    them (emptied by ``kenzen events migrate``)."""

    __tablename__ = "metric_snapshots"
    __table_args__ = (UniqueConstraint("seller_id", "metric", "as_of"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    marketplace_id: Mapped[str] = mapped_column(String(32))
    metric: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[date] = mapped_column(Date, index=True)
    window_from: Mapped[date] = mapped_column(Date)
    window_to: Mapped[date] = mapped_column(Date)
    numerator: Mapped[int] = mapped_column(Integer)
    denominator: Mapped[int] = mapped_column(Integer)
    rate: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(8))
    target_value: Mapped[float] = mapped_column(Float)
    target_condition: Mapped[str] = mapped_column(String(16))
    target_inclusive: Mapped[bool] = mapped_column(Boolean)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrderVolume(Base):
    """Legacy: every date's order volumes (emptied by ``kenzen events migrate``)."""

    __tablename__ = "order_volumes"

    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    fulfilled_orders: Mapped[int] = mapped_column(Integer)


class MetricRun(Base):
    """When the metrics of an as-of date were last computed, so a rerun can be incremental."""

    __tablename__ = "metric_runs"

    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    events_batch: Mapped[int] = mapped_column(Integer)
    """The last event-store import the run saw; later imports name the sellers to redo."""
