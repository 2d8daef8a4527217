"""Group commit: many callers, one durable write for all of them: :class:`GroupCommit`.

Callers (threads with :meth:`GroupCommit.submit`, asyncio tasks with
:meth:`GroupCommit.submit_async`) hand in one item each and wait. One committer thread
takes every item waiting at that moment (up to ``max_batch``) and calls
``commit(batch)``, which writes them together (one transaction, one fsync) and returns
one error (or None) per item; each caller then returns or raises its own error. Under
load, N fsync round trips become one; with a single caller it costs one thread hop.
Used by the intake's hand-over to the queue and by the uploader's completions.
"""

from __future__ import annotations

import asyncio
import logging
import queue as _stdqueue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = ["GroupCommit"]

log = logging.getLogger("pywats_client.service.groupcommit")

T = TypeVar("T")


@dataclass
class _Request(Generic[T]):
    item: T
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    loop: asyncio.AbstractEventLoop | None = None
    future: asyncio.Future[None] | None = None


class GroupCommit(Generic[T]):
    """Batches items for ``commit`` (see the module docstring)."""

    def __init__(
        self,
        commit: Callable[[list[T]], Sequence[BaseException | None]],
        *,
        name: str,
        max_batch: int = 256,
    ) -> None:
        self._commit = commit
        self.max_batch = max(1, int(max_batch))
        self._requests: _stdqueue.Queue[_Request[T] | None] = _stdqueue.Queue()
        self._gate = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _put(self, req: _Request[T]) -> None:
        with self._gate:
            if self._closed:
                raise RuntimeError("closed (service stopping)")
            self._requests.put(req)

    def submit(self, item: T) -> None:
        """Commit ``item`` with whatever else is waiting; blocks until it is done and
        re-raises its error."""
        req: _Request[T] = _Request(item)
        self._put(req)
        req.done.wait()
        if req.error is not None:
            raise req.error

    async def submit_async(self, item: T) -> None:
        """:meth:`submit` for asyncio code (the event loop is never blocked). Cancelling
        the caller does not withdraw the item: it is committed anyway."""
        loop = asyncio.get_running_loop()
        req: _Request[T] = _Request(item, loop=loop, future=loop.create_future())
        self._put(req)
        assert req.future is not None
        await req.future

    def close(self, timeout: float = 5.0) -> None:
        """Commit what was submitted, then stop the committer thread (idempotent)."""
        with self._gate:
            if not self._closed:
                self._closed = True
                self._requests.put(None)
        self._thread.join(timeout)

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
            try:
                errors = list(self._commit([r.item for r in batch]))
            except BaseException as exc:  # noqa: BLE001 - every waiter must be released
                errors = [exc] * len(batch)
            errors += [None] * (len(batch) - len(errors))
            for req, error in zip(batch, errors):
                req.error = error
                self._release(req)
            if stop:
                return

    @staticmethod
    def _release(req: _Request[T]) -> None:
        req.done.set()
        fut, loop = req.future, req.loop
        if fut is None or loop is None:
            return

        def settle() -> None:
            if fut.done():
                return
            if req.error is None:
                fut.set_result(None)
            else:
                fut.set_exception(req.error)

        try:
            loop.call_soon_threadsafe(settle)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass
