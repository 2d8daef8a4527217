"""QueueReader and the read-only CLI commands never take the queue's write lock."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pywats_client.cli import cli
from pywats_client.queue import PersistentQueue
from pywats_client.queue.reader import QueueReader


def _report(sn: str) -> dict[str, object]:
    return {"type": "T", "pn": "PN-1", "sn": sn, "rev": "A", "processCode": 10, "result": "P",
            "machineName": "ST", "start": "2026-01-01T00:00:00Z", "root": {"status": "P", "stepType": "SequenceCall"}}


def _tree(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


def test_reader_counts_and_lists_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    with PersistentQueue(folder) as queue:
        for i in range(3):
            queue.add(_report(f"SN-{i}"))
        [first] = queue.claim_next(1)
        queue.mark_failed(first.id, "server said no")
    before = _tree(folder)
    writer = sqlite3.connect(str(folder / "queue.db"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the service in the middle of a write transaction
    try:
        t0 = time.monotonic()
        with QueueReader(folder) as reader:
            assert reader.counts() == {"pending": 2, "processing": 0, "completed": 0, "failed": 1}
            assert [e.serial_number for e in reader.list()] == ["SN-0", "SN-1", "SN-2"]
            assert [e.error for e in reader.list("failed")] == ["server said no"]
            with pytest.raises(ValueError, match="unknown queue state"):
                reader.list("nope")
        assert time.monotonic() - t0 < 2.0  # never waited for the writer
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert _tree(folder) == before  # nothing created, nothing repaired


def test_reader_of_a_missing_queue_is_empty(tmp_path: Path) -> None:
    with QueueReader(tmp_path / "never") as reader:
        assert reader.counts() == {"pending": 0, "processing": 0, "completed": 0, "failed": 0}
        assert reader.list() == []
    assert not (tmp_path / "never").exists()


def test_queue_list_and_status_do_not_wait_for_the_write_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(home))
    monkeypatch.delenv("PYWATS_INSTANCE_ID", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["config", "init", "--instance-id", "solo"]).exit_code == 0
    folder = home / "reports"
    with PersistentQueue(folder) as queue:
        queue.add(_report("SN-RO"))
    writer = sqlite3.connect(str(folder / "queue.db"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        t0 = time.monotonic()
        listed = runner.invoke(cli, ["queue", "list", "--json"])
        status = runner.invoke(cli, ["status", "--json"])
        assert time.monotonic() - t0 < 5.0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert listed.exit_code == 0, listed.output
    assert [e["serial_number"] for e in json.loads(listed.output)] == ["SN-RO"]
    assert status.exit_code == 0, status.output
    assert json.loads(status.output)["queue"]["pending"] == 1
    assert list((folder / "owners").iterdir()) == []  # no queue session was opened
