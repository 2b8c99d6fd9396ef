"""The database keeps one row of latest metric values per seller; the old snapshot tables go.

``latest_seller_metrics`` holds each seller's metrics of its latest date as one JSON
document, its order volume and a fingerprint of the values (so a metric run over every
seller writes one row each and marks only the sellers whose values changed); it is filled
from ``latest_metrics`` and ``latest_order_volumes`` (fingerprint unknown: the next run
marks every seller once). The rows ``metric_snapshots`` and ``order_volumes`` still hold
(databases older than the columnar history, never moved by ``kenzen events migrate``) are
first written into the Parquet history beside the events — a date the history already
holds keeps what it holds, it was computed later — then the four tables are dropped.
The downgrade brings back the latest values; every date's history stays in Parquet.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-29
"""

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: ``latest_seller_metrics.metrics``: metric name -> [window_from, window_to, VALUES…,
#: [BREAKDOWN counts…]] (as :mod:`kenzen.metrics.service` writes it at this revision).
#: BREAKDOWN is ``kenzen.metrics.definitions.BREAKDOWNS`` at this revision, in its order
#: (the counts are positional): the defect counts of the order defect rates, then the order
#: counts of the on-time delivery rate. Written out, not imported: a later definition must
#: not change what this migration reads and writes.
DATED = ("window_from", "window_to")
BREAKDOWN = ("claims", "chargebacks", "negative_feedback", "tracked_orders", "on_time_orders")
VALUES = (
    "numerator",
    "denominator",
    "rate",
    "status",
    "target_value",
    "target_condition",
    "target_inclusive",
)


def _metric_columns() -> list[sa.Column[Any]]:
    """The columns ``latest_metrics`` and ``metric_snapshots`` share."""
    return [
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("metric", sa.String(length=64), nullable=False),
        sa.Column("marketplace_id", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("window_from", sa.Date(), nullable=False),
        sa.Column("window_to", sa.Date(), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("target_condition", sa.String(length=16), nullable=False),
        sa.Column("target_inclusive", sa.Boolean(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
    ]


def _table(name: str, *extra: sa.Column[Any]) -> sa.TableClause:
    columns = [sa.column(c.name, c.type) for c in _metric_columns()]
    return sa.table(name, *columns, *(sa.column(c.name, c.type) for c in extra))


LATEST_METRICS = _table("latest_metrics")
SNAPSHOTS = _table("metric_snapshots")
LATEST_VOLUMES = sa.table(
    "latest_order_volumes",
    sa.column("seller_id", sa.String()),
    sa.column("as_of", sa.Date()),
    sa.column("fulfilled_orders", sa.Integer()),
)
VOLUMES = sa.table(
    "order_volumes",
    sa.column("seller_id", sa.String()),
    sa.column("as_of", sa.Date()),
    sa.column("fulfilled_orders", sa.Integer()),
)
SELLERS = sa.table(
    "sellers", sa.column("id", sa.String()), sa.column("marketplace_id", sa.String())
)
LATEST = sa.table(
    "latest_seller_metrics",
    sa.column("seller_id", sa.String()),
    sa.column("marketplace_id", sa.String()),
    sa.column("as_of", sa.Date()),
    sa.column("fulfilled_orders", sa.Integer()),
    sa.column("metrics", sa.Text()),
    sa.column("fingerprint", sa.String()),
)


def upgrade() -> None:
    op.create_table(
        "latest_seller_metrics",
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("marketplace_id", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("fulfilled_orders", sa.Integer(), nullable=False),
        sa.Column("metrics", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_latest_seller_metrics_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("seller_id", name=op.f("pk_latest_seller_metrics")),
    )
    connection = op.get_bind()
    _fill_latest(connection)
    _move_history(connection)
    op.drop_table("latest_order_volumes")
    op.drop_table("latest_metrics")
    with op.batch_alter_table("metric_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metric_snapshots_seller_id"))
        batch_op.drop_index(batch_op.f("ix_metric_snapshots_as_of"))
    op.drop_table("metric_snapshots")
    op.drop_table("order_volumes")


def _fill_latest(connection: sa.Connection) -> None:
    volumes = {
        (row.seller_id, row.as_of): row.fulfilled_orders
        for row in connection.execute(sa.select(LATEST_VOLUMES))
    }
    sellers: dict[str, list[Any]] = defaultdict(list)
    for row in connection.execute(sa.select(LATEST_METRICS)):
        sellers[row.seller_id].append(row)
    rows = []
    for seller_id, metrics in sorted(sellers.items()):
        as_of = max(m.as_of for m in metrics)
        document = {
            m.metric: [getattr(m, n).isoformat() for n in DATED]
            + [getattr(m, n) for n in VALUES]
            + [[m.breakdown.get(n) for n in BREAKDOWN]]
            for m in metrics
            if m.as_of == as_of
        }
        rows.append(
            {
                "seller_id": seller_id,
                "marketplace_id": metrics[0].marketplace_id,
                "as_of": as_of,
                "fulfilled_orders": volumes.get((seller_id, as_of), 0),
                "metrics": json.dumps(document, sort_keys=True),
                "fingerprint": None,
            }
        )
    if rows:
        connection.execute(sa.insert(LATEST), rows)


def _events_dir() -> Path:
    """The event store beside the database being migrated: the one Kenzen's ``Database``
    names, else the configured one (Alembic run on its own)."""
    attributes = op.get_context().config.attributes  # type: ignore[union-attr]
    if "events_dir" not in attributes:
        from kenzen.config import get_settings

        return get_settings().events_dir
    found = attributes["events_dir"]
    if not isinstance(found, Path):
        raise RuntimeError(
            "metric_snapshots and order_volumes still hold rows, and no event store was "
            "given to move them into: run `kenzen db upgrade` with KENZEN_HOME set"
        )
    return found


def _move_history(connection: sa.Connection) -> None:
    """Every date of the old tables the Parquet history does not hold yet, into it."""
    snapshot_days = list(connection.scalars(sa.select(SNAPSHOTS.c.as_of).distinct()))
    volume_days = list(connection.scalars(sa.select(VOLUMES.c.as_of).distinct()))
    if not snapshot_days and not volume_days:
        return
    import pyarrow as pa

    from kenzen.metrics.definitions import BREAKDOWNS
    from kenzen.metrics.engine import METRIC_SCHEMA
    from kenzen.metrics.history import VOLUME_SCHEMA, snapshot_table, volume_table

    events_dir = _events_dir()
    snapshots, volumes = snapshot_table(events_dir), volume_table(events_dir)
    held = set(snapshots.days())
    for day in sorted(set(snapshot_days) - held):
        rows = connection.execute(
            sa.select(SNAPSHOTS)
            .where(SNAPSHOTS.c.as_of == day)
            .order_by(SNAPSHOTS.c.seller_id, SNAPSHOTS.c.marketplace_id, SNAPSHOTS.c.metric)
        ).all()
        columns: dict[str, list[Any]] = {name: [] for name in METRIC_SCHEMA.names}
        for row in rows:
            for name in METRIC_SCHEMA.names:
                columns[name].append(
                    row.breakdown.get(name) if name in BREAKDOWNS else getattr(row, name)
                )
        snapshots.write(day, pa.table(columns, schema=METRIC_SCHEMA), scope="*")
    held = set(volumes.days())
    for day in sorted(set(volume_days) - held):
        pairs = connection.execute(
            sa.select(VOLUMES.c.seller_id, SELLERS.c.marketplace_id, VOLUMES.c.fulfilled_orders)
            .join(SELLERS, SELLERS.c.id == VOLUMES.c.seller_id)
            .where(VOLUMES.c.as_of == day)
            .order_by(VOLUMES.c.seller_id)
        ).all()
        table = pa.table(
            {
                "seller_id": [p[0] for p in pairs],
                "marketplace_id": [p[1] for p in pairs],
                "as_of": [day] * len(pairs),
                "fulfilled_orders": [p[2] for p in pairs],
            },
            schema=VOLUME_SCHEMA,
        )
        volumes.write(day, table, scope="*")


def downgrade() -> None:
    op.create_table(
        "latest_metrics",
        *_metric_columns(),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_latest_metrics_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("seller_id", "metric", name=op.f("pk_latest_metrics")),
    )
    op.create_table(
        "latest_order_volumes",
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("fulfilled_orders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_latest_order_volumes_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("seller_id", name=op.f("pk_latest_order_volumes")),
    )
    op.create_table(
        "metric_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        *_metric_columns(),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_metric_snapshots_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_snapshots")),
        sa.UniqueConstraint(
            "seller_id", "metric", "as_of", name=op.f("uq_metric_snapshots_seller_id")
        ),
    )
    with op.batch_alter_table("metric_snapshots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_metric_snapshots_as_of"), ["as_of"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_metric_snapshots_seller_id"), ["seller_id"], unique=False
        )
    op.create_table(
        "order_volumes",
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("fulfilled_orders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["sellers.id"], name=op.f("fk_order_volumes_seller_id_sellers")
        ),
        sa.PrimaryKeyConstraint("seller_id", "as_of", name=op.f("pk_order_volumes")),
    )
    connection = op.get_bind()
    metrics, volumes = [], []
    for row in connection.execute(sa.select(LATEST)):
        volumes.append(
            {"seller_id": row.seller_id, "as_of": row.as_of}
            | {"fulfilled_orders": row.fulfilled_orders}
        )
        for metric, (*stored, counts) in json.loads(row.metrics).items():
            named = dict(zip((*DATED, *VALUES), stored, strict=True))
            metrics.append(
                {"seller_id": row.seller_id, "metric": metric}
                | {"marketplace_id": row.marketplace_id, "as_of": row.as_of}
                | named
                | {n: date.fromisoformat(named[n]) for n in DATED}
                | {"breakdown": _named_counts(counts)}
            )
    if metrics:
        connection.execute(sa.insert(LATEST_METRICS), metrics)
    if volumes:
        connection.execute(sa.insert(LATEST_VOLUMES), volumes)
    op.drop_table("latest_seller_metrics")


def _named_counts(counts: list[int | None]) -> dict[str, int]:
    """A row's breakdown counts by name. A row written by this migration before it kept
    the on-time delivery counts holds only the first three; counts past :data:`BREAKDOWN`
    (a breakdown defined after this revision) have no column at 0020 and are left out."""
    return {n: c for n, c in zip(BREAKDOWN, counts, strict=False) if c is not None}
