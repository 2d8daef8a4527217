"""wait_event: the waits every service loop uses end on the stop signal and never swallow
a cancellation."""

from __future__ import annotations

import asyncio
import time

import pytest

from pywats_client.service.waiting import wait_event


def test_event_timeout_and_stop() -> None:
    async def main() -> None:
        event, stop = asyncio.Event(), asyncio.Event()
        t0 = time.monotonic()
        assert await wait_event(event, 0.05, stop) is False
        assert time.monotonic() - t0 >= 0.04
        asyncio.get_running_loop().call_later(0.02, event.set)
        assert await wait_event(event, 5.0, stop) is True
        event.clear()
        asyncio.get_running_loop().call_later(0.02, stop.set)
        t0 = time.monotonic()
        assert await wait_event(event, None, stop) is False  # no timeout: the stop ends it
        assert time.monotonic() - t0 < 1.0
        assert await wait_event(event, None, stop) is False  # already stopping: at once

    asyncio.run(main())


def test_a_loop_ends_on_stop_even_if_its_cancellation_is_ignored() -> None:
    async def main() -> None:
        activity, stop = asyncio.Event(), asyncio.Event()
        rounds = 0

        async def idle_loop() -> None:
            nonlocal rounds
            while not stop.is_set():
                try:
                    await wait_event(activity, 0.01, stop)
                except asyncio.CancelledError:
                    rounds += 1  # a lost cancellation: the loop carries on
                    continue

        task = asyncio.create_task(idle_loop())
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.sleep(0.05)
        assert not task.done() and rounds == 1
        stop.set()
        await asyncio.wait({task}, timeout=1.0)
        assert task.done()

    asyncio.run(main())


def test_cancellation_is_not_swallowed() -> None:
    async def main() -> None:
        task = asyncio.create_task(wait_event(asyncio.Event(), None, asyncio.Event()))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
