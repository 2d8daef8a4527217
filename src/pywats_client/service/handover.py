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

Only files with few reports come here; a file with many is queued in held chunks while it
converts (:mod:`pywats_client.service.stream`), so no request holds a large file's reports.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pywats_client.queue.errors import QueueFullError
from pywats_client.queue.persistent import PersistentQueue
from pywats_client.service.groupcommit import GroupCommit
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


class HandOver:
    """Serialises and batches queue additions (see the module docstring)."""

    def __init__(self, queue: PersistentQueue, ledger: IntakeLedger, *, max_batch: int = 256) -> None:
        self.queue = queue
        self.ledger = ledger
        self._group: GroupCommit[HandOverRequest] = GroupCommit(
            self._commit, name="pywats-handover", max_batch=max_batch
        )

    def submit(self, digest: str, reports: list[dict[str, Any]], source: str, converter: str) -> None:
        """Queue ``reports`` durably (blocks until done); re-raises the queue's error."""
        try:
            self._group.submit(HandOverRequest(digest, reports, source, converter))
        except RuntimeError as exc:
            if "closed" in str(exc):
                raise RuntimeError("the hand-over is closed (service stopping)") from None
            raise

    def close(self) -> None:
        """Finish the requests already submitted, then stop the committer thread."""
        self._group.close(5.0)

    def _commit(self, batch: list[HandOverRequest]) -> list[BaseException | None]:
        """(committer thread) Ledger, queue and ledger again for the whole batch; one error
        (or None) per request. A failing file of a batch is isolated: the rest go through."""
        try:
            self.ledger.begin_many(
                [(r.digest, [str(rep["id"]) for rep in r.reports], r.source, r.converter) for r in batch]
            )
        except Exception as exc:  # noqa: BLE001 - isolate the culprit, or report it
            if len(batch) > 1:
                log.debug("batch ledger write failed (%s); committing one file at a time", exc)
                return [self._commit([r])[0] for r in batch]
            return [exc]
        errors: list[BaseException | None] = [None] * len(batch)
        added = False
        if len(batch) > 1:
            try:
                self.queue.add_many(
                    [rep for r in batch for rep in r.reports],
                    sources=[(r.source, r.digest) for r in batch for _ in r.reports],
                )
                added = True
            except QueueFullError as exc:
                return [exc] * len(batch)
            except Exception as exc:  # noqa: BLE001 - find the culprit one by one below
                log.debug("batch add failed (%s); adding one file at a time", exc)
        if not added:
            for i, r in enumerate(batch):
                try:
                    for rep in r.reports:
                        self.queue.add(rep, source=r.source, source_hash=r.digest)
                except Exception as exc:  # noqa: BLE001
                    errors[i] = exc
        try:
            self.ledger.mark_queued_many([r.digest for r, e in zip(batch, errors) if e is None])
        except Exception as exc:  # noqa: BLE001 - the rows stay 'handing': safe, only slower on restart
            log.warning("ledger update failed: %s", exc)
        return errors
