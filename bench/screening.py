"""Brand screening benchmark: N listings against M registered terms (issue 4: 1,000,000
listings against 100,000 terms in ≤ 20 s on 2 cores).

Deterministic: terms and listings come from ``random.Random`` seeded with ``--seed`` (each
chunk of listings from ``seed`` and its chunk number, so any worker count generates the
same listings). Listings are generated in chunks outside the timed sections; only
``Screener.screen_many`` is timed. Workers are forked after the automaton is built, so they
share it instead of rebuilding it.

The naive baseline loops over every folded term with ``in`` on the folded fields of a
sample of listings (no word-boundary check, no positions: a lower bound on its cost) and is
extrapolated linearly to N listings.

    .venv/bin/python bench/screening.py --listings 1000000 --terms 100000 --workers 2
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import os
import platform
import random
import resource
import time

from kenzen.complaints.normalize import fold
from kenzen.complaints.screening import Listing, RegisteredTerm, Screener

CHUNK = 10_000
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
KATAKANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
)
# fmt: off
COMMON = [
    "cotton", "shirt", "men", "women", "kids", "bag", "case", "cover", "cable", "charger",
    "stand", "lamp", "bottle", "mug", "black", "white", "red", "blue", "large", "small", "set",
    "pack", "of", "2", "3", "for", "with", "and", "new", "portable", "waterproof", "stainless",
    "steel", "wireless", "usb", "type-c", "充電", "ケーブル", "収納", "ケース", "日本製",
    "大容量", "防水", "軽量", "おしゃれ", "人気", "プレゼント", "送料無料", "セット", "白", "黒",
]
# fmt: on
NO_BRAND = ["", "ノーブランド", "No Brand", "generic", "ノンブランド品", "汎用", "Unbranded"]


def make_terms(n: int, seed: int) -> list[RegisteredTerm]:
    """Brand-like ASCII names (3/4 of them) and katakana names, unique after folding."""
    rng = random.Random(seed)
    seen: set[str] = set()
    terms: list[RegisteredTerm] = []
    while len(terms) < n:
        if rng.random() < 0.75:
            name = "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))).capitalize()
            if rng.random() < 0.1:
                name += " " + rng.choice(["Pro", "Lab", "Works", "Japan"])
        else:
            name = "".join(rng.choices(KATAKANA, k=rng.randint(3, 6)))
        if fold(name) in seen:
            continue
        seen.add(fold(name))
        i = len(terms)
        terms.append(RegisteredTerm(name, f"owner-{i % 20_000}", name, f"TM-{i:07}", "JP"))
    return terms


def _variant(rng: random.Random, term: str) -> str:
    """The term as a seller might write it: case, full-width, hiragana, half-width kana."""
    roll = rng.random()
    if term.isascii():
        if roll < 0.3:
            return term.upper()
        if roll < 0.5:
            return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in term)
        return term.lower()
    if roll < 0.3:
        return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in term)
    return term


def make_listings(chunk: int, seed: int, terms: list[RegisteredTerm]) -> list[Listing]:
    """One chunk: 40 % no-brand listings (5 % of all name a term), 60 % branded
    (2 % of all use someone else's term as the brand)."""
    rng = random.Random(seed * 1_000_003 + chunk)
    out = []
    for i in range(chunk * CHUNK, (chunk + 1) * CHUNK):
        title = " ".join(rng.choices(COMMON, k=rng.randint(5, 12)))
        description = " ".join(rng.choices(COMMON, k=rng.randint(15, 40)))
        roll = rng.random()
        if roll < 0.40:
            brand = rng.choice(NO_BRAND)
            if roll < 0.05:
                title = f"{_variant(rng, rng.choice(terms).term)} {title}"
        elif roll < 0.42:
            brand = _variant(rng, rng.choice(terms).term)
        else:
            brand = "".join(rng.choices(SYLLABLES, k=5)).capitalize() + " Store"
        out.append(Listing(f"S{i % 50_000:05}", f"SKU{i}", f"L{i:07}", title, brand, description))
    return out


def _chunks(worker: int, workers: int, n_chunks: int) -> range:
    return range(worker, n_chunks, workers)


def _work(
    screener: Screener,
    terms: list[RegisteredTerm],
    worker: int,
    workers: int,
    n_chunks: int,
    seed: int,
) -> tuple[float, float, int, int]:
    """Screen this worker's chunks; return (wall s, CPU s, listings, findings) of screening."""
    spent, cpu, listings, findings = 0.0, 0.0, 0, 0
    for chunk in _chunks(worker, workers, n_chunks):
        batch = make_listings(chunk, seed, terms)
        started, cpu_started = time.perf_counter(), time.process_time()
        findings += sum(1 for _ in screener.screen_many(batch))
        spent += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        listings += len(batch)
    return spent, cpu, listings, findings


_STATE: dict[str, object] = {}


def _child(args: tuple[int, int, int, int]) -> tuple[float, float, int, int, int]:
    worker, workers, n_chunks, seed = args
    screener = _STATE["screener"]
    terms = _STATE["terms"]
    assert isinstance(screener, Screener)
    assert isinstance(terms, list)
    result = _work(screener, terms, worker, workers, n_chunks, seed)
    return (*result, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _naive(terms: list[RegisteredTerm], sample: list[Listing]) -> tuple[float, int]:
    folded_terms = [fold(t.term) for t in terms]
    started = time.perf_counter()
    hits = 0
    for listing in sample:
        fields = (fold(listing.title), fold(listing.description), fold(listing.brand))
        for term in folded_terms:
            for text in fields:
                if term in text:
                    hits += 1
    return time.perf_counter() - started, hits


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listings", type=int, default=1_000_000)
    parser.add_argument("--terms", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--naive-sample", type=int, default=1_000)
    args = parser.parse_args()
    n_chunks = -(-args.listings // CHUNK)

    print(f"machine: {os.cpu_count()} CPUs, {_cpu_model()}, Python {platform.python_version()}")
    print("load average before (1/5/15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    terms = make_terms(args.terms, args.seed)
    started = time.perf_counter()
    screener = Screener(terms)
    build = time.perf_counter() - started
    print(f"terms: {len(terms):,}; automaton build: {build:.2f} s")

    _STATE.update(screener=screener, terms=terms)
    gc.freeze()  # the forked workers share these objects; keep the collector off them
    jobs = [(w, args.workers, n_chunks, args.seed) for w in range(args.workers)]
    wall_started = time.perf_counter()
    if args.workers == 1:
        results = [_child(jobs[0])]
    else:
        with mp.get_context("fork").Pool(args.workers) as pool:
            results = pool.map(_child, jobs)
    wall = time.perf_counter() - wall_started
    print("load average after screening: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    screening = max(r[0] for r in results)
    cpu = [r[1] for r in results]
    listings = sum(r[2] for r in results)
    findings = sum(r[3] for r in results)
    peak_child = max(r[4] for r in results)
    peak_parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"listings: {listings:,} with {args.workers} worker(s); screening: {screening:.2f} s "
        f"(slowest worker, generation excluded); {listings / screening:,.0f} listings/s"
    )
    print(
        "screening CPU time per worker: "
        + ", ".join(f"{c:.2f} s" for c in cpu)
        + " (wall above CPU = time waiting for a core)"
    )
    print(f"wall time incl. generating listings: {wall:.2f} s; findings: {findings:,}")
    print(
        f"peak RSS: parent {peak_parent / 1024:.0f} MiB, largest worker {peak_child / 1024:.0f} MiB"
    )

    sample = make_listings(0, args.seed, terms)[: args.naive_sample]
    naive_s, naive_hits = _naive(terms, sample)
    ac_started = time.perf_counter()
    sum(1 for _ in screener.screen_many(sample))
    ac_s = time.perf_counter() - ac_started
    per_naive, per_ac = naive_s / len(sample), ac_s / len(sample)
    print(
        f"naive baseline (loop over {len(terms):,} terms with `in`, {len(sample):,} listings, "
        f"1 core): {naive_s:.2f} s, {naive_hits} raw substring hits; extrapolated to "
        f"{listings:,} listings: {per_naive * listings:,.0f} s on 1 core"
    )
    print(
        f"Aho-Corasick on the same sample, 1 core: {ac_s:.3f} s; "
        f"per listing {per_naive * 1e6:,.0f} µs naive vs {per_ac * 1e6:,.1f} µs, "
        f"ratio {per_naive / per_ac:,.0f}×"
    )


if __name__ == "__main__":
    main()
