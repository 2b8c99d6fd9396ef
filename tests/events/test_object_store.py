"""The event store at ``s3://bucket/prefix`` (moto's S3 server on loopback): the same rows
as a local store, re-imports idempotent, compaction, and a commit that is all or nothing —
also when a second writer commits first."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import s3fs

from kenzen.errors import Conflict
from kenzen.events.location import ConcurrentWrite, ObjectPrefix, store_location
from kenzen.events.segments import Manifest
from kenzen.events.store import EventStore
from tests.cli.test_commands import ORDERS as ORDERS_CSV
from tests.cli.test_commands import kenzen
from tests.conftest import World
from tests.events.test_store import KNOWN, ORDERS, T, parquet, stored, summary
from tests.metrics.conftest import batch, defect, order


def objects(bucket: str, prefix: str = "events") -> set[str]:
    """Every object under the prefix, relative to it."""
    fs = s3fs.S3FileSystem(skip_instance_cache=True, use_listings_cache=False)
    root = f"{bucket}/{prefix}/"
    return {path.removeprefix(root) for path in fs.find(root)}


def committed(bucket: str, prefix: str = "events") -> Manifest:
    content = ObjectPrefix(f"s3://{bucket}/{prefix}").read_manifest().content
    return Manifest.load_bytes(content) if content is not None else Manifest()


def open_s3(tmp_path: Path, bucket: str, name: str = "local") -> EventStore:
    return EventStore(tmp_path / name, segments=f"s3://{bucket}/events")


def rows_of(store: EventStore) -> dict[str, list[dict[str, Any]]]:
    return {kind: stored(store, kind).to_pylist() for kind in ("orders", "defects")}


def test_imports_on_s3_store_what_a_local_store_stores(tmp_path: Path, bucket: str) -> None:
    orders = parquet(tmp_path / "orders.parquet", "orders", ORDERS)
    later = [order("O1", T, updated_at=T + timedelta(hours=1), units=7), order("O5", T)]
    updates = parquet(tmp_path / "updates.parquet", "orders", later)
    defects = [defect("D1", "O1", "feedback", T), defect("D2", "O2", "chargeback", T)]
    with open_s3(tmp_path, bucket) as remote, EventStore(tmp_path / "reference") as local:
        for store in (remote, local):
            assert summary(store.import_file("orders", orders, known_sellers=KNOWN))[0] == 4
            again = store.import_file("orders", orders, known_sellers=KNOWN)
            assert summary(again) == (0, 0, 4, frozenset())
            updated = store.import_file("orders", updates, known_sellers=KNOWN)
            assert summary(updated) == (1, 1, 0, frozenset({"S1"}))
            assert store.upsert(batch("defects", defects)).imported
        assert rows_of(remote) == rows_of(local)
        assert stored(remote, "orders")["units"].to_pylist()[0] == 7  # the latest version
        assert (remote.count("orders"), remote.count("defects")) == (5, 2)
        changed = [remote.sellers_changed_after(b) for b in range(4)]
        assert changed == [local.sellers_changed_after(b) for b in range(4)]
        assert changed[1:] == [{"S1", "S2"}, {"S1", "S2"}, set()]  # orders S1, defects S1 S2
        files = remote.engine_files()
        segments, superseded = files.segments["orders"], files.superseded["orders"]
        assert files.batch == remote.last_batch()
        assert all(uri.startswith(f"s3a://{bucket}/events/orders/") for uri in segments)
        assert len(superseded) == 1
    # Nothing of the store is kept locally; the bucket holds exactly the committed files.
    assert not (tmp_path / "local" / "manifest.json").exists()
    assert objects(bucket) == {"manifest.json", *committed(bucket).named_files()}


def test_compaction_on_s3_keeps_the_live_rows_and_retires_the_old_objects(
    tmp_path: Path, bucket: str
) -> None:
    with open_s3(tmp_path, bucket) as store:
        store.upsert(batch("orders", ORDERS), known_sellers=KNOWN)
        newer = order("O1", T, updated_at=T + timedelta(hours=1), units=7)
        store.upsert(batch("orders", [newer, order("O6", T + timedelta(days=40))]))
        before = stored(store, "orders")
        replaced = set(store.manifest.files("orders") + store.manifest.superseded["orders"])
        assert store.compact() == {"orders": 5, "defects": 0}
        segments, superseded = store.segment_paths("orders")
        assert (len(segments), superseded) == (2, [])  # November and December
        assert stored(store, "orders").equals(before)
        # A reader that listed the old objects can still read them until the next compaction.
        assert replaced <= objects(bucket)
        first = store.manifest.to_bytes()
        store.compact()
        assert not replaced & objects(bucket)
        assert stored(store, "orders").equals(before)
        # Every object is committed, or set aside by the last compaction for the next one.
        listings = {name for name in objects(bucket) if name.startswith("trash/")}
        fs = s3fs.S3FileSystem(skip_instance_cache=True)
        retired = {n for name in listings for n in json.loads(fs.cat(f"{bucket}/events/{name}"))}
        assert retired == {s.path for s in Manifest.load_bytes(first).segments["orders"]} | {
            s.path for s in Manifest.load_bytes(first).segments["defects"]
        }
        assert objects(bucket) == {
            "manifest.json",
            *committed(bucket).named_files(),
            *listings,
            *retired,
        }


def test_another_store_object_sees_what_one_committed(tmp_path: Path, bucket: str) -> None:
    with open_s3(tmp_path, bucket, "a") as reader, open_s3(tmp_path, bucket, "b") as writer:
        assert reader.count("orders") == 0
        writer.upsert(batch("orders", ORDERS), known_sellers=KNOWN)
        assert reader.count("orders") == 4
        assert reader.sellers_changed_after(0) == {"S1", "S2"}


def test_a_failed_commit_leaves_no_object_behind(
    tmp_path: Path, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_s3(tmp_path, bucket) as store:
        store.upsert(batch("orders", ORDERS[:2]), known_sellers=KNOWN)
        kept = objects(bucket)

        def unreachable(content: bytes, expected: str | None) -> None:
            raise OSError("connection reset")

        with monkeypatch.context() as patched:
            patched.setattr(store.location, "replace_manifest", unreachable)
            with pytest.raises(OSError, match="connection reset"):
                store.upsert(batch("orders", ORDERS[2:]), known_sellers=KNOWN)
        assert objects(bucket) == kept
        assert store.count("orders") == 2


def test_of_two_writers_the_second_to_commit_is_refused_and_keeps_nothing(
    tmp_path: Path, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No lock on S3: the manifest's PUT is conditional on the version the writer read,
    so a writer that another overtook is refused — nothing lost, nothing doubled."""
    with open_s3(tmp_path, bucket, "a") as first, open_s3(tmp_path, bucket, "b") as second:
        first.upsert(batch("orders", ORDERS[:1]), known_sellers=KNOWN)
        commit = second.location.replace_manifest

        def overtaken(content: bytes, expected: str | None) -> None:
            first.upsert(batch("orders", ORDERS[1:2]), known_sellers=KNOWN)
            commit(content, expected)

        with monkeypatch.context() as patched:
            patched.setattr(second.location, "replace_manifest", overtaken)
            with pytest.raises(ConcurrentWrite, match="another writer committed"):
                second.upsert(batch("orders", ORDERS[2:]), known_sellers=KNOWN)
        assert objects(bucket) == {"manifest.json", *committed(bucket).named_files()}
        assert sorted(stored(second, "orders")["order_id"].to_pylist()) == ["O1", "O2"]
        assert summary(second.upsert(batch("orders", ORDERS[2:]), known_sellers=KNOWN))[0] == 2
        assert stored(first, "orders")["order_id"].to_pylist() == ["O1", "O2", "O3", "O4"]


def test_a_first_commit_is_refused_when_another_store_was_created_meanwhile(
    tmp_path: Path, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_s3(tmp_path, bucket, "a") as first, open_s3(tmp_path, bucket, "b") as second:
        commit = second.location.replace_manifest

        def overtaken(content: bytes, expected: str | None) -> None:
            first.upsert(batch("orders", ORDERS[:1]), known_sellers=KNOWN)
            commit(content, expected)

        monkeypatch.setattr(second.location, "replace_manifest", overtaken)
        with pytest.raises(ConcurrentWrite):
            second.upsert(batch("orders", ORDERS[1:]), known_sellers=KNOWN)
        assert committed(bucket).live["orders"] == 1


def test_locations_other_than_a_path_file_or_s3_are_refused(tmp_path: Path) -> None:
    with pytest.raises(Conflict, match="gs://b/p: the event store is a local path"):
        store_location("gs://b/p")
    with pytest.raises(Conflict, match="expected s3://bucket/prefix"):
        store_location("s3://")
    assert store_location(f"file://{tmp_path}/x").path("m.json") == f"{tmp_path}/x/m.json"


def test_import_metrics_and_compaction_from_the_command_line_on_s3(
    world: World, tmp_path: Path, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kenzen import`, `metrics`, `events compact` with KENZEN_EVENT_STORE=s3://…: the
    rows go to the bucket, the metric history stays beside the database, the numbers are
    those of a local store."""
    url = world.database.url
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS_CSV, encoding="utf-8")
    reports = {}
    for home, store in (("on-s3", f"s3://{bucket}/events"), ("local", "")):
        monkeypatch.setenv("KENZEN_EVENT_STORE", store)
        imported = kenzen(url, tmp_path / home, "import", "orders", str(orders))
        assert imported.exit_code == 0, imported.stderr
        again = kenzen(url, tmp_path / home, "import", "orders", str(orders))
        assert "0 inserted, 0 updated, 1 unchanged" in again.stderr
        computed = kenzen(url, tmp_path / home, "metrics", "--as-of", "2026-11-20", "--full")
        assert computed.exit_code == 0, computed.stderr
        assert computed.stderr.startswith("metrics 2026-11-20: 1 sellers (all sellers), 7 rows")
        compacted = kenzen(url, tmp_path / home, "events", "compact")
        assert compacted.stderr == "compacted: 1 orders, 0 defects\n"
        report = kenzen(url, tmp_path / home, "report", "sp-api", "--seller", "S1")
        reports[home] = report.stdout
    assert reports["on-s3"] == reports["local"]
    assert "lateShipmentRate" in reports["local"]
    assert committed(bucket).live == {"orders": 1, "defects": 0}
    monkeypatch.setenv("KENZEN_EVENT_STORE", f"s3://{bucket}/events")
    backed_up = kenzen(url, tmp_path / "on-s3", "backup", str(tmp_path / "backup"))
    assert backed_up.exit_code == 0, backed_up.stderr
    assert (
        f"the orders and defects at s3://{bucket}/events (KENZEN_EVENT_STORE) are not copied"
        in (backed_up.stderr.replace("\n", " "))
    )
    assert not (tmp_path / "on-s3" / "events" / "manifest.json").exists()
    assert (tmp_path / "on-s3" / "events" / "history").is_dir()
