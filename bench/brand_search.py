"""A rights owner's catalogue search by its brand's registered terms, against catalogue size.

Builds a migrated SQLite database with one rights owner's brand (ミドリカメラ and its
terms) and N listings imported through ``brand_check.import_listings`` — the product's own
bulk path — of which 1 in ``--every`` names the brand in one of its spellings (full-width,
half-width kana, hiragana, case), then times ``catalogue.search_listings`` by brand: the
first page, a later page, and a search narrowed to one seller. Each figure is the median of
``--repeat`` calls, wall and process CPU time. Deterministic (``--seed``).

    .venv/bin/python bench/brand_search.py --listings 100000 --every 100 --repeat 5
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from kenzen.access import SYSTEM, Role
from kenzen.complaints import brand_check, catalogue
from kenzen.complaints import service as complaints
from kenzen.db import Database
from kenzen.identity import service as identity
from kenzen.sellers import service as sellers

SPELLINGS = ("ミドリカメラ", "ﾐﾄﾞﾘｶﾒﾗ", "みどりかめら", "MIDORI CAMERA", "ｍｉｄｏｒｉ ｃａｍｅｒａ")
WORDS = ("充電", "ケーブル", "収納", "ケース", "日本製", "防水", "cable", "case", "stand", "lamp")
SELLERS = 200
OWNER = "owner@example.test"


def build(database: Database, listings: int, every: int, seed: int, folder: Path) -> int:
    """The marketplace, sellers, the brand and the imported listings; the brand's id."""
    rng = random.Random(seed)
    with database.transaction() as session:
        sellers.add_marketplace(
            session,
            SYSTEM,
            marketplace_id="JP",
            name="Japan",
            time_zone="Asia/Tokyo",
            currency="JPY",
            language="ja",
        )
        for number in range(SELLERS):
            sellers.add_seller(
                session,
                SYSTEM,
                seller_id=f"S{number:04d}",
                marketplace_id="JP",
                display_name=f"Seller {number}",
                email=f"s{number}@sellers.example.test",
                language="ja",
                registered_at=datetime(2025, 1, 1, tzinfo=UTC),
            )
        owner = identity.add_user(
            session, SYSTEM, email=OWNER, role=Role.RIGHTS_OWNER, password=None
        ).as_actor()
        brand_id = complaints.register_brand(
            session,
            owner,
            name="ミドリカメラ",
            registration_number="JP-T-1",
            country="JP",
            terms=["Midori Camera"],
        ).id
    path = folder / "listings.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["seller_id", "sku", "listing_id", "title", "brand", "description"])
        for number in range(listings):
            words = " ".join(rng.choices(WORDS, k=6))
            named = number % every == 0
            title = f"{rng.choice(SPELLINGS)} {words}" if named else words
            seller = f"S{number % SELLERS:04d}"
            writer.writerow(
                [
                    seller,
                    f"SKU{number}",
                    f"B{number:09d}",
                    title,
                    "ノーブランド" if named else "",
                    "",
                ]
            )
    started = time.perf_counter()
    with database.transaction() as session:
        brand_check.import_listings(session, SYSTEM, path)
    print(f"import of {listings:,} listings: {time.perf_counter() - started:.1f} s")
    return brand_id


def timed(call: Callable[[], catalogue.SearchPage], repeat: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds of ``call``, and the total it found."""
    walls, cpus, total = [], [], 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        total = call().total
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    print(f"{platform.python_version()} · nproc {os.cpu_count()} · load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{folder}/bench.db")
        database.upgrade()
        brand_id = build(database, args.listings, args.every, args.seed, Path(folder))
        with database.transaction() as session:
            owner = identity.find_user(session, OWNER).as_actor()
        searches: dict[str, tuple[int, str | None]] = {
            "page 1": (1, None),
            "page 10": (10, None),
            "one seller": (1, "S0000"),
        }
        for name, (page, seller_id) in searches.items():

            def search(page: int = page, seller_id: str | None = seller_id) -> catalogue.SearchPage:
                with database.transaction() as session:
                    return catalogue.search_listings(
                        session, owner, brand_id=brand_id, seller_id=seller_id, page=page
                    )

            wall, cpu, total = timed(search, args.repeat)
            figures = f"{wall * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU"
            print(f"search by brand, {name}: {figures}, {total} found")
        database.dispose()


if __name__ == "__main__":
    main()
