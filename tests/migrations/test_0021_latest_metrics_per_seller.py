"""Migrations 0015 and 0021 on a database that kept every date's snapshots in its own
tables: the latest date becomes the seller's row of latest values, every date moves into
the columnar history beside the events (a date the history holds keeps what it holds), the
old tables go; the downgrade brings the latest values back."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from kenzen.db import Database
from kenzen.metrics import history, service
from kenzen.metrics.engine import METRIC_SCHEMA
from kenzen.metrics.models import LatestSellerMetrics

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
                    ":rate, 'GOOD', 0.01, 'lt', false, :breakdown, '2026-11-20 00:00:00')"
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


def _history_holds(events_dir: Path, day: date, numerator: int) -> None:
    """A date the columnar history already holds (computed after the old rows)."""
    row = dict.fromkeys(METRIC_SCHEMA.names) | {
        "seller_id": "S1",
        "marketplace_id": "JP",
        "metric": "order_defect_rate_mfn",
        "as_of": day,
        "window_from": day,
        "window_to": day,
        "numerator": numerator,
        "denominator": 10,
        "status": "GOOD",
        "target_value": 0.01,
        "target_condition": "lt",
        "target_inclusive": False,
    }
    table = pa.Table.from_pylist([row], schema=METRIC_SCHEMA)
    history.snapshot_table(events_dir).write(day, table, scope="*")


def test_the_latest_date_becomes_the_latest_values_and_every_date_moves_to_the_history(
    tmp_path: Path,
) -> None:
    database = _database_before(tmp_path)
    _history_holds(tmp_path / "events", DAYS[1], 7)
    database.upgrade()
    with database.transaction() as session:
        latest = session.scalars(select(LatestSellerMetrics)).one()
        assert (latest.as_of, latest.fulfilled_orders, latest.fingerprint) == (DAYS[1], 101, None)
        [value] = service.seller_metrics(session, "S1", DAYS[1])
        assert (value.numerator, value.rate, value.breakdown) == (1, 0.1, {"claims": 1})
        assert (value.window_from, value.target_inclusive) == (DAYS[1], False)
        first = service.seller_metrics(session, "S1", DAYS[0])
        assert [(v.numerator, v.rate, v.breakdown) for v in first] == [(0, 0.0, {"claims": 0})]
        assert service.fulfilled_orders(session, "S1", DAYS[0]) == 100
        assert service.latest_as_of(session, "S1", DAYS[0]) == DAYS[0]
    kept = history.snapshot_table(tmp_path / "events").read(DAYS[1], DAYS[1])
    assert kept["numerator"].to_pylist() == [7]  # the history's own date was kept
    tables = inspect(database.engine).get_table_names()
    assert not {"metric_snapshots", "order_volumes", "latest_metrics"} & set(tables)
    database.dispose()


def test_old_rows_are_not_dropped_without_an_event_store_to_move_them_into(
    tmp_path: Path,
) -> None:
    database = _database_before(tmp_path)
    bare = Database(database.url)
    with pytest.raises(RuntimeError, match="no event store"):
        bare.upgrade()
    assert bare.current_revision() == "0014"
    bare.dispose()
    database.dispose()


def test_the_downgrade_brings_the_latest_values_back(tmp_path: Path) -> None:
    database = _database_before(tmp_path)
    database.upgrade()
    command.downgrade(database.alembic_config(), "0020")
    with database.engine.connect() as connection:
        latest = connection.execute(
            text(
                "SELECT CAST(as_of AS TEXT) AS as_of, numerator, rate, "
                "CAST(breakdown AS TEXT) AS breakdown FROM latest_metrics"
            )
        ).one()
        volume = connection.execute(
            text("SELECT CAST(as_of AS TEXT), fulfilled_orders FROM latest_order_volumes")
        ).one()
    assert (latest.as_of, latest.numerator, latest.rate) == (DAYS[1].isoformat(), 1, 0.1)
    assert json.loads(latest.breakdown) == {"claims": 1}
    assert tuple(volume) == (DAYS[1].isoformat(), 101)
    database.upgrade()
    database.dispose()
