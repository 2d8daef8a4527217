"""A lean HTTP/1.1 transport for ``httpx.AsyncClient`` (the async executor's hot path).

httpcore's async connection pool runs every request through anyio cancel scopes, locks
and a pool re-assignment pass; at ~100 requests in flight that bookkeeping costs more CPU
than the request itself. :class:`FastAsyncTransport` sends plain HTTP/1.1 over
``asyncio`` streams with a small keep-alive pool instead, and hands everything else to
the standard httpx transport it extends:

* ``http://`` URLs always take the fast path (httpcore speaks HTTP/1.1 there too);
* ``https://`` URLs take it only when HTTP/2 is off (with HTTP/2 on, httpcore negotiates
  it via ALPN, so those requests keep using httpcore).

Behaviour kept from httpx: connect/read/write/pool timeouts raise ``httpx.ConnectTimeout``
/ ``ReadTimeout`` / ``WriteTimeout`` / ``PoolTimeout``; failures raise ``httpx.ConnectError``
/ ``ReadError`` / ``WriteError`` / ``RemoteProtocolError``; a connection is never re-sent a
request it may already have received (no silent retry; the executor's retry policy
decides); idle connections expire after ``keepalive_expiry``; a connection the server has
closed while idle is discarded, not reused.
"""

from __future__ import annotations

import asyncio
import select
import ssl
import sys
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx

__all__ = ["FastAsyncTransport"]

T = TypeVar("T")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_NO_BODY_STATUSES = frozenset({204, 304})
_CHUNK = 64 * 1024
_MAX_HEAD = 64 * 1024


async def _within(awaitable: Awaitable[T], seconds: float | None, error: type[httpx.TimeoutException],
                  what: str) -> T:
    """Await ``awaitable`` within ``seconds`` (None = no limit); raise ``error`` on timeout."""
    if seconds is None:
        return await awaitable
    try:
        if sys.version_info >= (3, 11):  # a cheap deadline, no extra task
            async with asyncio.timeout(seconds):
                return await awaitable
        return await asyncio.wait_for(awaitable, seconds)
    except asyncio.TimeoutError:
        raise error(f"{what} timed out after {seconds} s") from None


class _ReadClock:
    """The read timeout, applied to each read of one answer separately.

    On Python 3.11+ the answer is read inside one ``asyncio.timeout`` scope that is re-armed
    before every read (cheap); on 3.10 every read is wrapped in ``asyncio.wait_for``.
    """

    __slots__ = ("seconds", "scope")

    def __init__(self, seconds: float | None, scope: Any) -> None:
        self.seconds = seconds
        self.scope = scope

    def limit(self, awaitable: Awaitable[bytes]) -> Awaitable[bytes]:
        """``awaitable``, bounded by the read timeout."""
        if self.seconds is None:
            return awaitable
        if self.scope is not None:
            self.scope.reschedule(asyncio.get_running_loop().time() + self.seconds)
            return awaitable
        return asyncio.wait_for(awaitable, self.seconds)


class _Connection:
    """One keep-alive HTTP/1.1 connection."""

    __slots__ = ("reader", "writer", "loop", "idle_since")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 loop: asyncio.AbstractEventLoop) -> None:
        self.reader = reader
        self.writer = writer
        self.loop = loop
        self.idle_since = 0.0

    def reusable(self, now: float, expiry: float | None, loop: asyncio.AbstractEventLoop) -> bool:
        """True when the connection is still open, idle, not expired and of the running loop."""
        if self.loop is not loop or self.writer.is_closing() or self.reader.at_eof():
            return False
        if expiry is not None and now - self.idle_since >= expiry:
            return False
        return not self._socket_readable()

    def _socket_readable(self) -> bool:
        """An idle HTTP/1.1 connection has nothing to read: if its socket is readable the
        server has closed it (or sent junk), even if the event loop has not seen it yet."""
        sock = self.writer.get_extra_info("socket")
        if sock is None:
            return False
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):  # closed meanwhile
            return True
        return bool(readable)

    def close(self) -> None:
        """Close the socket (without waiting)."""
        try:
            self.writer.close()
        except (OSError, RuntimeError):  # already gone, or its loop is closed
            pass


class FastAsyncTransport(httpx.AsyncHTTPTransport):
    """``httpx.AsyncHTTPTransport`` with a lean HTTP/1.1 fast path (see the module docstring).

    Args:
        verify: the SSL context for ``https://`` (also given to the fallback transport).
        limits: connection limits; ``max_connections`` bounds the fast pool too.
        http2: whether HTTP/2 may be negotiated on ``https://`` (those requests then use
            the fallback transport).
    """

    def __init__(self, *, verify: ssl.SSLContext, limits: httpx.Limits, http2: bool = False) -> None:
        super().__init__(verify=verify, limits=limits, http2=http2)
        self._ssl_context = verify
        self._http2 = http2
        self._max = limits.max_connections or 100
        self._expiry = limits.keepalive_expiry
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._slots: asyncio.Semaphore | None = None
        self._slots_loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    # -- pool ---------------------------------------------------------------------------

    @asynccontextmanager
    async def _slot(self, pool_timeout: float | None, loop: asyncio.AbstractEventLoop) -> AsyncIterator[None]:
        if self._slots is None or self._slots_loop is not loop:  # first use, or used from a new event loop
            self._slots = asyncio.Semaphore(self._max)
            self._slots_loop = loop
        slots = self._slots
        if slots.locked():
            await _within(slots.acquire(), pool_timeout, httpx.PoolTimeout, "waiting for a connection")
        else:
            await slots.acquire()
        try:
            yield
        finally:
            slots.release()

    async def _connect(self, key: tuple[str, str, int], connect_timeout: float | None,
                       loop: asyncio.AbstractEventLoop) -> _Connection:
        idle = self._idle.get(key)
        if idle:
            now = time.monotonic()
            while idle:
                conn = idle.pop()
                if conn.reusable(now, self._expiry, loop):
                    return conn
                conn.close()
        scheme, host, port = key
        tls = scheme == "https"
        try:
            reader, writer = await _within(
                asyncio.open_connection(host, port, ssl=self._ssl_context if tls else None,
                                        server_hostname=host if tls else None, limit=_MAX_HEAD),
                connect_timeout, httpx.ConnectTimeout, f"connecting to {host}:{port}",
            )
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(f"cannot connect to {host}:{port}: {exc}") from exc
        return _Connection(reader, writer, loop)

    def _release(self, key: tuple[str, str, int], conn: _Connection) -> None:
        if self._closed:
            conn.close()
            return
        conn.idle_since = time.monotonic()
        self._idle.setdefault(key, []).append(conn)

    # -- one request --------------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``: over the fast path when it applies, else via httpcore."""
        url = request.url
        scheme = url.scheme
        if scheme not in _DEFAULT_PORTS or (scheme == "https" and self._http2):
            return await super().handle_async_request(request)
        if self._closed:
            raise RuntimeError("the transport is closed")
        host = url.host
        key = (scheme, host, url.port or _DEFAULT_PORTS[scheme])
        timeouts: dict[str, Any] = request.extensions.get("timeout") or {}
        body = request.content if hasattr(request, "_content") else await request.aread()
        head = self._head(request, body)
        loop = asyncio.get_running_loop()
        async with self._slot(timeouts.get("pool"), loop):
            conn = await self._connect(key, timeouts.get("connect"), loop)
            try:
                response, reusable = await self._exchange(conn, request.method, head, body, timeouts)
            except BaseException:
                conn.close()
                raise
            if reusable:
                self._release(key, conn)
            else:
                conn.close()
        return response

    @staticmethod
    def _head(request: httpx.Request, body: bytes) -> bytes:
        url = request.url
        lines = [b"%s %s HTTP/1.1" % (request.method.encode("ascii"), url.raw_path)]
        length_set = False
        for name, value in request.headers.raw:
            low = name.lower()
            if low == b"transfer-encoding":  # the body was read in full: send its length instead
                continue
            if low == b"content-length":
                length_set = True
                value = str(len(body)).encode("ascii")
            lines.append(name + b": " + value)
        if body and not length_set:
            lines.append(b"Content-Length: " + str(len(body)).encode("ascii"))
        lines.append(b"\r\n")
        return b"\r\n".join(lines)

    async def _exchange(self, conn: _Connection, method: str, head: bytes, body: bytes,
                        timeouts: dict[str, Any]) -> tuple[httpx.Response, bool]:
        reader, writer = conn.reader, conn.writer
        try:
            writer.write(head + body if len(body) < _CHUNK else head)
            if len(body) >= _CHUNK:
                writer.write(body)
            if writer.transport.get_write_buffer_size():
                await _within(writer.drain(), timeouts.get("write"), httpx.WriteTimeout, "sending the request")
        except OSError as exc:
            raise httpx.WriteError(f"sending the request failed: {exc}") from exc
        read_timeout = timeouts.get("read")
        if sys.version_info >= (3, 11) and read_timeout is not None:
            try:  # one deadline scope for the whole answer, re-armed before every read
                async with asyncio.timeout(None) as scope:
                    return await self._receive(reader, method, _ReadClock(read_timeout, scope))
            except TimeoutError:
                raise httpx.ReadTimeout(f"reading the response timed out after {read_timeout} s") from None
        return await self._receive(reader, method, _ReadClock(read_timeout, None))

    async def _receive(self, reader: asyncio.StreamReader, method: str,
                       clock: _ReadClock) -> tuple[httpx.Response, bool]:
        while True:
            raw_head = await self._read(reader.readuntil(b"\r\n\r\n"), clock, head=True)
            status, reason, version, headers = self._parse_head(raw_head)
            if not 100 <= status < 200 or status == 101:
                break
        connection = b""
        chunked = False
        length: int | None = None
        for name, value in headers:
            low = name.lower()
            if low == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    raise httpx.RemoteProtocolError(f"invalid Content-Length {value!r}") from None
            elif low == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif low == b"connection":
                connection = value.lower()
        reusable = version == b"HTTP/1.1" and b"close" not in connection
        if method == "HEAD" or status in _NO_BODY_STATUSES or 100 <= status < 200:
            content = b""
        elif chunked:
            content = await self._read_chunked(reader, clock)
        elif length is not None:
            content = await self._read_exactly(reader, length, clock)
        else:  # delimited by the server closing the connection
            parts: list[bytes] = []
            while True:
                part = await self._read(reader.read(_CHUNK), clock, head=False)
                if not part:
                    break
                parts.append(part)
            content = b"".join(parts)
            reusable = False
        response = httpx.Response(
            status, headers=headers, stream=httpx.ByteStream(content),
            extensions={"http_version": version, "reason_phrase": reason},
        )
        return response, reusable

    @staticmethod
    async def _read(awaitable: Awaitable[bytes], clock: _ReadClock, *, head: bool) -> bytes:
        try:
            return await clock.limit(awaitable)
        except asyncio.TimeoutError:  # Python 3.10 (asyncio.wait_for)
            raise httpx.ReadTimeout(f"reading the response timed out after {clock.seconds} s") from None
        except asyncio.IncompleteReadError as exc:
            if head and not exc.partial:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.") from None
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body") from None
        except asyncio.LimitOverrunError:
            raise httpx.RemoteProtocolError("the response head is too large") from None
        except ValueError as exc:  # readuntil: separator not found within the limit
            raise httpx.RemoteProtocolError(f"malformed response: {exc}") from None
        except OSError as exc:
            raise httpx.ReadError(f"reading the response failed: {exc}") from exc

    async def _read_exactly(self, reader: asyncio.StreamReader, n: int, clock: _ReadClock) -> bytes:
        if n <= _CHUNK:
            return await self._read(reader.readexactly(n), clock, head=False) if n else b""
        parts: list[bytes] = []
        left = n
        while left:
            part = await self._read(reader.readexactly(min(left, _CHUNK)), clock, head=False)
            parts.append(part)
            left -= len(part)
        return b"".join(parts)

    async def _read_chunked(self, reader: asyncio.StreamReader, clock: _ReadClock) -> bytes:
        parts: list[bytes] = []
        while True:
            line = await self._read(reader.readuntil(b"\r\n"), clock, head=False)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise httpx.RemoteProtocolError(f"invalid chunk size line {line[:40]!r}") from None
            if size == 0:
                while (await self._read(reader.readuntil(b"\r\n"), clock, head=False)) != b"\r\n":
                    pass  # trailers
                return b"".join(parts)
            parts.append(await self._read_exactly(reader, size, clock))
            if await self._read(reader.readexactly(2), clock, head=False) != b"\r\n":
                raise httpx.RemoteProtocolError("a chunk is not followed by CRLF")

    @staticmethod
    def _parse_head(raw: bytes) -> tuple[int, bytes, bytes, list[tuple[bytes, bytes]]]:
        lines = raw[:-4].split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise httpx.RemoteProtocolError(f"malformed status line {lines[0][:80]!r}")
        try:
            status = int(parts[1])
        except ValueError:
            raise httpx.RemoteProtocolError(f"malformed status line {lines[0][:80]!r}") from None
        reason = parts[2] if len(parts) > 2 else b""
        headers: list[tuple[bytes, bytes]] = []
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep or not name or name != name.strip():
                raise httpx.RemoteProtocolError(f"malformed header line {line[:80]!r}")
            headers.append((name, value.strip()))
        return status, reason, parts[0], headers

    async def aclose(self) -> None:
        """Close every idle connection (busy ones close when their request ends) and the fallback."""
        self._closed = True
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()
        await super().aclose()
