"""The marketplace JP and its sellers as rows of the tables every revision since 0001 has,
for tests that build a database at an old revision."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, text


def insert_accounts(connection: Connection, seller_ids: Sequence[str]) -> None:
    connection.execute(
        text(
            "INSERT INTO marketplaces (id, name, time_zone, currency, language, created_at) "
            "VALUES ('JP', 'Japan', 'Asia/Tokyo', 'JPY', 'ja', '2026-01-01 00:00:00')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO sellers (id, marketplace_id, display_name, email, language, "
            "registered_at, status) VALUES (:id, 'JP', :id, :email, 'ja', "
            "'2026-01-01 00:00:00', 'NORMAL')"
        ),
        [{"id": s, "email": f"{s.lower()}@example.test"} for s in seller_ids],
    )
