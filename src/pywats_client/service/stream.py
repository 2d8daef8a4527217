"""The reports of one source file as they arrive from its converter: :class:`ReportStream`.

The intake passes :meth:`ReportStream.add` to ``ConverterPool.convert(on_report=...)``.
A file with at most ``chunk_reports`` reports (the common case: one report per file) is
simply collected, and the intake hands it to the group commit with other files
(:mod:`pywats_client.service.handover`), exactly as before. As soon as a file yields more,
it is handed over *while it converts*, so the service holds at most one chunk of it (and
a chunk holds fewer reports when the file's first report is big: about
:data:`DEFAULT_CHUNK_BYTES` of JSON at most):

1. the ledger records the content hash as ``streaming`` (fsync'd) before the first chunk;
2. every full chunk goes into the queue *held* (``PersistentQueue.add_many(held=True)``:
   durable, never uploaded yet); each report's id is derived from the content hash and its
   index in the file (:func:`stream_report_id`; an id the converter set is replaced, as it
   may be a fresh random one), so converting the same bytes again gives the same ids and
   re-adding a chunk is a no-op (the queue is idempotent by id);
3. when the conversion succeeded: :meth:`finish` adds the last chunk, releases the held
   reports (one transaction) and marks the hash ``queued``; only then may the source leave
   the watch folder;
4. when it failed (converter error, memory cap, timeout, a report the queue refuses):
   :meth:`discard` deletes the held reports and forgets the hash, so a failed file produces
   no report at all, and the file goes to the error folder.

A crash (or a stop) anywhere leaves the source in the watch folder and the ledger at
``streaming``. At the next start, before the intake runs, :func:`drop_unfinished` deletes
the held reports of every such hash and forgets it (so held reports of a file that changed
or vanished meanwhile never linger); the file is then converted again from the start. A
crash after the release but before the ledger said ``queued`` is covered too: released
reports are not held, so they stay, and re-adding them (same ids) is a no-op. Nothing is
lost or uploaded twice.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from pywats_client.queue.persistent import PersistentQueue
from pywats_client.service.ledger import IntakeLedger

__all__ = [
    "DEFAULT_CHUNK_BYTES",
    "DEFAULT_CHUNK_REPORTS",
    "ReportStream",
    "StreamStopped",
    "drop_unfinished",
    "stream_report_id",
]

#: Reports per hand-over chunk of a large file (and the most a file may yield to be handed
#: over whole, with other files, by the group commit). A typical report of a few kB makes
#: one chunk a few MB: the service's memory per file in flight.
DEFAULT_CHUNK_REPORTS = 256

#: A chunk is also kept under about this much JSON: the size of a file's first report sets
#: how many of its reports make a chunk (files with big reports get smaller chunks).
DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024

# uuid5 namespace of the ids of streamed reports (a fixed, arbitrary uuid of this project)
_STREAM_NAMESPACE = uuid.UUID("6f1b3c52-8a4e-5d0b-9c7e-2f4a1d9e3b60")


def stream_report_id(digest: str, index: int) -> str:
    """The id of report number ``index`` (0-based) of the source whose content hash is
    ``digest``: the same for the same bytes, different for any other file or index."""
    return str(uuid.uuid5(_STREAM_NAMESPACE, f"{digest}/{index}"))


class StreamStopped(Exception):
    """Raised from :meth:`ReportStream.add` when the service is stopping (ends the conversion)."""


class ReportStream:
    """Collects one file's reports; hands them over in held chunks once there are many."""

    def __init__(
        self,
        *,
        queue: PersistentQueue,
        ledger: IntakeLedger,
        digest: str,
        source: str,
        converter: str,
        chunk_reports: int = DEFAULT_CHUNK_REPORTS,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        stopping: threading.Event | None = None,
    ) -> None:
        self.queue = queue
        self.ledger = ledger
        self.digest = digest
        self.source = source
        self.converter = converter
        self.chunk_reports = max(1, int(chunk_reports))
        """Reports per chunk (lowered on the first report if reports are big)."""
        self.chunk_bytes = int(chunk_bytes)
        self.stopping = stopping
        self.buffer: list[dict[str, Any]] = []
        """Reports received and not handed over yet (all of them for a small file)."""
        self.count = 0
        """Reports received so far."""
        self.streaming = False
        """True once the first chunk was handed over (the file is a large one)."""
        self.handed = 0
        """Reports already stored (held) in the queue."""

    def add(self, report: dict[str, Any]) -> None:
        """``on_report`` callback: take one report (blocks while a full chunk is stored)."""
        if self.stopping is not None and self.stopping.is_set():
            raise StreamStopped("the service is stopping")
        if self.count == 1 and self.chunk_bytes > 0:  # a second report: size up the first one
            size = len(json.dumps(self.buffer[0], separators=(",", ":"), default=str))
            self.chunk_reports = max(1, min(self.chunk_reports, self.chunk_bytes // max(1, size)))
        self.buffer.append(dict(report))
        self.count += 1
        if len(self.buffer) > self.chunk_reports:
            self._flush(self.chunk_reports)

    def _flush(self, n: int) -> None:
        chunk, self.buffer = self.buffer[:n], self.buffer[n:]
        if not self.streaming:
            self.ledger.begin_streaming(self.digest, self.source, self.converter)
            self.streaming = True
        for offset, report in enumerate(chunk):
            # always: a converter's own id may be a fresh uuid4 (the report model's default),
            # which would make a second conversion after a crash a second set of reports
            report["id"] = stream_report_id(self.digest, self.handed + offset)
        self.queue.add_many(chunk, sources=[(self.source, self.digest)] * len(chunk), held=True)
        self.handed += len(chunk)

    def finish(self) -> int:
        """(large file, converted) Store the rest, release every held report of the file
        and mark it ``queued``; returns how many reports it has. After this the source may
        leave the watch folder."""
        if self.buffer:
            self._flush(len(self.buffer))
        self.queue.release_held(self.digest)
        self.ledger.mark_queued(self.digest)
        return self.handed

    def discard(self) -> int:
        """(large file, failed or changed) Delete the file's held reports and forget its
        hash; returns how many were deleted. Reports already released are not touched."""
        self.buffer = []
        if not self.streaming:
            return 0
        removed = self.queue.discard_held(self.digest)
        self.ledger.forget(self.digest)
        return removed


def drop_unfinished(queue: PersistentQueue, ledger: IntakeLedger) -> int:
    """Delete the held reports of every chunked hand-over that never finished and forget
    those hashes; returns how many reports were deleted. Call it only while no file is
    being taken (at service start, before the intake runs)."""
    removed = 0
    for digest in ledger.streaming():
        removed += queue.discard_held(digest)
        ledger.forget(digest)
    return removed
