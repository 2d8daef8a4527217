"""Watched-folder building blocks: candidate filter, listing, stability gate, file moves, ledger."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from pywats_client.service import fileops
from pywats_client.service.fileops import file_sha256, move_unique, unique_name, write_error_file
from pywats_client.service.ledger import IntakeLedger
from pywats_client.service.lock import InstanceLock, InstanceLocked
from pywats_client.service.watcher import StabilityTracker, can_open_exclusively, is_candidate, iter_files
from support.polling import wait_until


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("test.csv", True),
        ("TEST.CSV", True),
        ("test.csv.error", False),
        ("report.tmp", False),
        (".hidden.csv", False),
        ("~$lock.xlsx", False),
        ("copy.csv.part", False),
        ("download.crdownload", False),
        ("file.csv~", False),
    ],
)
def test_candidate_filter(name: str, expected: bool) -> None:
    assert is_candidate(name) is expected


def test_iter_files_skips_folders_and_temp_files(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x")
    (tmp_path / "a.csv.error").write_text("reason")
    (tmp_path / ".b.csv.tmp").write_text("partial")
    (tmp_path / "Done").mkdir()
    listed = list(iter_files(tmp_path))
    assert [p.name for p, _, _ in listed] == ["a.csv"]
    assert listed[0][1] == 1
    assert list(iter_files(tmp_path / "missing")) == []
    assert can_open_exclusively(tmp_path / "a.csv")
    assert not can_open_exclusively(tmp_path / "missing.csv")


def test_stability_needs_unchanged_size_and_mtime_for_the_whole_window() -> None:
    t = StabilityTracker()
    p = Path("/w/a.csv")
    assert not t.observe(p, 10, 100, now=0.0, stable_seconds=2.0)
    assert t.next_deadline() == 2.0
    assert t.due(1.0) == [] and t.due(2.0) == [p]
    assert not t.observe(p, 10, 100, now=1.9, stable_seconds=2.0)
    assert not t.observe(p, 20, 100, now=2.1, stable_seconds=2.0)  # grew: clock restarts
    assert not t.observe(p, 20, 100, now=4.0, stable_seconds=2.0)
    assert not t.observe(p, 20, 101, now=4.2, stable_seconds=2.0)  # touched (copy kept size)
    assert t.observe(p, 20, 101, now=6.2, stable_seconds=2.0)
    t.forget(p)
    assert t.next_deadline() is None and len(t) == 0


def test_stability_zero_seconds_and_retain() -> None:
    t = StabilityTracker()
    assert t.observe(Path("/w/x"), 1, 1, now=0.0, stable_seconds=0)
    t.observe(Path("/w/y"), 1, 1, now=0.0, stable_seconds=5)
    t.observe(Path("/v/z"), 1, 1, now=0.0, stable_seconds=5)
    t.retain([Path("/w/x")], Path("/w"))
    assert sorted(str(p) for p in t.due(10.0)) == ["/v/z", "/w/x"]


def test_move_never_overwrites(tmp_path: Path) -> None:
    done = tmp_path / "Done"
    for i in range(3):
        src = tmp_path / "test.csv"
        src.write_text(f"run {i}")
        dst = move_unique(src, done)
        assert not src.exists()
        assert dst.read_text() == f"run {i}"
    assert sorted(p.name for p in done.iterdir()) == ["test (1).csv", "test (2).csv", "test.csv"]
    assert (done / "test.csv").read_text() == "run 0"


def test_move_finishes_an_interrupted_link(tmp_path: Path) -> None:
    done = tmp_path / "Done"
    done.mkdir()
    src = tmp_path / "a.csv"
    src.write_text("data")
    os.link(src, done / "a.csv")  # as if killed between link and unlink
    dst = move_unique(src, done)
    assert dst == done / "a.csv" and not src.exists()
    assert [p.name for p in done.iterdir()] == ["a.csv"]


def test_move_across_file_systems_copies_fsyncs_and_unlinks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_link(a: object, b: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(fileops.os, "link", no_link)
    done = tmp_path / "Done"
    done.mkdir()
    (done / "a.csv").write_text("older")
    src = tmp_path / "a.csv"
    src.write_text("newer")
    dst = move_unique(src, done)
    assert dst.name == "a (1).csv" and dst.read_text() == "newer"
    assert (done / "a.csv").read_text() == "older" and not src.exists()
    assert not any(p.name.endswith(".pywats-tmp") for p in done.iterdir())


def test_unique_name_reserves_error_file_and_error_text(tmp_path: Path) -> None:
    (tmp_path / "x.csv.error").write_text("old")
    assert unique_name(tmp_path, "x.csv", also=(".error",)).name == "x (1).csv"
    write_error_file(tmp_path / "y.csv.error", "y.csv: bad value", "Traceback ...\nValueError")
    text = (tmp_path / "y.csv.error").read_text()
    assert text.startswith("y.csv: bad value\n") and "ValueError" in text
    (tmp_path / "h").write_bytes(b"abc")
    assert file_sha256(tmp_path / "h") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_ledger_round_trip_and_left_later(tmp_path: Path) -> None:
    led = IntakeLedger(tmp_path / "intake.db")
    led.begin_many([("h1", ["id1", "id2"], "/w/a.csv", "csv"), ("h2", ["id3"], "/w/b.csv", "csv")])
    assert led.get("h1").state == "handing"  # type: ignore[union-attr]
    led.mark_queued_many(["h1"])
    led.left_later("h1")
    led.close()
    led = IntakeLedger(tmp_path / "intake.db")
    left = led.get("h1")  # flushed on close: remembered, so an identical re-drop is not uploaded again
    assert left is not None and left.state == "left" and left.report_ids == ["id1", "id2"]
    e = led.get("h2")
    assert e is not None and e.state == "handing" and e.report_ids == ["id3"] and e.source == "/w/b.csv"
    led.close()


def test_ledger_prune_forgets_only_sources_that_left_long_ago(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pywats_client.service.ledger as ledger_module

    led = IntakeLedger(tmp_path / "intake.db")
    led.begin_many([("moved", ["id1"], "/w/a.csv", "csv"), ("kept", ["id2"], "/w/b.csv", "csv")])
    led.mark_queued_many(["moved", "kept"])
    led.left_later("moved")
    assert led.prune(30) == 0  # left just now: still remembered
    later = ledger_module.time.time() + 31 * 86400
    monkeypatch.setattr(ledger_module.time, "time", lambda: later)
    assert led.prune(30) == 1
    assert led.get("moved") is None
    assert led.get("kept").state == "queued"  # type: ignore[union-attr]  # a kept file is never pruned
    led.close()


def test_ledger_shrink_memory_applies_pending_left_marks_and_keeps_the_rest(tmp_path: Path) -> None:
    led = IntakeLedger(tmp_path / "intake.db")
    led.begin_many([("h1", ["id1"], "/w/a.csv", "csv"), ("h2", ["id2"], "/w/b.csv", "csv")])
    led.mark_queued_many(["h1", "h2"])
    led.left_later("h1")
    led.shrink_memory()
    assert led.get("h1").state == "left"  # type: ignore[union-attr]
    assert led.get("h2").state == "queued"  # type: ignore[union-attr]
    led.close()


def test_instance_lock_is_exclusive(tmp_path: Path) -> None:
    a = InstanceLock(tmp_path / "service.lock")
    a.acquire()
    # flock locks belong to the open file description: a second open conflicts even in-process
    with pytest.raises(InstanceLocked, match=str(os.getpid())):
        InstanceLock(tmp_path / "service.lock").acquire()
    a.release()
    with InstanceLock(tmp_path / "service.lock"):
        pass


def _poll(cond, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    return wait_until(cond, timeout, "the watcher's condition", interval=0.01)


def test_folder_events_hint_writes_not_reads_and_wake_once_per_batch(tmp_path: Path) -> None:
    from pywats_client.service.watcher import FolderEvents

    old = tmp_path / "old.csv"
    old.write_text("x", encoding="utf-8")
    wakes: list[int] = []
    events = FolderEvents([tmp_path], lambda: wakes.append(1))
    events.start()
    try:
        assert events.error is None
        seen: set[Path] = set()
        # reading a file (as hashing and converting do) is not a hint; a new file is
        for _ in range(3):
            old.read_bytes()
        (tmp_path / "marker1.csv").write_text("m", encoding="utf-8")
        _poll(lambda: seen.update(events.take()) or (tmp_path / "marker1.csv") in seen)
        assert old not in seen
        # several changes before the consumer looks: one wake-up for the whole batch
        events.take()
        wakes.clear()
        for n in range(5):
            (tmp_path / f"b{n}.csv").write_text("b", encoding="utf-8")
        _poll(lambda: len(wakes) >= 1)
        (tmp_path / "marker2.csv").write_text("m", encoding="utf-8")
        batch: set[Path] = set()
        _poll(lambda: batch.update(events.take()) or (tmp_path / "marker2.csv") in batch)
        assert {tmp_path / f"b{n}.csv" for n in range(5)} <= batch
        assert len(wakes) < 5  # not one per event (5 files x create + modify + close = 15 events)
    finally:
        events.stop()
