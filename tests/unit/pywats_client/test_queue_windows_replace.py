"""replace_file: a rename that rides out Windows' transient sharing violations.

NTFS refuses a rename while another process holds the file open; Linux never does, so these
tests simulate it: ``sys.platform`` reads "win32" and ``os.replace`` raises PermissionError
for its first N calls. The retry loop runs on a fake clock (no real sleeping).
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pywats_client.config import ClientConfig
from pywats_client.queue import PersistentQueue
from pywats_client.queue import _fs
from pywats_client.queue.models import COMPLETED, FAILED, PENDING, PROCESSING

REAL_REPLACE = os.replace


class FakeClock:
    """monotonic() and sleep() for the retry loop: sleeping advances the clock."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.now += seconds


class FlakyReplace:
    """os.replace that raises PermissionError for the first ``failures`` calls it should affect."""

    def __init__(self, failures: int, *, only: Callable[[str], bool] | None = None) -> None:
        self.failures = failures
        self.only = only
        self.calls = 0
        self.raised: list[PermissionError] = []

    def __call__(self, src: Any, dst: Any) -> None:
        if self.only is None or self.only(os.fspath(dst)):
            self.calls += 1
            if len(self.raised) < self.failures:
                err = PermissionError(13, "The process cannot access the file because it is being used by another process", os.fspath(src))
                self.raised.append(err)
                raise err
        REAL_REPLACE(src, dst)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    c = FakeClock()
    monkeypatch.setattr(_fs, "_monotonic", c.monotonic)
    monkeypatch.setattr(_fs, "_sleep", c.sleep)
    return c


def make_file(tmp_path: Path, name: str = "a.json", text: str = "x") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ---------------------------------------------------------------- the helper itself


def test_windows_retries_then_succeeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> None:
    src, dst = make_file(tmp_path, "src.json", "payload"), tmp_path / "dst.json"
    flaky = FlakyReplace(3)
    monkeypatch.setattr(os, "replace", flaky)
    monkeypatch.setattr(sys, "platform", "win32")

    _fs.replace_file(src, dst)

    assert flaky.calls == 4
    assert len(clock.sleeps) == 3
    assert clock.sleeps == sorted(clock.sleeps) and clock.sleeps[-1] > clock.sleeps[0]  # backs off
    assert not src.exists()
    assert dst.read_text(encoding="utf-8") == "payload"


def test_windows_gives_up_after_the_deadline_with_the_original_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    src, dst = make_file(tmp_path), tmp_path / "dst.json"
    flaky = FlakyReplace(10**6)
    monkeypatch.setattr(os, "replace", flaky)
    monkeypatch.setattr(sys, "platform", "win32")

    with pytest.raises(PermissionError) as info:
        _fs.replace_file(src, dst)

    assert info.value is flaky.raised[-1]  # the OS error itself, not a wrapper
    assert info.value.filename == os.fspath(src)
    assert flaky.calls > 3  # it did retry
    waited = sum(clock.sleeps)
    assert waited == pytest.approx(_fs.REPLACE_RETRY_SECONDS)  # bounded: never past the deadline
    assert max(clock.sleeps) <= _fs._MAX_DELAY
    assert src.exists() and not dst.exists()  # nothing lost


def test_windows_deadline_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> None:
    src, dst = make_file(tmp_path), tmp_path / "dst.json"
    monkeypatch.setattr(os, "replace", FlakyReplace(10**6))
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(PermissionError):
        _fs.replace_file(src, dst, retry_seconds=0.1)
    assert sum(clock.sleeps) == pytest.approx(0.1)


def test_non_windows_raises_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> None:
    src, dst = make_file(tmp_path), tmp_path / "dst.json"
    flaky = FlakyReplace(1)
    monkeypatch.setattr(os, "replace", flaky)
    monkeypatch.setattr(sys, "platform", "linux")
    with pytest.raises(PermissionError) as info:
        _fs.replace_file(src, dst)
    assert info.value is flaky.raised[0]
    assert flaky.calls == 1
    assert clock.sleeps == []


def test_windows_other_errors_are_not_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(FileNotFoundError):
        _fs.replace_file(tmp_path / "missing.json", tmp_path / "dst.json")
    assert clock.sleeps == []


def test_replaces_an_existing_target(tmp_path: Path) -> None:
    src, dst = make_file(tmp_path, "new.json", "new"), make_file(tmp_path, "old.json", "old")
    _fs.replace_file(str(src), str(dst))
    assert dst.read_text(encoding="utf-8") == "new" and not src.exists()


# ---------------------------------------------------------------- the queue and config use it


@pytest.fixture
def windows_fs(monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> FakeClock:
    """Make only the helper believe it runs on Windows (the rest of the queue stays POSIX)."""
    monkeypatch.setattr(_fs, "sys", types.SimpleNamespace(platform="win32"))
    return clock


def report(sn: str = "SN-1") -> dict[str, Any]:
    return {"type": "T", "sn": sn, "pn": "PN-1", "rev": "A", "processCode": 100, "result": "P"}


def test_queue_state_moves_ride_out_a_held_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, windows_fs: FakeClock
) -> None:
    with PersistentQueue(tmp_path / "q", free_space=lambda _p: 10**12) as q:
        # intake: the rename tmp/ -> pending/ is refused twice (e.g. an indexer scanning pending/)
        flaky_add = FlakyReplace(2, only=lambda dst: f"{os.sep}{PENDING}{os.sep}" in dst)
        monkeypatch.setattr(os, "replace", flaky_add)
        item = q.add(report())
        assert flaky_add.calls == 3
        assert (q.path / PENDING / f"{item.id}.json").exists()

        # claim: pending/ -> processing/ refused three times (the CLI reading the queued report)
        flaky_claim = FlakyReplace(3, only=lambda dst: f"{os.sep}{PROCESSING}{os.sep}" in dst)
        monkeypatch.setattr(os, "replace", flaky_claim)
        [claimed] = q.claim_next()
        assert claimed.id == item.id and claimed.state == PROCESSING
        assert flaky_claim.calls == 4
        assert (q.path / PROCESSING / f"{item.id}.json").exists()
        assert not (q.path / PENDING / f"{item.id}.json").exists()
        assert q.check_integrity() == []
    assert len(windows_fs.sleeps) == 5


def test_queue_move_that_stays_blocked_fails_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, windows_fs: FakeClock
) -> None:
    with PersistentQueue(tmp_path / "q", free_space=lambda _p: 10**12) as q:
        item = q.add(report())
        assert [c.id for c in q.claim_next()] == [item.id]
        monkeypatch.setattr(os, "replace", FlakyReplace(10**6, only=lambda dst: f"{os.sep}{FAILED}{os.sep}" in dst))
        with pytest.raises(PermissionError):
            q.mark_failed(item.id, "boom")
        # the transaction rolled back: file and row still agree, nothing lost
        got = q.get(item.id)
        assert got is not None and got.state == PROCESSING
        assert (q.path / PROCESSING / f"{item.id}.json").exists()
        assert q.check_integrity() == []
    assert sum(windows_fs.sleeps) == pytest.approx(_fs.REPLACE_RETRY_SECONDS)


def test_config_save_rides_out_a_held_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, windows_fs: FakeClock
) -> None:
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PYWATS_API_TOKEN", raising=False)
    config = ClientConfig.defaults("ict")
    config.station_name = "ST-1"
    flaky = FlakyReplace(2)
    monkeypatch.setattr(os, "replace", flaky)
    path = config.save()
    assert flaky.calls == 3
    assert ClientConfig.load_file(path).station_name == "ST-1"
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


# ---------------------------------------------------------------- deleting a held file


class HeldFiles:
    """os.unlink that refuses (PermissionError, as Windows does) for the paths in ``held``."""

    def __init__(self) -> None:
        self.held: set[str] = set()
        self.refused = 0
        self.real = os.unlink

    def __call__(self, path: Any, *args: Any, **kwargs: Any) -> None:
        if os.fspath(path) in self.held:
            self.refused += 1
            raise PermissionError(13, "The process cannot access the file because it is being used by another process", os.fspath(path))
        self.real(path, *args, **kwargs)


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> HeldFiles:
    h = HeldFiles()
    monkeypatch.setattr(os, "unlink", h)
    return h


def test_remove_file(tmp_path: Path, held: HeldFiles) -> None:
    p = make_file(tmp_path)
    held.held.add(os.fspath(p))
    assert _fs.remove_file(p) is False and p.exists()
    held.held.clear()
    assert _fs.remove_file(p) is True and not p.exists()
    assert _fs.remove_file(p) is True  # already gone


def test_completing_while_the_report_file_is_held(tmp_path: Path, held: HeldFiles) -> None:
    with PersistentQueue(tmp_path / "q", keep_completed=False, free_space=lambda _p: 10**12) as q:
        a, b = q.add(report("SN-A")), q.add(report("SN-B"))
        q.claim_next(2)
        held.held = {os.fspath(q.path / COMPLETED / f"{i}.json") for i in (a.id, b.id)}
        # the server acknowledged: recording it must not fail because a reader has the file open
        assert q.mark_completed(a.id, server_id="1").state == COMPLETED
        assert [i.state for i in q.complete_many([(b.id, "2")])] == [COMPLETED]
        assert held.refused == 2
        assert (q.path / COMPLETED / f"{a.id}.json").exists()
        assert q.prune_completed() == 0  # still held: left alone, no error
        held.held.clear()
        assert q.prune_completed() == 2  # released: cleaned up
        assert list((q.path / COMPLETED).glob("*.json")) == []
        got = q.get(a.id)
        assert got is not None and got.state == COMPLETED  # the row stays (re-adds are recognised)


def test_pruning_skips_held_files_and_keeps_their_rows(tmp_path: Path, held: HeldFiles) -> None:
    with PersistentQueue(tmp_path / "q", completed_max_count=0, free_space=lambda _p: 10**12) as q:
        ids = [q.add(report(f"SN-{n}")).id for n in range(3)]
        q.claim_next(3)
        held.held = {os.fspath(q.path / COMPLETED / f"{ids[0]}.json")}
        q.complete_many([(i, None) for i in ids])  # keep_completed: nothing deleted yet
        assert q.prune_completed() == 2
        assert q.get(ids[0]) is not None and q.get(ids[1]) is None and q.get(ids[2]) is None
        assert q.check_integrity() == []
        held.held.clear()
        assert q.prune_completed() == 1
        assert q.get(ids[0]) is None


def test_opening_a_queue_while_a_completed_file_is_held(tmp_path: Path, held: HeldFiles) -> None:
    with PersistentQueue(tmp_path / "q", free_space=lambda _p: 10**12) as q:
        item = q.add(report())
        q.claim_next()
        q.mark_completed(item.id)
    held.held = {os.fspath(tmp_path / "q" / COMPLETED / f"{item.id}.json")}
    # start-up recovery prunes; with the file held it must still open (and prune it later)
    with PersistentQueue(tmp_path / "q", completed_max_count=0, free_space=lambda _p: 10**12) as q:
        assert held.refused == 1
        assert q.get_recovery_stats().pruned_completed == 0
        got = q.get(item.id)
        assert got is not None and got.state == COMPLETED
