"""Running an installation: ``kenzen serve``, ``kenzen db upgrade`` and ``kenzen demo``."""

from __future__ import annotations

import os
import shutil
from collections.abc import MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kenzen.cli.support import (
    AsOption,
    database,
    err,
    policy,
    upgrade_database,
    use_case,
    user_errors,
)
from kenzen.errors import InvalidInput
from kenzen.i18n import N_

if TYPE_CHECKING:
    from kenzen.config import Settings

commands = typer.Typer()
"""``serve`` and ``demo``, merged into the top level of ``kenzen``."""
db_app = typer.Typer(help="The operational database.", no_args_is_help=True)


def tls_files(settings: Settings) -> tuple[Path, Path] | None:
    """The certificate and key to serve HTTPS with, or None for plain HTTP."""
    if settings.tls_cert is None and settings.tls_key is None:
        return None
    if settings.tls_cert is None or settings.tls_key is None:
        raise InvalidInput(N_("error.cli.kenzen_tls_cert_kenzen_tls_key"))
    for name, path in (
        ("KENZEN_TLS_CERT", settings.tls_cert),
        ("KENZEN_TLS_KEY", settings.tls_key),
    ):
        if not path.is_file():
            raise InvalidInput(N_("error.cli.not_file"), name=name, path=str(path))
    return settings.tls_cert, settings.tls_key


def share_counters(directory: Path, environ: MutableMapping[str, str] = os.environ) -> None:
    """Make every serving process count into ``directory``, so a scrape of /metrics, whichever
    process answers it, sees the requests of all of them (prometheus_client's multi-process
    mode). The directory is emptied first: counts of an earlier run would be added again. An
    operator's own PROMETHEUS_MULTIPROC_DIR is kept as it is."""
    if "PROMETHEUS_MULTIPROC_DIR" in environ:
        return
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


@commands.command()
@user_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Default: KENZEN_HOST or 127.0.0.1.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: KENZEN_PORT or 8000.")] = None,
) -> None:
    """Serve the API and the pages; over HTTPS when KENZEN_TLS_CERT and KENZEN_TLS_KEY are set.

    KENZEN_WORKERS processes (default: one per CPU core, at most 4) share the port."""
    import uvicorn

    from kenzen import logs
    from kenzen.config import get_settings
    from kenzen.web.app import NotMigrated

    settings = get_settings()
    tls = tls_files(settings)
    opened = database(migrated=False)
    pending = opened.pending_migrations()
    opened.dispose()
    if pending:
        raise NotMigrated(N_("error.database_not_migrated"))
    logs.configure()
    workers = settings.workers or min(os.cpu_count() or 1, 4)
    # each process builds its app from the environment, the number of processes included
    os.environ["KENZEN_WORKERS"] = str(workers)
    if workers > 1:
        share_counters(settings.metrics_dir)
    get_settings.cache_clear()
    uvicorn.run(
        "kenzen.web.app:served_app",
        factory=True,
        workers=workers,
        host=host or settings.host,
        port=port or settings.port,
        ssl_certfile=tls[0] if tls else None,
        ssl_keyfile=tls[1] if tls else None,
        # Kenzen writes its own JSON access lines, with the route template and request id.
        log_config=None,
        access_log=False,
    )


@db_app.command("upgrade")
@user_errors
def db_upgrade() -> None:
    """Create or migrate the database to the current schema (`kenzen events migrate` also
    converts an event store of the old format)."""
    upgrade_database()
    from kenzen.events.segments import LEGACY_DATABASE
    from kenzen.events.store import local_store
    from kenzen.locations import Locations

    store = local_store(Locations.from_environment())
    if (store / LEGACY_DATABASE).exists():
        err.print(
            f"the event store at {store} is of the old format: `kenzen events migrate` converts it",
            highlight=False,
        )


@commands.command()
@user_errors
def demo(
    seed: Annotated[int, typer.Option(help="Same seed, same demo.")] = 7,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the database holds data.")
    ] = False,
    as_user: AsOption = None,
) -> None:
    """Load the demo marketplace JP into an empty database."""
    from kenzen import demo as demo_data
    from kenzen.config import get_settings
    from kenzen.events.store import EventStore
    from kenzen.notify import service as notify
    from kenzen.notify.keys import Keyring

    with use_case(as_user) as (session, actor):
        if if_empty and demo_data.has_data(session):
            err.print("demo: the database already holds data; kept as it is", highlight=False)
            return
        with EventStore.of(get_settings().locations) as store:
            summary = demo_data.load_demo(session, actor, store, policy(), seed=seed)
        # The demo's mail is signed like a real marketplace's, so it can be verified.
        keyring = Keyring(get_settings().keys_dir)
        for algorithm in ("rsa", "ed25519"):
            notify.generate_dkim_key(
                session, actor, keyring, demo_data.DEMO_MARKETPLACE, algorithm=algorithm
            )
    err.print(
        f"demo loaded: {summary.sellers} sellers {summary.statuses}, {summary.listings} listings, "
        f"{summary.orders} orders, {summary.defects} defects, metrics for "
        f"{summary.snapshot_days} days; the policy changed {summary.changed_by_policy} sellers; "
        f"{summary.appeals} appeals, {summary.callbacks} callbacks",
        highlight=False,
    )
    err.print(
        f"demo users (password {demo_data.DEMO_PASSWORD!r}, demo only): "
        + ", ".join(email for email, _ in demo_data.DEMO_USERS),
        highlight=False,
    )
