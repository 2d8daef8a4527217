"""Waiting on asyncio events without ``asyncio.wait_for``.

On Python 3.10 and 3.11 a cancellation that arrives while ``wait_for`` is finishing can be
lost (fixed in 3.12): a background loop then goes back to sleep and a stop waits for it
forever. :func:`wait_event` waits with ``asyncio.wait`` (which never swallows a
cancellation) and also returns as soon as the service's stop event is set, so every loop
that uses it ends on the stop signal even if a cancellation was lost.
"""

from __future__ import annotations

import asyncio

__all__ = ["wait_event"]


async def wait_event(event: asyncio.Event, timeout: float | None, stop: asyncio.Event | None = None) -> bool:
    """Wait until ``event`` is set, ``timeout`` seconds pass (None: no limit) or ``stop`` is
    set; True if ``event`` is set."""
    if event.is_set():
        return True
    if stop is not None and stop.is_set():
        return False
    waiters: set[asyncio.Future[object]] = {asyncio.ensure_future(event.wait())}
    if stop is not None:
        waiters.add(asyncio.ensure_future(stop.wait()))
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    return event.is_set()
