"""``FastAsyncTransport`` (the async executor's HTTP/1.1 path) against a scripted server on
127.0.0.1: framing (length, chunked, close-delimited, 100-continue, HEAD), keep-alive reuse,
the pool limit, errors and timeouts as httpx raises them, cancellation, connections the
server closed while idle — and that a proxy in the environment still goes through httpx."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from pywats.core.http1 import FastAsyncTransport

pytestmark = pytest.mark.anyio


class ScriptedServer:
    """A tiny HTTP/1.1 server whose answers are chosen by path."""

    def __init__(self) -> None:
        self.slow_started = asyncio.Event()
        self.idle_closed = asyncio.Event()
        self.server: asyncio.AbstractServer | None = None
        self.base = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            lines = head.split(b"\r\n")
            path = lines[0].split(b" ")[1].split(b"?")[0]
            length = [ln for ln in lines if ln.lower().startswith(b"content-length")]
            chunked = any(ln.lower().startswith(b"transfer-encoding") for ln in lines)
            if length:
                body = await reader.readexactly(int(length[0].split(b":")[1]))
            elif chunked:
                body = b""
                while True:
                    size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    chunk = await reader.readexactly(size + 2)
                    if size == 0:
                        break
                    body += chunk[:-2]
            else:
                body = b""
            if path == b"/chunked":
                writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n")
            elif path == b"/close":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close")
                await writer.drain()
                writer.close()
                return
            elif path == b"/drop":
                writer.close()
                return
            elif path == b"/slow":
                self.slow_started.set()
                await asyncio.sleep(5)  # the scripted server is slow (what the client must time out on)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            elif path == b"/echo":
                writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\nX-Conn: %d\r\n\r\n%s"
                             % (len(body), id(writer), body))
            elif path == b"/continue":
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                             b"Connection: close\r\n\r\nabc")
                await writer.drain()
                writer.close()
                return
            elif path == b"/big":
                data = b"x" * 300_000
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(data) + data)
            elif path == b"/head":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
            elif path == b"/idleclose":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
                writer.close()
                await writer.wait_closed()
                self.idle_closed.set()
                return
            await writer.drain()

    async def __aenter__(self) -> ScriptedServer:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.base = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()


def _client(max_connections: int = 2, timeout: float = 1.0) -> tuple[httpx.AsyncClient, FastAsyncTransport]:
    transport = FastAsyncTransport(
        verify=ssl.create_default_context(), limits=httpx.Limits(max_connections=max_connections, keepalive_expiry=30)
    )
    return httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(timeout)), transport


async def test_framing_variants() -> None:
    async with ScriptedServer() as srv:
        client, _ = _client()
        async with client:
            assert (await client.get(srv.base + "/chunked")).text == "hello world"
            assert (await client.get(srv.base + "/close")).text == "until close"
            assert (await client.get(srv.base + "/continue")).text == "abc"
            assert len((await client.get(srv.base + "/big")).content) == 300_000
            head = await client.head(srv.base + "/head")
            assert head.status_code == 200 and head.content == b""


async def test_bodies_and_keep_alive_reuse() -> None:
    async with ScriptedServer() as srv:
        client, _ = _client()
        async with client:
            r1 = await client.post(srv.base + "/echo", content=b"abc")
            r2 = await client.post(srv.base + "/echo", content=b"defg")
            assert (r1.status_code, r1.text, r2.text) == (201, "abc", "defg")
            assert r1.reason_phrase == "Created"
            assert r1.headers["x-conn"] == r2.headers["x-conn"]  # one connection, reused
            assert (await client.post(srv.base + "/echo", json={"a": [1, 2]})).json() == {"a": [1, 2]}

            async def parts() -> AsyncIterator[bytes]:
                yield b"ab"
                yield b"cd"

            assert (await client.post(srv.base + "/echo", content=parts())).text == "abcd"
            q = await client.get(srv.base + "/echo", params={"q": "x y"})
            assert q.status_code == 201 and "q=x+y" in str(q.request.url)


async def test_more_requests_than_the_pool_allows_all_complete_in_order() -> None:
    async with ScriptedServer() as srv:
        client, transport = _client(max_connections=2)
        async with client:
            answers = await asyncio.gather(*[client.post(srv.base + "/echo", content=str(i).encode()) for i in range(20)])
            assert [a.text for a in answers] == [str(i) for i in range(20)]
            assert len({a.headers["x-conn"] for a in answers}) <= 2


async def test_errors_are_httpx_errors() -> None:
    async with ScriptedServer() as srv:
        client, _ = _client(timeout=0.5)
        async with client:
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get(srv.base + "/drop")
            with pytest.raises(httpx.ReadTimeout):
                await client.get(srv.base + "/slow")
    refused, _ = _client()
    async with refused:
        with pytest.raises(httpx.ConnectError):
            await refused.get("http://127.0.0.1:1/x")


async def test_cancellation_and_a_connection_closed_while_idle() -> None:
    async with ScriptedServer() as srv:
        client, _ = _client(timeout=10.0)
        async with client:
            task = asyncio.create_task(client.get(srv.base + "/slow"))
            await srv.slow_started.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert (await client.post(srv.base + "/echo", content=b"after")).text == "after"

            assert (await client.get(srv.base + "/idleclose")).text == "ok"
            await srv.idle_closed.wait()  # the server closed that kept-alive connection
            assert (await client.post(srv.base + "/echo", content=b"z")).text == "z"


async def test_a_proxy_in_the_environment_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """With HTTP(S)_PROXY set the executor leaves transport choice to httpx, which routes
    through the proxy (an explicit transport would make httpx ignore the variables)."""
    from pywats import AsyncWATS

    seen: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        seen.append(head.split(b"\r\n")[0])
        body = b'{"version": "via-proxy"}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                     b"Connection: close\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        # the target is never contacted: the proxy answers (a name that cannot resolve proves it)
        api: Any = AsyncWATS(base_url="http://wats.invalid", token="t")
        try:
            await api.app.get_version()
        finally:
            await api.aclose()
    finally:
        server.close()
    assert seen and seen[0].startswith(b"GET http://wats.invalid/api/App/Version"), seen
