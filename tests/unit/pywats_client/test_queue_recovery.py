"""PersistentQueue start-up repair: every in-between state a crash can leave is fixed.

The crash states are made by hand here (a file renamed without its row, a row without
its file, a half-written temp file, a corrupt index); tests/reliability/ kills real processes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from pywats_client.queue import PersistentQueue, RecoveryStats


def report(sn: str = "SN-1", **extra: Any) -> dict[str, Any]:
    return {"type": "T", "sn": sn, "pn": "PN-1", "processCode": 100, "result": "P", **extra}


def make_queue(path: Path) -> dict[str, str]:
    """A queue left with one entry in each state; returns state -> id."""
    with PersistentQueue(path) as q:
        ids = {s: q.add(report(sn=s)).id for s in ("pending", "processing", "completed", "failed")}
        assert len(q.claim_next(4)) == 4
        q.mark_completed(ids["completed"])
        q.mark_failed(ids["failed"], "HTTP 400")
        q.release(ids["pending"], count_attempt=False)
    return ids


def forget_session_owner(path: Path) -> None:
    """Make the processing entry look owned by a process that died (its lock file is gone)."""
    with sqlite3.connect(path / "queue.db") as db:
        db.execute("UPDATE items SET owner = 'dead-owner' WHERE state = 'processing'")


def test_processing_goes_back_to_pending_when_its_owner_is_gone(tmp_path: Path) -> None:
    path = tmp_path / "q"
    ids = make_queue(path)
    forget_session_owner(path)
    with PersistentQueue(path) as q:
        stats = q.get_recovery_stats()
        assert stats.requeued_processing == 1
        assert q.get(ids["processing"]).state == "pending"
        assert (path / "pending" / f"{ids['processing']}.json").exists()
        assert q.counts() == {"pending": 2, "processing": 0, "completed": 1, "failed": 1}
        assert q.get(ids["failed"]).error == "HTTP 400"
        assert q.check_integrity() == []


def test_guide_crash_recovery_snippet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "q"
    with PersistentQueue(path) as q:
        q.add(report())
        q.claim_next()
    queue = PersistentQueue(str(path))
    queue.recover_crashed_reports()
    print(queue.get_recovery_stats())
    assert "RecoveryStats(" in capsys.readouterr().out
    assert queue.get_pending_count() == 1
    assert isinstance(queue.get_recovery_stats(), RecoveryStats)
    queue.close()


def test_entries_of_a_live_queue_are_not_stolen(tmp_path: Path) -> None:
    path = tmp_path / "q"
    with PersistentQueue(path) as service:
        item = service.add(report())
        assert service.claim_next()[0].id == item.id
        with PersistentQueue(path) as cli:  # e.g. `queue retry` while the service uploads
            assert cli.get_recovery_stats().skipped_live_processing == 1
            assert cli.recover_crashed_reports().requeued_processing == 0
            assert cli.get(item.id).state == "processing"
        assert service.recover_crashed_reports().requeued_processing == 0
        assert service.mark_completed(item.id).state == "completed"


def test_file_moved_but_row_not_committed_is_fixed_from_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "q"
    ids = make_queue(path)
    forget_session_owner(path)
    # crash after the rename, before the commit: processing -> completed, failed -> pending
    os.replace(path / "processing" / f"{ids['processing']}.json", path / "completed" / f"{ids['processing']}.json")
    os.replace(path / "failed" / f"{ids['failed']}.json", path / "pending" / f"{ids['failed']}.json")
    with PersistentQueue(path) as q:
        stats = q.get_recovery_stats()
        assert stats.fixed_states == 2 and stats.requeued_processing == 0
        assert q.get(ids["processing"]).state == "completed"
        assert q.get(ids["failed"]).state == "pending"
        assert q.check_integrity() == []


def test_orphan_files_are_indexed_and_temp_files_removed(tmp_path: Path) -> None:
    path = tmp_path / "q"
    make_queue(path)
    orphan_id = str(uuid.uuid4())
    (path / "pending" / f"{orphan_id}.json").write_text(json.dumps(report(sn="ORPHAN", id=orphan_id)))
    failed_orphan = str(uuid.uuid4())
    (path / "failed" / f"{failed_orphan}.json").write_text(json.dumps(report(id=failed_orphan)))
    (path / "tmp" / f"dead-owner__{uuid.uuid4()}.json.tmp").write_bytes(b'{"half": ')
    (path / "pending" / "notes.txt").write_text("not a report")
    with PersistentQueue(path) as q:
        stats = q.get_recovery_stats()
        assert (stats.reindexed_orphans, stats.removed_temp_files) == (2, 1)
        item = q.get(orphan_id)
        assert (item.state, item.serial_number) == ("pending", "ORPHAN")
        assert q.get(failed_orphan).state == "failed"
        assert list((path / "tmp").iterdir()) == []
        assert (path / "pending" / "notes.txt").exists()
        assert q.check_integrity() == []


def test_unreadable_report_file_is_parked_in_failed(tmp_path: Path) -> None:
    path = tmp_path / "q"
    make_queue(path)
    bad = str(uuid.uuid4())
    (path / "pending" / f"{bad}.json").write_bytes(b"")  # zero-byte file after a power cut
    with PersistentQueue(path) as q:
        item = q.get(bad)
        assert item.state == "failed" and "unreadable report file" in (item.error or "")
        assert q.get_recovery_stats().unreadable_files == 1
        assert (path / "failed" / f"{bad}.json").exists()
        with pytest.raises(ValueError, match=bad):
            q.read_report(bad)


def test_row_without_any_file_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "q"
    ids = make_queue(path)
    (path / "pending" / f"{ids['pending']}.json").unlink()
    (path / "completed" / f"{ids['completed']}.json").unlink()  # completed rows need no file
    with PersistentQueue(path) as q:
        assert q.get_recovery_stats().dropped_missing == 1
        assert q.get(ids["pending"]) is None
        assert q.get(ids["completed"]).state == "completed"
        assert q.check_integrity() == []


def test_same_report_in_two_folders_keeps_the_most_advanced_copy(tmp_path: Path) -> None:
    path = tmp_path / "q"
    ids = make_queue(path)
    done = ids["completed"]
    (path / "pending" / f"{done}.json").write_bytes((path / "completed" / f"{done}.json").read_bytes())
    with PersistentQueue(path) as q:
        assert q.get_recovery_stats().duplicate_files == 1
        assert q.get(done).state == "completed"
        assert not (path / "pending" / f"{done}.json").exists()
        assert q.check_integrity() == []


@pytest.mark.parametrize("damage", ["delete", "garbage", "truncate"])
def test_missing_or_corrupt_index_is_rebuilt_from_the_folders(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "q"
    ids = make_queue(path)
    db = path / "queue.db"
    for extra in ("-wal", "-shm"):
        db.with_name(db.name + extra).unlink(missing_ok=True)
    if damage == "delete":
        db.unlink()
    elif damage == "garbage":
        db.write_bytes(b"this is not a database" * 500)
    else:
        data = db.read_bytes()
        db.write_bytes(data[:100] + b"\xff" * (len(data) - 100))
    with PersistentQueue(path) as q:
        stats = q.get_recovery_stats()
        assert stats.rebuilt_index is True
        assert stats.reindexed_orphans == 4
        if damage != "delete":
            assert stats.corrupt_index_moved_to and Path(stats.corrupt_index_moved_to).exists()
        # the folder gives the state; the processing entry's owner is unknown -> pending
        assert {s: q.get(i).state for s, i in ids.items()} == {
            "pending": "pending",
            "processing": "pending",
            "completed": "completed",
            "failed": "failed",
        }
        assert q.get(ids["failed"]).serial_number == "failed"
        assert q.check_integrity() == []


def test_check_integrity_reports_disagreements(tmp_path: Path) -> None:
    path = tmp_path / "q"
    ids = make_queue(path)
    with PersistentQueue(path) as q:
        os.replace(path / "pending" / f"{ids['pending']}.json", path / "failed" / f"{ids['pending']}.json")
        problems = q.check_integrity()
        assert len(problems) == 1 and "index says pending" in problems[0]
        assert q.recover_crashed_reports().fixed_states == 1
        assert q.check_integrity() == []


def _age_folders(path: Path, seconds: float = 10.0) -> None:
    """Make the queue's folders look last changed ``seconds`` ago (a queue that was idle
    for a while before it was closed)."""
    then = time.time() - seconds
    for name in ("pending", "processing", "completed", "failed", "tmp"):
        os.utime(path / name, (then, then))


def test_reopening_after_a_clean_close_looks_only_at_entries_in_flight(tmp_path: Path) -> None:
    path = tmp_path / "q"
    with PersistentQueue(path) as q:
        for i in range(30):
            q.add(report(f"SN-CLEAN-{i}"))
    _age_folders(path)
    # the marker was written at close, after the folders' last change: touch it up to match
    marker = json.loads((path / "clean-shutdown.json").read_text(encoding="utf-8"))
    marker["dirs"] = {k: os.stat(path / k).st_mtime_ns for k in marker["dirs"]}
    (path / "clean-shutdown.json").write_text(json.dumps(marker), encoding="utf-8")
    with PersistentQueue(path) as q:
        stats = q.get_recovery_stats()
        assert stats.full_scan is False and not stats.changed_anything
        assert q.get_pending_count() == 30
        assert not (path / "clean-shutdown.json").exists()  # taken: a crash now means a full scan
        [claimed] = q.claim_next(1)
    # a change after the clean close (a person moving a file) is noticed: full scan
    os.replace(path / "processing" / f"{claimed.id}.json", path / "failed" / f"{claimed.id}.json")
    with PersistentQueue(path) as q:
        stats = q.get_recovery_stats()
        assert stats.full_scan is True and stats.fixed_states == 1
        assert q.get(claimed.id).state == "failed"


def test_the_marker_is_left_by_the_last_session_only(tmp_path: Path) -> None:
    path = tmp_path / "q"
    first = PersistentQueue(path)
    second = PersistentQueue(path)  # e.g. the CLI while the service runs
    second.add(report("SN-A"))
    second.close()
    assert not (path / "clean-shutdown.json").exists()  # the service is still open
    first.close()
    assert (path / "clean-shutdown.json").exists()
    with PersistentQueue(path) as q:  # closed just now: folders too fresh to trust, full scan
        assert q.get_recovery_stats().full_scan is True
