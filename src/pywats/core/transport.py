"""Which transport carries ``AsyncWATS``'s requests under ``httpx.AsyncClient``.

httpx is the API of both clients. For the async client the bytes go through aiohttp
(``httpx_aiohttp.AiohttpTransport``): its connection pool stays fast with a hundred requests
in flight. httpx's own transport is used where it does what aiohttp's does not — HTTP/2
asked for explicitly (``http2=True``) and a proxy named by the environment (httpx applies
``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY`` together with ``NO_PROXY``); the choice is made in
:mod:`pywats.core.transport_choice`, which imports nothing, so aiohttp is loaded only when it
carries the requests. The sync client always
uses httpx's own transport. ``docs/architecture-http.md`` gives the reasons.
"""

from __future__ import annotations

import asyncio
import ssl

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from pywats.core.settings import ClientSettings

__all__ = ["aiohttp_transport"]


class _MappedAiohttpTransport(AiohttpTransport):
    """``AiohttpTransport`` whose failures all arrive as the httpx exception that fits.

    httpx-aiohttp 0.2 reports every ``aiohttp.ClientConnectionError`` that is not a timeout
    (connection refused, server disconnected, connection reset) as ``httpx.ConnectTimeout``,
    and lets other ``aiohttp.ClientError``s through unmapped. Retry and error mapping in
    :mod:`pywats.core.errors` need the real kind, so it is corrected here (from the
    exception's ``__cause__``, the original aiohttp error).
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.TimeoutException as exc:
            cause = exc.__cause__
            if isinstance(cause, aiohttp.ClientConnectionError) and not isinstance(cause, asyncio.TimeoutError):
                raise _not_a_timeout(cause, request) from cause
            raise
        except aiohttp.ClientError as exc:
            raise httpx.RemoteProtocolError(f"{type(exc).__name__}: {exc}", request=request) from exc


def _not_a_timeout(cause: aiohttp.ClientConnectionError, request: httpx.Request) -> httpx.TransportError:
    message = f"{type(cause).__name__}: {cause}"
    if isinstance(cause, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message, request=request)
    if isinstance(cause, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(message, request=request)
    return httpx.ReadError(message, request=request)


def aiohttp_transport(settings: ClientSettings, ssl_context: ssl.SSLContext) -> httpx.AsyncBaseTransport:
    """An aiohttp-backed transport pooling up to ``settings.max_connections`` connections.

    Its aiohttp session keeps no cookies (``DummyCookieJar``): httpx's client jar is the one
    cookie store, so a load balancer's affinity cookie is kept and sent exactly once.
    """
    limits = settings.limits()

    def session() -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=settings.max_connections, keepalive_timeout=limits.keepalive_expiry, ssl=ssl_context
        )
        return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())

    return _MappedAiohttpTransport(verify=ssl_context, limits=limits, client=session)
