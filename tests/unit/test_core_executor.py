"""The executors: one operation description driven sync or async; pool sharding; no hidden loop."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Generator
from typing import Any

import httpx
import pytest

from pywats import AsyncWATS, pyWATS
from pywats.core.executor import AsyncExecutor
from pywats.core.request import Request
from pywats.domains._base import Domain, operation, steps


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Counter(Domain):
    """A toy domain: two calls in one operation, reusing another operation via steps()."""

    @operation
    def one(self, n: int) -> Generator[Request, Any, int]:
        data = yield Request("GET", "/api/Num", params={"n": n})
        return int(data)

    @operation
    def two(self, a: int, b: int) -> Generator[Request, Any, int]:
        x = yield from steps(self.one, a)
        y = yield from steps(self.one, b)
        return x + y


def handler(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=int(request.url.params["n"]) * 10)


def test_same_operation_runs_sync_and_async() -> None:
    api = pyWATS("http://h", "t", transport=httpx.MockTransport(handler), throttle=False)
    assert Counter(api, api._executor).two(1, 2) == 30

    async def go() -> int:
        aapi = AsyncWATS("http://h", "t", transport=httpx.MockTransport(handler), throttle=False)
        counter = Counter(aapi, aapi._executor)
        pending = counter.two(3, 4)
        assert asyncio.iscoroutine(pending)
        result = await pending
        await aapi.aclose()
        return result

    assert asyncio.run(go()) == 70


def test_steps_rejects_plain_methods() -> None:
    api = pyWATS("http://h", "t")
    with pytest.raises(TypeError, match="not a pyWATS operation"):
        steps(api.close)


def test_sync_client_never_starts_an_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the sync client started an event loop")

    monkeypatch.setattr(asyncio, "new_event_loop", forbidden)
    monkeypatch.setattr(asyncio, "run", forbidden)
    monkeypatch.setattr(asyncio, "get_event_loop", forbidden)
    api = pyWATS("http://h", "t", transport=httpx.MockTransport(lambda r: httpx.Response(200, json=[])),
                 throttle=False)
    assert api.app.get_levels() == []
    assert api.process.get_processes() == []
    assert api.report.get_reports(serial_number="x") == []
    api.close()


def test_async_pool_shards_grow_only_when_busy() -> None:
    api = AsyncWATS("http://h", "t", max_connections=3)
    executor: AsyncExecutor = api._executor  # type: ignore[assignment]
    assert len(executor._shards) == 1
    assert executor._pick() == 0  # idle: reuse
    executor._load[0] = 1
    assert executor._pick() == 1 and len(executor._shards) == 2  # all busy: a new shard
    executor._load[1] = 1
    executor._pick()
    executor._load[2] = 1
    assert len(executor._shards) == 3
    assert executor._pick() in (0, 1, 2) and len(executor._shards) == 3  # never beyond max_connections
    executor._load[1] = 0
    assert executor._pick() == 1  # the least loaded
    shared = {id(c._transport._pool._ssl_context) for c in executor._shards}  # type: ignore[attr-defined]
    assert len(shared) == 1  # one SSL context for all shards
    api.close()


@pytest.mark.anyio
async def test_many_concurrent_requests_leave_no_load_behind() -> None:
    seen = 0

    async def ahandler(request: httpx.Request) -> httpx.Response:
        nonlocal seen
        seen += 1
        await asyncio.sleep(0.001)
        return httpx.Response(200, json=int(request.url.params["n"]))

    api = AsyncWATS("http://h", "t", transport=httpx.MockTransport(ahandler), throttle=False)
    counter = Counter(api, api._executor)
    results = await asyncio.gather(*[counter.one(i) for i in range(200)])
    assert results == list(range(200)) and seen == 200
    assert all(load == 0 for load in api._executor._load)  # type: ignore[attr-defined]
    await api.aclose()


def test_missing_sniffio_fails_fast() -> None:
    import importlib.util

    AsyncWATS("http://h", "t").close()
    if sys.modules.get("sniffio", "absent") is None:
        with pytest.raises(ImportError):
            import sniffio  # noqa: F401
    else:
        assert importlib.util.find_spec("sniffio") is not None
