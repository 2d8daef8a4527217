"""Redirects are followed by httpx for both clients, with the request the executors build."""

from __future__ import annotations

import asyncio
import json

import httpx

from pywats import AsyncWATS, pyWATS
from pywats.core.request import Request


class Redirector:
    """``/api/Old`` answers 307 (same origin) to ``/api/New``, setting an affinity cookie;
    ``/api/Away`` answers 302 to another host. Records what every hop received."""

    def __init__(self) -> None:
        self.hops: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.hops.append(request)
        if request.url.path == "/api/Old":
            return httpx.Response(307, headers={"Location": "/api/New", "Set-Cookie": "AFFINITY=n1; Path=/"})
        if request.url.path == "/api/Away":
            return httpx.Response(302, headers={"Location": "http://other.test/api/New"})
        body = json.loads(request.content) if request.content else None
        return httpx.Response(200, json={"host": request.url.host, "body": body})


def check_same_origin_307(server: Redirector) -> None:
    first, second = server.hops
    assert (first.method, second.method) == ("POST", "POST")
    assert second.url == httpx.URL("http://wats.test/api/New")
    assert second.content == first.content == b'{"n":1}'
    assert second.headers["content-length"] == "7"
    assert second.headers["content-type"] == "application/json"
    assert second.headers["authorization"] == "Basic tok"
    assert second.headers["host"] == "wats.test"
    assert second.headers["cookie"] == "AFFINITY=n1"  # the cookie of the 307 goes with the next hop


def check_cross_origin_302(server: Redirector) -> None:
    first, second = server.hops
    assert first.headers["authorization"] == "Basic tok"
    assert second.method == "GET"  # 302 after POST: httpx switches to GET without body
    assert second.headers["host"] == "other.test"
    assert "authorization" not in second.headers  # credentials stay with their origin
    assert second.content == b""


def test_sync_client_follows_redirects() -> None:
    server = Redirector()
    with pyWATS("http://wats.test", "tok", transport=httpx.MockTransport(server), throttle=False) as api:
        answer = api._executor.send(Request("POST", "/api/Old", json={"n": 1}, idempotent=True))
        assert answer == {"host": "wats.test", "body": {"n": 1}}
        check_same_origin_307(server)
        server.hops.clear()
        assert api._executor.send(Request("POST", "/api/Away", json={"n": 1})) == {"host": "other.test", "body": None}
        check_cross_origin_302(server)


def test_async_client_follows_redirects() -> None:
    server = Redirector()

    async def go() -> None:
        async with AsyncWATS("http://wats.test", "tok", transport=httpx.MockTransport(server), throttle=False) as api:
            answer = await api._executor.send(Request("POST", "/api/Old", json={"n": 1}, idempotent=True))
            assert answer == {"host": "wats.test", "body": {"n": 1}}
            check_same_origin_307(server)
            server.hops.clear()
            answer = await api._executor.send(Request("POST", "/api/Away", json={"n": 1}))
            assert answer == {"host": "other.test", "body": None}
            check_cross_origin_302(server)

    asyncio.run(go())
