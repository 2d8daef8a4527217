"""Held queue entries and the chunked hand-over of a large file (ReportStream), no sockets."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pywats_client.queue import HELD_UNTIL, PersistentQueue
from pywats_client.service.ledger import IntakeLedger
from pywats_client.service.stream import ReportStream, StreamStopped, drop_unfinished, stream_report_id

DIGEST = "ab" * 32


def report(sn: str, **extra: Any) -> dict[str, Any]:
    return {"type": "T", "sn": sn, "pn": "PN-1", "rev": "A", "processCode": 100, "result": "P", **extra}


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[PersistentQueue]:
    q = PersistentQueue(tmp_path / "q", min_free_bytes=0)
    yield q
    q.close()


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[IntakeLedger]:
    led = IntakeLedger(tmp_path / "ledger.db")
    yield led
    led.close()


def _stream(queue: PersistentQueue, ledger: IntakeLedger, chunk: int = 4, **kw: Any) -> ReportStream:
    return ReportStream(queue=queue, ledger=ledger, digest=DIGEST, source="big.csv", converter="csv",
                        chunk_reports=chunk, **kw)


def test_held_entries_are_durable_but_never_claimed_nor_made_due(queue: PersistentQueue) -> None:
    queue.add_many([report("H1"), report("H2")], sources=[("f", "h")] * 2, held=True)
    queue.add(report("FREE"), source="g", source_hash="other")
    assert queue.get_pending_count() == 3
    assert [it.serial_number for it in queue.list("pending") if it.next_attempt_at == HELD_UNTIL] == ["H1", "H2"]
    queue.make_due()
    assert [it.serial_number for it in queue.claim_next(10)] == ["FREE"]
    assert queue.claim_next(10) == []


def test_release_held_makes_only_that_sources_entries_due(queue: PersistentQueue) -> None:
    queue.add_many([report("A1"), report("A2")], sources=[("a", "ha")] * 2, held=True)
    queue.add_many([report("B1")], sources=[("b", "hb")], held=True)
    assert queue.release_held("ha") == 2
    assert sorted(it.serial_number or "" for it in queue.claim_next(10)) == ["A1", "A2"]
    assert queue.release_held("ha") == 0


def test_discard_held_deletes_files_and_rows_but_not_released_entries(queue: PersistentQueue) -> None:
    released = queue.add_many([report("R1")], sources=[("a", "ha")], held=True)
    queue.release_held("ha")
    queue.add_many([report("D1"), report("D2")], sources=[("a", "ha")] * 2, held=True)
    assert queue.discard_held("ha") == 2
    assert [it.id for it in queue.list("pending")] == [released[0].id]
    assert len(list((queue.path / "pending").glob("*.json"))) == 1
    assert queue.check_integrity() == []


def test_a_small_file_is_only_collected(queue: PersistentQueue, ledger: IntakeLedger) -> None:
    stream = _stream(queue, ledger)
    for i in range(4):
        stream.add(report(f"S{i}"))
    assert not stream.streaming and len(stream.buffer) == 4 and stream.count == 4
    assert queue.get_pending_count() == 0 and ledger.get(DIGEST) is None


def test_a_large_file_is_stored_held_in_chunks_then_released(queue: PersistentQueue, ledger: IntakeLedger) -> None:
    stream = _stream(queue, ledger)
    for i in range(10):
        stream.add(report(f"L{i}", id="0b6cbb1c-2b9c-4d3e-9d0a-5b8f4c2a1e11" if i == 0 else ""))
        assert len(stream.buffer) <= 4  # at most one chunk in memory
    assert stream.streaming and stream.handed == 8
    entry = ledger.get(DIGEST)
    assert entry is not None and entry.state == "streaming"
    assert queue.claim_next(20) == []  # held: nothing of the file can be uploaded yet
    assert stream.finish() == 10
    entry = ledger.get(DIGEST)
    assert entry is not None and entry.state == "queued"
    claimed = queue.claim_next(20)
    assert sorted(it.id for it in claimed) == sorted(stream_report_id(DIGEST, i) for i in range(10))


def test_converting_again_after_a_crash_adds_nothing_twice(queue: PersistentQueue, ledger: IntakeLedger) -> None:
    first = _stream(queue, ledger)
    for i in range(9):
        first.add(report(f"C{i}"))
    assert queue.get_pending_count() == 8  # two chunks stored; then the service "died"
    again = _stream(queue, ledger)
    for i in range(10):
        again.add(report(f"C{i}"))
    again.finish()
    assert queue.get_pending_count() == 10
    assert len(queue.claim_next(20)) == 10


def test_a_failed_large_file_leaves_no_report(queue: PersistentQueue, ledger: IntakeLedger) -> None:
    stream = _stream(queue, ledger)
    for i in range(9):
        stream.add(report(f"F{i}"))
    assert stream.discard() == 8
    assert queue.get_pending_count() == 0 and ledger.get(DIGEST) is None


def test_stopping_ends_the_stream(queue: PersistentQueue, ledger: IntakeLedger) -> None:
    stop = threading.Event()
    stream = _stream(queue, ledger, stopping=stop)
    stream.add(report("X0"))
    stop.set()
    with pytest.raises(StreamStopped):
        stream.add(report("X1"))


def test_stream_ids_depend_on_content_and_index() -> None:
    assert stream_report_id(DIGEST, 0) == stream_report_id(DIGEST, 0)
    assert len({stream_report_id(DIGEST, 0), stream_report_id(DIGEST, 1), stream_report_id("cd" * 32, 0)}) == 3


def test_unfinished_hand_overs_are_dropped_at_start(queue: PersistentQueue, ledger: IntakeLedger) -> None:
    done = ReportStream(queue=queue, ledger=ledger, digest="cd" * 32, source="done.csv", converter="csv",
                        chunk_reports=4)
    for i in range(6):
        done.add(report(f"OK{i}"))
    done.finish()
    crashed = _stream(queue, ledger)
    for i in range(9):
        crashed.add(report(f"C{i}"))
    assert ledger.streaming() == [DIGEST]
    assert drop_unfinished(queue, ledger) == 8
    assert ledger.get(DIGEST) is None and ledger.streaming() == []
    assert sorted(it.serial_number or "" for it in queue.claim_next(20)) == [f"OK{i}" for i in range(6)]


def test_a_crash_after_the_release_queues_nothing_twice(queue: PersistentQueue, ledger: IntakeLedger) -> None:
    first = _stream(queue, ledger)
    for i in range(10):
        first.add(report(f"R{i}"))
    first._flush(len(first.buffer))  # the last chunk stored ...
    queue.release_held(DIGEST)  # ... released, and the service dies before the ledger says queued
    assert ledger.streaming() == [DIGEST]
    assert drop_unfinished(queue, ledger) == 0  # released reports are not touched
    again = _stream(queue, ledger)
    for i in range(10):
        again.add(report(f"R{i}"))
    assert again.finish() == 10
    assert queue.get_pending_count() == 10 and len(queue.claim_next(20)) == 10


def test_big_reports_make_smaller_chunks(queue: PersistentQueue, ledger: IntakeLedger) -> None:
    big = {"misc": [{"description": f"m{i}", "text": "x" * 1000} for i in range(100)]}  # ~110 kB of JSON
    stream = ReportStream(queue=queue, ledger=ledger, digest=DIGEST, source="big.csv", converter="csv",
                          chunk_reports=256, chunk_bytes=1024 * 1024)
    for i in range(12):
        stream.add(report(f"B{i}", **big))
    size = len(json.dumps(report("B0", **big), separators=(",", ":")))
    assert stream.chunk_reports == 1024 * 1024 // size == 10
    assert stream.streaming and len(stream.buffer) <= 10
    assert stream.finish() == 12
