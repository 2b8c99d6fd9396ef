"""Listing holds: the one place that takes a listing off sale and puts it back.

Each hold names its holder as typed data (a violation, a policy rule, the deactivation),
so whoever lifts a hold says which one, and a listing held for two reasons comes back
only when both are gone. The actions run inside the caller's use case and transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from kenzen.db import utcnow
from kenzen.sellers.models import HoldKind, Listing, ListingHold, ListingStatus

#: What a listing shows while a hold of each kind is its oldest open one.
_STATUS_UNDER = {
    HoldKind.VIOLATION: ListingStatus.SUPPRESSED,
    HoldKind.RESTRICTION: ListingStatus.INACTIVE,
    HoldKind.DEACTIVATION: ListingStatus.INACTIVE,
}


@dataclass(frozen=True)
class Holder:
    """Who or what holds a listing: use :meth:`violation`, :meth:`restriction` or
    :data:`DEACTIVATION`."""

    kind: HoldKind
    violation_id: int | None = None
    rule: str | None = None

    @classmethod
    def violation(cls, violation_id: int) -> Holder:
        return cls(HoldKind.VIOLATION, violation_id=violation_id)

    @classmethod
    def restriction(cls, rule: str) -> Holder:
        return cls(HoldKind.RESTRICTION, rule=rule)

    def matches(self) -> ColumnElement[bool]:
        """The condition that selects this holder's holds."""
        violation = (
            ListingHold.violation_id.is_(None)
            if self.violation_id is None
            else ListingHold.violation_id == self.violation_id
        )
        rule = ListingHold.rule.is_(None) if self.rule is None else ListingHold.rule == self.rule
        return (ListingHold.kind == self.kind) & violation & rule


DEACTIVATION = Holder(HoldKind.DEACTIVATION)


def hold_listings(
    session: Session,
    listings: Sequence[Listing],
    holder: Holder,
    *,
    case_id: int | None,
    until: datetime | None = None,
) -> list[Listing]:
    """Hold each listing for ``holder`` unless it already is; return the newly held ones."""
    if not listings:
        return []
    already = set(
        session.scalars(
            select(ListingHold.listing_id).where(
                ListingHold.listing_id.in_([x.id for x in listings]),
                ListingHold.released_at.is_(None),
                holder.matches(),
            )
        )
    )
    now = utcnow()
    held = []
    for listing in listings:
        if listing.id in already:
            continue
        session.add(
            ListingHold(
                listing_id=listing.id,
                kind=holder.kind,
                violation_id=holder.violation_id,
                rule=holder.rule,
                case_id=case_id,
                placed_at=now,
                until=until,
            )
        )
        if listing.status is ListingStatus.ACTIVE:
            listing.status = _STATUS_UNDER[holder.kind]
        held.append(listing)
    session.flush()
    return held


def release_listings(session: Session, seller_id: str, holders: Iterable[Holder]) -> list[Listing]:
    """Release the seller's listings from ``holders``; return those now active again."""
    condition = or_(false(), *(holder.matches() for holder in holders))
    released = list(
        session.scalars(
            select(ListingHold)
            .join(Listing, Listing.id == ListingHold.listing_id)
            .where(Listing.seller_id == seller_id, ListingHold.released_at.is_(None), condition)
        )
    )
    if not released:
        return []
    now = utcnow()
    for hold in released:
        hold.released_at = now
    session.flush()
    touched = sorted({hold.listing_id for hold in released})
    active = []
    for listing in session.scalars(select(Listing).where(Listing.id.in_(touched))):
        status = listing_status(session, listing.id)
        if status is ListingStatus.ACTIVE and listing.status is not ListingStatus.ACTIVE:
            active.append(listing)
        listing.status = status
    return sorted(active, key=lambda x: x.id)


def listing_status(session: Session, listing_id: int) -> ListingStatus:
    """ACTIVE without an open hold; otherwise what the oldest open hold makes it."""
    oldest = session.scalars(
        select(ListingHold.kind)
        .where(ListingHold.listing_id == listing_id, ListingHold.released_at.is_(None))
        .order_by(ListingHold.id)
        .limit(1)
    ).first()
    return ListingStatus.ACTIVE if oldest is None else _STATUS_UNDER[oldest]


def restricted_under(session: Session, case_id: int) -> list[Listing]:
    """The listings a policy rule restricts now under ``case_id``."""
    held = select(ListingHold.listing_id).where(
        ListingHold.case_id == case_id,
        ListingHold.kind == HoldKind.RESTRICTION,
        ListingHold.released_at.is_(None),
    )
    return list(session.scalars(select(Listing).where(Listing.id.in_(held)).order_by(Listing.id)))
