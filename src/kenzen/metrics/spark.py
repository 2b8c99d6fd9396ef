"""The metrics on Apache Spark: the event store's Parquet files read in place by Spark.

:class:`SparkEvents` is a :class:`kenzen.metrics.engine.Queryable` like the embedded store:
it exposes the store's segments (minus superseded versions, the same anti-join DuckDB
runs) as Spark views ``orders`` and ``defects`` and runs the engine's queries after
SQLGlot translated them from DuckDB's dialect to Spark's (:func:`spark_sql`, the one
rendering of the query for Spark). Nothing is copied or exported: the driver reads the
manifest once, the executors read the Parquet files it names, and only the metric rows
(seven per seller) come back to Kenzen, which stores them as it does its own.

PySpark is an optional extra (``pip install 'kenzen[spark]'``); this module imports it
only when a session is built. Nothing is downloaded at run time: Parquet support is in
Spark's own jars.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO

import pyarrow as pa
import sqlglot

from kenzen.config import get_settings
from kenzen.errors import InvalidInput
from kenzen.events.formats import ColumnType, event_format
from kenzen.events.segments import STORED_KINDS, StoredKind
from kenzen.events.store import EngineFiles, EventStore
from kenzen.i18n import N_

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: The driver's log configuration: errors only (log4j's own file format).
DRIVER_LOG = Path(__file__).with_name("spark-log4j2.properties")

#: Settings every Kenzen session needs whatever the cluster: UTC, so timestamps compare
#: as the instants DuckDB compares; no web UI; Arrow for returning the result rows; a
#: driver that logs errors only from its start (the JVM reads the file before Spark's
#: own start-up warnings), so a pipe gets Kenzen's summary alone.
BASE_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={DRIVER_LOG.as_uri()}",
}


def spark_master(option: str | None) -> str:
    """Where the session runs: ``--master``, else ``KENZEN_SPARK_MASTER``, else ``local[2]``."""
    return option or get_settings().spark_master


def spark_conf(environ: Mapping[str, str]) -> dict[str, str]:
    """Spark settings from ``KENZEN_SPARK_CONF_<ANY_NAME>=key=value`` variables."""
    conf = {}
    for name, value in sorted(environ.items()):
        if not name.startswith("KENZEN_SPARK_CONF_"):
            continue
        key, sep, setting = value.partition("=")
        if not sep or not key.strip().startswith("spark."):
            raise InvalidInput(
                N_("error.metrics.expected_spark_key_value_got"), name=name, value=value
            )
        conf[key.strip()] = setting.strip()
    return conf


#: What the driver's JVM prints on stderr at every start whatever its log settings (Spark's
#: launcher always adds the incubating vector module; a Python driver is told the shell's
#: log level): held back, exactly these lines; anything else is passed on.
JVM_START_LINES = frozenset(
    {
        "WARNING: Using incubator modules: jdk.incubator.vector",
        'Setting default log level to "WARN".',
        "To adjust logging level use sc.setLogLevel(newLevel). "
        "For SparkR, use setLogLevel(newLevel).",
    }
)


def pass_on_jvm_stderr(jvm_stderr: IO[bytes], to: TextIO) -> None:
    """Copy the JVM's stderr to ``to``, line by line, but for :data:`JVM_START_LINES`."""
    for raw in iter(jvm_stderr.readline, b""):
        line = raw.decode(errors="replace")
        if line.rstrip("\r\n") not in JVM_START_LINES:
            to.write(line)
            to.flush()


def _start_jvm(settings: Mapping[str, str]) -> None:
    """Start the driver's JVM with its stderr read through :func:`pass_on_jvm_stderr`, unless one
    runs (an earlier session) or spark-submit started this process with its own."""
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway

    if getattr(SparkContext, "_gateway", None) is not None or "PYSPARK_GATEWAY_PORT" in os.environ:
        return
    gateway = launch_gateway(  # type: ignore[no-untyped-call]
        SparkConf().setAll(list(settings.items())), popen_kwargs={"stderr": subprocess.PIPE}
    )
    threading.Thread(
        target=pass_on_jvm_stderr,
        args=(gateway.proc.stderr, sys.stderr),
        name="jvm-stderr",
        daemon=True,
    ).start()
    SparkContext._ensure_initialized(gateway=gateway)


@contextmanager
def spark_session(
    master: str, conf: Mapping[str, str] = {}, app_name: str = "kenzen-metrics"
) -> Iterator[SparkSession]:
    """A Spark session on ``master`` (``local[2]``, ``spark://host:7077`` …), stopped after."""
    # PySpark warns on each Arrow conversion that it has not been certified with pandas 3;
    # Kenzen converts Arrow tables only, without pandas.
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InvalidInput(N_("error.metrics.engine_spark_needs_pyspark_pip_install")) from None
    settings = {**BASE_CONF, **conf, "spark.master": master, "spark.app.name": app_name}
    _start_jvm(settings)
    builder = SparkSession.builder
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    try:
        yield session
    finally:
        session.stop()


def _schema(kind: StoredKind) -> str:
    """The kind's columns as a Spark DDL schema, so empty and typed reads agree."""
    types = {
        ColumnType.STRING: "STRING",
        ColumnType.TIMESTAMP: "TIMESTAMP",
        ColumnType.INTEGER: "INT",
    }
    return ", ".join(f"`{c.name}` {types[c.type]}" for c in event_format(kind).columns)


def spark_sql(duckdb_sql: str) -> str:
    """A query of the engine (DuckDB's dialect) in Spark SQL's."""
    return sqlglot.transpile(duckdb_sql, read="duckdb", write="spark")[0]


class SparkEvents:
    """The store's live rows as Spark views; queries in DuckDB SQL, run by Spark.

    The files are fixed when the views are made, from one reading of the manifest, and
    so is :meth:`last_batch`: a run records the batch its input really held, and an
    import committed while Spark works is computed by the next incremental run."""

    def __init__(self, spark: SparkSession, store: EventStore) -> None:
        self.spark = spark
        self.files: EngineFiles = store.engine_files()
        for kind in STORED_KINDS:
            self._frame(kind).createOrReplaceTempView(kind)

    def last_batch(self) -> int:
        """The latest import whose events the views read."""
        return self.files.batch

    def _frame(self, kind: StoredKind) -> DataFrame:
        segments, superseded = self.files.segments[kind], self.files.superseded[kind]
        schema = _schema(kind)
        if not segments:
            return self.spark.createDataFrame([], schema)
        rows = self.spark.read.schema(schema).parquet(*segments)
        if not superseded:
            return rows
        key = event_format(kind).key
        gone = self.spark.read.parquet(*superseded).select(key, "updated_at")
        return rows.join(gone, on=[key, "updated_at"], how="left_anti")

    def query(self, sql: str) -> pa.Table:
        """Translate a DuckDB query to Spark SQL, run it, return the rows as Arrow."""
        frame: Any = self.spark.sql(spark_sql(sql))
        table: pa.Table = frame.toArrow()
        return table
