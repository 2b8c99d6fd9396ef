"""Every date's metric snapshots and order volumes, stored as Parquet beside the events.

A table per kind (:class:`~kenzen.events.dated.DatedTable`): the metric run writes them
(:mod:`kenzen.metrics.service`); the readers of a past date read them
(:mod:`kenzen.metrics.seller_values`). Importing this module loads DuckDB and pyarrow, so
the readers of a seller's latest values import it only for a past date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from kenzen.events.dated import HISTORY, DatedTable
from kenzen.metrics.definitions import BREAKDOWNS
from kenzen.metrics.engine import METRIC_SCHEMA
from kenzen.metrics.values import MetricValue

#: Where every date's snapshots and order volumes live under the event store's directory.
SNAPSHOTS_DIRECTORY = Path(HISTORY) / "snapshots"
VOLUMES_DIRECTORY = Path(HISTORY) / "order_volumes"
VOLUME_SCHEMA = pa.schema(
    [
        ("seller_id", pa.string()),
        ("marketplace_id", pa.string()),
        ("as_of", pa.date32()),
        ("fulfilled_orders", pa.int64()),
    ]
)


def snapshot_table(events_dir: Path) -> DatedTable:
    return DatedTable(
        events_dir / SNAPSHOTS_DIRECTORY,
        METRIC_SCHEMA,
        day_column="as_of",
        key=("seller_id", "marketplace_id", "metric"),
    )


def volume_table(events_dir: Path) -> DatedTable:
    return DatedTable(
        events_dir / VOLUMES_DIRECTORY, VOLUME_SCHEMA, day_column="as_of", key=("seller_id",)
    )


def as_value(row: dict[str, Any]) -> MetricValue:
    """A row of the snapshots' table as a metric value."""
    breakdown = {name: row.pop(name) for name in BREAKDOWNS}
    return MetricValue(
        **row, breakdown={name: int(v) for name, v in breakdown.items() if v is not None}
    )
