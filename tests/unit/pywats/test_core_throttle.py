"""Token bucket: burst, refill, reservation order, sync and async waiting, client integration."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from pywats import AsyncWATS, pyWATS
from pywats.core import throttle
from pywats.core.throttle import TokenBucket, configure_throttling, get_throttler
from pywats.exceptions import ConfigurationError


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def restore_throttler():  # type: ignore[no-untyped-def]
    before = get_throttler()
    yield
    throttle._throttler = before


def test_burst_up_to_capacity_then_waits_at_refill_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(max_requests=10, window_seconds=60.0, clock=clock)
    assert bucket.rate == pytest.approx(10 / 60)
    assert [bucket.reserve() for _ in range(10)] == [0.0] * 10
    assert bucket.reserve() == pytest.approx(6.0)  # one token per 6 s
    assert bucket.reserve() == pytest.approx(12.0)  # reservations queue up in order


def test_refill_over_time_is_capped_at_capacity() -> None:
    clock = Clock()
    bucket = TokenBucket(max_requests=5, window_seconds=10.0, clock=clock)
    for _ in range(5):
        bucket.reserve()
    clock.now += 4.0  # 2 tokens back
    assert bucket.available() == pytest.approx(2.0)
    clock.now += 1000.0
    assert bucket.available() == pytest.approx(5.0)


def test_waiting_caller_is_served_after_its_wait() -> None:
    clock = Clock()
    bucket = TokenBucket(max_requests=2, window_seconds=2.0, clock=clock)
    bucket.reserve()
    bucket.reserve()
    wait = bucket.reserve()
    assert wait == pytest.approx(1.0)
    clock.now += wait
    assert bucket.available() == pytest.approx(0.0)


def test_acquire_sleeps_the_reserved_time() -> None:
    clock = Clock()
    bucket = TokenBucket(max_requests=1, window_seconds=5.0, clock=clock)
    slept: list[float] = []
    assert bucket.acquire(slept.append) == 0.0
    assert bucket.acquire(slept.append) == pytest.approx(5.0)
    assert slept == [pytest.approx(5.0)]


def test_disabled_bucket_never_waits() -> None:
    bucket = TokenBucket(max_requests=1, window_seconds=60.0, enabled=False)
    assert [bucket.reserve() for _ in range(100)] == [0.0] * 100


def test_thread_safety_every_token_handed_out_once() -> None:
    clock = Clock()
    bucket = TokenBucket(max_requests=1000, window_seconds=60.0, clock=clock)
    waits: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(100):
            w = bucket.reserve()
            with lock:
                waits.append(w)

    threads = [threading.Thread(target=take) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(1 for w in waits if w == 0.0) == 1000
    positive = sorted(w for w in waits if w > 0)
    assert len(positive) == 1000
    assert positive[-1] == pytest.approx(1000 * 60.0 / 1000)  # the last of 1000 extra waits a full window


def test_configure_throttling_replaces_the_global(restore_throttler: None) -> None:
    bucket = configure_throttling(max_requests=100, window_seconds=60)
    assert get_throttler() is bucket
    assert (bucket.max_requests, bucket.window_seconds, bucket.enabled) == (100, 60.0, True)
    assert configure_throttling(enabled=False).enabled is False


def test_default_is_500_per_minute() -> None:
    bucket = TokenBucket()
    assert (bucket.max_requests, bucket.window_seconds) == (500, 60.0)


def test_invalid_settings_are_rejected() -> None:
    with pytest.raises(ConfigurationError, match="max_requests"):
        configure_throttling(max_requests=0)
    with pytest.raises(ConfigurationError, match="window_seconds"):
        configure_throttling(window_seconds=0)


def test_sync_client_takes_a_token_per_request(restore_throttler: None) -> None:
    clock = Clock()
    throttle._throttler = TokenBucket(max_requests=2, window_seconds=10.0, clock=clock)
    api = pyWATS("http://wats.test", "tok", transport=httpx.MockTransport(lambda r: httpx.Response(200, json="v")))
    slept: list[float] = []
    api._executor.sleep = slept.append
    for _ in range(3):
        assert api.app.get_version() == "v"
    assert slept == [pytest.approx(5.0)]
    # a client created with throttle=False ignores the limiter
    free = pyWATS("http://wats.test", "tok", throttle=False,
                  transport=httpx.MockTransport(lambda r: httpx.Response(200, json="v")))
    free._executor.sleep = slept.append
    free.app.get_version()
    assert len(slept) == 1


@pytest.mark.anyio
async def test_async_wait_does_not_block_the_event_loop(restore_throttler: None) -> None:
    configure_throttling(max_requests=1, window_seconds=0.3)
    api = AsyncWATS("http://wats.test", "tok", transport=httpx.MockTransport(lambda r: httpx.Response(200, json="v")))
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    await api.app.get_version()  # the burst token
    before = ticks
    await api.app.get_version()  # waits ~0.3 s for the next token, asynchronously
    during = ticks - before
    stop.set()
    await task
    await api.aclose()
    assert during >= 5, f"the event loop ran only {during} ticks while the request waited for a token"


def test_a_delay_is_logged_once_per_wait_with_how_to_change_it(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    bucket = TokenBucket(max_requests=2, window_seconds=60.0, clock=clock)
    with caplog.at_level("INFO", logger="pywats.throttle"):
        for _ in range(5):
            bucket.reserve()
        assert len(caplog.records) == 1  # three delayed calls, one line
        text = caplog.records[0].getMessage()
        assert "2 requests per 60 s" in text and "configure_throttling(max_requests=N, window_seconds=S)" in text
        clock.now += 600  # the bucket recovers ...
        bucket.reserve()
        assert len(caplog.records) == 1
        bucket.reserve()
        bucket.reserve()  # ... and runs empty again: a new wait, a new line
        assert len(caplog.records) == 2
