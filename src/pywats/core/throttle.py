"""Process-wide request throttling: a token bucket shared by every client in the process.

The bucket holds up to ``max_requests`` tokens (so a burst of that size goes out at once)
and refills at ``max_requests / window_seconds`` tokens per second. Every HTTP call takes
one token. A caller that finds the bucket empty *reserves* the next token and waits for
it, so waiting callers are served in order and none is dropped.

Waiting never blocks an event loop (the async path awaits :func:`asyncio.sleep`) and
happens before the HTTP call starts, so it is not counted against the HTTP timeout.

When calls start to wait, one INFO line on the ``pywats.throttle`` logger says so (with the
limit and how to change it); the next line comes only after the bucket has recovered and
runs empty again.

Usage (as in the integration guide)::

    from pywats.core.throttle import configure_throttling
    configure_throttling(max_requests=100, window_seconds=60)

The default is 500 requests per 60 s. ``configure_throttling(enabled=False)`` turns it off.
The limiter is looked up on every call, so reconfiguring affects existing clients too.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable

__all__ = ["TokenBucket", "configure_throttling", "get_throttler", "DEFAULT_MAX_REQUESTS", "DEFAULT_WINDOW_SECONDS"]

DEFAULT_MAX_REQUESTS = 500
DEFAULT_WINDOW_SECONDS = 60.0

log = logging.getLogger("pywats.throttle")


class TokenBucket:
    """A thread-safe token bucket with reservation semantics.

    Args:
        max_requests: bucket capacity (the largest burst) and tokens added per window.
        window_seconds: the window over which ``max_requests`` tokens are refilled.
        enabled: when False, :meth:`reserve` always returns 0.
        clock: monotonic clock in seconds (injectable for tests).
    """

    def __init__(
        self,
        max_requests: int = DEFAULT_MAX_REQUESTS,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from pywats.exceptions import ConfigurationError

        if max_requests < 1:
            raise ConfigurationError(f"configure_throttling: max_requests must be >= 1, got {max_requests}")
        if window_seconds <= 0:
            raise ConfigurationError(f"configure_throttling: window_seconds must be > 0, got {window_seconds}")
        self.max_requests = int(max_requests)
        self.window_seconds = float(window_seconds)
        self.enabled = enabled
        self._rate = self.max_requests / self.window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = float(self.max_requests)
        self._updated = clock()
        self._delaying = False  # a wait was logged and the bucket has not recovered since

    @property
    def rate(self) -> float:
        """Tokens added per second."""
        return self._rate

    def available(self) -> float:
        """Tokens available now (negative while callers are waiting on reservations)."""
        with self._lock:
            self._refill()
            return self._tokens

    def _refill(self) -> None:
        now = self._clock()
        elapsed = now - self._updated
        if elapsed > 0:
            self._tokens = min(float(self.max_requests), self._tokens + elapsed * self._rate)
            self._updated = now

    def reserve(self) -> float:
        """Take one token and return how many seconds the caller must wait before using it."""
        if not self.enabled:
            return 0.0
        with self._lock:
            self._refill()
            self._tokens -= 1.0
            if self._tokens >= 0:
                self._delaying = False
                return 0.0
            wait = -self._tokens / self._rate
            first = not self._delaying
            self._delaying = True
        if first:
            log.info(
                "request throttle: calls are delayed (this one by %.2f s) to stay within %d requests per %g s; "
                "change it with pywats.core.throttle.configure_throttling(max_requests=N, window_seconds=S) "
                "or turn it off with configure_throttling(enabled=False)",
                wait, self.max_requests, self.window_seconds,
            )
        return wait

    def acquire(self, sleep: Callable[[float], None] = time.sleep) -> float:
        """Take a token, sleeping (synchronously) until it is due. Returns the wait."""
        wait = self.reserve()
        if wait > 0:
            sleep(wait)
        return wait

    async def acquire_async(self) -> float:
        """Take a token, awaiting :func:`asyncio.sleep` until it is due. Returns the wait."""
        wait = self.reserve()
        if wait > 0:
            await asyncio.sleep(wait)
        return wait


_global_lock = threading.Lock()
_throttler = TokenBucket()


def configure_throttling(
    max_requests: int = DEFAULT_MAX_REQUESTS,
    window_seconds: float = DEFAULT_WINDOW_SECONDS,
    enabled: bool = True,
) -> TokenBucket:
    """Replace the process-wide limiter: ``max_requests`` per ``window_seconds`` (burst = ``max_requests``)."""
    global _throttler
    bucket = TokenBucket(max_requests=max_requests, window_seconds=window_seconds, enabled=enabled)
    with _global_lock:
        _throttler = bucket
    return bucket


def get_throttler() -> TokenBucket:
    """The process-wide limiter every client uses."""
    return _throttler
