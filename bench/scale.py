"""Benchmark of the event store and the metrics end to end, each beside its baseline.

A benchmark, not a test. On the files of ``bench/metrics.py`` (same generator, same seed)
it times, in one run and on the same files:

- ``kenzen import orders orders.parquet`` (the command, start-up included) against a
  plain DuckDB rewrite of the same file into Parquet, one scan of it evaluating the
  store's validation rules, and a byte copy of it (``--import-only`` stops there);
- ``kenzen metrics --full`` (start-up, compute, storing every snapshot: the Parquet history
  and the database's latest values) against one raw DuckDB query computing the same
  numbers (every metric and each seller's order volume: the query ``kenzen`` runs) over
  the same Parquet files, as wall-clock and as CPU ratios. The raw query runs as a process
  like ``kenzen``'s: the interpreter, DuckDB, the query, its result written as Parquet;
- the same metrics on Spark ``local[2]`` (session start-up apart), checked equal;
- with ``--steps``, the CPU seconds of each step of ``metrics --full`` (its functions
  called in turn in one process).

Every command runs as its own process; its CPU time and peak RSS come from ``wait4``
(Linux counts in a child's peak the memory of the parent it was forked from, so this
script's own process only starts processes and imports nothing heavy; the work of its
phases runs in children, too).
The 1-minute load average is recorded with each figure (the machine is shared)::

    python bench/scale.py --orders 10000000 --sellers 50000 --workdir /tmp/kenzen-scale
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

BENCH = Path(__file__).parent
AS_OF = date(2024, 11, 30)
TIME_ZONES = {"A1VC38T7YXB528": "Asia/Tokyo", "ATVPDKIKX0DER": "America/Los_Angeles"}


def run(command: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command; its wall and CPU seconds, peak RSS and the load average before."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err)  # noqa: S603
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().strip(), err.read().strip()
    if process.returncode:
        raise RuntimeError(f"{command}: {stderr[-2000:]}")
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "load_average": round(load, 1),
        "stdout": stdout.splitlines()[-1:],
        "stderr": stderr.splitlines()[-1:],
    }


def kenzen(home: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, "KENZEN_HOME": str(home)}
    return run([sys.executable, "-m", "kenzen", *args], env)


def phase(name: str, work: Path) -> dict[str, Any]:
    """This script's own phases, each in a process of its own (for its peak RSS)."""
    output = run([sys.executable, __file__, "--workdir", str(work), "--phase", name])["stdout"]
    figures: dict[str, Any] = json.loads(output[0])
    return figures


def phase_setup(work: Path) -> dict[str, Any]:
    """An empty Kenzen home with the two marketplaces and the generated sellers."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    home = work / "home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    kenzen(home, "db", "upgrade")
    for marketplace_id, zone in TIME_ZONES.items():
        kenzen(home, "marketplace", "add", "--id", marketplace_id, "--name", marketplace_id,
               "--timezone", zone, "--currency", "JPY", "--language", "ja")  # fmt: skip
    sellers = pq.read_table(work / "sellers.parquet")
    count = sellers.num_rows
    table = sellers.append_column("name", sellers["seller_id"])
    table = table.append_column(
        "email", pa.array([f"{s}@example.com" for s in sellers["seller_id"].to_pylist()])
    )
    table = table.append_column("language", pa.array(["ja"] * count))
    table = table.append_column("registered_at", pa.array(["2020-01-01T00:00:00Z"] * count))
    pcsv.write_csv(table, work / "sellers.csv")
    return kenzen(home, "import", "sellers", str(work / "sellers.csv"))


def phase_rewrite(work: Path) -> dict[str, Any]:
    """The import's baselines on the orders file: a plain DuckDB rewrite into Parquet, one
    scan evaluating every validation rule of the store (its own SQL), a byte copy."""
    import duckdb

    from kenzen.events.formats import event_format
    from kenzen.events.readers import SOURCE, configure, register_source
    from kenzen.events.validation import build_plan, source_types

    load = os.getloadavg()[0]
    con = duckdb.connect(config={"threads": 2, "memory_limit": "1GB"})
    configure(con)
    orders, target = work / "orders.parquet", work / "rewrite.parquet"

    def timed(work: Any) -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        work()
        return time.perf_counter() - started, time.process_time() - cpu

    rewrite = timed(
        lambda: con.execute(
            f"COPY (SELECT * FROM read_parquet('{orders}')) TO '{target}' (FORMAT parquet)"
        )
    )
    register_source(con, "orders", orders, "parquet")
    plan = build_plan(event_format("orders"), SOURCE, source_types(con, SOURCE), keys_unique=True)
    invalid = f"SELECT count(*) FILTER (WHERE {plan.invalid}) FROM ({plan.parsed})"
    scan = timed(lambda: con.execute(invalid).fetchall())
    copy = timed(lambda: shutil.copyfile(orders, target))
    target.unlink()
    return {
        "duckdb_rewrite_seconds": round(rewrite[0], 2),
        "duckdb_rewrite_cpu_seconds": round(rewrite[1], 2),
        "validating_scan_seconds": round(scan[0], 2),
        "validating_scan_cpu_seconds": round(scan[1], 2),
        "byte_copy_seconds": round(copy[0], 2),
        "byte_copy_cpu_seconds": round(copy[1], 2),
        "load_average": round(load, 1),
    }


#: The raw baseline as a process of its own, like ``kenzen metrics``: the interpreter, DuckDB,
#: the query over the store's Parquet files, its result written as Parquet (``kenzen``
#: stores its result too). It prints the CPU seconds of the query alone, for reference.
RAW_QUERY = """
import sys, time
import duckdb
con = duckdb.connect(config={"threads": 2, "memory_limit": "1GB",
                             "preserve_insertion_order": False})
con.execute("SET TimeZone = 'UTC'")
views, query, target = sys.argv[1:4]
con.execute(open(views, encoding="utf-8").read())
cpu = time.process_time()
con.execute(f"COPY ({open(query, encoding='utf-8').read()}) TO '{target}' (FORMAT parquet)")
print(round(time.process_time() - cpu, 2))
"""


def phase_raw_query(work: Path) -> dict[str, Any]:
    """Write the raw baseline's views and query (the text ``kenzen metrics`` runs: the
    metrics and each seller's order volume, one query) for :data:`RAW_QUERY`."""
    from kenzen.events.segments import STORED_KINDS
    from kenzen.events.store import EventStore
    from kenzen.events.validation import lit
    from kenzen.metrics.engine import _render

    with EventStore(work / "home" / "events") as store:
        files = {kind: store.segment_paths(kind)[0] for kind in STORED_KINDS}
    listed = {kind: ", ".join(lit(str(p)) for p in paths) for kind, paths in files.items()}
    views = "; ".join(
        f"CREATE VIEW {kind} AS SELECT * FROM read_parquet([{paths}])"
        for kind, paths in listed.items()
    )
    (work / "raw_views.sql").write_text(views, "utf-8")
    (work / "raw_query.sql").write_text(_render(AS_OF, TIME_ZONES, None, None), "utf-8")
    return {}


def raw_query(work: Path) -> dict[str, Any]:
    """The raw DuckDB query as a process (its result in ``raw_metrics.parquet``)."""
    phase("raw_query", work)
    figures = run(
        [sys.executable, "-c", RAW_QUERY, str(work / "raw_views.sql"),
         str(work / "raw_query.sql"), str(work / "raw_metrics.parquet")]
    )  # fmt: skip
    figures["query_cpu_seconds"] = float(figures.pop("stdout")[0])
    return figures


def phase_spark(work: Path) -> dict[str, Any]:
    """The same metrics on Spark local[2]; equal to the raw query's rows."""
    import pyarrow.parquet as pq

    from kenzen.events.store import EventStore
    from kenzen.metrics.engine import COMPUTED_SCHEMA, compute_metrics_and_volumes
    from kenzen.metrics.spark import SparkEvents, spark_session

    load = os.getloadavg()[0]
    started = time.perf_counter()
    with EventStore(work / "home" / "events") as store, spark_session("local[2]") as spark:
        session_seconds = time.perf_counter() - started
        started = time.perf_counter()
        table = compute_metrics_and_volumes(SparkEvents(spark, store), AS_OF, TIME_ZONES)
        seconds = time.perf_counter() - started
    raw = pq.read_table(work / "raw_metrics.parquet").cast(COMPUTED_SCHEMA)
    return {
        "session_start_seconds": round(session_seconds, 2),
        "seconds": round(seconds, 2),
        "load_average": round(load, 1),
        "rows": table.num_rows,
        "equal_to_raw_duckdb": table.equals(raw),
    }


def phase_steps(work: Path) -> dict[str, Any]:
    """CPU seconds of each step of ``metrics --full``, the service's functions called in
    turn in this process (a rerun of the date: the same values, so nobody is marked; the
    command overlaps the history and the database, here they run one after the other)."""
    from sqlalchemy import select

    started = time.process_time()
    laps: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal started
        now = time.process_time()
        laps[name] = round(now - started, 2)
        started = now

    from kenzen.db import Database
    from kenzen.events.store import EventStore
    from kenzen.metrics import service
    from kenzen.metrics.engine import COUNTS_TABLE, compute_counts
    from kenzen.sellers.models import Marketplace

    lap("imports")
    home = work / "home"
    database = Database(f"sqlite:///{home / 'kenzen.db'}", events_dir=home / "events")
    with database.transaction() as session, EventStore(home / "events") as store:
        zones = dict(session.execute(select(Marketplace.id, Marketplace.time_zone)).all())
        lap("open")
        steps = compute_counts(store, AS_OF, zones)
        lap("metrics query: each seller's counts and order volume")
        latest = store.con.execute(steps.latest).fetchall()
        lap("per-seller rows (JSON and fingerprint, DuckDB)")
        for table, staged in service._stage_history(store, AS_OF, steps, "*"):
            table.publish([staged])
        store.con.execute(f"DROP TABLE {COUNTS_TABLE}")
        lap("Parquet history (metric rows, order volumes)")
        service._store_latest(session, latest)
        lap("database: stage, mark, replace")
    lap("commit")
    return {"cpu_seconds": laps, "load_average": round(os.getloadavg()[0], 1)}


PHASES = {
    "setup": phase_setup,
    "rewrite": phase_rewrite,
    "raw_query": phase_raw_query,
    "spark": phase_spark,
    "steps": phase_steps,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--sellers", type=int, default=50_000)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--reuse-files", action="store_true", help="skip generating files")
    parser.add_argument("--spark", action="store_true", help="also time Spark local[2]")
    parser.add_argument(
        "--import-only", action="store_true", help="time the orders import and its baselines only"
    )
    parser.add_argument(
        "--steps", action="store_true", help="also time each step of metrics --full"
    )
    parser.add_argument(
        "--metrics-only",
        action="store_true",
        help="reuse the imported store of an earlier run: time only the metrics and baseline",
    )
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    work: Path = args.workdir
    if args.phase:
        print(json.dumps(PHASES[args.phase](work)))
        return
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"orders": args.orders, "sellers": args.sellers}
    if not (args.reuse_files and (work / "orders.parquet").exists()):
        results["generate"] = run(
            [sys.executable, str(BENCH / "metrics.py"), "--phase", "generate",
             "--orders", str(args.orders), "--sellers", str(args.sellers),
             "--text-orders", "1000", "--workdir", str(work)]
        )  # fmt: skip
    home = work / "home"
    if not args.metrics_only:
        results["setup"] = phase("setup", work)
        results["import_orders"] = kenzen(home, "import", "orders", str(work / "orders.parquet"))
        results["import_orders"]["rows_per_s"] = round(
            args.orders / results["import_orders"]["seconds"]
        )
        baselines = results["import_orders_baselines"] = phase("rewrite", work)
        results["import_over_validating_scan_cpu"] = round(
            results["import_orders"]["cpu_seconds"] / baselines["validating_scan_cpu_seconds"], 2
        )
        if args.import_only:
            print(json.dumps(results, indent=1))
            return
        results["import_defects"] = kenzen(home, "import", "defects", str(work / "defects.parquet"))
    results["metrics_full"] = kenzen(home, "metrics", "--as-of", AS_OF.isoformat(), "--full")
    results["raw_duckdb_query"] = raw_query(work)
    for measure, suffix in (("seconds", ""), ("cpu_seconds", "_cpu")):
        results[f"metrics_full_over_raw{suffix}"] = round(
            results["metrics_full"][measure] / results["raw_duckdb_query"][measure], 2
        )
    if args.steps:
        results["metrics_full_steps"] = phase("steps", work)
    results["help"] = kenzen(home, "--help")
    if args.spark:
        results["spark_local_2"] = phase("spark", work)
        results["spark_over_raw"] = round(
            results["spark_local_2"]["seconds"] / results["raw_duckdb_query"]["seconds"], 1
        )
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
