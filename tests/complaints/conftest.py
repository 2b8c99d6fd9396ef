"""Registered terms and a listing factory for the screening tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kenzen.complaints.screening import Listing, RegisteredTerm, Screener

ACME = RegisteredTerm("Acme", "owner-acme", "Acme", "TM-0001", "JP")
ACE = RegisteredTerm("Ace", "owner-ace", "Ace", "TM-0002", "US")
SONY = RegisteredTerm("ソニー", "owner-sony", "Sony", "TM-0003", "JP")
CANON = RegisteredTerm("キヤノン", "owner-canon", "Canon", "TM-0004", "JP")
PANA = RegisteredTerm("パナソニック", "owner-pana", "Panasonic", "TM-0005", "JP")
ACME_PRO = RegisteredTerm("Acme Pro", "owner-acme", "Acme", "TM-0006", "JP")
TERMS = (ACME, ACE, SONY, CANON, PANA, ACME_PRO)

MakeListing = Callable[..., Listing]


@pytest.fixture(scope="session")
def screener() -> Screener:
    return Screener(TERMS)


@pytest.fixture
def listing() -> MakeListing:
    def make(
        title: str = "", brand: str = "", description: str = "", seller_id: str = "S1"
    ) -> Listing:
        return Listing(seller_id, "SKU-1", "L-1", title, brand, description)

    return make
