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
import ssl
import threading
import time
from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

import httpx

from pywats.core import codec
from pywats.core.cookies import AnswerCookieJar
from pywats.core.errors import error_from_response, error_from_transport
from pywats.core.request import Request
from pywats.core.settings import ClientSettings
from pywats.core.throttle import get_throttler
from pywats.core.transport_choice import uses_aiohttp_transport
from pywats.exceptions import PyWATSError

__all__ = ["SyncExecutor", "AsyncExecutor", "Operation"]


T = TypeVar("T")
_URL_CACHE_SIZE = 512
Operation = Generator[Request, Any, T]
"""A domain operation: yields requests, receives decoded answers, returns the result."""


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
        self._formats_header: str | None = None  # the X-WATS-Accept-Formats value last parsed
        self._urls: dict[str, httpx.URL] = {}

    # -- negotiation -------------------------------------------------------------------

    @property
    def msgpack_active(self) -> bool:
        """True once MessagePack was asked for and the server has advertised it."""
        formats = self.server_formats
        return self.settings.use_msgpack and formats is not None and codec.MSGPACK in formats

    def _note_formats(self, headers: httpx.Headers) -> None:
        value = headers.get(codec.FORMATS_HEADER)
        if value is not None and value != self._formats_header:  # parsed once per distinct value
            formats = codec.parse_formats(value)
            with self._formats_lock:
                self.server_formats = formats
                self._formats_header = value

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
        if isinstance(exc, httpx.RequestError):
            try:
                url = str(exc.request.url)  # the URL really tried (after redirects)
            except RuntimeError:  # httpx raises this when the error carries no request
                pass
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
            cookies=AnswerCookieJar(),
            follow_redirects=True,
        )

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


class AsyncExecutor(_ExecutorBase):
    """Runs requests over ``httpx.AsyncClient``; waits with :func:`asyncio.sleep`.

    The transport under httpx is aiohttp's (see :func:`pywats.core.transport_choice.uses_aiohttp_transport`)
    unless a transport is passed in, HTTP/2 is asked for, or the environment names a proxy.
    """

    is_async = True
    http: httpx.AsyncClient

    def __init__(self, settings: ClientSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__(settings)
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        verify = settings.verify
        ssl_context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify)
        self.transport_name = "custom" if transport is not None else "httpx"
        """Which transport sends: ``"aiohttp"``, ``"httpx"`` (httpx's own) or ``"custom"`` (passed in)."""
        if transport is None and uses_aiohttp_transport(settings):
            # imported here: aiohttp is loaded only when it carries the requests
            from pywats.core.transport import aiohttp_transport

            transport = aiohttp_transport(settings, ssl_context)
            self.transport_name = "aiohttp"
        self.http = httpx.AsyncClient(
            transport=transport,
            timeout=settings.timeout,
            limits=settings.limits(),
            http2=settings.http2,
            verify=ssl_context,
            headers=settings.headers,
            cookies=AnswerCookieJar(),
            follow_redirects=True,
        )

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
            url, params = self._target(request)
            try:
                response = await self.http.request(request.method, url, params=params, content=content, headers=headers)
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
        """Close the connection pool."""
        self.closed = True
        await self.http.aclose()
