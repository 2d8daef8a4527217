"""Waiting in tests: poll a condition until a deadline (never a bare sleep as synchronisation),
and hold still on purpose where the timing itself is what a test is about."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["hold_for", "wait_until"]

T = TypeVar("T")


def wait_until(cond: Callable[[], T], timeout: float = 20.0, what: str = "condition", interval: float = 0.02) -> T:
    """Poll ``cond()`` until it returns a true value (returned) or ``timeout`` seconds pass
    (AssertionError naming ``what``)."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        now = time.monotonic()
        if now >= deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(min(interval, deadline - now))  # poll again before the deadline


def hold_for(seconds: float) -> None:
    """Let ``seconds`` pass on purpose (a stop timed after start, a kill at a random moment):
    used where the delay is the test's input, never to wait for something to happen."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(left, 0.005))  # until the deadline, to the millisecond
