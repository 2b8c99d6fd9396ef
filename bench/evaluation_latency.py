"""How long a complaint takes to show its outcome on a seller's account, with no command run.

The server and the worker run as `make run` runs them, on the demo marketplace. Each
trial takes a NORMAL demo seller, files four IP complaints against one of its listings
(below the cap of five) and waits until the worker has evaluated them; then it files the
fifth and polls ``getSellerHealth`` until the outcome shows: under the default policy a
deactivation is proposed for a specialist's decision, so the outcome is the review under
way (``reviews_under_way`` names DEACTIVATE). The figure is the time from sending the fifth
complaint to the first health answer that shows it.

    .venv/bin/python bench/evaluation_latency.py --home /tmp/kenzen-latency --trials 100
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

POLL_SECONDS = 0.02
TIMEOUT_SECONDS = 60.0


def kenzen(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(  # noqa: S603 (kenzen itself, fixed arguments)
        [sys.executable, "-m", "kenzen", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def call(base: str, token: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 (http on loopback only)
        base + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def under_review(health: dict[str, Any]) -> bool:
    """The outcome of the cap: the deactivation proposed and shown as a review under way."""
    return any(r["action"] == "DEACTIVATE" for r in health["reviews_under_way"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Any, what: str) -> None:
    deadline = time.monotonic() + 600
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--trials", type=int, default=100)
    args = parser.parse_args()
    shutil.rmtree(args.home, ignore_errors=True)
    port = free_port()
    env = {**os.environ, "KENZEN_HOME": str(args.home), "KENZEN_PORT": str(port)}
    env.pop("KENZEN_DATABASE_URL", None)
    kenzen(env, "db", "upgrade")
    kenzen(env, "demo")
    rights = kenzen(env, "token", "create", "--user", "rights@demo.kenzen.test")
    specialist = kenzen(env, "token", "create", "--user", "specialist@demo.kenzen.test")
    engine = create_engine(f"sqlite:///{args.home / 'kenzen.db'}")
    log = open(args.home / "processes.log", "w")  # noqa: SIM115 (kept open while they run)
    processes = [
        subprocess.Popen(  # noqa: S603 (kenzen itself, fixed arguments)
            [sys.executable, "-m", "kenzen", cmd], env=env, stdout=log, stderr=log
        )
        for cmd in ("serve", "worker")
    ]
    base = f"http://127.0.0.1:{port}/api/v1"
    try:

        def marked(seller_id: str | None = None) -> int:
            query = "SELECT count(*) FROM evaluation_marks"
            with engine.connect() as c:
                if seller_id is None:
                    return int(c.execute(text(query)).scalar_one())
                return int(
                    c.execute(text(query + " WHERE seller_id = :s"), {"s": seller_id}).scalar_one()
                )

        def started() -> bool:
            try:
                call(base, specialist, "GET", "/me")
            except OSError:
                return False
            with engine.connect() as c:
                return bool(c.execute(text("SELECT count(*) FROM evaluation_days")).scalar_one())

        wait_until(started, "the server and the worker's first day")
        wait_until(lambda: marked() == 0, "the first day's evaluation of every seller")
        brand = call(base, rights, "GET", "/brands")[0]["id"]
        with engine.connect() as c:
            candidates = c.execute(
                text(
                    "SELECT s.id, min(l.listing_id) FROM sellers s "
                    "JOIN listings l ON l.seller_id = s.id "
                    "WHERE s.status = 'NORMAL' AND l.status = 'ACTIVE' "
                    # a seller with a letter for the brand cannot be reported for it (409)
                    "AND s.id NOT IN (SELECT seller_id FROM brand_authorisations "
                    "WHERE brand_id = :brand AND revoked_at IS NULL) "
                    "GROUP BY s.id ORDER BY s.id"
                ),
                {"brand": brand},
            ).all()
        if len(candidates) < args.trials:
            raise SystemExit(f"only {len(candidates)} NORMAL sellers with a listing")
        latencies = []
        for seller_id, listing_id in candidates[: args.trials]:
            named = [{"listing_id": listing_id, "seller_id": seller_id}]
            complaint = {"brand_id": brand, "kind": "trademark", "listings": named}
            for n in range(4):
                call(base, rights, "POST", "/complaints", {**complaint, "evidence": f"buy {n}"})
            wait_until(lambda s=seller_id: marked(s) == 0, f"{seller_id}'s first complaints")
            begun = time.perf_counter()
            call(base, rights, "POST", "/complaints", {**complaint, "evidence": "buy 5"})
            while not under_review(call(base, specialist, "GET", f"/sellers/{seller_id}/health")):
                if time.perf_counter() - begun > TIMEOUT_SECONDS:
                    raise SystemExit(f"{seller_id}: no deactivation proposed within a minute")
                time.sleep(POLL_SECONDS)
            latencies.append(time.perf_counter() - begun)
        latencies.sort()
        p99 = latencies[max(0, round(0.99 * len(latencies)) - 1)]
        print(
            f"trials {len(latencies)}: p50 {statistics.median(latencies):.3f} s, "
            f"p99 {p99:.3f} s, max {latencies[-1]:.3f} s, min {latencies[0]:.3f} s; "
            f"load average at the end {os.getloadavg()[0]:.1f}"
        )
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        log.close()
        engine.dispose()


if __name__ == "__main__":
    main()
