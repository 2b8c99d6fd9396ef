"""Throughput and latency of the server under 20 concurrent clients, beside a trivial endpoint.

Starts ``kenzen serve`` as ``make run`` does, on a fresh demo home, then runs each endpoint in
turn for ``--seconds`` with ``--clients`` concurrent keep-alive connections on loopback:
the trivial endpoint, ``getSellerHealth``, ``listCases`` and the seller's Account Health
page, then the trivial endpoint again (so a change in the machine's load during the run
shows). Every figure is from the same server in the same run; the ratio to the trivial
endpoint is the comparable one on a shared machine. The clients are one asyncio process
with a minimal HTTP/1.1 client, on the same cores as the server: its CPU time is printed.

    .venv/bin/python bench/load.py --home /tmp/kenzen-load --clients 20 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

DEMO_SELLER = "seller@demo.kenzen.test"
DEMO_PASSWORD = "kenzen-demo"  # noqa: S105 (the demo's public password, in the README)


def kenzen(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (kenzen itself, fixed arguments)
        [sys.executable, "-m", "kenzen", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Run:
    name: str
    path: str
    latencies: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(math.ceil(q / 100 * len(ordered)) - 1, 0)] if ordered else 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Reads one response; returns its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    return status


async def _client(port: int, request: bytes, run: Run, until: float) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            begun = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader)
            if status == 200:
                run.latencies.append(time.perf_counter() - begun)
            else:
                run.errors[status] = run.errors.get(status, 0) + 1
    finally:
        writer.close()


async def _load(port: int, run: Run, headers: str, clients: int, seconds: float) -> None:
    request = (
        f"GET {run.path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}"
        "Connection: keep-alive\r\n\r\n"
    ).encode()
    begun = time.perf_counter()
    until = begun + seconds
    await asyncio.gather(*(_client(port, request, run, until) for _ in range(clients)))
    run.seconds = time.perf_counter() - begun


def _session_cookie(home: Path) -> str:
    """A browser session of the demo seller, made the way the login form makes one."""
    from kenzen.config import Settings
    from kenzen.db import Database
    from kenzen.identity import service as identity
    from kenzen.identity.throttle import LoginThrottle

    settings = Settings(home=home)
    database = Database(f"sqlite:///{home / 'kenzen.db'}")
    try:
        with database.transaction() as session:
            return identity.log_in(
                session,
                email=DEMO_SELLER,
                password=DEMO_PASSWORD,
                session_days=1,
                client="127.0.0.1",
                throttle=LoginThrottle(
                    settings.login_failures_per_account, settings.login_failures_per_client
                ),
            )
    finally:
        database.dispose()


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="emptied first")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0, help="per endpoint")
    parser.add_argument("--trivial", default="/healthz", help="the trivial endpoint")
    parser.add_argument(
        "--workers", help="KENZEN_WORKERS for the server (default: the server's own default)"
    )
    args = parser.parse_args()
    shutil.rmtree(args.home, ignore_errors=True)
    port = free_port()
    env = {**os.environ, "KENZEN_HOME": str(args.home), "KENZEN_PORT": str(port)}
    env.pop("KENZEN_DATABASE_URL", None)
    if args.workers:
        env["KENZEN_WORKERS"] = args.workers
    env["PYTHONPATH"] = str(ROOT / "src")
    kenzen(env, "db", "upgrade")
    kenzen(env, "demo")
    token = kenzen(env, "token", "create", "--user", DEMO_SELLER)
    cookie = _session_cookie(args.home)
    log = (args.home / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "kenzen", "serve"], env=env, stdout=log, stderr=log
    )
    bearer = f"Authorization: Bearer {token}\r\n"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start; see server.log") from None
                time.sleep(0.2)
        who = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(who, timeout=30) as response:  # noqa: S310
            seller = json.loads(response.read())["seller_id"]
        runs = [
            (Run("trivial", args.trivial), ""),
            (Run("getSellerHealth", f"/api/v1/sellers/{seller}/health"), bearer),
            (Run("listCases", "/api/v1/cases"), bearer),
            (Run("Account Health page", "/"), f"Cookie: kenzen_session={cookie}\r\n"),
            (Run("trivial, again", args.trivial), ""),
        ]
        load_before = os.getloadavg()[0]
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        for run, headers in runs:
            asyncio.run(_load(port, run, headers, args.clients, min(2.0, args.seconds)))  # warm-up
            run.latencies.clear()
            run.errors.clear()
            asyncio.run(_load(port, run, headers, args.clients, args.seconds))
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    trivial = runs[0][0].throughput
    print(
        f"{args.clients} clients, {args.seconds:.0f} s per endpoint; 1-min load average "
        f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; the clients' "
        f"CPU {_cpu(cpu_after) - _cpu(cpu_before):.1f} s"
    )
    print("| endpoint | req/s | ÷ trivial | p50 ms | p99 ms | p99 ÷ p50 | non-200 |")
    print("|---|---|---|---|---|---|---|")
    for run, _ in runs:
        p50, p99 = run.percentile(50), run.percentile(99)
        print(
            f"| {run.name} (`{run.path}`) | {run.throughput:.0f} | "
            f"{run.throughput / trivial:.0%} | {p50 * 1000:.0f} | {p99 * 1000:.0f} | "
            f"{p99 / p50 if p50 else 0:.1f} | {sum(run.errors.values()) or '-'} |"
        )


if __name__ == "__main__":
    main()
