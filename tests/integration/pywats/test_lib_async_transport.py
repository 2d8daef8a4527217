"""AsyncWATS over aiohttp (``pywats.core.transport``): failures of the connection arrive
as the right pywats error, so retries and messages stay right. Real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable

import pytest

from pywats import AsyncWATS, RetryConfig
from pywats.core.transport_choice import PROXY_VARIABLES
from pywats.exceptions import ConnectionError, TimeoutError
from pywats_server.testing import ServerInfo

@pytest.fixture(autouse=True)
def _no_proxy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the aiohttp transport, which a proxy setting would switch off."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def serve(handler: Handler) -> tuple[asyncio.AbstractServer, str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.close()  # no answer at all


async def answer_then_hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer each request on the connection, then close it: the next request that reuses
    the kept-alive connection finds it gone."""
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n\"7.1\"")
    await writer.drain()
    writer.close()


def test_a_server_that_hangs_up_is_a_connection_error_and_is_retried() -> None:
    attempts = 0

    async def counting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal attempts
        attempts += 1
        await hang_up(reader, writer)

    async def go() -> None:
        server, url = await serve(counting)
        async with server, AsyncWATS(url, "t", retry_config=RetryConfig(max_attempts=3, base_delay=0.01)) as api:
            assert api._executor.transport_name == "aiohttp"
            with pytest.raises(ConnectionError) as caught:
                await api.app.get_version()
            assert not isinstance(caught.value, TimeoutError)
            assert caught.value.url == url + "/api/App/Version"

    asyncio.run(go())
    # a dropped connection is a transport error: the GET is tried 3 times by pywats (aiohttp
    # itself re-sends an idempotent request once when the server closed before answering)
    assert attempts in (3, 6)


def test_refused_connection_is_a_connection_error_not_a_timeout() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def go() -> None:
        async with AsyncWATS(f"http://127.0.0.1:{port}", "t", retry_config=RetryConfig.disabled()) as api:
            with pytest.raises(ConnectionError) as caught:
                await api.app.get_version()
            assert not isinstance(caught.value, TimeoutError)
            assert "Connect" in str(caught.value)

    asyncio.run(go())


def test_a_closed_keep_alive_connection_is_replaced() -> None:
    async def go() -> None:
        server, url = await serve(answer_then_hang_up)
        async with server, AsyncWATS(url, "t", retry_config=RetryConfig(max_attempts=3, base_delay=0.01)) as api:
            versions = [await api.app.get_version() for _ in range(5)]
        assert versions == ["7.1"] * 5

    asyncio.run(go())


def test_http2_asked_for_uses_httpx_own_transport(wats_server: ServerInfo) -> None:
    url, token = wats_server.base_url, wats_server.token

    async def go() -> None:
        async with AsyncWATS(url, token, http2=True) as api:
            assert api._executor.transport_name == "httpx"
            assert await api.app.get_version()
        async with AsyncWATS(url, token) as api:
            assert api._executor.transport_name == "aiohttp"
            assert await api.app.get_version()

    asyncio.run(go())


def test_an_affinity_cookie_is_kept_and_sent_exactly_once() -> None:
    seen: list[list[bytes]] = []

    async def balancer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A load balancer that pins the client with a cookie on its first answer."""
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            cookies = [line for line in head.split(b"\r\n") if line.lower().startswith(b"cookie:")]
            seen.append(cookies)
            extra = b"" if cookies else b"Set-Cookie: AFFINITY=node-2; Path=/\r\n"
            writer.write(b"HTTP/1.1 200 OK\r\n" + extra + b"Content-Type: application/json\r\nContent-Length: 5\r\n\r\n\"7.1\"")
            await writer.drain()
        writer.close()

    async def go() -> None:
        server, url = await serve(balancer)
        async with server, AsyncWATS(url, "t", retry_config=RetryConfig.disabled()) as api:
            for _ in range(3):
                assert await api.app.get_version() == "7.1"

    asyncio.run(go())
    assert [[line.lower() for line in lines] for lines in seen] == [
        [], [b"cookie: affinity=node-2"], [b"cookie: affinity=node-2"]
    ]



def test_http2_asked_for_does_not_import_aiohttp(wats_server: ServerInfo) -> None:
    """The transport is chosen before aiohttp is imported: a client that sends through
    httpx's own pool never loads it (a fresh interpreter, so nothing else loaded it)."""
    script = (
        "import asyncio, sys\n"
        "from pywats import AsyncWATS\n"
        "async def go():\n"
        "    async with AsyncWATS(sys.argv[1], sys.argv[2], http2=True) as api:\n"
        "        assert api._executor.transport_name == 'httpx'\n"
        "        print(await api.app.get_version())\n"
        "asyncio.run(go())\n"
        "print('aiohttp' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    done = subprocess.run(
        [sys.executable, "-c", script, wats_server.base_url, wats_server.token],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )
    assert done.returncode == 0, done.stderr
    version, aiohttp_loaded = done.stdout.split()
    assert version and aiohttp_loaded == "False"
