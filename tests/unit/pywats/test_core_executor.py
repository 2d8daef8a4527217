"""The executors: one operation description driven sync or async; the async transport choice; no hidden loop."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Generator
from typing import Any

import httpx
import pytest

from pywats import AsyncWATS, pyWATS
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


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "http_proxy", "ALL_PROXY"])
def test_async_transport_is_httpx_own_with_a_proxy_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    api = AsyncWATS("http://h", "t")
    assert api._executor.transport_name == "aiohttp"
    api.close()
    monkeypatch.setenv(variable, "http://127.0.0.1:3128")
    api = AsyncWATS("http://h", "t")
    assert api._executor.transport_name == "httpx"  # httpx applies HTTP(S)_PROXY / NO_PROXY
    api.close()


def test_async_transport_choice_follows_http2(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    choices = {}
    for http2 in (None, False, True):
        api = AsyncWATS("https://h", "t", http2=http2)
        choices[http2] = api._executor.transport_name
        api.close()
    assert choices == {None: "aiohttp", False: "aiohttp", True: "httpx"}
    api = AsyncWATS("http://h", "t", transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert api._executor.transport_name == "custom"
    api.close()


@pytest.mark.anyio
async def test_many_concurrent_requests_each_get_their_answer() -> None:
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
    await api.aclose()


def test_missing_sniffio_fails_fast() -> None:
    import importlib.util

    AsyncWATS("http://h", "t").close()
    if sys.modules.get("sniffio", "absent") is None:
        with pytest.raises(ImportError):
            import sniffio  # noqa: F401
    else:
        assert importlib.util.find_spec("sniffio") is not None


def test_the_sync_client_does_not_load_aiohttp() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom pywats import pyWATS\npyWATS('http://h', 't').close()\n"
        "print('aiohttp' in sys.modules, 'httpx_aiohttp' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_the_sync_client_keeps_a_cookie_the_server_sets() -> None:
    sent: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("cookie"))
        headers = {} if "cookie" in request.headers else {"Set-Cookie": "AFFINITY=node-2; Path=/"}
        return httpx.Response(200, json="7.1", headers=headers)

    with pyWATS("http://h", "t", transport=httpx.MockTransport(handler), throttle=False) as api:
        for _ in range(3):
            assert api.app.get_version() == "7.1"
    assert sent == [None, "AFFINITY=node-2", "AFFINITY=node-2"]
