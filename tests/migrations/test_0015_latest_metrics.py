"""Migration 0015 on a database that kept every date's snapshots in its own tables: the
latest date becomes the database's latest values, and ``kenzen events migrate`` then moves
every date into the columnar history."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from alembic import command
from sqlalchemy import select, text

from kenzen.access import SYSTEM
from kenzen.db import Database
from kenzen.metrics import service
from kenzen.metrics.models import LatestMetric, LatestOrderVolume, MetricSnapshot

DAYS = (date(2026, 11, 18), date(2026, 11, 19))


def _database_before(path: Path) -> Database:
    database = Database(f"sqlite:///{path / 'kenzen.db'}", events_dir=path / "events")
    command.upgrade(database.alembic_config(), "0014")
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO marketplaces (id, name, time_zone, currency, language, created_at) "
                "VALUES ('JP', 'Japan', 'Asia/Tokyo', 'JPY', 'ja', '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO sellers (id, marketplace_id, display_name, email, language, "
                "registered_at, status) VALUES ('S1', 'JP', 'S1', 's1@example.test', 'ja', "
                "'2026-01-01 00:00:00', 'NORMAL')"
            )
        )
        for n, day in enumerate(DAYS):
            connection.execute(
                text(
                    "INSERT INTO metric_snapshots (seller_id, marketplace_id, metric, as_of, "
                    "window_from, window_to, numerator, denominator, rate, status, "
                    "target_value, target_condition, target_inclusive, breakdown, computed_at) "
                    "VALUES ('S1', 'JP', 'order_defect_rate_mfn', :day, :day, :day, :n, 10, "
                    ":rate, 'GOOD', 0.01, 'lt', 0, :breakdown, '2026-11-20 00:00:00')"
                ),
                {
                    "day": day.isoformat(),
                    "n": n,
                    "rate": n / 10,
                    "breakdown": json.dumps({"claims": n}),
                },
            )
            connection.execute(
                text(
                    "INSERT INTO order_volumes (seller_id, as_of, fulfilled_orders) "
                    "VALUES ('S1', :day, :n)"
                ),
                {"day": day.isoformat(), "n": 100 + n},
            )
    return database


def test_the_latest_date_becomes_the_latest_values_and_every_date_moves_to_the_history(
    tmp_path: Path,
) -> None:
    database = _database_before(tmp_path)
    database.upgrade()
    with database.transaction() as session:
        latest = session.scalars(select(LatestMetric)).one()
        assert (latest.as_of, latest.numerator, latest.breakdown) == (DAYS[1], 1, {"claims": 1})
        volume = session.scalars(select(LatestOrderVolume)).one()
        assert (volume.as_of, volume.fulfilled_orders) == (DAYS[1], 101)
        # the earlier date is still there, in the old table, until it is moved
        assert service.seller_metrics(session, "S1", DAYS[0]) == []
    with database.transaction() as session:
        assert service.migrate_legacy_snapshots(session, SYSTEM, tmp_path / "events") == 2
    with database.transaction() as session:
        assert session.scalars(select(MetricSnapshot)).all() == []
        first = service.seller_metrics(session, "S1", DAYS[0])
        assert [(v.numerator, v.rate, v.breakdown) for v in first] == [(0, 0.0, {"claims": 0})]
        assert service.fulfilled_orders(session, "S1", DAYS[0]) == 100
        assert service.latest_as_of(session, "S1", DAYS[0]) == DAYS[0]
    database.dispose()
