"""The catalogue as a rights owner sees it: listings named by their public id.

A rights owner knows a listing by the marketplace's listing id (what the listing page
shows, the ASIN on Amazon) and, when several sellers offer it, by the seller; never by
Kenzen's row numbers. Only public listing data leaves this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen.errors import InvalidInput
from kenzen.sellers.models import Listing


@dataclass(frozen=True)
class ListingRef:
    """A listing as a rights owner names it; ``seller_id`` picks one offer of several."""

    listing_id: str
    seller_id: str | None = None

    @classmethod
    def of(cls, listing: Listing) -> ListingRef:
        return cls(listing.listing_id, listing.seller_id)


def resolve_listings(session: Session, refs: Sequence[ListingRef]) -> list[Listing]:
    """The listings ``refs`` name, in their order; an unknown one, or one several sellers
    offer without a seller named, is an error naming it (``listings[i]``), so nothing is
    filed against a guess."""
    unique = list(dict.fromkeys(refs))
    if not unique:
        raise InvalidInput("listings: name at least one listing")
    found = list(
        session.scalars(
            select(Listing)
            .where(Listing.listing_id.in_({ref.listing_id for ref in unique}))
            .order_by(Listing.id)
        )
    )
    resolved: list[Listing] = []
    for index, ref in enumerate(unique):
        offers = [
            listing
            for listing in found
            if listing.listing_id == ref.listing_id
            and (ref.seller_id is None or listing.seller_id == ref.seller_id)
        ]
        if not offers:
            of_seller = f" of seller {ref.seller_id}" if ref.seller_id else ""
            raise InvalidInput(f"listings[{index}]: listing {ref.listing_id}{of_seller} not found")
        sellers = sorted({listing.seller_id for listing in offers})
        if len(sellers) > 1:
            raise InvalidInput(
                f"listings[{index}]: listing {ref.listing_id} is offered by sellers "
                f"{', '.join(sellers)}; name the seller_id"
            )
        # One seller may offer a listing under several SKUs: the complaint names them all.
        resolved += [listing for listing in offers if listing not in resolved]
    return resolved
