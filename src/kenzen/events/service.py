"""Use case: import a file of sellers, orders or defects.

Sellers are accounts and live in the operational database; orders and defects go to the
columnar event store. Either way a file with any invalid row imports nothing unless the
caller asks to skip invalid rows, which are then written beside the input with reasons.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, get_args

import duckdb
import pyarrow as pa
import pyarrow.csv as pcsv
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from kenzen import access, telemetry
from kenzen.access import Action, Actor
from kenzen.errors import InvalidInput
from kenzen.events.encoding import to_utf8
from kenzen.events.formats import RowError
from kenzen.events.readers import detect_format, read_events, rejected_path, write_rejected
from kenzen.events.store import EventStore, Migration, migrate_legacy, migrate_to
from kenzen.events.validation import MAX_ERRORS
from kenzen.i18n import N_, Message
from kenzen.sellers import marks
from kenzen.sellers.models import Marketplace, Seller
from kenzen.sellers.status import AccountStatus

log = logging.getLogger("kenzen.events")

ImportKind = Literal["sellers", "orders", "defects"]
IMPORT_KINDS: tuple[ImportKind, ...] = get_args(ImportKind)


@dataclass(frozen=True)
class ImportReport:
    kind: ImportKind
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    error_count: int
    errors: list[RowError] = field(default_factory=list)
    rejected_file: Path | None = None


class ImportRejected(InvalidInput):
    """A file with invalid rows, imported not at all; ``errors`` lists the first ones."""

    def __init__(self, path: Path, errors: list[RowError], error_count: int) -> None:
        shown = "".join(f"\n  {e}" for e in errors)
        more = error_count - len(errors)
        super().__init__(
            Message(
                N_("error.events.import_rejected_more")
                if more
                else N_("error.events.import_rejected"),
                {"path": path.name, "count": error_count, "rows": shown, "more": more},
            )
        )
        self.errors = errors
        self.error_count = error_count


def import_events(
    session: Session,
    actor: Actor,
    store: EventStore,
    kind: ImportKind,
    path: Path,
    *,
    skip_invalid: bool = False,
    encoding: str | None = None,
) -> ImportReport:
    """Import ``path``; a text file in another encoding than UTF-8 is converted first when
    its ``encoding`` is named. Errors name the file's own lines, never the server's paths
    or queries."""
    access.authorize(actor, Action.IMPORT_EVENTS)
    if kind not in IMPORT_KINDS:
        raise InvalidInput(
            N_("error.events.kind_unknown"), kind=kind, kinds=", ".join(IMPORT_KINDS)
        )
    started = time.perf_counter()
    try:
        if encoding is None:
            report = _import(session, store, kind, path, path, skip_invalid)
        else:
            if detect_format(path) == "parquet":
                raise InvalidInput(N_("error.events.encoding_only_csv_json_lines_files"))
            with tempfile.TemporaryDirectory(dir=path.parent, prefix=".kenzen-") as folder:
                source = to_utf8(path, encoding, Path(folder))
                report = _import(session, store, kind, source, path, skip_invalid)
    except duckdb.Error:
        log.exception("import of %s failed in the event store", path.name)
        raise InvalidInput(
            N_("error.events.cannot_imported_value_cannot_stored"), path=path.name, kind=kind
        ) from None
    telemetry.imported(kind, report.rows_read, time.perf_counter() - started)
    session.add(
        access.record(
            actor,
            Action.IMPORT_EVENTS,
            f"events:{kind}",
            {
                "file": path.name,
                "rows": report.rows_read,
                "inserted": report.inserted,
                "updated": report.updated,
                "rejected": report.error_count,
            },
        )
    )
    return report


def _import(
    session: Session,
    store: EventStore,
    kind: ImportKind,
    source: Path,
    path: Path,
    skip_invalid: bool,
) -> ImportReport:
    """Read ``source`` (``path`` itself, or its UTF-8 copy); rejected rows go beside ``path``."""
    if kind == "sellers":
        report = _import_sellers(session, source, path, skip_invalid)
    else:
        known = dict(session.execute(select(Seller.id, Seller.marketplace_id)).all())
        before = store.last_batch()
        outcome = store.import_file(kind, source, known_sellers=known, skip_invalid=skip_invalid)
        validation = outcome.validation
        if outcome.result is None:
            raise ImportRejected(path, validation.errors, validation.error_count)
        report = ImportReport(
            kind=kind,
            rows_read=validation.rows_read,
            inserted=outcome.result.inserted,
            updated=outcome.result.updated,
            unchanged=outcome.result.unchanged,
            error_count=validation.error_count,
            errors=validation.errors,
            rejected_file=write_rejected(validation, path),
        )
        changed = store.sellers_changed_after(before)
        marks.mark_for_evaluation(session, changed, reason="events imported")
    return report


def _import_sellers(session: Session, source: Path, path: Path, skip_invalid: bool) -> ImportReport:
    """Sellers are accounts: new ones are added, known ones get their contact details."""
    batch = read_events("sellers", source)
    marketplaces = set(session.scalars(select(Marketplace.id)))
    existing = {s.id: s for s in session.scalars(select(Seller))}
    errors = list(batch.errors)
    rejected = batch.validation.rejected.to_pylist()
    fresh: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    unchanged = 0
    lines = batch.line_numbers.to_pylist()
    for line, row in zip(lines, batch.table.to_pylist(), strict=True):
        known = existing.get(row["seller_id"])
        problem = None
        if row["marketplace_id"] not in marketplaces:
            problem = f"unknown marketplace {row['marketplace_id']}"
        elif known is not None and known.marketplace_id != row["marketplace_id"]:
            problem = f"seller {known.id} belongs to marketplace {known.marketplace_id}"
        if problem is not None:
            errors.append(RowError(line, "marketplace_id", problem))
            values = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
            rejected.append({"line": line, "errors": f"marketplace_id: {problem}", **values})
            continue
        contact = {"display_name": row["name"], "email": row["email"], "language": row["language"]}
        if known is None:
            fresh.append(
                {
                    "id": row["seller_id"],
                    "marketplace_id": row["marketplace_id"],
                    "registered_at": row["registered_at"],
                    "status": AccountStatus.NORMAL,
                    **contact,
                }
            )
        elif (known.display_name, known.email, known.language.value) != tuple(contact.values()):
            changed.append({"id": known.id, **contact})
        else:
            unchanged += 1
    error_count = batch.error_count + len(errors) - len(batch.errors)
    errors.sort()
    if error_count and not skip_invalid:
        raise ImportRejected(path, errors[:MAX_ERRORS], error_count)
    if fresh:
        session.execute(insert(Seller), fresh)
    if changed:
        session.execute(update(Seller), changed)
    rejected_file = None
    if error_count:
        rejected_file = rejected_path(path)
        pcsv.write_csv(
            pa.Table.from_pylist(sorted(rejected, key=lambda r: r["line"])), rejected_file
        )
    return ImportReport(
        kind="sellers",
        rows_read=batch.validation.rows_read,
        inserted=len(fresh),
        updated=len(changed),
        unchanged=unchanged,
        error_count=error_count,
        errors=errors[:MAX_ERRORS],
        rejected_file=rejected_file,
    )


@dataclass(frozen=True)
class Compaction:
    live: dict[str, int]
    """The live rows per kind."""
    swept: list[str]
    """Files left by writers killed before their commit, now deleted."""


def compact_store(session: Session, actor: Actor, store: EventStore) -> Compaction:
    """Merge the store's segments, drop replaced versions and sweep what killed writers
    left (who may import may compact)."""
    access.authorize(actor, Action.IMPORT_EVENTS)
    compaction = Compaction(store.compact(), store.sweep_unnamed())
    detail = {**compaction.live, "swept": len(compaction.swept)}
    session.add(access.record(actor, Action.IMPORT_EVENTS, "events:compact", detail))
    return compaction


def migrate_store(session: Session, actor: Actor, directory: Path) -> dict[str, int] | None:
    """Convert a store of the old single-file format into segments (None: nothing to do)."""
    access.authorize(actor, Action.IMPORT_EVENTS)
    live = migrate_legacy(directory)
    if live is None:
        return None
    session.add(access.record(actor, Action.IMPORT_EVENTS, "events:migrate", live))
    return live


def migrate_store_to(
    session: Session, actor: Actor, directory: Path, destination: str
) -> Migration:
    """Copy the local store (converted first if it is of the old format) to
    ``destination``, e.g. ``s3://bucket/prefix``; the local store stays as it is."""
    access.authorize(actor, Action.IMPORT_EVENTS)
    migrate_store(session, actor, directory)
    migration = migrate_to(directory, destination)
    detail = {**migration.live, "destination": migration.destination, "copied": migration.copied}
    session.add(access.record(actor, Action.IMPORT_EVENTS, "events:migrate", detail))
    return migration
