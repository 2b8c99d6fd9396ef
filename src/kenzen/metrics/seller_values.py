"""One seller's stored metrics and order volume, as evaluation, the pages and the report
read them: the database's row of latest values, or the columnar history for a past date.

The row comes from whichever reader the caller uses (the ORM's
:class:`~kenzen.metrics.models.LatestSellerMetrics`, or a plain row read with the standard
library: :mod:`kenzen.policy.sqlite_facts`); the history is read only for a date before
the latest, so reading the latest values imports neither DuckDB nor pyarrow.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kenzen.metrics.definitions import BREAKDOWNS
from kenzen.metrics.values import MetricValue

if TYPE_CHECKING:
    from kenzen.events.dated import Staged

#: ``latest_seller_metrics.metrics`` maps each metric's name to the array of these values,
#: then the array of its breakdown's counts (:data:`BREAKDOWNS`, null where not counted):
#: compact, because a run over every seller writes them all.
DATED = ("window_from", "window_to")
VALUES = (
    "numerator",
    "denominator",
    "rate",
    "status",
    "target_value",
    "target_condition",
    "target_inclusive",
)


class LatestRecord(Protocol):
    """A seller's row of latest values (:class:`kenzen.metrics.models.LatestSellerMetrics`)."""

    @property
    def seller_id(self) -> str: ...
    @property
    def marketplace_id(self) -> str: ...
    @property
    def as_of(self) -> date: ...
    @property
    def fulfilled_orders(self) -> int: ...
    @property
    def metrics(self) -> str: ...


def latest_values(latest: LatestRecord) -> list[MetricValue]:
    """The metrics of a seller's row of latest values, by metric."""
    values = []
    for metric, (*stored, counts) in sorted(json.loads(latest.metrics).items()):
        named = dict(zip((*DATED, *VALUES), stored, strict=True))
        values.append(
            MetricValue(
                seller_id=latest.seller_id,
                marketplace_id=latest.marketplace_id,
                metric=metric,
                as_of=latest.as_of,
                **named | {name: date.fromisoformat(named[name]) for name in DATED},
                breakdown={
                    name: int(count)
                    for name, count in zip(BREAKDOWNS, counts, strict=False)
                    if count is not None
                },
            )
        )
    return values


def _seller(seller_id: str) -> str:
    from kenzen.events.validation import lit

    return f"seller_id = {lit(seller_id)}"


def latest_as_of(
    latest: LatestRecord | None,
    events_dir: Path | None,
    seller_id: str,
    on_or_before: date | None = None,
    *,
    staged: Sequence[Staged] = (),
) -> date | None:
    """The latest as-of date computed for the seller, on or before ``on_or_before``
    (``staged``: what the caller's transaction staged in the history, see
    :meth:`~kenzen.events.dated.DatedTable.committed`)."""
    if latest is None:
        return None
    if on_or_before is None or latest.as_of <= on_or_before:
        return latest.as_of
    if events_dir is None:
        return None
    from kenzen.metrics.history import snapshot_table

    table = snapshot_table(events_dir)
    return table.latest_day(on_or_before, _seller(seller_id), state=table.committed(staged))


def seller_metrics(
    latest: LatestRecord | None,
    events_dir: Path | None,
    seller_id: str,
    as_of: date,
    *,
    staged: Sequence[Staged] = (),
) -> list[MetricValue]:
    """The seller's stored metrics of one date (inside an already authorised use case):
    the latest values, or the columnar history for an earlier date."""
    if latest is not None and latest.as_of == as_of:
        return latest_values(latest)
    if events_dir is None:
        return []
    from kenzen.metrics.history import as_value, snapshot_table

    table = snapshot_table(events_dir)
    rows = table.read(as_of, as_of, _seller(seller_id), state=table.committed(staged))
    return [as_value(row) for row in rows.to_pylist()]


def fulfilled_orders(
    latest: LatestRecord | None,
    events_dir: Path | None,
    seller_id: str,
    as_of: date,
    *,
    staged: Sequence[Staged] = (),
) -> int:
    """Orders the seller fulfilled in the rating window of the latest run on or before
    ``as_of`` (0 before any run: a seller without a row of latest values was never
    computed, so the history has nothing of it either)."""
    if latest is None:
        return 0
    if latest.as_of <= as_of:
        return latest.fulfilled_orders
    if events_dir is None:
        return 0
    from kenzen.metrics.history import volume_table

    table = volume_table(events_dir)
    state = table.committed(staged)
    day = table.latest_day(as_of, _seller(seller_id), state=state)
    if day is None:
        return 0
    rows = table.read(day, day, _seller(seller_id), state=state)
    return int(rows["fulfilled_orders"][0].as_py())
