"""Brand screening as use cases: screen a file, import listings, check one listing.

The seed's root cause — a listing the seller believed was no-brand names a registered
brand — is caught here, before a rights owner files a complaint. A finding is a warning
to the seller in a case, never a violation: it guides, a complaint decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from kenzen import access, i18n
from kenzen.access import Action, Actor, Visibility
from kenzen.cases import service as cases
from kenzen.cases.models import CaseKind, EntryKind
from kenzen.complaints.models import Brand, BrandAuthorisation, ListingMention, ProtectedTerm
from kenzen.complaints.screening import Finding, FindingKind, RegisteredTerm, Screener
from kenzen.complaints.screening import Listing as ScreenedListing
from kenzen.errors import InvalidInput, NotFound
from kenzen.events.readers import detect_format
from kenzen.events.validation import lit
from kenzen.i18n import N_, Message
from kenzen.sellers.models import Fulfillment, Listing, ListingStatus, Seller
from kenzen.text import check_name

REQUIRED = ("seller_id", "sku", "listing_id", "title")
SCREENING_TOPIC = "screening"
#: Listings handled at a time when their mentions are recorded (and ids bound per query).
_CHUNK = 1000

_cache: tuple[tuple[object, ...], Screener] | None = None


def screener(session: Session) -> Screener:
    """One automaton over every registered term, rebuilt only when the terms change: the
    key adds the newest brand's registration time to the count and last id, so another
    database with as many terms (a restore, a test) never reuses it."""
    global _cache
    key = tuple(
        session.execute(
            select(func.count(), func.max(ProtectedTerm.id), func.max(Brand.created_at)).join(
                Brand, Brand.id == ProtectedTerm.brand_id
            )
        ).one()
    )
    if _cache is None or _cache[0] != key:
        rows = session.execute(
            select(
                ProtectedTerm.term,
                Brand.owner_id,
                Brand.name,
                Brand.registration_number,
                Brand.country,
                Brand.id,
            ).join(Brand)
        ).all()
        terms = [
            RegisteredTerm(t, str(owner), b, reg, c, brand_id)
            for t, owner, b, reg, c, brand_id in rows
        ]
        _cache = (key, Screener(terms))
    return _cache[1]


@dataclass(frozen=True)
class ListingRow:
    line: int
    seller_id: str
    sku: str
    listing_id: str
    title: str
    brand: str
    description: str
    fulfillment: str


def read_listings(path: Path) -> list[ListingRow]:
    """Read a listings file (CSV, JSON Lines or Parquet); errors name the line and column."""
    file_format = detect_format(path)
    if not path.is_file():
        raise InvalidInput(N_("error.no_such_file"), path=str(path))
    reader = {
        "csv": f"read_csv({lit(str(path))}, header = true, all_varchar = true)",
        "jsonl": f"read_json({lit(str(path))}, format = 'newline_delimited')",
        "parquet": f"read_parquet({lit(str(path))})",
    }[file_format]
    con = duckdb.connect()
    try:
        relation = con.sql(f"SELECT * FROM {reader}")  # noqa: S608 - the path is a quoted literal
        columns = relation.columns
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise InvalidInput(
                N_("error.complaints.missing_column"), path=path.name, missing=", ".join(missing)
            )
        rows = relation.fetchall()
    except duckdb.Error as error:
        raise InvalidInput(
            N_("error.complaints.cannot_read"), path=path.name, error=str(error)
        ) from None
    finally:
        con.close()
    first_line = 2 if file_format == "csv" else 1
    listings = []
    problems = []
    for offset, values in enumerate(rows):
        record = {c: ("" if v is None else str(v)) for c, v in zip(columns, values, strict=True)}
        line = first_line + offset
        for column in REQUIRED:
            if not record.get(column, "").strip():
                problems.append(f"line {line}, column {column}: required")
        fulfillment = record.get("fulfillment", "") or Fulfillment.MERCHANT.value
        if fulfillment not in {f.value for f in Fulfillment}:
            problems.append(
                f"line {line}, column fulfillment: {fulfillment!r} is not merchant or marketplace"
            )
        listings.append(
            ListingRow(
                line=line,
                seller_id=record.get("seller_id", "").strip(),
                sku=record.get("sku", "").strip(),
                listing_id=record.get("listing_id", "").strip(),
                title=record.get("title", "").strip(),
                brand=record.get("brand", "").strip(),
                description=record.get("description", "").strip(),
                fulfillment=fulfillment,
            )
        )
    if problems:
        raise InvalidInput(
            N_("error.complaints.listings_invalid"),
            path=path.name,
            count=len(problems),
            problems="\n  ".join(problems[:100]),
        )
    return listings


def screened(row: ListingRow | Listing) -> ScreenedListing:
    """The listing as the screener reads it."""
    return ScreenedListing(
        seller_id=row.seller_id,
        sku=row.sku,
        listing_id=row.listing_id,
        title=row.title,
        brand=row.brand,
        description=row.description,
    )


def authorised_brand_ids(session: Session, seller_id: str) -> set[int]:
    """The brands the seller holds an accepted letter of authorisation for, not revoked."""
    return set(
        session.scalars(
            select(BrandAuthorisation.brand_id).where(
                BrandAuthorisation.seller_id == seller_id, BrandAuthorisation.revoked_at.is_(None)
            )
        )
    )


def screen(session: Session, listings: Iterable[ListingRow | Listing]) -> list[Finding]:
    """Findings for ``listings``, but none of a brand whose accepted letter of
    authorisation the listing's seller holds (a revoked one no longer counts)."""
    findings = list(screener(session).screen_many(screened(x) for x in listings))
    sellers = {f.seller_id for f in findings}
    if not sellers:
        return findings
    authorised = set(
        session.execute(
            select(BrandAuthorisation.seller_id, Brand.name, Brand.country)
            .join(Brand, Brand.id == BrandAuthorisation.brand_id)
            .where(
                BrandAuthorisation.seller_id.in_(sellers), BrandAuthorisation.revoked_at.is_(None)
            )
        )
    )
    return [f for f in findings if (f.seller_id, f.term.brand, f.term.country) not in authorised]


def screen_listings(session: Session, actor: Actor, path: Path) -> list[Finding]:
    """Screen a file without storing anything."""
    access.authorize(actor, Action.SCREEN_LISTINGS)
    return screen(session, read_listings(path))


#: What the seller reads about each kind of finding (message ids).
FINDING_MESSAGES: dict[FindingKind, str] = {
    "NO_BRAND_NAMES_TERM": i18n.N_("screening.NO_BRAND_NAMES_TERM"),
    "BRAND_OF_ANOTHER_OWNER": i18n.N_("screening.BRAND_OF_ANOTHER_OWNER"),
}


def describe(finding: Finding) -> Message:
    return Message(
        FINDING_MESSAGES[finding.kind],
        {
            "sku": finding.sku,
            "listing": finding.listing_id,
            "field": finding.field,
            "matched": finding.matched,
            "brand": finding.term.brand,
            "registration": finding.term.registration_number,
            "country": finding.term.country,
        },
    )


def _mentions(matcher: Screener, listings: Iterable[Listing]) -> list[dict[str, int]]:
    """The (brand, listing) rows of every brand whose terms ``listings`` name."""
    return [
        {"brand_id": brand_id, "listing_id": listing.id}
        for listing in listings
        for brand_id in {t.brand_id for t in matcher.mentioned(screened(listing))}
        if brand_id is not None
    ]


def record_mentions(session: Session, listings: Sequence[Listing]) -> None:
    """Replace what the stored ``listings`` are recorded to name, for the rights owners'
    search by brand (``catalogue.search_listings``)."""
    for start in range(0, len(listings), _CHUNK):
        chunk = listings[start : start + _CHUNK]
        session.execute(
            delete(ListingMention).where(ListingMention.listing_id.in_([x.id for x in chunk]))
        )
        rows = _mentions(screener(session), chunk)
        if rows:
            session.execute(insert(ListingMention), rows)


def record_brand_mentions(session: Session, brand: Brand) -> None:
    """Record the listings a newly registered brand's terms name: the one time the whole
    catalogue is read for a brand (in batches), so that its searches never are."""
    matcher = Screener(
        RegisteredTerm(t.term, str(brand.owner_id), brand.name, "", brand.country, brand.id)
        for t in brand.terms
    )
    batch: list[Listing] = []
    for listing in session.scalars(
        select(Listing).order_by(Listing.id).execution_options(yield_per=_CHUNK)
    ):
        batch.append(listing)
        if len(batch) == _CHUNK:
            _insert_mentions(session, _mentions(matcher, batch))
            batch = []
    _insert_mentions(session, _mentions(matcher, batch))


def _insert_mentions(session: Session, rows: list[dict[str, int]]) -> None:
    if rows:
        session.execute(insert(ListingMention), rows)


def _warn(session: Session, actor: Actor, seller: Seller, findings: Sequence[Finding]) -> None:
    """Tell the seller in its brand-check case, one entry per flagged listing."""
    if not findings:
        return
    case = cases.open_case_about(session, seller.id, SCREENING_TOPIC) or cases.open_case(
        session,
        seller_id=seller.id,
        kind=CaseKind.GENERAL,
        title=Message(i18n.N_("case.screening.title")),
        topic=SCREENING_TOPIC,
    )
    flagged = Message(i18n.N_("entry.screening"), {"findings": [describe(f) for f in findings]})
    cases.append_entry(
        session, case, actor, visibility=Visibility.SELLER, kind=EntryKind.WARNING, message=flagged
    )


def _store(session: Session, actor: Actor, row: ListingRow) -> tuple[Seller, Listing]:
    access.authorize(actor, Action.ADD_LISTING, seller_id=row.seller_id)
    seller = session.get(Seller, row.seller_id)
    if seller is None:
        raise NotFound(N_("error.seller_not_found"), seller_id=row.seller_id)
    listing = session.scalars(
        select(Listing).where(Listing.seller_id == row.seller_id, Listing.sku == row.sku)
    ).first()
    if listing is None:
        listing = Listing(seller_id=row.seller_id, sku=row.sku, status=ListingStatus.ACTIVE)
        session.add(listing)
    listing.listing_id = row.listing_id
    listing.title = check_name(row.title, "title")
    listing.brand = check_name(row.brand, "brand")
    listing.description = row.description
    listing.fulfillment = Fulfillment(row.fulfillment)
    return seller, listing


def upsert_listing(
    session: Session, actor: Actor, row: ListingRow
) -> tuple[Listing, list[Finding]]:
    """Create or update the seller's listing with this SKU and screen it."""
    seller, listing = _store(session, actor, row)
    session.flush()
    record_mentions(session, [listing])
    findings = screen(session, [listing])
    _warn(session, actor, seller, findings)
    return listing, findings


def import_listings(session: Session, actor: Actor, path: Path) -> tuple[int, list[Finding]]:
    """Import a listings file (all or nothing), screen it, and warn each flagged seller."""
    rows = read_listings(path)
    stored = [_store(session, actor, row) for row in rows]
    session.flush()
    record_mentions(session, [listing for _, listing in stored])
    findings = screen(session, [listing for _, listing in stored])
    sellers = {seller.id: seller for seller, _ in stored}
    for seller_id, seller in sellers.items():
        _warn(session, actor, seller, [f for f in findings if f.seller_id == seller_id])
    session.add(
        access.record(
            actor,
            Action.ADD_LISTING,
            f"listings:{path.name}",
            {"rows": len(rows), "findings": len(findings)},
        )
    )
    return len(rows), findings
