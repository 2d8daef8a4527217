"""PersistentQueue: intake, state changes, ordering, retries, pruning, back-pressure."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from pywats_client.queue import (
    InvalidStateError,
    ItemNotFoundError,
    PersistentQueue,
    QueueFullError,
    QueueItem,
)
from pywats_client.queue import _fs
from pywats_client.queue.models import COMPLETED, PENDING, PROCESSING


def report(sn: str = "SN-1", pn: str = "PN-1", **extra: Any) -> dict[str, Any]:
    return {"type": "T", "sn": sn, "pn": pn, "rev": "A", "processCode": 100, "result": "P", **extra}


@pytest.fixture
def queue(tmp_path: Path) -> PersistentQueue:
    q = PersistentQueue(tmp_path / "q")
    yield q
    q.close()


def files_in(q: PersistentQueue, state: str) -> list[str]:
    return sorted(p.name for p in (q.path / state).glob("*.json"))


# --- rule 1: durable, idempotent intake ---------------------------------------------------


def test_folders_and_index_are_created(tmp_path: Path) -> None:
    with PersistentQueue(tmp_path / "a" / "b") as q:
        for name in ("pending", "processing", "completed", "failed"):
            assert (q.path / name).is_dir()
        assert (q.path / "queue.db").is_file()
        assert q.counts() == {"pending": 0, "processing": 0, "completed": 0, "failed": 0}


def test_add_assigns_guid_and_writes_it_into_the_stored_report(queue: PersistentQueue) -> None:
    original = report()
    item = queue.add(original, source="/in/a.csv", source_hash="abc", priority=2)
    assert "id" not in original  # the caller's dict is not changed
    assert str(uuid.UUID(item.id)) == item.id
    stored = json.loads((queue.path / "pending" / f"{item.id}.json").read_text("utf-8"))
    assert stored["id"] == item.id and stored["sn"] == "SN-1"
    assert queue.read_report(item.id) == stored
    assert (item.state, item.source, item.source_hash, item.priority) == ("pending", "/in/a.csv", "abc", 2)
    assert (item.serial_number, item.part_number, item.attempts) == ("SN-1", "PN-1", 0)
    assert queue.find_by_source_hash("abc") == item


def test_add_keeps_the_reports_own_guid(queue: PersistentQueue) -> None:
    rid = str(uuid.uuid4())
    item = queue.add(report(id=rid.upper()))
    assert item.id == rid
    assert queue.read_report(item)["id"] == rid


def test_add_returns_after_file_fsync_folder_fsync_and_commit(
    queue: PersistentQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, Any]] = []
    real_write, real_fsync_dir = _fs.write_durable, _fs.fsync_dir

    def write_durable(path: Path, data: bytes) -> None:
        real_write(path, data)
        seen.append(("file", (path.parent.name, json.loads(data)["sn"])))

    def fsync_dir(path: Path) -> None:
        other = sqlite3.connect(queue.path / "queue.db")
        rows = other.execute("SELECT id FROM items").fetchall()
        other.close()
        seen.append(("dir", (path.name, sorted(p.name for p in path.glob("*.json")), len(rows))))
        real_fsync_dir(path)

    monkeypatch.setattr(_fs, "write_durable", write_durable)
    monkeypatch.setattr(_fs, "fsync_dir", fsync_dir)
    item = queue.add(report())
    # the file is fsync'd (under tmp/), renamed into pending/, the row committed, and the
    # folder fsync'd, all before add() returns
    assert seen == [("file", ("tmp", "SN-1")), ("dir", ("pending", [f"{item.id}.json"], 1))]
    seen.clear()
    items = queue.add_many([report(sn=f"M{i}") for i in range(5)])
    assert sorted(x[1][1] for x in seen if x[0] == "file") == [f"M{i}" for i in range(5)]
    assert seen[-1][0] == "dir" and seen[-1][1][2] == 6 and len(seen[-1][1][1]) == 6
    assert [i.serial_number for i in items] == [f"M{i}" for i in range(5)]


@pytest.mark.parametrize("state", ["pending", "processing", "failed", "completed"])
def test_adding_a_known_guid_is_idempotent_in_every_state(queue: PersistentQueue, state: str) -> None:
    item = queue.add(report())
    if state != "pending":
        queue.claim_next()
    if state == "failed":
        queue.mark_failed(item.id, "no")
    if state == "completed":
        queue.mark_completed(item.id)
    again = queue.add(report(id=item.id, sn="OTHER"))
    assert again.id == item.id and again.state == state
    assert sum(queue.counts().values()) == 1
    assert len(list(queue.path.glob("*/*.json"))) == 1


def test_add_many_stores_each_report_once(queue: PersistentQueue) -> None:
    dup = str(uuid.uuid4())
    items = queue.add_many([report(sn="A"), report(sn="B", id=dup), report(sn="C", id=dup)])
    assert [i.serial_number for i in items] == ["A", "B", "B"]
    assert queue.get_pending_count() == 2
    assert not list((queue.path / "tmp").iterdir())


def test_add_many_records_each_reports_source_and_hash(queue: PersistentQueue) -> None:
    items = queue.add_many(
        [report(sn="A"), report(sn="B")], sources=[("/in/a.csv", "hash-a"), ("/in/b.csv", None)]
    )
    assert [(i.source, i.source_hash) for i in items] == [("/in/a.csv", "hash-a"), ("/in/b.csv", None)]
    assert queue.find_by_source_hash("hash-a").id == items[0].id  # type: ignore[union-attr]
    assert [(i.source, i.source_hash) for i in queue.list(PENDING)] == [("/in/a.csv", "hash-a"), ("/in/b.csv", None)]


def test_add_many_refuses_sources_of_another_length(queue: PersistentQueue) -> None:
    with pytest.raises(ValueError, match="2 report.*1 .*pair"):
        queue.add_many([report(sn="A"), report(sn="B")], sources=[("/in/a.csv", "h")])
    assert queue.counts()[PENDING] == 0
    assert not list((queue.path / "pending").iterdir())


def test_complete_many_completes_claimed_entries_in_one_call(queue: PersistentQueue) -> None:
    items = queue.add_many([report(sn=f"C{i}") for i in range(4)])
    claimed = queue.claim_next(3)
    done = queue.complete_many([(c.id, f"srv-{n}") for n, c in enumerate(claimed)])
    assert [d.id for d in done] == [c.id for c in claimed]
    assert all(d.state == COMPLETED for d in done)
    assert [d.server_id for d in done] == ["srv-0", "srv-1", "srv-2"]
    assert all((queue.path / "completed" / f"{c.id}.json").exists() for c in claimed)
    assert queue.counts() == {**queue.counts(), PENDING: 1, PROCESSING: 0, COMPLETED: 3}
    # already completed: a no-op that returns the entry
    again = queue.complete_many([(claimed[0].id, None)])
    assert again[0].state == COMPLETED and again[0].server_id == "srv-0"
    assert queue.complete_many([]) == []
    assert queue.check_integrity() == []
    assert items[3].id not in {d.id for d in done}


def test_complete_many_commits_nothing_when_one_entry_cannot_complete(queue: PersistentQueue) -> None:
    a, b = queue.add_many([report(sn="A"), report(sn="B")])
    claimed = queue.claim_next(1)
    assert claimed[0].id == a.id
    with pytest.raises(ItemNotFoundError):
        queue.complete_many([(a.id, "srv"), (str(uuid.uuid4()), None)])
    # the row of a was rolled back; its file already moved: completing it again works
    assert queue.get(a.id).state == PROCESSING  # type: ignore[union-attr]
    assert queue.mark_completed(a.id, server_id="srv").state == COMPLETED
    assert queue.get(b.id).state == PENDING  # type: ignore[union-attr]
    assert queue.check_integrity() == []


def test_complete_many_without_keep_completed_deletes_the_files(tmp_path: Path) -> None:
    with PersistentQueue(tmp_path / "q", keep_completed=False) as q:
        q.add_many([report(sn="A"), report(sn="B")])
        claimed = q.claim_next(2)
        q.complete_many([(c.id, None) for c in claimed])
        assert q.get_completed_count() == 2
        assert not list((q.path / "completed").iterdir())


def test_bad_reports_get_clear_errors_and_leave_nothing(queue: PersistentQueue) -> None:
    with pytest.raises(ValueError, match="'id'.*not a GUID"):
        queue.add(report(id="not-a-guid"))
    with pytest.raises(ValueError, match="cannot be stored as JSON"):
        queue.add(report(value=object()))
    with pytest.raises(TypeError, match="must be a dict"):
        queue.add(["not", "a", "report"])
    assert sum(queue.counts().values()) == 0
    assert not list(queue.path.glob("*/*.json")) and not list((queue.path / "tmp").iterdir())


# --- rule 9: back-pressure ----------------------------------------------------------------


def test_low_disk_space_refuses_intake_before_writing(tmp_path: Path) -> None:
    free = {"bytes": 10_000_000}
    with PersistentQueue(tmp_path / "q", min_free_bytes=5_000_000, free_space=lambda p: free["bytes"]) as q:
        assert q.add(report()).state == "pending"
        free["bytes"] = 5_000_100
        with pytest.raises(QueueFullError) as info:
            q.add(report(sn="REFUSED"))
        err = info.value
        assert err.free_bytes == 5_000_100 and err.needed_bytes > 0 and err.min_free_bytes == 5_000_000
        assert "5000100 bytes free" in str(err)
        assert q.get_pending_count() == 1 and len(files_in(q, "pending")) == 1
        assert not list((q.path / "tmp").iterdir())
        free["bytes"] = 50_000_000
        assert q.add(report(sn="LATER")).serial_number == "LATER"


def test_default_free_space_check_uses_the_real_volume(tmp_path: Path) -> None:
    with PersistentQueue(tmp_path / "q", min_free_bytes=1 << 62) as q:
        assert q.free_bytes() > 0
        with pytest.raises(QueueFullError):
            q.add(report())


# --- uploader side: claim, order, release, complete -----------------------------------------


def test_claim_orders_by_priority_then_arrival_and_skips_not_yet_due(queue: PersistentQueue) -> None:
    a = queue.add(report(sn="A"))
    b = queue.add(report(sn="B"))
    c = queue.add(report(sn="C"), priority=5)
    d = queue.add(report(sn="D"))
    first = queue.claim_next(1, now=1_000.0)
    assert [i.id for i in first] == [c.id] and first[0].state == "processing"
    assert files_in(queue, "processing") == [f"{c.id}.json"]
    claimed_a = queue.claim_next(1)[0]
    assert claimed_a.id == a.id
    queue.release(a.id, error="503", retry_at=2_000.0)
    assert queue.next_due_in(now=1_000.0) == 0.0
    assert [i.id for i in queue.claim_next(10, now=1_000.0)] == [b.id, d.id]
    assert queue.claim_next(10, now=1_000.0) == []
    assert queue.next_due_in(now=1_500.0) == 500.0
    again = queue.claim_next(10, now=2_000.0)
    assert [i.id for i in again] == [a.id] and again[0].attempts == 1 and again[0].error == "503"


def test_next_due_in_is_none_without_pending(queue: PersistentQueue) -> None:
    assert queue.next_due_in() is None
    queue.add(report())
    assert queue.next_due_in() == 0.0


def test_release_without_counting_keeps_attempts(queue: PersistentQueue) -> None:
    item = queue.add(report())
    queue.claim_next()
    released = queue.release(item.id, count_attempt=False)
    assert (released.state, released.attempts, released.next_attempt_at) == ("pending", 0, None)
    assert files_in(queue, "pending") == [f"{item.id}.json"]


def test_completed_only_by_mark_completed(queue: PersistentQueue) -> None:
    item = queue.add(report())
    claimed = queue.claim_next()
    assert queue.get(item.id).state == "processing" and queue.get_completed_count() == 0
    done = queue.mark_completed(claimed[0].id, server_id="srv-1")
    assert (done.state, done.server_id) == ("completed", "srv-1")
    assert files_in(queue, "completed") == [f"{item.id}.json"] and files_in(queue, "processing") == []
    assert queue.mark_completed(item.id) == done  # idempotent


def test_wrong_state_changes_are_refused(queue: PersistentQueue) -> None:
    item = queue.add(report())
    with pytest.raises(InvalidStateError, match="is pending"):
        queue.release(item.id)
    with pytest.raises(ItemNotFoundError):
        queue.mark_failed(str(uuid.uuid4()), "x")
    with pytest.raises(ItemNotFoundError):
        queue.read_report(str(uuid.uuid4()))
    assert queue.get(item.id).state == "pending"


# --- rule 6: nothing dropped on retry exhaustion ------------------------------------------------


def test_failed_keeps_error_and_attempts_and_retry_resets(queue: PersistentQueue) -> None:
    items = [queue.add(report(sn=f"S{i}")) for i in range(3)]
    for it in queue.claim_next(3):
        queue.release(it.id, error="timeout")
    for it in queue.claim_next(3):
        queue.mark_failed(it.id, "HTTP 400: bad report")
    failed = queue.get_failed_reports()
    assert [f.id for f in failed] == [i.id for i in items]
    assert all(f.error == "HTTP 400: bad report" and f.attempts == 2 for f in failed)
    assert len(files_in(queue, "failed")) == 3
    assert queue.read_report(failed[0])["sn"] == "S0"
    assert queue.retry(failed[0].id) is True
    assert queue.retry(failed[0].id) is False  # no longer failed
    assert queue.retry(str(uuid.uuid4())) is False
    assert queue.retry("garbage") is False
    assert queue.get(failed[0].id).attempts == 0
    assert queue.retry_all_failed() == 2
    assert queue.counts() == {"pending": 3, "processing": 0, "completed": 0, "failed": 0}
    assert len(files_in(queue, "pending")) == 3


# --- listing -------------------------------------------------------------------------------


def test_list_and_counts(queue: PersistentQueue) -> None:
    ids = [queue.add(report(sn=f"S{i}")).id for i in range(4)]
    queue.claim_next(1)
    assert [i.id for i in queue.list()] == ids
    assert [i.id for i in queue.list("pending", 2)] == ids[1:3]
    assert [i.state for i in queue.list("processing")] == ["processing"]
    assert queue.get_processing_count() == 1 and queue.get_pending_count() == 3
    with pytest.raises(ValueError, match="unknown queue state"):
        queue.list("bogus")
    assert isinstance(queue.list()[0], QueueItem)


# --- completed retention -----------------------------------------------------------------------


def test_prune_completed_by_age_and_count(tmp_path: Path) -> None:
    with PersistentQueue(tmp_path / "q", completed_max_age_days=1, completed_max_count=3) as q:
        ids = [q.add(report(sn=f"S{i}")).id for i in range(5)]
        for it in q.claim_next(5):
            q.mark_completed(it.id)
        now = q.get(ids[-1]).updated_at
        assert q.prune_completed(now=now) == 2
        assert [i.id for i in q.list("completed")] == ids[2:]
        assert q.prune_completed(now=now + 2 * 86_400) == 3
        assert q.get_completed_count() == 0 and files_in(q, "completed") == []


def test_keep_completed_false_drops_the_file_but_remembers_the_guid(tmp_path: Path) -> None:
    with PersistentQueue(tmp_path / "q", keep_completed=False) as q:
        item = q.add(report())
        q.claim_next()
        q.mark_completed(item.id)
        assert files_in(q, "completed") == [] and q.get(item.id).state == "completed"
        assert q.add(report(id=item.id)).state == "completed"
        with pytest.raises(ItemNotFoundError):
            q.read_report(item.id)
        assert q.check_integrity() == []


# --- concurrency inside one process ---------------------------------------------------------------


def test_threads_never_claim_the_same_entry(tmp_path: Path) -> None:
    with PersistentQueue(tmp_path / "q") as q:
        q.add_many([report(sn=f"S{i}") for i in range(200)])
        got: list[str] = []
        lock = threading.Lock()

        def worker() -> None:
            while True:
                batch = q.claim_next(3)
                if not batch:
                    return
                for it in batch:
                    q.mark_completed(it.id)
                with lock:
                    got.extend(i.id for i in batch)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(got) == 200 and len(set(got)) == 200
        assert q.get_completed_count() == 200 and q.check_integrity() == []


def test_closed_queue_refuses_work(tmp_path: Path) -> None:
    q = PersistentQueue(tmp_path / "q")
    q.close()
    q.close()
    assert q.closed
    with pytest.raises(Exception, match="closed"):
        q.add(report())


def test_items_are_frozen_snapshots_usable_by_the_cli(queue: PersistentQueue) -> None:
    import dataclasses

    item = queue.add(report(sn="SN-X"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.state = "failed"  # type: ignore[misc]
    row = dataclasses.asdict(item)
    assert row["id"] == item.id and row["serial_number"] == "SN-X" and row["state"] == "pending"
    queue.claim_next()
    assert item.state == "pending" and queue.get(item.id).state == "processing"


def test_shrink_memory_keeps_everything_and_is_safe_after_close(tmp_path: Path) -> None:
    q = PersistentQueue(tmp_path / "q")
    items = q.add_many([report(sn=f"K{i}") for i in range(3)])
    q.shrink_memory()
    assert [i.id for i in q.list(PENDING)] == [i.id for i in items]
    assert q.claim_next(1)[0].id == items[0].id
    q.close()
    q.shrink_memory()  # closed: a no-op, not an error
    with PersistentQueue(tmp_path / "q") as again:
        assert again.counts()[PENDING] == 3  # the claimed one went back at start-up
