"""The event store on disk: Parquet segments listed by one manifest.

Layout of a store (a local directory or an ``s3://bucket/prefix``, :mod:`kenzen.events.location`)::

    manifest.json                 the committed state; replaced whole, nothing else is
    orders/seg-000001-….parquet   rows of one import (or of a compaction), canonical schema
    defects/seg-….parquet
    superseded/orders-….parquet   (key, updated_at) of stored rows a later import replaced
    ingest/batch-000001.parquet   the sellers each import changed

Every file is written before the manifest names it and never changed afterwards, so a
reader (DuckDB here, Spark elsewhere) sees one consistent set of files. The live rows of a
kind are its segments minus the superseded versions: an anti-join on (key, updated_at)
with a small table, which both engines run as a hash join. Compaction rewrites the live
rows into segments sorted by purchase time, one per purchase month, and drops the
superseded lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from kenzen.events.formats import EventFormatError, event_format
from kenzen.events.location import (
    MANIFEST,
    TRASH,
    LocalDirectory,
    StoredFile,
    StoreLocation,
    to_trash,
)
from kenzen.events.validation import ident, lit
from kenzen.i18n import N_

__all__ = ["MANIFEST", "TRASH", "Manifest", "Segment", "to_trash"]

StoredKind = Literal["orders", "defects"]
STORED_KINDS: tuple[StoredKind, ...] = ("orders", "defects")
#: The DuckDB file of stores made before segments; ``kenzen events migrate`` converts it.
LEGACY_DATABASE = "events.duckdb"
#: The old file while it is being converted (:func:`kenzen.events.store.migrate_legacy`).
CONVERTING_DATABASE = LEGACY_DATABASE + ".converting"


@dataclass
class Segment:
    """One Parquet file of a kind; ``path`` is relative to the store directory."""

    path: str
    rows: int
    batch: int


@dataclass
class Manifest:
    """What the store holds: segments, superseded versions and the ingest log by batch."""

    batch: int = 0
    live: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STORED_KINDS, 0))
    segments: dict[str, list[Segment]] = field(
        default_factory=lambda: {kind: [] for kind in STORED_KINDS}
    )
    superseded: dict[str, list[str]] = field(
        default_factory=lambda: {kind: [] for kind in STORED_KINDS}
    )
    ingest: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        if not path.exists():
            refuse_legacy(directory)
            return cls()
        return cls.load_bytes(path.read_bytes())

    @classmethod
    def load_bytes(cls, committed: bytes) -> Manifest:
        """The manifest from the bytes of a ``manifest.json`` read once (a backup copies
        those very bytes and then the files they name)."""
        data = json.loads(committed.decode("utf-8"))
        return cls(
            batch=int(data["batch"]),
            live={k: int(n) for k, n in data["live"].items()},
            segments={k: [Segment(**s) for s in v] for k, v in data["segments"].items()},
            superseded={k: list(v) for k, v in data["superseded"].items()},
            ingest={int(b): str(p) for b, p in data["ingest"].items()},
        )

    def to_bytes(self) -> bytes:
        data: dict[str, Any] = asdict(self)
        data["ingest"] = {str(b): p for b, p in self.ingest.items()}
        return json.dumps(data, indent=1).encode("utf-8")

    def files(self, kind: StoredKind) -> list[str]:
        return [s.path for s in self.segments[kind]]

    def named_files(self) -> list[str]:
        """Every file the committed state consists of, relative to the store directory."""
        named = [path for kind in STORED_KINDS for path in self.files(kind)]
        named += [path for kind in STORED_KINDS for path in self.superseded[kind]]
        return named + list(self.ingest.values())


def unnamed(
    files: Iterable[StoredFile], named: set[str], now: datetime, grace: timedelta
) -> list[str]:
    """The files of writers that never committed: named by no manifest and written more
    than ``grace`` before ``now`` (both by the store's clock). A writer at work writes its
    files and commits within ``grace``, so none of its files is among them."""
    return sorted(f.name for f in files if f.name not in named and now - f.modified > grace)


def read_committed(location: StoreLocation) -> tuple[Manifest, str | None]:
    """The committed manifest (empty for a new store) and the version it was read at."""
    committed = location.read_manifest()
    if committed.content is not None:
        return Manifest.load_bytes(committed.content), committed.version
    if isinstance(location, LocalDirectory):
        refuse_legacy(location.directory)
    return Manifest(), None


def refuse_legacy(directory: Path) -> None:
    """A directory without a manifest may hold a store made before segments (or one whose
    conversion stopped before its end)."""
    if (directory / LEGACY_DATABASE).exists() or (directory / CONVERTING_DATABASE).exists():
        raise EventFormatError(
            N_("error.events.event_store_old_format"),
            directory=str(directory),
            legacy=LEGACY_DATABASE,
        )


def empty_relation(kind: StoredKind) -> str:
    """No rows, with the kind's columns and types."""
    fmt = event_format(kind)
    columns = ", ".join(f"CAST(NULL AS {c.sql_type}) AS {ident(c.name)}" for c in fmt.columns)
    return f"SELECT {columns} WHERE FALSE"


def live_relation(location: StoreLocation, manifest: Manifest, kind: StoredKind) -> str:
    """DuckDB SQL for the live rows of ``kind``: segments minus superseded versions."""
    files = manifest.files(kind)
    if not files:
        return empty_relation(kind)
    fmt = event_format(kind)
    columns = ", ".join(f"r.{ident(c)}" for c in fmt.column_names)
    segments = f"read_parquet([{', '.join(lit(location.path(f)) for f in files)}])"
    superseded = manifest.superseded[kind]
    if not superseded:
        return f"SELECT {columns} FROM {segments} AS r"
    key = ident(fmt.key)
    gone = f"read_parquet([{', '.join(lit(location.path(f)) for f in superseded)}])"
    return (
        f"SELECT {columns} FROM {segments} AS r ANTI JOIN {gone} AS x "
        f"ON x.{key} = r.{key} AND x.updated_at = r.updated_at"
    )
