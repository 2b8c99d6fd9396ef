"""The Sellers API: where the authorised seller sells, and whether it may."""

from __future__ import annotations

from typing import Any

from babel.core import get_global
from sqlalchemy import select
from sqlalchemy.orm import Session

from kenzen import access
from kenzen.access import Action, Actor
from kenzen.sellers.models import Listing, ListingStatus, Seller
from kenzen.sellers.status import AccountStatus
from kenzen.spapi.reports import acting_seller


def marketplace_participations(
    session: Session, actor: Actor, *, domain_name: str
) -> list[dict[str, Any]]:
    """Amazon's ``MarketplaceParticipationList`` for the acting seller: a deactivated seller
    does not participate; suppressed or inactive listings count as suspended ones.
    ``domain_name`` is the marketplace's public host when it sends no mail of its own."""
    seller_id = acting_seller(actor)
    access.authorize(actor, Action.GET_MARKETPLACE_PARTICIPATIONS, seller_id=seller_id)
    seller = session.get_one(Seller, seller_id)
    marketplace = seller.marketplace
    suspended = session.scalar(
        select(Listing.id)
        .where(
            Listing.seller_id == seller_id,
            Listing.status.in_((ListingStatus.INACTIVE, ListingStatus.SUPPRESSED)),
        )
        .limit(1)
    )
    country = get_global("zone_territories").get(marketplace.time_zone, "ZZ")
    return [
        {
            "marketplace": {
                "id": marketplace.id,
                "name": marketplace.name,
                "countryCode": country,
                "defaultCurrencyCode": marketplace.currency,
                "defaultLanguageCode": marketplace.language.value,
                "domainName": marketplace.mail_domain or domain_name,
            },
            "participation": {
                "isParticipating": seller.status is not AccountStatus.DEACTIVATED,
                "hasSuspendedListings": suspended is not None,
            },
            "storeName": seller.display_name,
        }
    ]
