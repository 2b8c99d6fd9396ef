"""What every command shares: one transaction per use case, one-line errors, printing.

Importing this module stays cheap (no database, no settings, no domain): the command
modules import it at the top, and ``kenzen --help`` imports every command module.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console

from kenzen.errors import KenzenError
from kenzen.i18n import DEFAULT, N_, Language, supported

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.orm import Session

    from kenzen.access import Actor
    from kenzen.db import Database
    from kenzen.policy.document import Policy

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

NOT_MIGRATED = N_("error.database_not_migrated")

P = ParamSpec("P")
R = TypeVar("R")

AsOption = Annotated[
    str | None,
    typer.Option("--as", help="Act as this user (email); without it, as the local operator."),
]


def language() -> Language:
    """The language the command speaks to its user: ``KENZEN_LANG``, else the language of
    the POSIX locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, as gettext reads them), else
    English. ``ja_JP.UTF-8`` is Japanese; ``C`` and anything Kenzen does not speak, English."""
    for name in ("KENZEN_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        if value := os.environ.get(name):
            return supported(value.partition(".")[0].partition("_")[0].lower())
    return DEFAULT


def fail(message: str) -> typer.Exit:
    """Print ``kenzen: message`` on stderr; raise the result to exit with status 2."""
    err.print(f"kenzen: {message}", markup=False, highlight=False)
    return typer.Exit(2)


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn domain errors into one line on stderr, in the user's language, and exit status 2."""

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except KenzenError as error:
            raise fail(error.in_language(language())) from None

    return run


def policy(path: Path | None = None) -> Policy:
    """The given policy file, or the one in force (KENZEN_POLICY, else Kenzen's default),
    found without the settings model."""
    from kenzen.locations import Locations
    from kenzen.policy.document import load_policy

    return load_policy(path or Locations.from_environment().policy)


def database(*, migrated: bool = True) -> Database:
    """The configured database; refused when its schema is behind the code, unless told.
    Its URL is read without the settings model, which a command may not need otherwise."""
    from kenzen.db import Database
    from kenzen.locations import Locations

    locations = Locations.from_environment()
    opened = Database(locations.resolved_database_url, events_dir=locations.events_dir)
    if migrated and opened.pending_migrations():
        opened.dispose()
        raise KenzenError(NOT_MIGRATED)
    return opened


def upgrade_database() -> None:
    """Create or migrate the configured database to the current schema: one transaction,
    so an upgrade that stopped is run again from where the database was."""
    opened = database(migrated=False)
    try:
        opened.upgrade()
    finally:
        opened.dispose()
    err.print("database is up to date", highlight=False)


def sqlite_reader() -> sqlite3.Connection | None:
    """The configured database opened read-only with the standard library when it is a
    SQLite file, for a command that only reads a few rows; ``None`` for any other database.
    Refused as ``database`` refuses when the schema is behind the code."""
    from kenzen.locations import Locations
    from kenzen.schema import open_read_only, sqlite_file

    path = sqlite_file(Locations.from_environment().resolved_database_url)
    if path is None:
        return None
    connection = open_read_only(path)
    if connection is None:
        raise KenzenError(NOT_MIGRATED)
    return connection


@contextmanager
def use_case(as_user: str | None) -> Iterator[tuple[Session, Actor]]:
    """One transaction, acting as ``as_user`` (or the local operator)."""
    opened = database()
    try:
        actor = acting_user(opened, as_user)
        with opened.transaction() as session:
            yield session, actor
        from kenzen.events import staging

        warn_unpublished(staging.unpublished(session))
    finally:
        opened.dispose()


def warn_unpublished(unpublished: list[str]) -> None:
    """Say on stderr what a command committed and could not yet publish in the history
    beside the events (:mod:`kenzen.events.staging`). The exit status stays 0: what the
    command was asked to do is committed, and the next run (or the worker's next round)
    publishes it without anybody running anything again."""
    if unpublished:
        err.print(
            "kenzen: warning: committed, but not yet published in the history: "
            f"{', '.join(unpublished)}; the next run or the worker's next round publishes it",
            markup=False,
            highlight=False,
        )


def acting_user(opened: Database, as_user: str | None) -> Actor:
    """The user named by ``--as``, or the local operator."""
    from kenzen.access import SYSTEM

    if as_user is None:
        return SYSTEM
    from kenzen.identity import service as identity

    with opened.transaction() as session:
        return identity.find_user(session, as_user).as_actor()


def print_rows(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """A table on a terminal; tab-separated lines (header first) for scripts and pipes."""
    if not rows:
        return
    if out.is_terminal:
        from rich.table import Table

        table = Table(*header)
        for row in rows:
            table.add_row(*row)
        out.print(table)
        return
    for row in (header, *rows):
        print("\t".join(row))
