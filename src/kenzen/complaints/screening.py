"""Brand screening: catch the seed's root cause before a rights owner files a complaint.

The seller in the seed listed goods it believed were no-brand; they carried a registered
brand. Two checks, on folded text (:mod:`kenzen.complaints.normalize`):

* ``NO_BRAND_NAMES_TERM`` — the brand field is empty or a no-brand word, but the title or
  description contains a registered term;
* ``BRAND_OF_ANOTHER_OWNER`` — the brand field contains a registered term of an owner the
  seller is not authorised for.

A term whose first (last) character is an ASCII letter or digit must not touch another one
on that side, so ``ace`` does not match inside ``space``; other terms (Japanese) match as
substrings, since Japanese has no spaces between words. Terms of owners the seller is
authorised for (its own brands, letters of authorisation) never produce a finding.

All terms go into one Aho–Corasick automaton (pyahocorasick), built once: screening a field
costs one pass over its text however many terms are registered.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, cast

import ahocorasick

from kenzen.complaints.normalize import fold, fold_with_offsets

#: Brand values that mean "no brand" (compared folded, without spaces or punctuation).
NO_BRAND_WORDS: tuple[str, ...] = (
    "no brand",
    "non brand",
    "generic",
    "unbranded",
    "brandless",
    "none",
    "n/a",
    "ノーブランド",
    "ノーブランド品",
    "ノンブランド",
    "ノンブランド品",
    "ブランドなし",
    "ブランド無し",
    "なし",
    "無し",
    "汎用",
    "汎用品",
    "ジェネリック",
)

Field = Literal["title", "description", "brand"]
FindingKind = Literal["NO_BRAND_NAMES_TERM", "BRAND_OF_ANOTHER_OWNER"]

_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class RegisteredTerm:
    """A brand or protected term as a rights owner registered it."""

    term: str
    owner_id: str
    brand: str
    registration_number: str
    country: str
    brand_id: int | None = None
    """The brand's row, for terms read from the database (what a search by brand finds)."""


@dataclass(frozen=True)
class Listing:
    seller_id: str
    sku: str
    listing_id: str
    title: str
    brand: str
    description: str


@dataclass(frozen=True)
class Finding:
    """One registered term in one field of one listing.

    ``start``/``end`` are code-point offsets into the listing's original field text and
    ``matched`` is that text, as the seller wrote it (full-width, kana, case and all).
    """

    seller_id: str
    sku: str
    listing_id: str
    kind: FindingKind
    term: RegisteredTerm
    field: Field
    start: int
    end: int
    matched: str


@dataclass(frozen=True)
class _Pattern:
    folded: str
    bounded_start: bool
    bounded_end: bool
    entries: tuple[RegisteredTerm, ...]


class _Automaton:
    """The typed face of pyahocorasick: folded pattern → index, one scan per text."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for index, pattern in enumerate(patterns):
            self._automaton.add_word(pattern, index)
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def iter(self, text: str) -> Iterator[tuple[int, int]]:
        """(index of the last matched character, pattern index) for every occurrence."""
        if self._empty:
            return iter(())
        return cast("Iterator[tuple[int, int]]", self._automaton.iter(text))


class Screener:
    """Screens listings against every registered term at once."""

    def __init__(
        self, terms: Iterable[RegisteredTerm], *, no_brand_words: Iterable[str] = NO_BRAND_WORDS
    ) -> None:
        by_folded: dict[str, list[RegisteredTerm]] = {}
        for t in terms:
            folded = fold(t.term)
            if folded:
                by_folded.setdefault(folded, []).append(t)
        self._patterns = [
            _Pattern(
                folded=folded,
                bounded_start=folded[0] in _WORD,
                bounded_end=folded[-1] in _WORD,
                entries=tuple(entries),
            )
            for folded, entries in by_folded.items()
        ]
        self._automaton = _Automaton(p.folded for p in self._patterns)
        self._no_brand = frozenset(_NOT_WORD.sub("", fold(w)) for w in no_brand_words)

    def is_no_brand(self, brand: str) -> bool:
        """Empty, or a word that means "no brand" in any spelling the folding evens out."""
        return self._is_no_brand(fold(brand))

    def _is_no_brand(self, folded: str) -> bool:
        compact = _NOT_WORD.sub("", folded)
        return not compact or compact in self._no_brand

    def _hits(self, text: str) -> Iterator[tuple[int, int, _Pattern]]:
        """(start, end, pattern) in folded ``text``, respecting ASCII word boundaries."""
        for last, index in self._automaton.iter(text):
            p = self._patterns[index]
            start, end = last + 1 - len(p.folded), last + 1
            if p.bounded_start and start > 0 and text[start - 1] in _WORD:
                continue
            if p.bounded_end and end < len(text) and text[end] in _WORD:
                continue
            yield start, end, p

    def _field(
        self,
        listing: Listing,
        field: Field,
        folded: str,
        kind: FindingKind,
        authorised_owners: Collection[str],
    ) -> list[Finding]:
        if next(self._hits(folded), None) is None:
            return []
        # Only a field that matched pays for the offset map back to the seller's text.
        original: str = getattr(listing, field)
        refolded, starts, ends = fold_with_offsets(original)
        findings = []
        for start, end, p in self._hits(refolded):
            o_start, o_end = starts[start], ends[end - 1]
            findings += [
                Finding(
                    seller_id=listing.seller_id,
                    sku=listing.sku,
                    listing_id=listing.listing_id,
                    kind=kind,
                    term=entry,
                    field=field,
                    start=o_start,
                    end=o_end,
                    matched=original[o_start:o_end],
                )
                for entry in p.entries
                if entry.owner_id not in authorised_owners
            ]
        return findings

    def mentioned(self, listing: Listing) -> set[RegisteredTerm]:
        """The registered terms that occur in the listing's title, brand or description,
        folded like screening, whatever the brand field says (what a rights owner's search
        by brand finds)."""
        return {
            entry
            for text in (listing.title, listing.brand, listing.description)
            for _, _, pattern in self._hits(fold(text))
            for entry in pattern.entries
        }

    def screen(self, listing: Listing, *, authorised_owners: Collection[str] = ()) -> list[Finding]:
        """Findings for one listing; ``authorised_owners`` are the owners whose brands
        the listing's seller may sell (its own, or by a letter of authorisation)."""
        brand = fold(listing.brand)
        if not self._is_no_brand(brand):
            return self._field(listing, "brand", brand, "BRAND_OF_ANOTHER_OWNER", authorised_owners)
        kind: FindingKind = "NO_BRAND_NAMES_TERM"
        return [
            *self._field(listing, "title", fold(listing.title), kind, authorised_owners),
            *self._field(
                listing, "description", fold(listing.description), kind, authorised_owners
            ),
        ]

    def screen_many(
        self,
        listings: Iterable[Listing],
        *,
        authorisations: Mapping[str, Collection[str]] | None = None,
    ) -> Iterator[Finding]:
        """Findings for many listings; ``authorisations`` maps seller id → owner ids."""
        allowed = authorisations or {}
        for listing in listings:
            yield from self.screen(listing, authorised_owners=allowed.get(listing.seller_id, ()))
