"""Benchmark of the event store at ``s3://`` against the local store, in one run.

A benchmark, not a test. On the files of ``bench/metrics.py`` (same generator, same seed)
it runs, for a local store and then for a store at ``s3://bench/events`` on moto's S3
server at 127.0.0.1, the same commands on the same files, each as its own process:
``kenzen import orders``, ``kenzen import defects``, ``kenzen metrics --full``,
``kenzen events compact`` and ``kenzen metrics --full`` again (on the compacted store), and
``kenzen events migrate --to`` of the local store to a second prefix. For each it records
wall and CPU seconds and peak RSS of the ``kenzen`` process (``wait4``), the CPU seconds
moto's server spent meanwhile (``/proc/PID/stat``) and the bytes the bucket holds.

moto on loopback measures the client path — s3fs, DuckDB reading through it, the
requests Kenzen makes and their count — not Amazon S3: no network latency or bandwidth
limit, and a server in Python on the same two cores. It says what the S3 path costs on
the Kenzen host, not how fast a bucket in a region is::

    python bench/s3.py --orders 1000000 --sellers 10000 --workdir /tmp/kenzen-s3bench
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

BENCH = Path(__file__).parent
sys.path.insert(0, str(BENCH))

from scale import AS_OF, run  # noqa: E402

BUCKET = "bench"


def moto_cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    """moto's S3 server on 127.0.0.1 at a free port, as a process of its own."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", "from moto.server import main; main()", "-H", "127.0.0.1",
         "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310
            return server, endpoint
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("moto's server did not start")


def bucket_bytes(endpoint: str) -> int:
    """The bytes every object of the bucket holds (moto answers unsigned requests)."""
    listing = urllib.request.urlopen(f"{endpoint}/{BUCKET}?list-type=2").read()  # noqa: S310
    text = listing.decode()
    sizes = [int(part.split("</Size>")[0]) for part in text.split("<Size>")[1:]]
    if "<IsTruncated>true" in text:
        raise RuntimeError("more than 1,000 objects: count them with pagination")
    return sum(sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--sellers", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--reuse-files", action="store_true", help="skip generating files")
    args = parser.parse_args()
    work: Path = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"orders": args.orders, "sellers": args.sellers}
    if not (args.reuse_files and (work / "orders.parquet").exists()):
        run(
            [sys.executable, str(BENCH / "metrics.py"), "--phase", "generate",
             "--orders", str(args.orders), "--sellers", str(args.sellers),
             "--text-orders", "1000", "--workdir", str(work)]
        )  # fmt: skip
    run([sys.executable, str(BENCH / "scale.py"), "--workdir", str(work), "--phase", "setup"])
    server, endpoint = start_moto()
    try:
        bucket = urllib.request.Request(f"{endpoint}/{BUCKET}", method="PUT")  # noqa: S310
        urllib.request.urlopen(bucket)  # noqa: S310
        aws = {
            "AWS_ENDPOINT_URL_S3": endpoint,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench-secret",
            "AWS_REGION": "us-east-1",
        }
        for store in ("local", "s3"):
            home = work / f"home-{store}"
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(work / "home", home)
            env = {
                **os.environ,
                **aws,
                "KENZEN_HOME": str(home),
                "KENZEN_EVENT_STORE": f"s3://{BUCKET}/events" if store == "s3" else "",
            }
            steps = {
                "import_orders": ["import", "orders", str(work / "orders.parquet")],
                "import_defects": ["import", "defects", str(work / "defects.parquet")],
                "metrics_full": ["metrics", "--as-of", AS_OF.isoformat(), "--full"],
                "compact": ["events", "compact"],
                "metrics_full_compacted": ["metrics", "--as-of", AS_OF.isoformat(), "--full"],
            }
            if store == "local":
                steps["migrate_to_s3"] = ["events", "migrate", "--to", f"s3://{BUCKET}/migrated"]
            figures = results[store] = {}
            for step, command in steps.items():
                moto_before = moto_cpu_seconds(server.pid)
                figures[step] = run([sys.executable, "-m", "kenzen", *command], env)
                figures[step]["moto_cpu_seconds"] = round(
                    moto_cpu_seconds(server.pid) - moto_before, 2
                )
        results["bucket_bytes"] = bucket_bytes(endpoint)
    finally:
        server.terminate()
        server.wait()
    for step in results["s3"]:
        for measure in ("seconds", "cpu_seconds"):
            local = results["local"][step][measure]
            ratio = results["s3"][step][measure] / local if local else 0.0
            results[f"s3_over_local_{step}_{measure}"] = round(ratio, 2)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
