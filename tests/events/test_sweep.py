"""Files of writers killed before their commit are swept, on a local store and on S3
(moto's server on loopback): exactly those files, once older than the grace period by the
store's own clock; committed files, files a compaction set aside for earlier readers and a
writer's fresh files are kept."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kenzen.events.location import ObjectPrefix, StoredFile
from kenzen.events.segments import unnamed
from kenzen.events.store import SWEEP_UNNAMED_AFTER, EventStore
from tests.cli.test_commands import kenzen
from tests.conftest import World
from tests.events.test_store import KNOWN, ORDERS, T, parquet, stored
from tests.metrics.conftest import batch, order

GRACE = SWEEP_UNNAMED_AFTER
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)

#: A writer killed (SIGKILL, no clean-up of any kind) at its commit: on a local store while
#: renaming the new manifest into place (so its temporary manifest is left too), on S3 as it
#: is about to PUT the manifest; its segment and ingest log are written by then.
KILLED_WRITER = """
import json, os, signal, sys
from pathlib import Path
from kenzen.events import location
from kenzen.events.store import EventStore

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

location.os.replace = killed
location.ObjectPrefix.replace_manifest = killed
directory, segments, orders, known = sys.argv[1:]
store = EventStore(directory, segments=segments or None)
store.import_file("orders", Path(orders), known_sellers=json.loads(known))
"""


def stored_file(name: str, age: timedelta) -> StoredFile:
    return StoredFile(name, NOW - age, 10)


def test_a_file_no_manifest_names_is_swept_only_once_older_than_the_grace_period() -> None:
    second = timedelta(seconds=1)
    files = [
        stored_file("orders/at-grace.parquet", GRACE),
        stored_file("orders/past-grace.parquet", GRACE + second),
        stored_file("orders/named.parquet", GRACE * 10),
        stored_file("orders/fresh.parquet", timedelta(0)),
        stored_file("orders/later-than-the-clock.parquet", -second),
    ]
    assert unnamed(files, {"orders/named.parquet"}, NOW, GRACE) == ["orders/past-grace.parquet"]
    assert unnamed(files, set(), NOW, timedelta(0)) == [
        "orders/at-grace.parquet",
        "orders/named.parquet",
        "orders/past-grace.parquet",
    ]


@pytest.fixture(params=["local", "s3"])
def segments(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where the store's segments live: its local directory ("") or a bucket on moto."""
    if request.param == "local":
        yield ""
    else:
        yield f"s3://{request.getfixturevalue('bucket')}/events"


def kill_a_writer(directory: Path, segments: str, orders: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    known = json.dumps(KNOWN)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(directory), segments, str(orders), known],
        env=environment,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr


def left_behind(store: EventStore) -> set[str]:
    """Files neither committed nor set aside by a compaction for earlier readers."""
    kept = set(store.manifest.named_files()) | store.location.set_aside()
    return {f.name for f in store.location.listing()} - kept


def age(store: EventStore, names: set[str], by: timedelta) -> None:
    """Make files older by the store's own clock, as time passing would."""
    location = store.location
    if isinstance(location, ObjectPrefix):
        backdate_objects(location.bucket, [location.prefix + name for name in names], by)
        return
    for name in names:
        path = store.directory / name
        modified = path.stat().st_mtime_ns - int(by.total_seconds() * 1e9)
        os.utime(path, ns=(modified, modified))


def backdate_objects(bucket: str, keys: list[str], by: timedelta) -> None:
    """moto's server runs in this process: move its objects' LastModified back."""
    from moto.s3.models import s3_backends

    for account in s3_backends.values():
        for backend in account.values():
            if bucket in backend.buckets:
                for key in keys:
                    backend.buckets[bucket].keys[key].last_modified -= by


def test_the_sweep_deletes_exactly_what_a_killed_writer_left(tmp_path: Path, segments: str) -> None:
    directory = tmp_path / "events"
    with EventStore(directory, segments=segments or None) as store:
        store.upsert(batch("orders", ORDERS[:2]), known_sellers=KNOWN)
        before = stored(store, "orders")
        committed = set(store.manifest.named_files())
    more = parquet(tmp_path / "more.parquet", "orders", ORDERS[2:])
    kill_a_writer(directory, segments, more)
    with EventStore(directory, segments=segments or None) as store:
        left = left_behind(store)
        folders = {name.split("/")[0].split("-")[0] for name in left}
        assert folders >= {"orders", "ingest"}
        if not segments:
            assert any(name.startswith(".manifest.json.") for name in left)
        assert store.sweep_unnamed() == []  # a writer at work could have written them
        age(store, left, GRACE + timedelta(seconds=5))
        assert store.sweep_unnamed() == sorted(left)
        assert {f.name for f in store.location.listing()} == committed
        assert store.location.missing(sorted(committed)) == []
        assert stored(store, "orders").equals(before)
        # The killed import, run again, imports its rows.
        assert store.import_file("orders", more, known_sellers=KNOWN).imported
        assert store.count("orders") == 4


def test_a_writer_at_work_keeps_its_fresh_files_while_old_leftovers_go(
    tmp_path: Path, bucket: str
) -> None:
    """On S3 nothing keeps a sweep from running in the middle of another process's import:
    the import's files are fresh, so they stay and its commit goes through."""
    uri = f"s3://{bucket}/events"
    with EventStore(tmp_path / "a", segments=uri) as writer:
        writer.upsert(batch("orders", ORDERS[:1]), known_sellers=KNOWN)
    kill_a_writer(tmp_path / "a", uri, parquet(tmp_path / "o.parquet", "orders", ORDERS[1:2]))
    with (
        EventStore(tmp_path / "a", segments=uri) as writer,
        EventStore(tmp_path / "b", segments=uri) as sweeper,
    ):
        old = left_behind(sweeper)
        age(sweeper, old, GRACE * 2)
        swept: list[str] = []
        commit = writer.location.replace_manifest

        def swept_first(content: bytes, expected: str | None) -> None:
            fresh = left_behind(sweeper) - old
            assert fresh  # the writer's segment and ingest log, named by no manifest yet
            swept.extend(sweeper.sweep_unnamed())
            assert left_behind(sweeper) == fresh
            commit(content, expected)

        writer.location.replace_manifest = swept_first  # type: ignore[method-assign]
        assert writer.upsert(batch("orders", ORDERS[2:]), known_sellers=KNOWN).imported
        assert swept == sorted(old)
        assert sorted(stored(sweeper, "orders")["order_id"].to_pylist()) == ["O1", "O3", "O4"]
        assert left_behind(sweeper) == set()


def test_files_a_compaction_set_aside_for_earlier_readers_are_not_swept(
    tmp_path: Path, segments: str
) -> None:
    with EventStore(tmp_path / "events", segments=segments or None) as store:
        store.upsert(batch("orders", ORDERS), known_sellers=KNOWN)
        newer = order("O1", T, updated_at=T + timedelta(hours=1), units=7)
        store.upsert(batch("orders", [newer]))
        replaced = set(store.manifest.named_files()) - set(store.manifest.ingest.values())
        store.compact()
        present = {f.name for f in store.location.listing()}
        age(store, present, GRACE * 2)
        assert store.sweep_unnamed() == []
        if segments:  # on S3 they stay in place, listed for the next compaction
            assert replaced <= present
        store.compact()
        present = {f.name for f in store.location.listing()}
        assert not replaced & present
        assert present == set(store.manifest.named_files()) | store.location.set_aside()
        assert store.count("orders") == 4


def test_kenzen_events_compact_sweeps_and_says_how_many(
    world: World, tmp_path: Path, segments: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KENZEN_EVENT_STORE", segments)
    home = tmp_path / "home"
    kill_a_writer(home / "events", segments, parquet(tmp_path / "o.parquet", "orders", ORDERS))
    compacted = kenzen(world.database.url, home, "events", "compact")
    assert compacted.stderr == "compacted: 0 orders, 0 defects\n"
    with EventStore(home / "events", segments=segments or None) as store:
        left = left_behind(store)
        age(store, left, GRACE + timedelta(minutes=1))
    compacted = kenzen(world.database.url, home, "events", "compact")
    assert compacted.stderr == (
        "compacted: 0 orders, 0 defects\n"
        f"swept: {len(left)} files no manifest names (left by killed writers)\n"
    )
    with EventStore(home / "events", segments=segments or None) as store:
        assert left_behind(store) == set()
