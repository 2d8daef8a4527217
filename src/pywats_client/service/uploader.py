"""Uploader: the durable queue → the WATS server, with connectivity tracking.

- Claims due entries oldest first, at most ``upload_concurrency`` in flight.
- Only answers from the server count as attempts. A transport error (connection refused,
  timeout) gives the entry back to pending *without* counting an attempt and switches the
  instance to OFFLINE; while OFFLINE nothing is attempted, so an outage of any length fails
  nothing. A health check (``GET /api/App/Version`` every ``health_check_interval`` s)
  brings it back ONLINE and wakes the uploader.
- 401/403 pause the instance as AUTH_FAILED until the token changes (reload/restart);
  neither a health check nor a network blip clears it.
- 400 (validation) parks the entry in failed/ with the server's message.
- 429 pauses the whole instance for Retry-After (capped at an hour; not an attempt): the
  server asked the station, not one report, to slow down. 5xx and other answered errors
  are retried with exponential backoff and jitter, capped at ``retry_interval_seconds``;
  after ``max_retry_attempts`` the entry goes to failed/ (never dropped).
- Only server answers count as attempts: a local fault while submitting (a closed client
  during a reload, a bug) puts the entry back with its error and a backoff, not counted.
- The loop survives its own faults (e.g. the queue database briefly unreadable): it logs,
  shows the error in status, backs off and carries on.
- Sleeps until the next due time or a wake-up (a report was queued, the state changed):
  no polling while idle.
- Few thread hops: one worker-thread call claims a batch *and* reads its reports; the
  acknowledgements of uploads finishing at about the same time are committed together
  (``PersistentQueue.complete_many``, one transaction). An entry is completed only after
  its own acknowledgement; an upload counts as done only once its completion is committed.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Any
from collections.abc import Callable

from pywats_client.service.stats import ServiceStats, States

__all__ = ["MAX_RATE_LIMIT_PAUSE", "Uploader", "backoff_delay"]

log = logging.getLogger("pywats_client.service.uploader")

#: The longest pause a 429 answer's Retry-After can impose (seconds).
MAX_RATE_LIMIT_PAUSE = 3600.0


def backoff_delay(attempts: int, cap: float, *, base: float = 1.0, rand: Callable[[], float] = random.random) -> float:
    """Delay before retry number ``attempts`` (1-based): ``base·2^(n-1)`` capped at ``cap``,
    with jitter (50–100 % of that)."""
    cap = max(0.0, float(cap))
    raw = min(cap, base * (2 ** max(0, attempts - 1)))
    return raw * (0.5 + 0.5 * rand())


class Uploader:
    """Runs the upload loop and the health check of one instance."""

    def __init__(
        self,
        *,
        queue: Any,
        api_factory: Callable[[], Any],
        config: Any,
        stats: ServiceStats,
    ) -> None:
        self.queue = queue
        self.api_factory = api_factory
        self.config = config
        self.stats = stats
        self.api: Any = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._health_now: asyncio.Event | None = None
        self._acks: list[tuple[str, str | None, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._paused_until = 0.0  # time.monotonic() before which nothing is uploaded (429)
        self._local_faults = 0  # consecutive non-answer failures (for their backoff)
        self._closers: set[asyncio.Task[None]] = set()  # old clients closing after a reload

    # ------------------------------------------------------------------ control

    def wake(self) -> None:
        """Wake the upload loop (thread-safe; cheap when already awake)."""
        loop, event = self._loop, self._wake
        if loop is None or event is None or event.is_set():
            return  # already set: the loop clears it only right before it looks at the queue
        try:
            loop.call_soon_threadsafe(event.set)
        except RuntimeError:
            pass

    async def replace_api(self, config: Any) -> None:
        """Use a new config (reload): rebuild the client; a new token clears AUTH_FAILED."""
        old_token = getattr(self.config, "api_token", None)
        old_address = getattr(self.config, "service_address", None)
        self.config = config
        if config.api_token != old_token or config.service_address != old_address:
            old, self.api = self.api, self.api_factory()
            if old is not None:
                # uploads in flight still use the old client: close it once they are done
                closer = asyncio.create_task(self._close_when_done(old, list(self._tasks)))
                self._closers.add(closer)
                closer.add_done_callback(self._closers.discard)
            if self.stats.state == States.AUTH_FAILED:  # the only way out of AUTH_FAILED
                self.stats.set_state(States.STARTING, "configuration reloaded")
        if self._health_now is not None:
            self._health_now.set()
        self.wake()

    @staticmethod
    async def _close_when_done(api: Any, tasks: list[asyncio.Task[None]]) -> None:
        if tasks:
            await asyncio.wait(tasks, timeout=60.0)
        try:
            await api.aclose()
        except Exception:  # noqa: BLE001 - closing a client we no longer use
            pass

    def _blocked(self) -> bool:
        state = self.stats.state
        if state == States.AUTH_FAILED:
            return True
        return state == States.OFFLINE and bool(self.config.auto_reconnect)

    def _set_state(self, state: str, reason: str | None) -> None:
        if self.stats.state == States.AUTH_FAILED and state != States.AUTH_FAILED:
            return  # only a new token (replace_api) ends AUTH_FAILED
        if self.stats.set_state(state, reason):
            if state == States.ONLINE:
                log.info("instance is ONLINE (%s)", self.config.service_address)
            elif state == States.OFFLINE:
                log.warning("instance is OFFLINE: %s", reason)
            elif state == States.AUTH_FAILED:
                log.error("instance paused, AUTH_FAILED: %s (set a new token and reload)", reason)
            self.wake()

    # ------------------------------------------------------------------ loops

    def pause(self, seconds: float, reason: str) -> None:
        """Upload nothing for ``seconds`` (at most :data:`MAX_RATE_LIMIT_PAUSE`), e.g. after a 429."""
        seconds = min(MAX_RATE_LIMIT_PAUSE, max(0.0, float(seconds)))
        until = time.monotonic() + seconds
        if until <= self._paused_until:
            return
        self._paused_until = until
        with self.stats.lock:
            self.stats.rate_limited_until = time.time() + seconds
        log.warning("uploads paused for %.1fs: %s", seconds, reason)
        self.wake()

    def _pause_left(self) -> float:
        return max(0.0, self._paused_until - time.monotonic())

    async def run(self) -> None:
        """The upload loop; returns after :meth:`stop`. Survives its own faults."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self.api is None:
            self.api = self.api_factory()
        faults = 0
        while not self._stopping:
            self._wake.clear()
            try:
                again, timeout = await self._fill()
                faults = 0
            except Exception as exc:  # e.g. the queue database is locked or unreadable
                faults += 1
                again, timeout = False, min(30.0, 0.5 * 2 ** min(faults - 1, 6))
                log.exception("upload loop failed; trying again in %.1fs", timeout)
                self.stats.error(f"upload loop: {type(exc).__name__}: {exc}")
            if again:
                continue
            if self._stopping:
                break
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except asyncio.TimeoutError:
                pass

    async def _fill(self) -> tuple[bool, float | None]:
        """Start uploads for the free slots; returns (look again at once, wait at most)."""
        pause = self._pause_left()
        if pause > 0:
            return False, pause
        if self._blocked():
            return False, None
        free = max(1, int(self.config.upload_concurrency)) - len(self._tasks)
        if free <= 0:
            return False, None
        items = await asyncio.to_thread(self._claim_and_read, free)
        for item, report, error in items:
            task = asyncio.create_task(self._upload(item, report, error))
            self._tasks.add(task)
            task.add_done_callback(self._task_done)
        if len(items) == free:
            return True, None
        due = await asyncio.to_thread(self.queue.next_due_in)
        if due is None:
            return False, None
        return False, (max(0.05, due) if not items else max(0.0, due))

    def _claim_and_read(self, limit: int) -> list[tuple[Any, Any, BaseException | None]]:
        """(worker thread) Claim up to ``limit`` due entries and read their reports:
        ``[(item, report or None, read error or None)]``."""
        out: list[tuple[Any, Any, BaseException | None]] = []
        for item in self.queue.claim_next(limit):
            try:
                out.append((item, self.queue.read_report(item), None))
            except Exception as exc:  # noqa: BLE001 - parked by _upload, visibly
                out.append((item, None, exc))
        return out

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self.stats.activity is not None:
            self.stats.activity.set()
        if self._wake is not None:
            self._wake.set()
        if not task.cancelled() and task.exception() is not None:
            log.error("upload task failed: %r", task.exception())

    async def health_loop(self) -> None:
        """Check the server every ``health_check_interval`` seconds (first check at once)."""
        self._health_now = asyncio.Event()
        while not self._stopping:
            self._health_now.clear()
            await self.check_health()
            try:
                await asyncio.wait_for(self._health_now.wait(), float(self.config.health_check_interval))
            except asyncio.TimeoutError:
                pass

    async def check_health(self) -> None:
        """One health check; updates the state."""
        from pywats.exceptions import AuthenticationError, AuthorizationError, PyWATSError, TransportError

        if self.api is None:
            self.api = self.api_factory()
        if not self.config.service_address:
            self._set_state(States.OFFLINE, "service_address is not configured")
            return
        try:
            await self.api.app.get_version()
        except TransportError as exc:
            self._set_state(States.OFFLINE, f"health check: {exc}")
            return
        except (AuthenticationError, AuthorizationError) as exc:
            self._set_state(States.AUTH_FAILED, str(exc))
            return
        except PyWATSError as exc:
            self.stats.error(f"health check: {exc}")
            if self.stats.state == States.STARTING:
                self._set_state(States.ONLINE, None)
            return
        except Exception as exc:  # never let the health loop die
            log.exception("health check failed unexpectedly")
            self.stats.error(f"health check: {type(exc).__name__}: {exc}")
            return
        if self.stats.state != States.AUTH_FAILED:
            self._set_state(States.ONLINE, None)

    # ------------------------------------------------------------------ one upload

    async def _upload(self, item: Any, report: Any = None, read_error: BaseException | None = None) -> None:
        from pywats.exceptions import (
            AuthenticationError,
            AuthorizationError,
            HTTPError,
            RateLimitError,
            TransportError,
            ValidationError,
        )

        q = self.queue
        if report is None and read_error is None:
            try:
                report = await asyncio.to_thread(q.read_report, item)
            except asyncio.CancelledError:
                q.release(item.id, count_attempt=False)
                raise
            except Exception as exc:  # noqa: BLE001
                read_error = exc
        if read_error is not None:  # unreadable entry: park it, visibly
            await asyncio.to_thread(q.mark_failed, item.id, f"cannot read the queued report: {read_error}")
            with self.stats.lock:
                self.stats.uploads_failed += 1
            return
        api = self.api
        try:
            result = await api.report.submit_report(report)
        except asyncio.CancelledError:
            q.release(item.id, count_attempt=False)  # stopping: back to pending, not an attempt
            raise
        except TransportError as exc:
            retry_at = None if self.config.auto_reconnect else time.time() + float(self.config.retry_interval_seconds)
            await asyncio.to_thread(q.release, item.id, error=str(exc), retry_at=retry_at, count_attempt=False)
            self._set_state(States.OFFLINE, str(exc))
            self._count_error(str(exc))
            return
        except (AuthenticationError, AuthorizationError) as exc:
            await asyncio.to_thread(q.release, item.id, error=str(exc), count_attempt=False)
            self._set_state(States.AUTH_FAILED, str(exc))
            self._count_error(str(exc))
            return
        except ValidationError as exc:
            await asyncio.to_thread(q.mark_failed, item.id, f"rejected by the server: {exc}")
            log.error("report %s rejected by the server: %s (moved to failed/)", item.id, exc)
            with self.stats.lock:
                self.stats.uploads_failed += 1
            self._count_error(str(exc))
            return
        except RateLimitError as exc:
            wait = exc.retry_after if exc.retry_after is not None else backoff_delay(
                item.attempts + 1, float(self.config.retry_interval_seconds)
            )
            wait = min(MAX_RATE_LIMIT_PAUSE, max(0.0, float(wait)))
            self.pause(wait, f"the server answered 429 ({exc})")
            await asyncio.to_thread(q.release, item.id, error=str(exc), retry_at=time.time() + wait, count_attempt=False)
            self._count_error(str(exc))
            return
        except HTTPError as exc:  # 5xx and anything else the server answered
            await self._answered_failure(item, str(exc))
            return
        except Exception as exc:  # not an answer from the server: not an attempt
            self._local_faults += 1
            delay = backoff_delay(self._local_faults, max(1.0, float(self.config.retry_interval_seconds)))
            error = f"{type(exc).__name__}: {exc}"
            log.exception("report %s not sent (%s); not counted as an attempt, next try in %.1fs", item.id, error, delay)
            await asyncio.to_thread(q.release, item.id, error=error, retry_at=time.time() + delay, count_attempt=False)
            self._count_error(error)
            return
        self._local_faults = 0
        server_id = getattr(result, "id", None)
        await self._complete(item.id, str(server_id) if server_id else None)
        self.stats.acked(item.id, time.monotonic())
        if self.stats.state != States.ONLINE and self.stats.state != States.AUTH_FAILED:
            self._set_state(States.ONLINE, None)

    # ------------------------------------------------------------------ completions

    async def _complete(self, item_id: str, server_id: str | None) -> None:
        """Commit the completion of an acknowledged entry, together with the other
        acknowledgements waiting at that moment; returns once it is committed."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._acks.append((item_id, server_id, fut))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_acks(), name="uploader-completions")
        # shielded: a cancelled upload whose report the server already has still completes
        await asyncio.shield(fut)

    async def _flush_acks(self) -> None:
        while self._acks:
            batch, self._acks = self._acks, []
            try:
                errors = await asyncio.to_thread(self._complete_batch, [(i, s) for i, s, _ in batch])
            except BaseException as exc:  # noqa: BLE001 - every waiter must be released
                errors = [exc] * len(batch)
            for (_, _, fut), error in zip(batch, errors):
                if fut.done():
                    continue
                if error is None:
                    fut.set_result(None)
                else:
                    fut.set_exception(error)

    def _complete_batch(self, acks: list[tuple[str, str | None]]) -> list[BaseException | None]:
        """(worker thread) One transaction for the batch; one by one if that fails."""
        if len(acks) > 1:
            try:
                self.queue.complete_many(acks)
                return [None] * len(acks)
            except Exception as exc:  # noqa: BLE001 - find the culprit below
                log.debug("batch completion failed (%s); completing one at a time", exc)
        errors: list[BaseException | None] = []
        for item_id, server_id in acks:
            try:
                self.queue.mark_completed(item_id, server_id=server_id)
                errors.append(None)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
        return errors

    async def _answered_failure(self, item: Any, error: str) -> None:
        attempts = int(item.attempts) + 1
        limit = max(1, int(self.config.max_retry_attempts))
        self._count_error(error)
        if attempts >= limit:
            await asyncio.to_thread(self.queue.mark_failed, item.id, error)
            with self.stats.lock:
                self.stats.uploads_failed += 1
            log.error("report %s failed after %d attempts: %s (moved to failed/)", item.id, attempts, error)
            return
        delay = backoff_delay(attempts, float(self.config.retry_interval_seconds))
        await asyncio.to_thread(
            self.queue.release, item.id, error=error, retry_at=time.time() + delay, count_attempt=True
        )
        log.warning("report %s: attempt %d failed (%s); next try in %.1fs", item.id, attempts, error, delay)

    def _count_error(self, message: str) -> None:
        with self.stats.lock:
            self.stats.upload_errors += 1
            self.stats.last_error = message

    # ------------------------------------------------------------------ stop

    async def stop(self, grace: float) -> None:
        """Stop claiming; let uploads in flight finish for ``grace`` s, then cancel them
        (a cancelled upload goes back to pending without counting an attempt)."""
        self._stopping = True
        if self._wake is not None:
            self._wake.set()
        if self._health_now is not None:
            self._health_now.set()
        tasks = list(self._tasks)
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=2.0)
        if self._flusher is not None and not self._flusher.done():
            await asyncio.wait([self._flusher], timeout=2.0)
        if self._closers:
            await asyncio.wait(list(self._closers), timeout=2.0)
        if self.api is not None:
            try:
                await self.api.aclose()
            except Exception:  # noqa: BLE001
                pass
