"""Spark computes what the embedded engine computes, in local mode and on a cluster.

The events are :mod:`tests.metrics.edge_cases`: random orders on a 30-minute grid and
written rows for each edge of the definitions (every window border a microsecond before,
on and after, in Tokyo and Los Angeles; cancellations by each party; late and missing
scans; AFN and MFN; defects on cancelled orders; replaced versions of orders and defects,
which Spark drops with its anti-join; sellers with nothing in a window). The parity test
asserts that the stored events meet every one of those edges before comparing; the
embedded engine is checked against the plain-Python reference on them in
``test_edge_cases.py``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyspark
import pytest
from pyspark.sql import SparkSession
from sqlalchemy import func, select

from kenzen.access import SYSTEM
from kenzen.db import Database
from kenzen.events.store import EventStore
from kenzen.languages import Language
from kenzen.metrics import service
from kenzen.metrics.engine import COMPUTED_SCHEMA, compute_metrics, compute_metrics_and_volumes
from kenzen.metrics.history import snapshot_table
from kenzen.metrics.models import LatestSellerMetrics
from kenzen.metrics.spark import SparkEvents, spark_session
from kenzen.sellers.models import Marketplace, Seller
from tests.conftest import World
from tests.metrics.conftest import AS_OF, TIME_ZONES, batch, order
from tests.metrics.edge_cases import (
    BASE,
    edges_present,
    expected_edges,
    load_edge_cases,
)

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    """One JVM for the module: starting Spark costs more than the queries."""
    with spark_session("local[2]", {"spark.sql.shuffle.partitions": "2"}) as session:
        yield session


@pytest.fixture(scope="module")
def edge_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventStore]:
    with EventStore(tmp_path_factory.mktemp("spark") / "events") as store:
        load_edge_cases(store)
        yield store


def test_spark_local_matches_the_embedded_engine(
    spark: SparkSession, edge_store: EventStore
) -> None:
    assert sorted(expected_edges() - edges_present(edge_store)) == []
    embedded = compute_metrics_and_volumes(edge_store, AS_OF, TIME_ZONES)
    on_spark = compute_metrics_and_volumes(SparkEvents(spark, edge_store), AS_OF, TIME_ZONES)
    assert on_spark.schema == COMPUTED_SCHEMA
    assert on_spark.equals(embedded)
    assert len(set(embedded["fulfilled_orders"].to_pylist())) > 5  # order volumes vary
    statuses = set(embedded["status"].to_pylist())
    assert statuses == {"GOOD", "BAD", "NONE"}
    quiet = embedded.filter(pa.compute.equal(embedded["seller_id"], "S9"))
    assert set(quiet["status"].to_pylist()) == {"NONE"}
    some = {"S1", "S2", "S9", "nobody"}
    assert compute_metrics_and_volumes(
        SparkEvents(spark, edge_store), AS_OF, TIME_ZONES, some
    ).equals(compute_metrics_and_volumes(edge_store, AS_OF, TIME_ZONES, some))


def test_spark_reads_the_store_after_compaction(spark: SparkSession, tmp_path: Path) -> None:
    with EventStore(tmp_path / "events") as store:
        load_edge_cases(store, seed=5)
        before = compute_metrics(store, AS_OF, TIME_ZONES)
        store.compact()
        assert compute_metrics(SparkEvents(spark, store), AS_OF, TIME_ZONES).equals(before)


def test_an_import_committed_while_spark_works_is_computed_by_the_next_run(
    spark: SparkSession, world: World, store: EventStore
) -> None:
    """The run records the import batch its files held, not a later one: an import that
    commits after Spark fixed its input leaves its sellers to the next incremental run."""
    placed = datetime(2024, 11, 20, 3, tzinfo=UTC)
    assert store.upsert(batch("orders", [order("O1", placed, marketplace_id="JP")])).imported
    engine = SparkEvents(spark, store)
    late = order("O2", placed, seller_id="S2", marketplace_id="JP", shipped_at=None)
    assert store.upsert(batch("orders", [late])).imported
    with world.database.transaction() as session:
        summary = service.compute_snapshots(session, SYSTEM, store, AS_OF, engine=engine)
    assert summary.sellers == 1  # S1: S2's order came after the files were fixed
    with world.database.transaction() as session:
        summary = service.compute_snapshots(session, SYSTEM, store, AS_OF)
    assert (summary.full, summary.sellers) == (False, 1)
    stored = snapshot_table(store.directory).read(AS_OF, AS_OF).to_pylist()
    late_shipment = {
        r["seller_id"]: r["numerator"] for r in stored if r["metric"] == "late_shipment_rate_30d"
    }
    assert late_shipment == {"S1": 0, "S2": 1}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[str]:
    """A standalone master and one worker from the PySpark package, on loopback."""
    home = Path(pyspark.__file__).parent
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(tmp_path),
        "PYSPARK_PYTHON": sys.executable,
        "SPARK_MASTER_OPTS": "-Dspark.master.rest.enabled=false",
    }
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    spark_class = str(home / "bin" / "spark-class")
    logs = [tmp_path / "master.log", tmp_path / "worker.log"]
    commands = [
        [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
         "--port", str(port), "--webui-port", str(_free_port())],
        [spark_class, "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1",
         "--cores", "2", "--memory", "1g", "--webui-port", str(_free_port()),
         "--work-dir", str(tmp_path / "work")],
    ]  # fmt: skip
    processes = []
    try:
        for command, log in zip(commands, logs, strict=True):
            with log.open("w") as out:
                processes.append(
                    subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
                )
        deadline = time.monotonic() + 180
        while "Successfully registered with master" not in logs[1].read_text(errors="replace"):
            assert all(p.poll() is None for p in processes), logs[0].read_text()
            assert time.monotonic() < deadline, logs[0].read_text() + logs[1].read_text()
            time.sleep(0.5)
        yield url
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def test_kenzen_metrics_on_a_standalone_cluster(
    cluster: str, database: Database, tmp_path: Path
) -> None:
    """`kenzen metrics --engine spark --master spark://…` stores what embedded computes."""
    with EventStore(tmp_path / "events") as store:
        load_edge_cases(store)
        expected = compute_metrics(store, AS_OF, TIME_ZONES)
    with database.transaction() as session:
        for marketplace_id, zone in TIME_ZONES.items():
            session.add(
                Marketplace(id=marketplace_id, name=marketplace_id, time_zone=zone,
                            currency="JPY", language=Language.JA)
            )  # fmt: skip
        session.flush()
        columns = (expected[c].to_pylist() for c in ("seller_id", "marketplace_id"))
        placed = zip(*columns, strict=True)
        for seller_id, marketplace_id in sorted(set(placed)):
            session.add(
                Seller(id=seller_id, marketplace_id=marketplace_id, display_name=seller_id,
                       email=f"{seller_id.lower()}@example.com", language=Language.JA,
                       registered_at=BASE - timedelta(days=400))
            )  # fmt: skip
    env = {
        **os.environ,
        "KENZEN_DATABASE_URL": database.url,
        "KENZEN_HOME": str(tmp_path),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "KENZEN_SPARK_CONF_DRIVER": "spark.driver.host=127.0.0.1",
    }
    command = [sys.executable, "-m", "kenzen", "metrics", "--as-of", AS_OF.isoformat(),
               "--engine", "spark", "--master", cluster]  # fmt: skip
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    sellers = len(set(expected["seller_id"].to_pylist()))
    # A pipe gets the summary alone: no JVM start-up lines, no log, no warnings.
    (summary,) = done.stderr.splitlines()
    assert summary.startswith(
        f"metrics {AS_OF}: {sellers} sellers (all sellers), {expected.num_rows} rows"
    )
    assert done.stdout == ""
    history = snapshot_table(tmp_path / "events").read(AS_OF, AS_OF)
    stored = zip(
        *(history[c].to_pylist() for c in
          ("seller_id", "metric", "numerator", "denominator", "rate", "status")),
        strict=True,
    )  # fmt: skip
    with database.transaction() as session:  # and the latest values in the database
        latest = session.scalar(select(func.count()).select_from(LatestSellerMetrics))
        assert latest == sellers
    expected_rows = zip(
        *(expected[c].to_pylist() for c in
          ("seller_id", "metric", "numerator", "denominator", "rate", "status")),
        strict=True,
    )  # fmt: skip
    assert sorted(map(tuple, stored)) == sorted(expected_rows)
