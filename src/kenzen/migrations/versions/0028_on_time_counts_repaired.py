"""The on-time delivery counts migration 0021 left out come back from the Parquet history.

0021 first filled ``latest_seller_metrics`` with only three breakdown counts per metric
(the order defects'): the on-time delivery rate's ``tracked_orders`` and
``on_time_orders`` were lost, and the SP-API report read 0/0 for them. A metric run
rewrites a seller's row only when it recomputes that seller (every seller with
``--full``, otherwise only those with new events), so a quiet seller would have kept the
loss; hence this repair. A row of fewer counts than the five of this revision can only be
such a row: each of its metrics takes the counts of the same seller, metric and date from
the Parquet history (0021 wrote that date there from the same old rows, with every
count); a metric the history does not hold keeps what it has, padded with nulls. The
repaired sellers get a new facts stamp, so no serving process keeps an assessment of the
old counts. Nothing to undo on downgrade.

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-30
"""

import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The breakdown counts of ``latest_seller_metrics.metrics`` at this revision, in their
#: order (``kenzen.metrics.definitions.BREAKDOWNS``), written out as in 0021.
BREAKDOWN = ("claims", "chargebacks", "negative_feedback", "tracked_orders", "on_time_orders")

SELLERS = sa.table("sellers", sa.column("id", sa.String()), sa.column("facts_stamp", sa.String()))
LATEST = sa.table(
    "latest_seller_metrics",
    sa.column("seller_id", sa.String()),
    sa.column("as_of", sa.Date()),
    sa.column("metrics", sa.Text()),
)


def upgrade() -> None:
    connection = op.get_bind()
    short = [
        row
        for row in connection.execute(sa.select(LATEST))
        if any(len(stored[-1]) < len(BREAKDOWN) for stored in json.loads(row.metrics).values())
    ]
    if not short:
        return
    history = _history_counts(_events_dir(), short)
    for row in short:
        document = json.loads(row.metrics)
        for metric, stored in document.items():
            counts = stored[-1]
            if len(counts) < len(BREAKDOWN):
                found = history.get((row.seller_id, row.as_of, metric))
                stored[-1] = found or counts + [None] * (len(BREAKDOWN) - len(counts))
        connection.execute(
            sa.update(LATEST)
            .where(LATEST.c.seller_id == row.seller_id)
            .values(metrics=json.dumps(document, sort_keys=True))
        )
        # the assessment a serving process keeps for the seller is of the old counts
        connection.execute(
            sa.update(SELLERS)
            .where(SELLERS.c.id == row.seller_id)
            .values(facts_stamp=uuid.uuid4().hex)
        )


def _events_dir() -> Path:
    """The event store Kenzen's ``Database`` gives the upgrade (``kenzen db upgrade``)."""
    found = op.get_context().config.attributes.get("events_dir")  # type: ignore[union-attr]
    if not isinstance(found, Path):
        raise RuntimeError(
            "latest_seller_metrics lacks on-time delivery counts that only the Parquet "
            "history holds, and no event store was given: run `kenzen db upgrade` with "
            "KENZEN_HOME set"
        )
    return found


def _history_counts(events_dir: Path, rows: list[Any]) -> dict[tuple[str, Any, str], list[Any]]:
    """(seller, date, metric) -> the breakdown counts the Parquet history holds."""
    from kenzen.metrics.history import snapshot_table

    table = snapshot_table(events_dir)
    held = set(table.days())
    sellers: dict[Any, set[str]] = defaultdict(set)
    for row in rows:
        if row.as_of in held:
            sellers[row.as_of].add(row.seller_id)
    found: dict[tuple[str, Any, str], list[Any]] = {}
    for day, ids in sellers.items():
        for stored in table.read(day, day).to_pylist():
            if stored["seller_id"] in ids:
                key = (stored["seller_id"], day, stored["metric"])
                found[key] = [stored.get(name) for name in BREAKDOWN]
    return found


def downgrade() -> None:
    """The repaired counts are what 0027's code writes too: nothing to undo."""
