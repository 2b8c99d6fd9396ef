"""Benchmark of the metrics engine: import rate per format, full and incremental compute,
peak memory, and a straightforward pandas implementation of the same metrics.

A benchmark, not a test. Each phase runs in its own process so that its peak RSS
(``resource.getrusage``) is its own::

    python bench/metrics.py --orders 10000000 --sellers 50000 --text-orders 1000000

The event generator is deterministic (``--seed``). Besides wall-clock seconds it records
process CPU seconds and the 1-minute load average at the start of each phase: on a shared
machine the wall clock depends on what else runs, the CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from kenzen.events.store import EventStore
from kenzen.metrics.definitions import targets_for
from kenzen.metrics.engine import compute_metrics
from kenzen.metrics.values import window

AS_OF = date(2024, 11, 30)
TIME_ZONES = {"A1VC38T7YXB528": "Asia/Tokyo", "ATVPDKIKX0DER": "America/Los_Angeles"}
DAY_US = 86_400_000_000
HISTORY_DAYS = 120
TS = pa.timestamp("us", tz="UTC")


def _ids(prefix: str, numbers: np.ndarray[Any, Any]) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def _ts(values: np.ndarray[Any, Any], mask: np.ndarray[Any, Any] | None = None) -> pa.Array:
    return pa.array(values, type=pa.int64(), mask=mask).cast(TS)


def sellers_table(sellers: int) -> pa.Table:
    """Seller ids and marketplaces: 70 % Japan, 30 % US."""
    numbers = np.arange(sellers)
    marketplaces = np.where(numbers % 10 < 7, "A1VC38T7YXB528", "ATVPDKIKX0DER")
    return pa.table({"seller_id": _ids("S", numbers), "marketplace_id": pa.array(marketplaces)})


def generate_orders(
    rng: np.random.Generator, first: int, count: int, sellers: pa.Table, seller_index: Any = None
) -> pa.Table:
    """``count`` orders over the 120 days up to the as-of date, ids from ``first``."""
    end = int(datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=UTC).timestamp()) * 10**6
    end += DAY_US
    seller = (
        rng.integers(0, sellers.num_rows, count)
        if seller_index is None
        else rng.choice(seller_index, count)
    )
    purchased = end - rng.integers(0, HISTORY_DAYS * DAY_US, count)
    merchant = rng.random(count) < 0.6
    cancelled = rng.random(count) < 0.03
    shipped = ~cancelled & (rng.random(count) < 0.98)
    ship_delay = rng.gamma(2.0, 0.5, count) * DAY_US
    ship_by = purchased + 2 * DAY_US
    shipped_at = purchased + ship_delay.astype(np.int64)
    tracked = shipped & merchant & (rng.random(count) < 0.96)
    scanned = tracked & (rng.random(count) < 0.97)
    delivered = shipped & (rng.random(count) < 0.97)
    delivered_at = shipped_at + rng.integers(DAY_US, 6 * DAY_US, count)
    cancelled_by = np.array(["seller", "buyer", "marketplace", "system"])[rng.integers(0, 4, count)]
    return pa.table(
        {
            "order_id": _ids("O", np.arange(first, first + count)),
            "seller_id": sellers["seller_id"].take(pa.array(seller)),
            "marketplace_id": sellers["marketplace_id"].take(pa.array(seller)),
            "purchased_at": _ts(purchased),
            "fulfillment": pa.array(np.where(merchant, "merchant", "marketplace")),
            "ship_by": _ts(ship_by, ~merchant),
            "shipped_at": _ts(shipped_at, ~shipped),
            "tracking_id": pa.array(
                np.char.add("T", np.arange(first, first + count).astype(str)), mask=~tracked
            ),
            "first_scan_at": _ts(shipped_at + DAY_US // 2, ~scanned),
            "deliver_by": _ts(purchased + 5 * DAY_US, ~merchant),
            "delivered_at": _ts(delivered_at, ~delivered),
            "cancelled_at": _ts(purchased + DAY_US // 4, ~cancelled),
            "cancelled_by": pa.array(cancelled_by, mask=~cancelled),
            "units": pa.array(1 + rng.poisson(0.3, count), pa.int32()),
            "updated_at": _ts(purchased + 10 * DAY_US),
        }
    )


def generate_defects(
    rng: np.random.Generator, orders: pa.Table, first: int, rate: float
) -> pa.Table:
    """Feedback, claims and chargebacks on a fraction ``rate`` of ``orders``."""
    picked = np.flatnonzero(rng.random(orders.num_rows) < rate)
    count = len(picked)
    kind = rng.choice(
        np.array(["feedback", "a_to_z_claim", "chargeback"]), count, p=[0.6, 0.3, 0.1]
    )
    statuses = {
        "feedback": np.array(["active", "removed"]),
        "a_to_z_claim": np.array(["open", "granted", "denied", "withdrawn"]),
        "chargeback": np.array(["open", "lost", "reversed"]),
    }
    status = np.empty(count, dtype=object)
    for name, values in statuses.items():
        where = kind == name
        status[where] = values[rng.integers(0, len(values), where.sum())]
    occurred = orders["purchased_at"].take(pa.array(picked)).cast(pa.int64()).to_numpy()
    occurred = occurred + rng.integers(DAY_US, 30 * DAY_US, count)
    return pa.table(
        {
            "defect_id": _ids("D", np.arange(first, first + count)),
            "order_id": orders["order_id"].take(pa.array(picked)),
            "kind": pa.array(kind),
            "occurred_at": _ts(occurred),
            "rating": pa.array(rng.integers(1, 6, count), pa.int32(), mask=kind != "feedback"),
            "status": pa.array(status.astype(str)),
            "updated_at": _ts(occurred + DAY_US),
        }
    )


def phase_generate(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    rng = np.random.default_rng(args.seed)
    sellers = sellers_table(args.sellers)
    pq.write_table(sellers, work / "sellers.parquet")
    started = time.perf_counter()
    chunk = 2_000_000
    orders_writer = pq.ParquetWriter(
        work / "orders.parquet", generate_orders(rng, 0, 1, sellers).schema
    )
    defects_writer: pq.ParquetWriter | None = None
    defects = 0
    for first in range(0, args.orders, chunk):
        orders = generate_orders(rng, first, min(chunk, args.orders - first), sellers)
        orders_writer.write_table(orders)
        found = generate_defects(rng, orders, defects, 0.02)
        defects += found.num_rows
        defects_writer = defects_writer or pq.ParquetWriter(work / "defects.parquet", found.schema)
        defects_writer.write_table(found)
        if first == 0:
            text = orders.slice(0, args.text_orders)
            pcsv.write_csv(text, work / "orders.csv")
            con = duckdb.connect()
            con.execute("SET TimeZone = 'UTC'")
            con.register("text", text)
            con.execute(f"COPY text TO '{work / 'orders.jsonl'}' (FORMAT json)")
            con.close()
    orders_writer.close()
    assert defects_writer is not None
    defects_writer.close()
    # The increment: ~100 sellers get new orders, updated orders and new defects.
    touched = rng.choice(args.sellers, 100, replace=False)
    new = generate_orders(rng, args.orders, 2_000, sellers, touched)
    stored = pq.read_table(
        work / "orders.parquet", filters=[("seller_id", "in", [f"S{i}" for i in touched])]
    )
    updates = stored.slice(0, 1_000)
    updates = updates.set_column(
        updates.schema.get_field_index("updated_at"),
        "updated_at",
        pc.add(updates["updated_at"], pa.scalar(timedelta(days=30))),
    )
    pq.write_table(
        pa.concat_tables([new, updates.cast(new.schema)]), work / "increment_orders.parquet"
    )
    pq.write_table(generate_defects(rng, new, defects, 0.05), work / "increment_defects.parquet")
    return {"seconds": time.perf_counter() - started, "orders": args.orders, "defects": defects}


def _known(work: Path) -> dict[str, str]:
    sellers = pq.read_table(work / "sellers.parquet")
    return dict(
        zip(sellers["seller_id"].to_pylist(), sellers["marketplace_id"].to_pylist(), strict=True)
    )


def _timed_import(
    store: EventStore, kind: str, path: Path, known: dict[str, str]
) -> dict[str, Any]:
    started, cpu = time.perf_counter(), time.process_time()
    outcome = store.import_file(kind, path, known_sellers=known)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    assert outcome.result is not None, outcome.validation.errors[:5]
    rows = outcome.validation.rows_read
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "rows_per_s": rows / seconds,
        "inserted": outcome.result.inserted,
        "updated": outcome.result.updated,
        "touched_sellers": len(outcome.result.touched_seller_ids),
    }


def phase_kenzen(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    known = _known(work)
    report: dict[str, Any] = {"load_average_at_start": os.getloadavg()[0]}
    for name in ("store", "store_csv", "store_jsonl"):  # a rerun starts from empty stores
        shutil.rmtree(work / name, ignore_errors=True)
    with EventStore(work / "store", memory_limit=args.memory_limit) as store:
        report["import_orders_parquet"] = _timed_import(
            store, "orders", work / "orders.parquet", known
        )
        report["import_defects_parquet"] = _timed_import(
            store, "defects", work / "defects.parquet", known
        )
        started, cpu = time.perf_counter(), time.process_time()
        full = compute_metrics(store, AS_OF, TIME_ZONES)
        report["full_compute_seconds"] = time.perf_counter() - started
        report["full_compute_cpu_seconds"] = time.process_time() - cpu
        report["metric_rows"] = full.num_rows
        pq.write_table(full, work / "kenzen_metrics.parquet")
        inc_orders = _timed_import(store, "orders", work / "increment_orders.parquet", known)
        inc_defects = _timed_import(store, "defects", work / "increment_defects.parquet", known)
        report["import_increment"] = {"orders": inc_orders, "defects": inc_defects}
        touched = set(_touched(store, work))
        started, cpu = time.perf_counter(), time.process_time()
        partial = compute_metrics(store, AS_OF, TIME_ZONES, touched)
        report["incremental_compute_seconds"] = time.perf_counter() - started
        report["incremental_compute_cpu_seconds"] = time.process_time() - cpu
        report["incremental_sellers"] = len(touched)
        report["incremental_metric_rows"] = partial.num_rows
        again = _timed_import(store, "orders", work / "increment_orders.parquet", known)
        report["reimport_increment_unchanged"] = again["inserted"] == again["updated"] == 0
    for fmt in ("csv", "jsonl"):
        with EventStore(work / f"store_{fmt}", memory_limit=args.memory_limit) as store:
            report[f"import_orders_{fmt}"] = _timed_import(
                store, "orders", work / f"orders.{fmt}", known
            )
    report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return report


def _touched(store: EventStore, work: Path) -> list[str]:
    """The sellers of the increment (what the import reported as touched)."""
    inc = pq.read_table(work / "increment_orders.parquet", columns=["seller_id"])
    return sorted(set(inc["seller_id"].to_pylist()))


def pandas_metrics(orders: pd.DataFrame, defects: pd.DataFrame) -> pd.DataFrame:
    """The same metrics, written the obvious way with pandas (no store, no SQL)."""
    targets = targets_for(AS_OF)
    tz = orders["marketplace_id"].map(TIME_ZONES)
    frames = []
    for marketplace, zone in TIME_ZONES.items():
        part = orders[tz == zone]

        def bound(day: date, zone: str = zone) -> pd.Timestamp:
            return pd.Timestamp(day.isoformat(), tz=zone).tz_convert("UTC")

        end = bound(AS_OF + timedelta(days=1))
        part = part[part["purchased_at"] < end].copy()
        d = defects[defects["occurred_at"] < end]
        negative = d[(d["kind"] == "feedback") & (d["rating"] <= 2) & (d["status"] != "removed")]
        claims = d[(d["kind"] == "a_to_z_claim") & ~d["status"].isin(["denied", "withdrawn"])]
        chargebacks = d[(d["kind"] == "chargeback") & (d["status"] != "reversed")]
        part["has_feedback"] = part["order_id"].isin(negative["order_id"])
        part["has_claim"] = part["order_id"].isin(claims["order_id"])
        part["has_chargeback"] = part["order_id"].isin(chargebacks["order_id"])
        merchant = part["fulfillment"] == "merchant"
        cancelled_before = (
            part["cancelled_at"].notna()
            & (part["cancelled_at"] < end)
            & (part["shipped_at"].isna() | (part["cancelled_at"] < part["shipped_at"]))
        )

        def in_window(column: str, key: str, part: pd.DataFrame = part) -> pd.Series[bool]:
            first, last = window(AS_OF, targets[key])
            return (part[column] >= bound(first)) & (part[column] < bound(last + timedelta(days=1)))

        defect = part["has_feedback"] | part["has_claim"] | part["has_chargeback"]
        late = (
            part["shipped_at"].isna()
            | (part["shipped_at"] >= end)
            | (part["shipped_at"] > part["ship_by"])
        )
        tracked = (
            merchant
            & part["tracking_id"].notna()
            & part["shipped_at"].notna()
            & (part["shipped_at"] < end)
        )
        on_time = (
            part["delivered_at"].notna()
            & (part["delivered_at"] < end)
            & (part["delivered_at"] <= part["deliver_by"])
        )
        valid = (
            part["tracking_id"].notna()
            & part["first_scan_at"].notna()
            & (part["first_scan_at"] < end)
        )
        rules = {
            "order_defect_rate_mfn": (
                in_window("purchased_at", "order_defect_rate_mfn") & merchant,
                defect,
                1,
            ),
            "order_defect_rate_afn": (
                in_window("purchased_at", "order_defect_rate_afn") & ~merchant,
                defect,
                1,
            ),
            "pre_fulfillment_cancel_rate": (
                in_window("purchased_at", "pre_fulfillment_cancel_rate") & merchant,
                part["cancelled_by"].isin(["seller", "system"]) & cancelled_before,
                1,
            ),
            "late_shipment_rate_10d": (
                in_window("ship_by", "late_shipment_rate_10d") & merchant & ~cancelled_before,
                late,
                1,
            ),
            "late_shipment_rate_30d": (
                in_window("ship_by", "late_shipment_rate_30d") & merchant & ~cancelled_before,
                late,
                1,
            ),
            "valid_tracking_rate": (
                in_window("shipped_at", "valid_tracking_rate") & merchant,
                valid,
                1,
            ),
            "on_time_delivery_rate": (
                in_window("deliver_by", "on_time_delivery_rate") & tracked,
                on_time,
                "units",
            ),
        }
        for key, (population, numerator, measure) in rules.items():
            weight = part["units"] if measure == "units" else 1
            counted = pd.DataFrame(
                {
                    "seller_id": part["seller_id"],
                    "denominator": population * weight,
                    "numerator": (population & numerator) * weight,
                }
            )
            grouped = counted.groupby("seller_id", observed=True)[
                ["numerator", "denominator"]
            ].sum()
            grouped["metric"] = key
            grouped["marketplace_id"] = marketplace
            frames.append(grouped.reset_index())
    return pd.concat(frames, ignore_index=True)


def phase_pandas(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    load_average = os.getloadavg()[0]
    started = time.perf_counter()
    orders = pd.read_parquet(work / "orders.parquet")
    defects = pd.read_parquet(work / "defects.parquet")
    loaded, cpu = time.perf_counter(), time.process_time()
    result = pandas_metrics(orders, defects)
    finished = time.perf_counter()
    compute_cpu = time.process_time() - cpu
    kenzen = pq.read_table(work / "kenzen_metrics.parquet").to_pandas()
    merged = kenzen.merge(
        result, on=["seller_id", "marketplace_id", "metric"], suffixes=("", "_pd")
    )
    same = (
        len(merged) == len(kenzen) == len(result)
        and (merged["numerator"] == merged["numerator_pd"]).all()
        and (merged["denominator"] == merged["denominator_pd"]).all()
    )
    return {
        "load_average_at_start": load_average,
        "load_seconds": loaded - started,
        "compute_seconds": finished - loaded,
        "compute_cpu_seconds": compute_cpu,
        "same_numbers_as_kenzen": bool(same),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


PHASES = {"generate": phase_generate, "kenzen": phase_kenzen, "pandas": phase_pandas}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--sellers", type=int, default=50_000)
    parser.add_argument(
        "--text-orders", type=int, default=1_000_000, help="rows in the CSV/JSONL files"
    )
    parser.add_argument("--seed", type=int, default=20240925)
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit")
    parser.add_argument("--workdir", type=Path, help="keep files here (default: a temp dir)")
    parser.add_argument(
        "--reuse-files",
        action="store_true",
        help="skip generation if --workdir already holds the generated files",
    )
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        if args.workdir is None:
            parser.error("--phase needs --workdir")
        args.workdir.mkdir(parents=True, exist_ok=True)
        print(json.dumps(PHASES[args.phase](args, args.workdir)))
        return
    with tempfile.TemporaryDirectory(prefix="kenzen-bench-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        results: dict[str, Any] = {}
        for phase in PHASES:
            if (
                phase == "generate"
                and args.reuse_files
                and (work / "increment_defects.parquet").exists()
            ):
                continue
            command = [
                sys.executable,
                __file__,
                *sys.argv[1:],
                "--phase",
                phase,
                "--workdir",
                str(work),
            ]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
            results[phase] = json.loads(output.strip().splitlines()[-1])
            print(phase, json.dumps(results[phase], indent=2), flush=True)
        ratio = results["pandas"]["compute_seconds"] / results["kenzen"]["full_compute_seconds"]
        cpu_ratio = (
            results["pandas"]["compute_cpu_seconds"] / results["kenzen"]["full_compute_cpu_seconds"]
        )
        print(f"pandas compute / kenzen full compute: {ratio:.1f}x (CPU time: {cpu_ratio:.1f}x)")


if __name__ == "__main__":
    main()
