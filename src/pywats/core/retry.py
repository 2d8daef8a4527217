"""Retry policy: which failures are retried, how often, and how long to wait.

``RetryConfig`` is a plain description; the executors apply it. Only calls that are safe
to repeat are retried: idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) and requests
explicitly marked idempotent (report submission, which the report GUID makes idempotent).
A ``Retry-After`` header on a 429/503 answer is honoured (capped at ``max_delay``).

Default for both clients: ``RetryConfig()`` — at most 3 attempts (2 retries) with
exponential backoff from 1 s, jittered, capped at 30 s, on 429/500/502/503/504 and on
connection errors and timeouts. Pass ``RetryConfig.disabled()`` (or ``max_attempts=1``)
to turn retrying off.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pywats.exceptions import ConnectionError, HTTPError, PyWATSError, RateLimitError, TimeoutError

__all__ = ["RetryConfig", "DEFAULT_RETRY_STATUSES"]

DEFAULT_RETRY_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryConfig:
    """How failed calls are retried.

    Attributes:
        max_attempts: total tries including the first (1 = no retry).
        base_delay: wait before the first retry, in seconds.
        max_delay: upper bound of any single wait, including a server's ``Retry-After``.
        exponential_base: growth factor of the wait per attempt.
        jitter: randomise each wait (between half and the full computed delay) so that
            many clients do not retry in lockstep.
        retry_on: HTTP statuses that are retried.
        retry_on_transport_errors: also retry connection errors and timeouts.
    """

    max_attempts: int = 3
    base_delay: float = 1.0
    max_delay: float = 30.0
    exponential_base: float = 2.0
    jitter: bool = True
    retry_on: Iterable[int] = field(default=DEFAULT_RETRY_STATUSES)
    retry_on_transport_errors: bool = True
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        from pywats.exceptions import ConfigurationError

        if self.max_attempts < 1:
            raise ConfigurationError(f"RetryConfig.max_attempts must be >= 1, got {self.max_attempts}")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ConfigurationError("RetryConfig.base_delay and max_delay must be >= 0")
        object.__setattr__(self, "retry_on", frozenset(int(s) for s in self.retry_on))

    @classmethod
    def disabled(cls) -> RetryConfig:
        """A policy that never retries."""
        return cls(max_attempts=1)

    def is_retryable(self, error: PyWATSError) -> bool:
        """Whether ``error`` is a transient failure this policy retries (ignoring idempotency)."""
        if isinstance(error, (ConnectionError, TimeoutError)):
            return self.retry_on_transport_errors
        if isinstance(error, HTTPError) and error.status_code is not None:
            return error.status_code in self.retry_on
        return False

    def delay(self, attempt: int, error: PyWATSError | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based).

        A ``retry_after`` carried by the error (429/503 ``Retry-After``) wins over the
        computed backoff; both are capped at ``max_delay``.
        """
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return max(0.0, min(float(retry_after), self.max_delay))
        delay = min(self.max_delay, self.base_delay * (self.exponential_base ** max(0, attempt - 1)))
        if self.jitter:
            delay = delay / 2 + (delay / 2) * self.random()
        return delay


def retry_after_of(error: PyWATSError) -> float | None:
    """The server's requested wait carried by ``error``, if any."""
    if isinstance(error, RateLimitError):
        return error.retry_after
    return getattr(error, "retry_after", None)
