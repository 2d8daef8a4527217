"""The two clients: :class:`pyWATS` (synchronous) and :class:`AsyncWATS` (asynchronous).

Both expose the same domains with the same method names (``api.app``, ``api.process``,
``api.report``, …); on ``AsyncWATS`` the methods return awaitables. Every endpoint is
described once (:mod:`pywats.domains._base`) and run by a sync or an async executor
(:mod:`pywats.core.executor`); the sync client never runs an event loop.

Settings shared by both::

    pyWATS(base_url=None, token=None, *, timeout=30.0, retry_config=None, use_msgpack=False,
           verify=True, http2=None, max_connections=100, throttle=True)

- ``base_url``: server URL (``https://x.wats.com``; a trailing ``/`` or ``/api`` is stripped);
  default from ``WATS_BASE_URL``.
- ``token``: the WATS API token, sent verbatim as ``Authorization: Basic <token>``; default
  from ``WATS_AUTH_TOKEN`` or ``PYWATS_API_TOKEN``.
- ``timeout``: seconds for each of connect/read/write/pool (or an ``httpx.Timeout``).
- ``retry_config``: :class:`~pywats.core.retry.RetryConfig`; default ``RetryConfig()`` —
  3 attempts, exponential backoff from 1 s with jitter, capped at 30 s, on 429/5xx and
  transport errors, for idempotent calls and report submission. ``RetryConfig.disabled()``
  turns retrying off.
- ``use_msgpack``: use MessagePack bodies once the server advertises support (JSON until then,
  and always with a JSON-only server such as real WATS).
- ``verify``: TLS verification (``True``, a CA bundle path, an ``ssl.SSLContext`` or ``False``).
- ``http2``: ``None`` = the sync client uses HTTP/2 when the ``h2`` package is installed and
  the server offers it, ``AsyncWATS`` sends HTTP/1.1 through aiohttp; ``True`` = HTTP/2
  through httpx's own transport for both (see :mod:`pywats.core.transport`).
- ``max_connections``: connection pool size (all may be kept alive).
- ``throttle``: obey the process-wide limiter of :mod:`pywats.core.throttle`.
- ``transport``: an httpx transport to use instead of the network (tests, proxies).
"""

from __future__ import annotations

import asyncio
import importlib
import ssl
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import httpx

from pywats.core.executor import AsyncExecutor, SyncExecutor
from pywats.core.request import Request
from pywats.core.retry import RetryConfig
from pywats.core.settings import ClientSettings, resolve_settings
from pywats.domains import DOMAINS
from pywats.domains._base import AsyncMode, ClientState, SyncMode
from pywats.exceptions import PyWATSError

if TYPE_CHECKING:
    from pywats.domains.analytics import AnalyticsDomain
    from pywats.domains.app import AppDomain
    from pywats.domains.asset import AssetDomain
    from pywats.domains.process import ProcessDomain
    from pywats.domains.product import ProductDomain
    from pywats.domains.production import ProductionDomain
    from pywats.domains.report import ReportDomain
    from pywats.domains.rootcause import RootCauseDomain
    from pywats.domains.software import SoftwareDomain
    from pywats.domains.scim import ScimDomain
    from pywats.domains.system import SystemDomain
    from pywats.domains.auth import AuthDomain
    from pywats.domains.workflow import WorkflowDomain
    from pywats.domains.export import ExportDomain
    from pywats.domains.barcode import BarcodeDomain

__all__ = ["pyWATS", "AsyncWATS"]


def _version_steps() -> Generator[Request, Any, str]:
    data = yield Request("GET", "/api/App/Version")
    return str(data) if data is not None else ""


class _ClientBase:
    """What both clients share: settings, per-client state and lazy domain creation."""

    _executor: SyncExecutor | AsyncExecutor

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = 30.0,
        retry_config: RetryConfig | None = None,
        use_msgpack: bool = False,
        verify: bool | str | ssl.SSLContext = True,
        http2: bool | None = None,
        max_connections: int = 100,
        throttle: bool = True,
    ) -> None:
        self.settings: ClientSettings = resolve_settings(
            base_url,
            token,
            timeout=timeout,
            retry_config=retry_config,
            use_msgpack=use_msgpack,
            verify=verify,
            http2=http2,
            max_connections=max_connections,
            throttle=throttle,
        )
        self.state = ClientState()

    @property
    def base_url(self) -> str:
        """The normalised server URL (no trailing ``/api``)."""
        return self.settings.base_url

    @property
    def retry_config(self) -> RetryConfig:
        """The retry policy in force."""
        return self.settings.retry

    def __getattr__(self, name: str) -> Any:
        target = DOMAINS.get(name)
        if target is None or name.startswith("_"):
            raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")
        module_name, _, class_name = target.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        domain = cls(self, self._executor)
        self.__dict__[name] = domain
        return domain

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *DOMAINS})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"


class pyWATS(_ClientBase):  # noqa: N801 - the public name used by the guide
    """Synchronous WATS client over ``httpx.Client`` (connection pooling, HTTP/2 if available).

    Use as a context manager or call :meth:`close`. Domains (created on first use, see
    :data:`pywats.domains.DOMAINS`): ``app``, ``report``, ``process``, ``product``,
    ``production``, ``asset``, ``software``, ``analytics``, ``rootcause``, ``scim``, ``system``,
    ``auth``, ``workflow``, ``export``, ``barcode``.
    """

    _executor: SyncExecutor

    if TYPE_CHECKING:
        app: AppDomain[SyncMode]
        process: ProcessDomain[SyncMode]
        report: ReportDomain[SyncMode]
        product: ProductDomain[SyncMode]
        production: ProductionDomain[SyncMode]
        asset: AssetDomain[SyncMode]
        software: SoftwareDomain[SyncMode]
        analytics: AnalyticsDomain[SyncMode]
        rootcause: RootCauseDomain[SyncMode]
        scim: ScimDomain[SyncMode]
        system: SystemDomain[SyncMode]
        auth: AuthDomain[SyncMode]
        workflow: WorkflowDomain[SyncMode]
        export: ExportDomain[SyncMode]
        barcode: BarcodeDomain[SyncMode]

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(base_url, token, **kwargs)
        self._executor = SyncExecutor(self.settings, transport)

    def get_version(self) -> str:
        """The server's version text (``GET /api/App/Version``)."""
        return self._executor.drive(_version_steps())

    def test_connection(self) -> bool:
        """True when the server answers ``GET /api/App/Version`` with the token given."""
        try:
            self.get_version()
        except PyWATSError:
            return False
        return True

    def close(self) -> None:
        """Close the connection pool. Safe to call more than once."""
        self._executor.close()

    @property
    def is_closed(self) -> bool:
        """True after :meth:`close`."""
        return self._executor.http.is_closed

    def __enter__(self) -> pyWATS:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _CloseAwaitable:
    """Returned by :meth:`AsyncWATS.close`: the close is already under way; await it to wait."""

    def __init__(self, task: asyncio.Future[None] | None) -> None:
        self._task = task

    def __await__(self) -> Generator[Any, None, None]:
        if self._task is not None:
            yield from self._task.__await__()


class AsyncWATS(_ClientBase):
    """Asynchronous WATS client over ``httpx.AsyncClient``; same domains and methods as
    :class:`pyWATS`, awaited. Use ``async with`` or ``await api.aclose()``."""

    _executor: AsyncExecutor

    if TYPE_CHECKING:
        app: AppDomain[AsyncMode]
        process: ProcessDomain[AsyncMode]
        report: ReportDomain[AsyncMode]
        product: ProductDomain[AsyncMode]
        production: ProductionDomain[AsyncMode]
        asset: AssetDomain[AsyncMode]
        software: SoftwareDomain[AsyncMode]
        analytics: AnalyticsDomain[AsyncMode]
        rootcause: RootCauseDomain[AsyncMode]
        scim: ScimDomain[AsyncMode]
        system: SystemDomain[AsyncMode]
        auth: AuthDomain[AsyncMode]
        workflow: WorkflowDomain[AsyncMode]
        export: ExportDomain[AsyncMode]
        barcode: BarcodeDomain[AsyncMode]

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(base_url, token, **kwargs)
        self._executor = AsyncExecutor(self.settings, transport)

    async def get_version(self) -> str:
        """The server's version text (``GET /api/App/Version``)."""
        return await self._executor.drive(_version_steps())

    async def test_connection(self) -> bool:
        """True when the server answers ``GET /api/App/Version`` with the token given."""
        try:
            await self.get_version()
        except PyWATSError:
            return False
        return True

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._executor.aclose()

    def close(self) -> _CloseAwaitable:
        """Close the connection pool; works awaited (``await api.close()``) or not.

        Inside a running event loop the close is scheduled at once and the returned object
        can be awaited to wait for it. Without a running loop the pool is marked closed and
        its sockets are released when garbage-collected (no event loop is started).
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            self._executor.closed = True
            return _CloseAwaitable(None)
        return _CloseAwaitable(loop.create_task(self.aclose()))

    @property
    def is_closed(self) -> bool:
        """True after :meth:`aclose`/:meth:`close`."""
        return self._executor.closed or self._executor.http.is_closed

    async def __aenter__(self) -> AsyncWATS:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
