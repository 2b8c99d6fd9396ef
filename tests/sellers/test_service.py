"""Marketplaces, sellers and listings: the seller use cases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kenzen.access import SYSTEM
from kenzen.errors import Conflict, InvalidInput, NotFound
from kenzen.sellers import service
from tests.conftest import World


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Asia/Nowhere", "timezone: 'Asia/Nowhere' is not an IANA time zone"),
        ("currency", "XYZ", "currency: 'XYZ' is not an ISO 4217 currency code"),
        ("language", "fr", "language: 'fr' is not one of ja, en"),
        ("marketplace_id", "J P", "id: use letters"),
    ],
)
def test_marketplace_fields_are_validated(
    world: World, field: str, value: str, message: str
) -> None:
    fields = {
        "marketplace_id": "US",
        "name": "United States",
        "time_zone": "America/New_York",
        "currency": "usd",
        "language": "en",
    }
    fields[field] = value
    with world.database.transaction() as session, pytest.raises(InvalidInput, match=message):
        service.add_marketplace(session, SYSTEM, **fields)


def test_marketplace_currency_is_normalised_and_duplicates_refused(world: World) -> None:
    fields = {"name": "US", "time_zone": "America/New_York", "currency": "usd", "language": "en"}
    with world.database.transaction() as session:
        marketplace = service.add_marketplace(session, SYSTEM, marketplace_id="US", **fields)
        assert marketplace.currency == "USD"
    with world.database.transaction() as session, pytest.raises(Conflict, match="already exists"):
        service.add_marketplace(session, SYSTEM, marketplace_id="US", **fields)


def test_seller_must_belong_to_a_known_marketplace(world: World) -> None:
    with world.database.transaction() as session, pytest.raises(NotFound, match="marketplace XX"):
        service.add_seller(
            session,
            SYSTEM,
            seller_id="S3",
            marketplace_id="XX",
            display_name="x",
            email="x@example.test",
            language="en",
            registered_at=datetime(2025, 1, 1, tzinfo=UTC),
        )
