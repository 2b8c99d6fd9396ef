"""Events and metrics: ``kenzen import``, ``kenzen metrics`` and ``kenzen report``."""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import ExitStack, closing
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from kenzen.cli.complaints import print_findings
from kenzen.cli.support import (
    AsOption,
    err,
    policy,
    sqlite_reader,
    upgrade_database,
    use_case,
    user_errors,
)

if TYPE_CHECKING:
    from kenzen.events.store import EventStore
    from kenzen.metrics.engine import HeadStart

commands = typer.Typer()
"""``import`` and ``metrics``, merged into the top level of ``kenzen``."""
report_app = typer.Typer(help="Reports in other systems' formats.", no_args_is_help=True)
events_app = typer.Typer(help="The columnar event store.", no_args_is_help=True)


@commands.command("import")
@user_errors
def import_(
    kind: Annotated[
        Literal["sellers", "orders", "defects", "listings"],
        typer.Argument(help="sellers, orders, defects or listings."),
    ],
    file: Annotated[Path, typer.Argument(help="CSV (header row), JSON Lines or Parquet.")],
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Import the valid rows; write the rejected ones beside FILE with reasons.",
        ),
    ] = False,
    encoding: Annotated[
        str | None,
        typer.Option(
            help="The encoding of a CSV or JSON Lines file that is not UTF-8 (e.g. cp932).",
        ),
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Import events or listings; importing the same file twice changes nothing."""
    if kind == "listings":
        from kenzen.complaints import brand_check

        with use_case(as_user) as (session, actor):
            rows, findings = brand_check.import_listings(session, actor, file)
            print_findings(findings)
        err.print(f"listings: {rows} imported, {len(findings)} brand finding(s)", highlight=False)
        return
    from kenzen.cli.progress import statement_progress
    from kenzen.config import get_settings
    from kenzen.events import service as events
    from kenzen.events.readers import rows_in_advance
    from kenzen.events.store import EventStore

    started = time.perf_counter()
    with (
        use_case(as_user) as (session, actor),
        EventStore.of(get_settings().locations) as store,
        statement_progress(
            err, f"importing {kind}", store.track_progress(), rows_in_advance(file)
        ) as finish,
    ):
        report = events.import_events(
            session, actor, store, kind, file, skip_invalid=skip_invalid, encoding=encoding
        )
        finish(report.rows_read)
    seconds = time.perf_counter() - started
    rate = report.rows_read / seconds if seconds > 0 else float(report.rows_read)
    err.print(
        f"{kind}: {report.rows_read} rows read, {report.inserted} inserted, "
        f"{report.updated} updated, {report.unchanged} unchanged, {report.error_count} rejected "
        f"in {seconds:.1f} s ({rate:,.0f} rows/s)",
        highlight=False,
    )
    if report.rejected_file is not None:
        for error in report.errors:
            err.print(f"  {error}", highlight=False, markup=False)
        err.print(f"rejected rows and reasons: {report.rejected_file}", highlight=False)


@commands.command()
@user_errors
def metrics(
    as_of: Annotated[
        datetime, typer.Option("--as-of", formats=["%Y-%m-%d"], help="The last day measured.")
    ],
    full: Annotated[
        bool, typer.Option("--full", help="Recompute every seller, not only those with new events.")
    ] = False,
    engine: Annotated[
        Literal["embedded", "spark"],
        typer.Option(help="embedded (DuckDB, in this process) or spark (a Spark cluster)."),
    ] = "embedded",
    master: Annotated[
        str | None,
        typer.Option(help="Spark master (default KENZEN_SPARK_MASTER, else local[2])."),
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Compute and store every seller's metric snapshot for a date."""
    from concurrent.futures import wait

    from kenzen.cli.progress import statement_progress
    from kenzen.events.store import EventStore
    from kenzen.locations import Locations

    started = time.perf_counter()
    with ExitStack() as stack:
        store = stack.enter_context(EventStore.of(Locations.from_environment()))
        orders = store.count("orders")
        # Spark's work is not DuckDB's to count: its line pulses with the time elapsed.
        share_done = store.track_progress() if engine == "embedded" else None
        head = None
        if engine == "embedded" and full and as_user is None:
            head = _head_start(store, as_of.date())
        if head is not None:
            stack.callback(wait, [head.counts])  # the store closes once it is done
        from kenzen.metrics import service as metrics_service

        session, actor = stack.enter_context(use_case(as_user))
        runner = None
        if engine == "spark":
            from kenzen.metrics.spark import SparkEvents, spark_conf, spark_master, spark_session

            spark = stack.enter_context(spark_session(spark_master(master), spark_conf(os.environ)))
            runner = SparkEvents(spark, store)
        with statement_progress(
            err, "computing metrics", share_done, orders, unit="orders"
        ) as finish:
            summary = metrics_service.compute_snapshots(
                session, actor, store, as_of.date(), full=full, engine=runner, started=head
            )
            finish(orders)
    seconds = time.perf_counter() - started
    rate = orders / seconds if seconds > 0 else float(orders)
    scope = "all sellers" if summary.full else "sellers with new events"
    err.print(
        f"metrics {summary.as_of}: {summary.sellers} sellers ({scope}), {summary.rows} rows "
        f"from {orders:,} orders in {seconds:.1f} s ({rate:,.0f} orders/s)",
        highlight=False,
    )


def _head_start(store: EventStore, as_of: date) -> HeadStart | None:
    """The operator's full run on SQLite reads the marketplaces with the standard library and
    starts computing every seller's counts before SQLAlchemy and the domain load
    (:func:`kenzen.metrics.engine.head_start`); the run checks them in its transaction."""
    reader = sqlite_reader()
    if reader is None:
        return None
    with closing(reader):
        zones = dict(reader.execute("SELECT id, time_zone FROM marketplaces").fetchall())
    if not zones:
        return None
    from kenzen.metrics.engine import head_start

    return head_start(store, as_of, zones)


@events_app.command("compact")
@user_errors
def events_compact(as_user: AsOption = None) -> None:
    """Merge the store's segments: one per purchase month, replaced versions dropped; then
    delete the files of writers killed before their commit, once a day old."""
    from kenzen.config import get_settings
    from kenzen.events import service as events
    from kenzen.events.store import EventStore

    with (
        use_case(as_user) as (session, actor),
        EventStore.of(get_settings().locations) as store,
    ):
        compaction = events.compact_store(session, actor, store)
    live = compaction.live
    err.print(f"compacted: {live['orders']} orders, {live['defects']} defects", highlight=False)
    if compaction.swept:
        err.print(
            f"swept: {len(compaction.swept)} files no manifest names (left by killed writers)",
            highlight=False,
        )


@events_app.command("migrate")
@user_errors
def events_migrate(
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Copy the local store to s3://bucket/prefix (or another directory); "
            "run it again to complete a copy that stopped.",
        ),
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Bring an existing home to the current layout, in one command that can be run again
    (also after a stop): the database upgraded first (as `kenzen db upgrade`: the metric
    snapshots it kept move into the Parquet history), then an event store of the old
    format (events.duckdb) converted into Parquet segments where KENZEN_EVENT_STORE puts
    them (when local; else in KENZEN_HOME/events); with --to, copy that local store there,
    then point KENZEN_EVENT_STORE at it."""
    upgrade_database()
    from kenzen.events import service as events
    from kenzen.events.store import local_store
    from kenzen.locations import Locations

    source = local_store(Locations.from_environment())
    if to is not None:
        with use_case(as_user) as (session, actor):
            migration = events.migrate_store_to(session, actor, source, to)
        copied = migration.live
        err.print(
            f"migrated: {copied['orders']} orders, {copied['defects']} defects to "
            f"{migration.destination} ({migration.copied} files copied); "
            f"set KENZEN_EVENT_STORE={migration.destination}",
            highlight=False,
        )
        return
    with use_case(as_user) as (session, actor):
        live = events.migrate_store(session, actor, source)
    if live is None:
        err.print("migrate: no event store to convert", highlight=False)
    else:
        err.print(f"migrated: {live['orders']} orders, {live['defects']} defects", highlight=False)


@report_app.command("sp-api")
@user_errors
def report_sp_api(
    seller: Annotated[str, typer.Option(help="Seller id.")],
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Default: the latest snapshot."),
    ] = None,
    as_user: AsOption = None,
) -> None:
    """Print the seller performance report as SP-API's GET_V2_SELLER_PERFORMANCE_REPORT."""
    from kenzen.health.report import performance_report

    day = as_of.date() if as_of else None
    # On SQLite, the local operator's report reads its few rows without SQLAlchemy: most of
    # the command's run otherwise (bench/startup.py).
    connection = sqlite_reader() if as_user is None else None
    if connection is not None:
        from kenzen.access import SYSTEM
        from kenzen.locations import Locations
        from kenzen.policy.sqlite_facts import SqliteFacts

        with closing(connection):
            connection.execute("BEGIN")  # every row of the same moment
            records = SqliteFacts(connection, Locations.from_environment().events_dir)
            document = performance_report(records, SYSTEM, policy(), seller, day)
    else:
        from kenzen.policy.records import SessionFacts

        with use_case(as_user) as (session, actor):
            document = performance_report(SessionFacts(session), actor, policy(), seller, day)
    print(json.dumps(document, ensure_ascii=False, indent=2))


@report_app.command("transparency")
@user_errors
def report_transparency(
    first: Annotated[str, typer.Option("--from", help="First day counted (YYYY-MM-DD, UTC).")],
    last: Annotated[str, typer.Option("--to", help="Last day counted (YYYY-MM-DD, UTC).")],
    output: Annotated[
        Literal["json", "csv"], typer.Option("--format", help="json or csv.")
    ] = "json",
    as_user: AsOption = None,
) -> None:
    """Print the transparency report of a period: notices, actions, decision times, appeal
    outcomes and reversals, counted from the records and the audit log."""
    from kenzen.transparency.service import transparency_report

    with use_case(as_user) as (session, actor):
        report = transparency_report(session, actor, first, last)
    if output == "csv":
        sys.stdout.write(report.csv())
    else:
        print(report.model_dump_json(indent=2))
