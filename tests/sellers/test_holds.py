"""Listing holds: a listing comes back only when its last holder lets go."""

from __future__ import annotations

from sqlalchemy import select

from kenzen.access import SYSTEM
from kenzen.complaints.brand_check import ListingRow, upsert_listing
from kenzen.sellers import holds
from kenzen.sellers.models import Listing, ListingHold, ListingStatus
from tests.conftest import World


def _listing(world: World, sku: str = "A1") -> int:
    with world.database.transaction() as session:
        row = ListingRow(1, "S1", sku, f"B0{sku}", "USB cable", "Generic", "", "merchant")
        return upsert_listing(session, SYSTEM, row)[0].id


def test_a_listing_held_twice_returns_only_when_both_holds_are_released(world: World) -> None:
    listing_id = _listing(world)
    restriction = holds.Holder.restriction("metrics.late_shipment_rate_30d")
    with world.database.transaction() as session:
        listing = session.get(Listing, listing_id)
        assert listing is not None
        assert holds.hold_listings(session, [listing], restriction, case_id=None) == [listing]
        assert holds.hold_listings(session, [listing], restriction, case_id=None) == []
        assert holds.hold_listings(session, [listing], holds.DEACTIVATION, case_id=None) == [
            listing
        ]
        assert listing.status is ListingStatus.INACTIVE
    with world.database.transaction() as session:
        assert holds.release_listings(session, "S1", [holds.DEACTIVATION]) == []
        assert session.get(Listing, listing_id).status is ListingStatus.INACTIVE  # type: ignore[union-attr]
        released = holds.release_listings(session, "S1", [restriction])
        assert [x.id for x in released] == [listing_id]
        assert released[0].status is ListingStatus.ACTIVE
        assert (
            session.scalar(select(ListingHold.id).where(ListingHold.released_at.is_(None))) is None
        )


def test_the_oldest_open_hold_decides_what_the_listing_shows(world: World) -> None:
    listing_id = _listing(world)
    with world.database.transaction() as session:
        listing = session.get(Listing, listing_id)
        assert listing is not None
        holds.hold_listings(session, [listing], holds.Holder.restriction("caps.x"), case_id=None)
        holds.hold_listings(session, [listing], holds.DEACTIVATION, case_id=None)
        assert holds.listing_status(session, listing_id) is ListingStatus.INACTIVE
        holds.release_listings(session, "S1", [holds.Holder.restriction("caps.x")])
        assert listing.status is ListingStatus.INACTIVE


def test_releasing_another_sellers_holder_leaves_this_seller_alone(world: World) -> None:
    listing_id = _listing(world)
    with world.database.transaction() as session:
        listing = session.get(Listing, listing_id)
        assert listing is not None
        holds.hold_listings(session, [listing], holds.DEACTIVATION, case_id=None)
        assert holds.release_listings(session, "S2", [holds.DEACTIVATION]) == []
        assert listing.status is ListingStatus.INACTIVE
