"""Group commit of converted reports into the queue: :class:`HandOver`.

Intake threads call :meth:`HandOver.submit` and block until their reports are durable.
One committer thread takes every request waiting at that moment and, for the whole batch:

1. records the content hashes and report ids in the ledger (one fsync'd transaction);
2. adds every report to the queue in one queue transaction (report files fsync'd in
   parallel, one directory fsync, one commit) — ``PersistentQueue.add_many(sources=...)``;
3. marks the hashes ``queued`` in the ledger.

A crash anywhere in between is repaired on restart: the ledger still says ``handing`` with
the ids, the file is converted again, gets the same ids, and the queue (idempotent by id)
keeps one entry per report. Batching turns N fsync round trips into one, which is what
lets the intake keep up with hundreds of files per second.
"""

from __future__ import annotations

import logging
import queue as _stdqueue
import threading
from dataclasses import dataclass, field
from typing import Any

from pywats_client.queue.errors import QueueFullError
from pywats_client.queue.persistent import PersistentQueue
from pywats_client.service.ledger import IntakeLedger

__all__ = ["HandOver", "HandOverRequest"]

log = logging.getLogger("pywats_client.service.handover")


@dataclass
class HandOverRequest:
    """One source file's reports waiting to be queued."""

    digest: str
    reports: list[dict[str, Any]]
    source: str
    converter: str
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class HandOver:
    """Serialises and batches queue additions (see the module docstring)."""

    def __init__(self, queue: PersistentQueue, ledger: IntakeLedger, *, max_batch: int = 256) -> None:
        self.queue = queue
        self.ledger = ledger
        self.max_batch = max_batch
        self._requests: _stdqueue.Queue[HandOverRequest | None] = _stdqueue.Queue()
        self._thread = threading.Thread(target=self._run, name="pywats-handover", daemon=True)
        self._gate = threading.Lock()
        self._closed = False
        self._thread.start()

    def submit(self, digest: str, reports: list[dict[str, Any]], source: str, converter: str) -> None:
        """Queue ``reports`` durably (blocks until done); re-raises the queue's error."""
        req = HandOverRequest(digest, reports, source, converter)
        with self._gate:
            if self._closed:
                raise RuntimeError("the hand-over is closed (service stopping)")
            self._requests.put(req)
        req.done.wait()
        if req.error is not None:
            raise req.error

    def close(self) -> None:
        """Finish the requests already submitted, then stop the committer thread."""
        with self._gate:
            if self._closed:
                return
            self._closed = True
            self._requests.put(None)
        self._thread.join(5.0)

    def _run(self) -> None:
        while True:
            first = self._requests.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    nxt = self._requests.get_nowait()
                except _stdqueue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[HandOverRequest]) -> None:
        try:
            self.ledger.begin_many(
                [(r.digest, [str(rep["id"]) for rep in r.reports], r.source, r.converter) for r in batch]
            )
        except BaseException as exc:  # noqa: BLE001 - every waiter must be released
            if len(batch) > 1 and isinstance(exc, Exception):
                # one file's bad data must not fail the others: commit them one at a time
                log.debug("batch ledger write failed (%s); committing one file at a time", exc)
                for r in batch:
                    self._commit([r])
                return
            for r in batch:
                r.error = exc
                r.done.set()
            return
        ok: list[HandOverRequest] = []
        if len(batch) > 1:
            try:
                self.queue.add_many(
                    [rep for r in batch for rep in r.reports],
                    sources=[(r.source, r.digest) for r in batch for _ in r.reports],
                )
                ok = batch
            except QueueFullError as exc:
                for r in batch:
                    r.error = exc
                    r.done.set()
                return
            except Exception as exc:  # noqa: BLE001 - find the culprit one by one below
                log.debug("batch add failed (%s); adding one file at a time", exc)
        if not ok:
            for r in batch:
                try:
                    for rep in r.reports:
                        self.queue.add(rep, source=r.source, source_hash=r.digest)
                    ok.append(r)
                except BaseException as exc:  # noqa: BLE001
                    r.error = exc
        try:
            self.ledger.mark_queued_many([r.digest for r in ok])
        except Exception as exc:  # noqa: BLE001 - the rows stay 'handing': safe, only slower on restart
            log.warning("ledger update failed: %s", exc)
        for r in batch:
            r.done.set()
