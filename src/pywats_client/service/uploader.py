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
  server asked the station, not one report, to slow down; no health checks run during it.
  5xx and other answered errors count an attempt on the report and back off the whole
  instance (exponential with jitter, capped at ``retry_interval_seconds``; reports failing
  together count once); after ``max_retry_attempts`` the entry goes to failed/ (never
  dropped).
- When a health check sees the server again after OFFLINE, every back-off is cut short
  (instance back-off, reports waiting for a retry time): uploads resume within one
  health-check interval.
- Only server answers count as attempts: a local fault while submitting (a closed client
  during a reload, a bug) puts the entry back with its error and a backoff, not counted.
- The loop survives its own faults (e.g. the queue database briefly unreadable): it logs,
  shows the error in status, backs off and carries on.
- Sleeps until the next due time or a wake-up (a report was queued, the state changed):
  no polling while idle.
- Few thread hops: one worker-thread call claims a batch *and* reads its reports; the
  acknowledgements of uploads finishing at about the same time are committed together
  (:class:`~pywats_client.service.groupcommit.GroupCommit` around
  ``PersistentQueue.complete_many``, one transaction). An entry is completed only after
  its own acknowledgement; an upload counts as done only once its completion is committed.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import TYPE_CHECKING, Any
from collections.abc import Callable

from pywats_client.config import ClientConfig
from pywats_client.queue import PersistentQueue, QueueItem
from pywats_client.service.groupcommit import GroupCommit
from pywats_client.service.stats import ServiceStats, States
from pywats_client.service.waiting import wait_event

if TYPE_CHECKING:
    from pywats import AsyncWATS

__all__ = ["MAX_RATE_LIMIT_PAUSE", "Uploader", "backoff_delay"]

log = logging.getLogger("pywats_client.service.uploader")

#: The longest pause a 429 answer's Retry-After can impose (seconds).
MAX_RATE_LIMIT_PAUSE = 3600.0


def _source_name(source: str | None) -> str:
    """The file a report came from, for log lines (its name only)."""
    if not source:
        return "(no source file)"
    return source.replace("\\", "/").rsplit("/", 1)[-1]


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
        queue: PersistentQueue,
        api_factory: Callable[[], AsyncWATS],
        config: ClientConfig,
        stats: ServiceStats,
    ) -> None:
        self.queue = queue
        self.api_factory = api_factory
        self.config = config
        self.stats = stats
        self.api: AsyncWATS | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._health_now: asyncio.Event | None = None
        self._completions: GroupCommit[tuple[str, str | None]] | None = None
        self._paused_until = 0.0  # time.monotonic() before which nothing is uploaded (429)
        self._held_until = 0.0  # per-instance back-off after server errors (5xx)
        self._server_failures = 0  # consecutive answered failures (for that back-off)
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

    async def replace_api(self, config: ClientConfig) -> None:
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
    async def _close_when_done(api: AsyncWATS, tasks: list[asyncio.Task[None]]) -> None:
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
        before = self.stats.state
        if self.stats.set_state(state, reason):
            if state == States.ONLINE:
                if before in (States.OFFLINE, States.AUTH_FAILED):
                    self.stats.clear_error()  # recovered: status shows no stale error
                if before == States.OFFLINE:
                    self._recovered()
                log.info("instance is ONLINE (%s)", self.config.service_address)
            elif state == States.OFFLINE:
                self.stats.error(f"offline: {reason}")
                log.warning("instance is OFFLINE: %s", reason)
            elif state == States.AUTH_FAILED:
                self.stats.error(f"authentication failed: {reason}")
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

    def _hold_left(self) -> float:
        return max(0.0, self._held_until - time.monotonic())

    def _hold(self, error: str) -> float:
        """Back off the whole instance after a server error (one back-off for the
        station, not one per report); returns the delay."""
        if self._hold_left() > 0:
            return self._hold_left()  # uploads in flight failing together count once
        self._server_failures += 1
        delay = backoff_delay(self._server_failures, float(self.config.retry_interval_seconds))
        self._held_until = time.monotonic() + delay
        log.warning("server error (%s): uploads of this instance wait %.1fs", error, delay)
        return delay

    def _recovered(self) -> None:
        """The server is reachable again: cut every back-off short (not a 429 pause, which
        the server asked for), so waiting uploads resume at once."""
        self._held_until = 0.0
        self._server_failures = 0
        self._local_faults = 0
        if self._loop is None:
            return
        task = self._loop.create_task(self._make_due())
        self._closers.add(task)
        task.add_done_callback(self._closers.discard)

    async def _make_due(self) -> None:
        try:
            waiting = await asyncio.to_thread(self.queue.make_due)
        except Exception as exc:  # noqa: BLE001 - the entries still become due at their time
            log.warning("could not make the waiting uploads due now: %s", exc)
            return
        if waiting:
            log.info("server reachable again: %d waiting upload(s) resume now", waiting)
        self.wake()

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
            except Exception as exc:
                faults += 1
                again, timeout = False, min(30.0, 0.5 * 2 ** min(faults - 1, 6))
                log.exception("upload loop failed; trying again in %.1fs", timeout)
                self.stats.error(f"upload loop: {type(exc).__name__}: {exc}")
            if again:
                continue
            if self._stopping:
                break
            await wait_event(self._wake, timeout)

    async def _fill(self) -> tuple[bool, float | None]:
        """Start uploads for the free slots; returns (look again at once, wait at most)."""
        pause = max(self._pause_left(), self._hold_left())
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

    def _claim_and_read(self, limit: int) -> list[tuple[QueueItem, dict[str, Any] | None, BaseException | None]]:
        """(worker thread) Claim up to ``limit`` due entries and read their reports:
        ``[(item, report or None, read error or None)]``."""
        out: list[tuple[QueueItem, dict[str, Any] | None, BaseException | None]] = []
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
            pause = self._pause_left()
            if pause > 0:  # the server asked for quiet (429): no health checks either
                await wait_event(self._health_now, pause)
                continue
            await self.check_health()
            await wait_event(self._health_now, float(self.config.health_check_interval))

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
        except Exception as exc:
            log.exception("health check failed unexpectedly")
            self.stats.error(f"health check: {type(exc).__name__}: {exc}")
            return
        if self.stats.state != States.AUTH_FAILED:
            self._set_state(States.ONLINE, None)

    # ------------------------------------------------------------------ one upload

    async def _upload(
        self, item: QueueItem, report: dict[str, Any] | None = None, read_error: BaseException | None = None
    ) -> None:
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
        if api is None:
            api = self.api = self.api_factory()
        started = time.monotonic()
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
        except Exception as exc:
            self._local_faults += 1
            delay = backoff_delay(self._local_faults, max(1.0, float(self.config.retry_interval_seconds)))
            error = f"{type(exc).__name__}: {exc}"
            log.exception("report %s not sent (%s); not counted as an attempt, next try in %.1fs", item.id, error, delay)
            await asyncio.to_thread(q.release, item.id, error=error, retry_at=time.time() + delay, count_attempt=False)
            self._count_error(error)
            return
        self._local_faults = 0
        self._server_failures = 0
        server_id = getattr(result, "id", None)
        await self._complete(item.id, str(server_id) if server_id else None)
        now = time.monotonic()
        self.stats.acked(item.id, now)
        log.info("uploaded %s: serial %s, report %s in %.2fs", _source_name(item.source), item.serial_number or "?",
                 item.id, now - started)
        if self.stats.state != States.ONLINE and self.stats.state != States.AUTH_FAILED:
            self._set_state(States.ONLINE, None)

    # ------------------------------------------------------------------ completions

    async def _complete(self, item_id: str, server_id: str | None) -> None:
        """Commit the completion of an acknowledged entry, together with the other
        acknowledgements waiting at that moment (:class:`GroupCommit`); returns once it is
        committed."""
        if self._completions is None:
            self._completions = GroupCommit(self._complete_batch, name="pywats-completions")
        # shielded: a cancelled upload whose report the server already has still completes
        await asyncio.shield(self._completions.submit_async((item_id, server_id)))

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

    async def _answered_failure(self, item: QueueItem, error: str) -> None:
        attempts = int(item.attempts) + 1
        limit = max(1, int(self.config.max_retry_attempts))
        self._count_error(error)
        if attempts >= limit:
            await asyncio.to_thread(self.queue.mark_failed, item.id, error)
            with self.stats.lock:
                self.stats.uploads_failed += 1
            log.error("report %s failed after %d attempts: %s (moved to failed/)", item.id, attempts, error)
            return
        delay = self._hold(error)
        await asyncio.to_thread(self.queue.release, item.id, error=error, retry_at=None, count_attempt=True)
        log.warning("report %s: attempt %d failed (%s); the instance tries again in %.1fs", item.id, attempts,
                    error, delay)

    def _count_error(self, message: str) -> None:
        with self.stats.lock:
            self.stats.upload_errors += 1
            self.stats.note_error_locked(message)

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
        if self._completions is not None:
            await asyncio.to_thread(self._completions.close, 2.0)
        if self._closers:
            await asyncio.wait(list(self._closers), timeout=2.0)
        if self.api is not None:
            try:
                await self.api.aclose()
            except Exception:  # noqa: BLE001
                pass
