"""Backup and restore of an installation: ``kenzen backup PATH`` and ``kenzen restore PATH``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kenzen.cli.support import AsOption, acting_user, database, err, user_errors

commands = typer.Typer()
"""``backup`` and ``restore``, merged into the top level of ``kenzen``."""


@commands.command()
@user_errors
def backup(
    path: Annotated[Path, typer.Argument(help="A new (or empty) directory for the backup.")],
    as_user: AsOption = None,
) -> None:
    """Copy the database and the event store, consistently, also while the server runs
    (the orders and defects only when they are kept under KENZEN_HOME)."""
    from kenzen import backup as backups
    from kenzen.config import get_settings

    settings = get_settings()
    opened = database(migrated=False)
    try:
        summary = backups.backup(opened, settings.events_dir, path, acting_user(opened, as_user))
    finally:
        opened.dispose()
    err.print(
        f"backup written to {path}: {summary.backend} database at revision {summary.revision}, "
        f"{summary.event_files} event store files",
        highlight=False,
    )
    if settings.event_store:
        err.print(
            f"backup: the orders and defects at {settings.event_store} (KENZEN_EVENT_STORE) "
            "are not copied; keep that store's own versions or copies (docs/events.md)",
            highlight=False,
        )


@commands.command()
@user_errors
def restore(
    path: Annotated[Path, typer.Argument(help="A directory written by `kenzen backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite a database or event store holding data.")
    ] = False,
) -> None:
    """Bring back a backup (stop the server first) and migrate it to the current schema."""
    from kenzen import backup as backups
    from kenzen.access import SYSTEM
    from kenzen.config import get_settings

    opened = database(migrated=False)
    try:
        summary = backups.restore(path, opened, get_settings().events_dir, SYSTEM, force=force)
    finally:
        opened.dispose()
    err.print(
        f"restored from {path}: database at revision {summary.revision}, "
        f"{summary.event_files} event store files",
        highlight=False,
    )
