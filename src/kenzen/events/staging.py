"""Rows of the dated tables written inside a database transaction: staged while it runs,
published once it commits, deleted if it rolls back — the one way a use case writes the
metric snapshots, the order volumes and the daily ratings (:mod:`kenzen.events.dated`).

:func:`stage` writes the file (no reader sees it yet; :func:`track` takes a file staged
otherwise), inserts a
:class:`~kenzen.events.models.PendingPublication` row in the same transaction and ties the
file to the session: after the commit the files are published, table by table in the order
staged; after a rollback they are deleted (with the row, which never committed). A
transaction reads what it staged as if published (:func:`staged`, passed to
:meth:`~kenzen.events.dated.DatedTable.committed`).

What a committed transaction staged and did not publish (the process stopped between the
commit and the publication, or publishing failed) keeps its row: the next transaction that
stages, or that calls :func:`publish_pending` first (every metric run, so every worker
tick), publishes it — before anything it stages itself, so runs are published in the order
they committed — and deletes the row. Publishing is idempotent (a file already named is
skipped), so a row whose publication succeeded is deleted the same way, once.

A publication that fails after the commit cannot undo the commit: it is logged and
recorded in the session (:func:`unpublished`), which the command line reports.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from kenzen.db import utcnow
from kenzen.events.models import PendingPublication

if TYPE_CHECKING:
    import pyarrow as pa

    from kenzen.events.dated import DatedTable, Staged

log = logging.getLogger(__name__)

#: ``Session.info`` keys: what this transaction staged, in order (with its table); that it
#: published what earlier transactions left; what its commit failed to publish.
_STAGED = "kenzen.staging.staged"
_RECOVERED = "kenzen.staging.recovered"
_UNPUBLISHED = "kenzen.staging.unpublished"


def stage(
    session: Session, table: DatedTable, day: date, rows: pa.Table, *, scope: str | None
) -> Staged:
    """Write ``rows`` (all of date ``day``) as a run of ``scope`` in ``table``
    (:meth:`~kenzen.events.dated.DatedTable.stage`), published when this session's
    transaction commits, deleted if it rolls back."""
    publish_pending(session, table.directory.parent.parent)
    staged = table.stage(day, rows, scope=scope)
    track(session, table, staged)
    return staged


def track(session: Session, table: DatedTable, staged: Staged) -> None:
    """Tie a file staged in ``table`` to this session's transaction, as :func:`stage`
    does (for a file staged otherwise: the metric run stages with DuckDB in a thread of
    its own, then tracks its files in the session's thread)."""
    events_dir = table.directory.parent.parent  # <events>/history/<table>
    publish_pending(session, events_dir)
    session.info.setdefault(_STAGED, []).append((table, staged))
    session.add(
        PendingPublication(
            table=json.dumps(table.description()),
            staged=json.dumps(staged.as_json(events_dir)),
            staged_at=utcnow(),
        )
    )


def staged(session: Session) -> list[Staged]:
    """What this session's transaction staged, in order: it reads it before it commits."""
    return [s for _, s in session.info.get(_STAGED, [])]


def unpublished(session: Session) -> list[str]:
    """What this session's last commit staged and failed to publish (the next transaction
    that stages publishes it), each as ``<table> <date>``."""
    found: list[str] = session.info.get(_UNPUBLISHED, [])
    return found


def publish_pending(session: Session, events_dir: Path) -> None:
    """Publish what committed transactions staged and did not publish, and forget it; once
    per transaction, before it stages anything (later, it would find its own rows). A file
    that is gone (swept: see :data:`~kenzen.events.dated.SWEEP_AFTER_SECONDS`) is logged as
    lost: its rows must be computed again."""
    _tie(session)
    if session.info.get(_RECOVERED):
        return
    session.info[_RECOVERED] = True
    from kenzen.events.dated import DatedTable, Staged

    # rows another transaction is publishing are its to publish: skipped, not waited for
    pending = select(PendingPublication).order_by(PendingPublication.id)
    rows = list(session.scalars(pending.with_for_update(skip_locked=True)))
    if not rows:
        return
    waiting = []
    for row in rows:
        file = Staged.from_json(events_dir, json.loads(row.staged))
        waiting.append((DatedTable.described(file.directory, json.loads(row.table)), file))
    for table, files in _by_table(waiting):
        try:
            table.publish(files)
        except FileNotFoundError as error:
            log.error("lost from the history, to compute again: %s", error.filename)
    session.execute(
        delete(PendingPublication).where(PendingPublication.id.in_([r.id for r in rows]))
    )


def _tie(session: Session) -> None:
    """Publish after this session's commits and discard after its rollbacks."""
    if not event.contains(session, "after_commit", _publish_staged):
        event.listen(session, "after_commit", _publish_staged)
        event.listen(session, "after_rollback", _discard_staged)


def _publish_staged(session: Session) -> None:
    session.info.pop(_RECOVERED, None)
    failed: list[str] = []
    for table, files in _by_table(session.info.pop(_STAGED, [])):
        try:
            table.publish(files)
        except Exception:  # committed: the next transaction that stages publishes it
            log.exception("%s is published by the next run", table.directory)
            failed.extend(f"{table.directory.name} {s.day}" for s in files)
    session.info[_UNPUBLISHED] = failed


def _discard_staged(session: Session) -> None:
    session.info.pop(_RECOVERED, None)
    for table, files in _by_table(session.info.pop(_STAGED, [])):
        table.discard(files)


def _by_table(staged: Sequence[tuple[DatedTable, Staged]]) -> list[tuple[DatedTable, list[Staged]]]:
    """The staged files by table, each table's in the order staged."""
    tables: dict[Path, tuple[DatedTable, list[Staged]]] = {}
    for table, file in staged:
        tables.setdefault(table.directory.resolve(), (table, []))[1].append(file)
    return list(tables.values())
