"""`kenzen serve` with several processes: what an operator's Prometheus sees."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from kenzen.cli.server import share_counters
from kenzen.db import Database

TOKEN = "scrape-token-of-the-test-0123456789"
HEALTH_CHECKS = 60


def healthz_count(scrape: str) -> float:
    """``http_requests_total`` for GET /healthz 200 in one scrape (0 when absent)."""
    pattern = re.compile(
        r'^http_requests_total\{(?=[^}]*route="/healthz")(?=[^}]*method="GET")'
        r'(?=[^}]*status="200")[^}]*\} (\S+)$',
        re.MULTILINE,
    )
    return sum(float(value) for value in pattern.findall(scrape))


@pytest.mark.slow
def test_every_scrape_counts_the_requests_of_every_serving_process(
    database: Database, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stale = tmp_path / "run" / "metrics" / "counter_1.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"counts of an earlier run")
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"} | {
        "KENZEN_HOME": str(tmp_path),
        "KENZEN_DATABASE_URL": database.url,
        "KENZEN_PORT": str(port),
        "KENZEN_WORKERS": "2",
        "KENZEN_METRICS_TOKEN": TOKEN,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "kenzen", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(f"{base}/readyz", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("kenzen serve did not start")

        def check(_: int) -> int:
            # a connection of its own each time, so both processes take requests
            return httpx.get(f"{base}/healthz", timeout=30).status_code

        with ThreadPoolExecutor(max_workers=10) as pool:
            assert set(pool.map(check, range(HEALTH_CHECKS))) == {200}
        headers = {"Authorization": f"Bearer {TOKEN}"}
        scrapes = [httpx.get(f"{base}/metrics", headers=headers, timeout=30) for _ in range(6)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert {scrape.status_code for scrape in scrapes} == {200}
    assert [healthz_count(scrape.text) for scrape in scrapes] == [HEALTH_CHECKS] * 6


def test_shared_counters_start_empty_and_an_operators_directory_is_kept(tmp_path: Path) -> None:
    ours = tmp_path / "run" / "metrics"
    ours.mkdir(parents=True)
    (ours / "counter_99.db").write_bytes(b"an earlier run")
    environ: dict[str, str] = {}
    share_counters(ours, environ)
    assert environ == {"PROMETHEUS_MULTIPROC_DIR": str(ours)}
    assert list(ours.iterdir()) == []

    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "counter_1.db").write_bytes(b"kept")
    environ = {"PROMETHEUS_MULTIPROC_DIR": str(theirs)}
    share_counters(ours, environ)
    assert environ == {"PROMETHEUS_MULTIPROC_DIR": str(theirs)}
    assert (theirs / "counter_1.db").read_bytes() == b"kept"
