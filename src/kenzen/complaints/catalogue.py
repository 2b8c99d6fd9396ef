"""The catalogue as a rights owner sees it: listings named by their public id.

A rights owner knows a listing by the marketplace's listing id (what the listing page
shows, the ASIN on Amazon) and, when several sellers offer it, by the seller; never by
Kenzen's row numbers. Only public listing data leaves this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor, Scope
from kenzen.complaints.brand_check import screen
from kenzen.complaints.models import Brand, ListingMention
from kenzen.complaints.screening import Finding
from kenzen.errors import InvalidInput
from kenzen.i18n import N_
from kenzen.sellers.models import Listing

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


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
        raise InvalidInput(N_("error.complaints.listings_name_least_listing"))
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
            if ref.seller_id:
                raise InvalidInput(
                    N_("error.complaints.listing_of_seller_not_found"),
                    index=index,
                    listing_id=ref.listing_id,
                    seller_id=ref.seller_id,
                )
            raise InvalidInput(
                N_("error.complaints.listing_not_found"), index=index, listing_id=ref.listing_id
            )
        sellers = sorted({listing.seller_id for listing in offers})
        if len(sellers) > 1:
            raise InvalidInput(
                N_("error.complaints.listings_listing_offered_sellers"),
                index=index,
                listing_id=ref.listing_id,
                sellers=", ".join(sellers),
            )
        # One seller may offer a listing under several SKUs: the complaint names them all.
        resolved += [listing for listing in offers if listing not in resolved]
    return resolved


@dataclass(frozen=True)
class Hit:
    """One listing found, with what screening finds in it."""

    listing: Listing
    findings: list[Finding]


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit]
    page: int
    page_size: int
    total: int


def search_listings(
    session: Session,
    actor: Actor,
    *,
    listing_id: str | None = None,
    seller_id: str | None = None,
    brand_id: int | None = None,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> SearchPage:
    """Listings by public id, by seller, or naming one of the brand's registered terms (the
    screening matcher: width, case and kana folded), ordered by listing id and seller. A
    search by brand reads the mentions recorded when listings and brands were stored
    (``brand_check.record_mentions``), so it costs what it finds, not the catalogue.

    A rights owner searches with its own brands only and sees the screening findings of its
    own brands only; the hits carry public listing data, nothing of the seller's record.
    """
    scope = access.authorize(actor, Action.SEARCH_LISTINGS)
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            N_("error.complaints.page_size_out_of_range"), max_page_size=MAX_PAGE_SIZE
        )
    if page < 1:
        raise InvalidInput(N_("error.complaints.page_out_of_range"))
    if not (listing_id or seller_id or brand_id):
        raise InvalidInput(N_("error.complaints.search_listing_id_seller_id_brand"))
    query = select(Listing).order_by(Listing.listing_id, Listing.seller_id, Listing.id)
    if listing_id:
        query = query.where(Listing.listing_id == listing_id.strip())
    if seller_id:
        query = query.where(Listing.seller_id == seller_id.strip())
    if brand_id is not None:
        brand = access.load(
            session,
            actor,
            Action.SEARCH_LISTINGS,
            Brand,
            brand_id,
            missing=N_("error.not_found.brand"),
            owned_by="user",
        )
        query = query.join(ListingMention, ListingMention.listing_id == Listing.id).where(
            ListingMention.brand_id == brand.id
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    found = list(session.scalars(query.offset((page - 1) * page_size).limit(page_size)))
    own = str(actor.user_id) if scope is Scope.OWN else None
    hits = [
        Hit(
            listing,
            [f for f in screen(session, [listing]) if own is None or f.term.owner_id == own],
        )
        for listing in found
    ]
    return SearchPage(hits, page, page_size, total)
