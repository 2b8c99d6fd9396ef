"""Where an event store's segments and manifest live: a local directory or an object store.

The store (:mod:`kenzen.events.store`) needs few things of the place it writes to: a name
for each new file that DuckDB reads and writes itself, a file copied in or written from
bytes, a file deleted, and the manifest read and replaced as one commit. A local directory
does these with the file system; an ``s3://bucket/prefix`` does them with object requests
through s3fs, which DuckDB also reads and writes through (``register_filesystem``), so no
DuckDB extension is downloaded at run time.

Commits stay all-or-nothing on both. Segments are new, immutable files (objects) written
before the manifest names them. A local manifest is written beside the old one and
renamed over it, under an exclusive lock (``.lock``) that keeps one writer at a time. An
object store has neither rename nor lock: the manifest is replaced by one PUT that is
conditional on the version the writer read when it started (``If-Match`` its ETag,
``If-None-Match: *`` for a first commit), so of two writers the second is refused and
deletes what it wrote (:class:`ConcurrentWrite`); nothing is lost and nothing is doubled.

A writer killed before its commit leaves files no manifest names. They are found by
listing the store's folders (:meth:`StoreLocation.listing`) with their times as the store
itself stamped them, measured against the store's own clock (:meth:`StoreLocation.clock`:
a probe written and read back), never against this host's clock, which may differ from an
object store's.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from kenzen.errors import Conflict
from kenzen.i18n import N_

if TYPE_CHECKING:
    import duckdb

MANIFEST = "manifest.json"
#: Where a local store moves the files compaction replaced (an object store lists them in
#: ``trash/*.json`` and leaves them in place); emptied by the next compaction. A local
#: reader that has opened its files finishes its query (an open file survives the move);
#: one that only listed them, as a Spark job planned before the compaction, fails and is
#: run again (docs/events.md).
TRASH = "trash"
OBJECT_STORE_SCHEMES = ("s3",)
#: The folders whose files a committed manifest names (segments.py shows the layout).
DATA_FOLDERS = ("orders", "defects", "superseded", "ingest")
#: Where :meth:`StoreLocation.clock` writes its probe: a data folder, so that a probe left by
#: a killed process is swept like any other unnamed file.
PROBE_FOLDER = "ingest"


class ConcurrentWrite(Conflict):
    """Another writer committed to the same object-store prefix first."""


@dataclass(frozen=True)
class StoredFile:
    """A file as the store's listing shows it: its name relative to the store, when it was
    last written by the store's own clock, and its size in bytes."""

    name: str
    modified: datetime
    size: int


@dataclass(frozen=True)
class Committed:
    """The manifest's bytes and the version they were read at (None: no manifest yet)."""

    content: bytes | None
    version: str | None


class StoreLocation(Protocol):
    """The operations the event store performs on the place its files live."""

    uri: str
    """Where the store is, for messages (never holds credentials)."""
    spill_directory: Path
    """A local directory where DuckDB spills larger-than-memory work."""

    def attach(self, con: duckdb.DuckDBPyConnection) -> None:
        """Let DuckDB read and write :meth:`path` names on this connection."""

    def path(self, name: str) -> str:
        """The name DuckDB reads and writes for a file (relative to the store)."""

    def engine_uri(self, name: str) -> str:
        """The URI another engine (Spark) reads the file at."""

    def new_name(self, folder: str, stem: str) -> str:
        """A fresh, unique file name under ``folder``."""

    def put_file(self, source: Path, name: str) -> None: ...

    def put_bytes(self, name: str, content: bytes) -> None: ...

    def delete(self, name: str) -> None: ...

    def version(self) -> str | None:
        """The manifest's version now (cheap to ask before every query)."""

    def read_manifest(self) -> Committed: ...

    def replace_manifest(self, content: bytes, expected: str | None) -> None:
        """Commit: the new manifest replaces the one at version ``expected``, whole."""

    def writing(self) -> AbstractContextManager[None]:
        """Held for a whole write: what keeps other writers out, where there is such a thing."""

    def retire(self, names: list[str]) -> None:
        """Files the committed manifest no longer names: gone after the next :meth:`sweep`."""

    def sweep(self) -> None:
        """Delete what :meth:`retire` set aside."""

    def missing(self, names: list[str]) -> list[str]:
        """Those of ``names`` that are not there (a readiness check)."""

    def listing(self) -> list[StoredFile]:
        """Every file in :data:`DATA_FOLDERS` (and, locally, an unfinished manifest)."""

    def clock(self) -> datetime:
        """The store's time now, by the clock that stamps its files' times."""

    def set_aside(self) -> set[str]:
        """The files :meth:`retire` set aside in place, until the next :meth:`sweep`."""


def new_stem(folder: str, stem: str) -> str:
    return f"{folder}/{stem}-{uuid.uuid4().hex[:12]}.parquet"


class LocalDirectory:
    """A store in a directory of the local file system (or one mounted there)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.uri = str(directory)
        self.spill_directory = directory / "tmp"

    def attach(self, con: duckdb.DuckDBPyConnection) -> None:
        """DuckDB reads local files itself."""

    def path(self, name: str) -> str:
        return str(self.directory / name)

    def engine_uri(self, name: str) -> str:
        return (self.directory / name).resolve().as_uri()

    def new_name(self, folder: str, stem: str) -> str:
        (self.directory / folder).mkdir(parents=True, exist_ok=True)
        return new_stem(folder, stem)

    def put_file(self, source: Path, name: str) -> None:
        shutil.copyfile(source, self.directory / name)

    def put_bytes(self, name: str, content: bytes) -> None:
        (self.directory / name).write_bytes(content)

    def delete(self, name: str) -> None:
        (self.directory / name).unlink(missing_ok=True)

    def version(self) -> str | None:
        try:
            stat = (self.directory / MANIFEST).stat()
        except FileNotFoundError:
            return None
        return f"{stat.st_mtime_ns}-{stat.st_ino}"

    def read_manifest(self) -> Committed:
        version = self.version()
        try:
            return Committed((self.directory / MANIFEST).read_bytes(), version)
        except FileNotFoundError:
            return Committed(None, None)

    def replace_manifest(self, content: bytes, expected: str | None) -> None:
        """Written beside the old one, then renamed over it (the lock keeps others out)."""
        temporary = self.directory / f".{MANIFEST}.{uuid.uuid4().hex}"
        temporary.write_bytes(content)
        os.replace(temporary, self.directory / MANIFEST)

    def writing(self) -> AbstractContextManager[None]:
        """One writer per store across processes: an exclusive lock on ``.lock``."""
        self.directory.mkdir(parents=True, exist_ok=True)
        return exclusive_lock(self.directory / ".lock")

    def retire(self, names: list[str]) -> None:
        to_trash(self.directory, names)

    def sweep(self) -> None:
        shutil.rmtree(self.directory / TRASH, ignore_errors=True)

    def missing(self, names: list[str]) -> list[str]:
        return [name for name in names if not (self.directory / name).is_file()]

    def listing(self) -> list[StoredFile]:
        """The data folders' files and manifests written but never renamed into place."""
        paths = [p for folder in DATA_FOLDERS for p in (self.directory / folder).glob("*")]
        paths += self.directory.glob(f".{MANIFEST}.*")
        found = []
        for path in paths:
            try:
                stat = path.stat()
            except FileNotFoundError:  # deleted since it was listed
                continue
            name = path.relative_to(self.directory).as_posix()
            found.append(StoredFile(name, _timestamp(stat.st_mtime_ns), stat.st_size))
        return found

    def clock(self) -> datetime:
        """The modification time of a file written now (a mounted file system stamps files
        with its server's clock)."""
        probe = self.directory / PROBE_FOLDER / f"clock-{uuid.uuid4().hex}.probe"
        probe.parent.mkdir(parents=True, exist_ok=True)
        probe.touch()
        try:
            return _timestamp(probe.stat().st_mtime_ns)
        finally:
            probe.unlink()

    def set_aside(self) -> set[str]:
        """Nothing: :meth:`retire` moved the files out of the data folders."""
        return set()


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Held by one process at a time (others wait): ``flock`` on the file ``path``."""
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _timestamp(nanoseconds: int) -> datetime:
    return datetime.fromtimestamp(nanoseconds / 1e9, UTC)


def to_trash(directory: Path, names: list[str]) -> None:
    """Move files a new manifest no longer names out of the way (see :data:`TRASH`)."""
    trash = directory / TRASH
    trash.mkdir(exist_ok=True)
    for name in names:
        source = directory / name
        if source.exists():
            os.replace(source, trash / name.replace("/", "__"))


class ObjectPrefix:
    """A store under ``s3://bucket/prefix``, through s3fs (the ``kenzen[s3]`` extra).

    Credentials, region and endpoint come from the environment as for any AWS client
    (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``,
    ``AWS_ENDPOINT_URL_S3`` for an S3-compatible service) and are never logged.
    """

    def __init__(self, uri: str) -> None:
        try:
            import s3fs
        except ImportError:
            raise Conflict(N_("error.events.event_store_s3_needs_s3_extra"), uri=uri) from None
        scheme, _, rest = uri.partition("://")
        bucket, _, prefix = rest.strip("/").partition("/")
        if scheme not in OBJECT_STORE_SCHEMES or not bucket:
            raise Conflict(N_("error.events.expected_s3_bucket_prefix"), uri=uri)
        self.uri = f"s3://{bucket}/{prefix}".rstrip("/")
        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""
        self.spill_directory = Path(tempfile.gettempdir()) / "kenzen-spill"
        # Listings are read afresh (another process may have committed); the facts of a
        # Parquet object are asked once, as it never changes (DuckDB asks ten times a file).
        self.fs: Any = _immutable_parquet(s3fs.S3FileSystem)(
            use_listings_cache=False, skip_instance_cache=True
        )

    def attach(self, con: duckdb.DuckDBPyConnection) -> None:
        con.register_filesystem(self.fs)

    def _key(self, name: str) -> str:
        return self.prefix + name

    def path(self, name: str) -> str:
        return f"s3://{self.bucket}/{self._key(name)}"

    def engine_uri(self, name: str) -> str:
        """Spark's Hadoop connector for S3 is named s3a (docs/scale-out.md)."""
        return f"s3a://{self.bucket}/{self._key(name)}"

    def new_name(self, folder: str, stem: str) -> str:
        return new_stem(folder, stem)

    def put_file(self, source: Path, name: str) -> None:
        self.fs.put_file(str(source), f"{self.bucket}/{self._key(name)}")

    def put_bytes(self, name: str, content: bytes) -> None:
        self.fs.call_s3("put_object", Bucket=self.bucket, Key=self._key(name), Body=content)

    def delete(self, name: str) -> None:
        self.fs.call_s3("delete_object", Bucket=self.bucket, Key=self._key(name))

    def version(self) -> str | None:
        try:
            head = self.fs.call_s3("head_object", Bucket=self.bucket, Key=self._key(MANIFEST))
        except FileNotFoundError:
            return None
        return str(head["ETag"])

    def read_manifest(self) -> Committed:
        """The body and the ETag of one GET, so that they belong together."""
        from fsspec.asyn import sync

        committed: Committed = sync(self.fs.loop, self._get_manifest)
        return committed

    async def _get_manifest(self) -> Committed:
        try:
            got = await self.fs._call_s3("get_object", Bucket=self.bucket, Key=self._key(MANIFEST))
        except FileNotFoundError:
            return Committed(None, None)
        async with got["Body"] as body:
            content = await body.read()
        return Committed(bytes(content), str(got["ETag"]))

    def replace_manifest(self, content: bytes, expected: str | None) -> None:
        """One PUT, refused if another writer replaced the manifest since ``expected``."""
        condition = {"IfMatch": expected} if expected else {"IfNoneMatch": "*"}
        try:
            self.fs.call_s3(
                "put_object", Bucket=self.bucket, Key=self._key(MANIFEST), Body=content, **condition
            )
        except OSError as error:
            if _error_code(error) not in {"PreconditionFailed", "ConditionalRequestConflict"}:
                raise
            raise ConcurrentWrite(
                N_("error.events.another_writer_committed_event_store_first"), uri=self.uri
            ) from None

    def writing(self) -> AbstractContextManager[None]:
        """No lock: the conditional PUT of :meth:`replace_manifest` refuses a second writer."""
        return nullcontext()

    def retire(self, names: list[str]) -> None:
        """Listed in one object under ``trash/``; deleted by the next :meth:`sweep`."""
        listing = json.dumps(names).encode("utf-8")
        self.put_bytes(f"{TRASH}/{uuid.uuid4().hex}.json", listing)

    def sweep(self) -> None:
        for listing in self.fs.glob(f"{self.bucket}/{self._key(TRASH)}/*.json"):
            for name in json.loads(self.fs.cat_file(listing)):
                self.delete(name)
            self.fs.rm_file(listing)

    def missing(self, names: list[str]) -> list[str]:
        """One listing of the prefix (a request per 1,000 objects), not a request per name."""
        root = f"{self.bucket}/{self.prefix}"
        present = {path.removeprefix(root) for path in self.fs.find(root)}
        return [name for name in names if name not in present]

    def listing(self) -> list[StoredFile]:
        """One listing of the prefix (a request per 1,000 objects), with each object's
        ``LastModified``."""
        root = f"{self.bucket}/{self.prefix}"
        found = []
        for path, info in self.fs.find(root, detail=True).items():
            name = path.removeprefix(root)
            if name.split("/", 1)[0] in DATA_FOLDERS:
                found.append(StoredFile(name, info["LastModified"], int(info["size"])))
        return found

    def clock(self) -> datetime:
        """The ``LastModified`` of a probe object written now: the object store's clock,
        which stamped every other object, whatever this host's clock says."""
        probe = self._key(f"{PROBE_FOLDER}/clock-{uuid.uuid4().hex}.probe")
        self.fs.call_s3("put_object", Bucket=self.bucket, Key=probe, Body=b"")
        try:
            head = self.fs.call_s3("head_object", Bucket=self.bucket, Key=probe)
        finally:
            self.fs.call_s3("delete_object", Bucket=self.bucket, Key=probe)
        modified: datetime = head["LastModified"]
        return modified

    def set_aside(self) -> set[str]:
        """The objects the ``trash/*.json`` listings name."""
        names: set[str] = set()
        for listing in self.fs.glob(f"{self.bucket}/{self._key(TRASH)}/*.json"):
            try:
                names.update(json.loads(self.fs.cat_file(listing)))
            except FileNotFoundError:  # a compaction's sweep is deleting what it named
                continue
        return names


def _immutable_parquet(base: Any) -> Any:
    """``base`` (s3fs's file system) remembering the ``info`` of ``.parquet`` objects: every
    one the store writes is written once and never changed (the manifest, a ``.json``, is
    always asked afresh)."""

    class ImmutableParquet(base):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.known: dict[str, Any] = {}

        async def _info(self, path: str, *args: Any, **kwargs: Any) -> Any:
            if not path.endswith(".parquet"):
                return await super()._info(path, *args, **kwargs)
            if path not in self.known:
                self.known[path] = await super()._info(path, *args, **kwargs)
            return self.known[path]

    return ImmutableParquet


def _error_code(error: OSError) -> str | None:
    """The S3 error code behind an error s3fs translated into an OSError."""
    response: dict[str, Any] = getattr(error.__cause__, "response", None) or {}
    code = response.get("Error", {}).get("Code")
    return str(code) if code is not None else None


def store_location(location: Path | str) -> StoreLocation:
    """A store's location from a path, a ``file://`` URI or an ``s3://bucket/prefix``."""
    text = str(location)
    if "://" not in text:
        return LocalDirectory(Path(text))
    scheme, _, rest = text.partition("://")
    if scheme == "file":
        return LocalDirectory(Path(rest))
    if scheme in OBJECT_STORE_SCHEMES:
        return ObjectPrefix(text)
    raise Conflict(N_("error.events.event_store_local_path_file_uri"), text=text)
