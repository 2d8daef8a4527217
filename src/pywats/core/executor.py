"""The two executors that run :class:`~pywats.core.request.Request` objects.

:class:`SyncExecutor` runs them over ``httpx.Client``, :class:`AsyncExecutor` over
``httpx.AsyncClient``. Both share :class:`_ExecutorBase` for everything that is not I/O:
building the call (headers, body encoding, MessagePack negotiation), decoding the answer,
error mapping and the retry decision. Only sending, sleeping and throttle-waiting differ.

``drive(generator)`` runs a domain operation (a generator that yields ``Request`` objects,
see :mod:`pywats.domains._base`): the sync executor returns the operation's result, the
async one returns a coroutine producing it. Errors are thrown into the generator at the
``yield`` so an operation may catch them (e.g. turn a 404 into ``None``).
"""

from __future__ import annotations

import asyncio
import os
import ssl
import threading
import time
from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

import httpx

from pywats.core import codec
from pywats.core.errors import error_from_response, error_from_transport
from pywats.core.http1 import FastAsyncTransport
from pywats.core.request import Request
from pywats.core.settings import ClientSettings
from pywats.core.throttle import get_throttler
from pywats.exceptions import PyWATSError

__all__ = ["SyncExecutor", "AsyncExecutor", "Operation"]


T = TypeVar("T")
_URL_CACHE_SIZE = 512
Operation = Generator[Request, Any, T]
"""A domain operation: yields requests, receives decoded answers, returns the result."""


class _SetCookieOnlyJar(httpx.Cookies):
    """A client cookie jar that skips the (costly) ``http.cookiejar`` pass for answers
    without ``Set-Cookie``/``Set-Cookie2`` headers; cookies that are sent are kept as usual."""

    def extract_cookies(self, response: httpx.Response) -> None:
        """Store the cookies ``response`` sets (nothing to do when it sets none)."""
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


def _lean_cookies(client: httpx.Client | httpx.AsyncClient) -> None:
    """Give a new ``client`` the :class:`_SetCookieOnlyJar` (httpx's ``cookies`` setter would
    copy it into a plain ``Cookies``; if a future httpx stores the jar elsewhere, this is a no-op)."""
    if isinstance(getattr(client, "_cookies", None), httpx.Cookies) and not client.cookies:
        client._cookies = _SetCookieOnlyJar()


class _ExecutorBase:
    """What the sync and async executors share: request building, decoding, retry decisions."""

    is_async: bool = False
    http: httpx.Client | httpx.AsyncClient

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self._formats_lock = threading.Lock()
        self.server_formats: frozenset[str] | None = None
        """Media types the server advertised in ``X-WATS-Accept-Formats`` (None until seen)."""
        self.closed = False
        """Set when the owning client was closed; no request is sent afterwards."""
        self._urls: dict[str, httpx.URL] = {}

    # -- negotiation -------------------------------------------------------------------

    @property
    def msgpack_active(self) -> bool:
        """True once MessagePack was asked for and the server has advertised it."""
        formats = self.server_formats
        return self.settings.use_msgpack and formats is not None and codec.MSGPACK in formats

    def _note_formats(self, headers: httpx.Headers) -> None:
        value = headers.get(codec.FORMATS_HEADER)
        if value is not None:
            formats = codec.parse_formats(value)
            if formats != self.server_formats:
                with self._formats_lock:
                    self.server_formats = formats

    # -- building and finishing a call --------------------------------------------------

    def _build(self, request: Request) -> tuple[dict[str, str], bytes | None]:
        headers: dict[str, str] = {}
        content: bytes | None = None
        msgpack = self.msgpack_active
        if request.has_json:
            if msgpack:
                content = codec.encode_msgpack(request.json)
                headers["Content-Type"] = codec.MSGPACK
            else:
                content = codec.encode_json(request.json)
                headers["Content-Type"] = codec.JSON
        elif request.content is not None:
            content = request.content
            headers["Content-Type"] = request.content_type or "application/octet-stream"
        if request.expect == "json" and msgpack:
            headers["Accept"] = f"{codec.MSGPACK}, {codec.JSON}"
        elif request.expect in ("bytes", "text"):
            headers["Accept"] = "*/*"
        if request.headers:
            headers.update(request.headers)
        return headers, content

    def _url(self, request: Request) -> str:
        return self.settings.base_url + request.path

    def _target(self, request: Request) -> tuple[httpx.URL, dict[str, str | list[str]] | None]:
        """The parsed URL (cached per path: httpx parses a URL string on every call otherwise)
        and the query parameters (``None`` when there are none, which spares httpx a re-parse)."""
        cache = self._urls
        url = cache.get(request.path)
        if url is None:
            if len(cache) >= _URL_CACHE_SIZE:
                cache.clear()
            url = cache[request.path] = httpx.URL(self._url(request))
        return url, (request.query() or None) if request.params else None

    def _finish(self, request: Request, response: httpx.Response) -> Any:
        """Decode a successful answer or raise the mapped error."""
        self._note_formats(response.headers)
        status = response.status_code
        body = response.content
        if status >= 400:
            raise error_from_response(request.method, str(response.request.url), status, response.headers, body)
        if request.expect == "none":
            return None
        if request.expect == "bytes":
            return body
        if request.expect == "text":
            return response.text
        return codec.decode(body, response.headers.get("content-type", ""))

    def _transport_error(self, request: Request, exc: Exception) -> PyWATSError:
        url = self._url(request)
        req = getattr(exc, "_request", None)
        if req is not None:
            url = str(req.url)
        return error_from_transport(request.method, url, exc)

    def _closed_error(self, request: Request) -> PyWATSError:
        return PyWATSError("the client is closed", method=request.method, url=self._url(request))

    def _send_failed(self, request: Request, exc: Exception) -> PyWATSError:
        """The error for an exception raised while sending: a transport error is mapped (and
        may be retried); a RuntimeError from a pool closed under us raises the closed error;
        anything else is re-raised."""
        if isinstance(exc, httpx.HTTPError):
            return self._transport_error(request, exc)
        if isinstance(exc, RuntimeError) and self.http.is_closed:
            raise self._closed_error(request) from exc
        raise exc

    def _retry_delay(self, request: Request, error: PyWATSError, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt + 1``; raises ``error`` when no retry is due
        (attempts used up, request not idempotent, or an error the policy does not retry)."""
        retry = self.settings.retry
        if attempt < retry.max_attempts and request.is_idempotent and retry.is_retryable(error):
            return retry.delay(attempt, error)
        raise error


class SyncExecutor(_ExecutorBase):
    """Runs requests over ``httpx.Client``; waits with :func:`time.sleep`."""

    is_async = False
    http: httpx.Client

    def __init__(self, settings: ClientSettings, transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(settings)
        self.sleep: Callable[[float], None] = time.sleep
        self.http = httpx.Client(
            transport=transport,
            timeout=settings.timeout,
            limits=settings.limits(),
            http2=settings.http2,
            verify=settings.verify,
            headers=settings.headers,
            follow_redirects=True,
        )
        _lean_cookies(self.http)

    def send(self, request: Request) -> Any:
        """Send one request (throttled, retried per policy) and return its decoded answer."""
        if self.closed:
            raise self._closed_error(request)
        attempt = 0
        while True:
            attempt += 1
            if self.settings.throttle:
                get_throttler().acquire(self.sleep)
            headers, content = self._build(request)
            url, params = self._target(request)
            try:
                response = self.http.request(request.method, url, params=params, content=content, headers=headers)
            except (httpx.HTTPError, RuntimeError) as exc:
                error = self._send_failed(request, exc)
            else:
                try:
                    return self._finish(request, response)
                except PyWATSError as exc:
                    error = exc
            self.sleep(self._retry_delay(request, error, attempt))

    def drive(self, operation: Operation[T]) -> T:
        """Run a domain operation to completion and return its result."""
        try:
            request = next(operation)
            while True:
                try:
                    answer = self.send(request)
                except PyWATSError as exc:
                    request = operation.throw(exc)
                else:
                    request = operation.send(answer)
        except StopIteration as stop:
            return stop.value

    def close(self) -> None:
        """Close the connection pool."""
        self.closed = True
        self.http.close()


_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def _proxy_from_environment() -> bool:
    """True if the environment names a proxy (httpx honours these; so must we)."""
    return any(os.environ.get(name) for name in _PROXY_VARIABLES)


class AsyncExecutor(_ExecutorBase):
    """Runs requests over ``httpx.AsyncClient``; waits with :func:`asyncio.sleep`.

    Connection pool sharding: httpx's async pool spends time proportional to the number of
    queued requests and open connections on every request, which caps one pool at a few
    hundred requests per second when ~100 are in flight. So the executor keeps several small
    ``httpx.AsyncClient`` pools ("shards", ``CONNECTIONS_PER_SHARD`` connections each, one SSL
    context shared by all), adds a shard only when every existing one is busy, and sends each
    request through the least-loaded shard, up to ``max_connections`` connections in total.
    A single sequential caller therefore uses one shard and one connection.
    """

    is_async = True
    CONNECTIONS_PER_SHARD = 1
    http: httpx.AsyncClient

    def __init__(self, settings: ClientSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__(settings)
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._transport = transport
        verify = settings.verify
        if not isinstance(verify, ssl.SSLContext):
            verify = httpx.create_ssl_context(verify=verify)
        self._verify: ssl.SSLContext = verify
        per_shard = self.CONNECTIONS_PER_SHARD if transport is None else settings.max_connections
        self._per_shard = max(1, min(per_shard, settings.max_connections))
        self._max_shards = 1 if transport is not None else -(-settings.max_connections // self._per_shard)
        self._shards: list[httpx.AsyncClient] = []
        self._load: list[int] = []
        self.http = self._new_shard()

    def _new_shard(self) -> httpx.AsyncClient:
        limits = httpx.Limits(
            max_connections=self._per_shard, max_keepalive_connections=self._per_shard, keepalive_expiry=30.0
        )
        transport = self._transport
        if transport is None and not _proxy_from_environment():
            # (with a proxy configured, httpx's own transports handle it: an explicit
            # transport would make httpx ignore HTTP(S)_PROXY / ALL_PROXY / NO_PROXY)
            transport = FastAsyncTransport(verify=self._verify, limits=limits, http2=self.settings.http2)
        client = httpx.AsyncClient(
            transport=transport,
            timeout=self.settings.timeout,
            limits=limits,
            http2=self.settings.http2,
            verify=self._verify,
            headers=self.settings.headers,
            follow_redirects=True,
        )
        _lean_cookies(client)
        self._shards.append(client)
        self._load.append(0)
        return client

    def _pick(self) -> int:
        """Index of the shard for the next request (least loaded; a new one if all are busy)."""
        load = self._load
        best = min(range(len(load)), key=load.__getitem__)
        if load[best] >= self._per_shard and len(self._shards) < self._max_shards:
            self._new_shard()
            best = len(self._shards) - 1
        return best

    async def _request(self, request: Request, headers: dict[str, str], content: bytes | None) -> httpx.Response:
        index = self._pick()
        self._load[index] += 1
        try:
            url, params = self._target(request)
            return await self._shards[index].request(
                request.method, url, params=params, content=content, headers=headers
            )
        finally:
            self._load[index] -= 1

    async def send(self, request: Request) -> Any:
        """Send one request (throttled, retried per policy) and return its decoded answer."""
        if self.closed:
            raise self._closed_error(request)
        attempt = 0
        while True:
            attempt += 1
            if self.settings.throttle:
                wait = get_throttler().reserve()
                if wait > 0:
                    await self.sleep(wait)
            headers, content = self._build(request)
            try:
                response = await self._request(request, headers, content)
            except (httpx.HTTPError, RuntimeError) as exc:
                error = self._send_failed(request, exc)
            else:
                try:
                    return self._finish(request, response)
                except PyWATSError as exc:
                    error = exc
            await self.sleep(self._retry_delay(request, error, attempt))

    async def drive(self, operation: Operation[T]) -> T:
        """Run a domain operation to completion and return its result (await it)."""
        try:
            request = next(operation)
            while True:
                try:
                    answer = await self.send(request)
                except PyWATSError as exc:
                    request = operation.throw(exc)
                else:
                    request = operation.send(answer)
        except StopIteration as stop:
            return stop.value

    async def aclose(self) -> None:
        """Close every connection pool."""
        self.closed = True
        for shard in list(self._shards):
            await shard.aclose()
