"""Shared machinery of the API domains (``api.app``, ``api.report``, ``api.process``, …).

How a domain is written — once, for both clients
================================================

Every endpoint is described exactly once. A domain method is a *generator function*
decorated with :func:`operation`. It ``yield``-s :class:`~pywats.core.request.Request`
objects, receives each decoded answer as the value of the ``yield`` expression, and
``return``-s its result::

    from pywats.core.request import Request
    from pywats.domains._base import Domain, ModeT, operation

    class WidgetDomain(Domain[ModeT]):
        '''Widgets (GET /api/Widget).'''

        @operation
        def get_widget(self, name: str) -> Generator[Request, Any, Widget]:
            '''One widget by name (``GET /api/Widget``).'''
            data = yield Request("GET", "/api/Widget", params={"name": name})
            return Widget.model_validate(data)

The annotation is the generator's (``Generator[Request, Any, Result]``); the docstring is
what users see. Type checkers see the method as users call it: on a ``WidgetDomain[SyncMode]``
(an attribute of ``pyWATS``, annotated in :mod:`pywats.client`) it returns ``Widget``, on a
``WidgetDomain[AsyncMode]`` (of ``AsyncWATS``) ``Coroutine[Any, Any, Widget]`` — with the
same parameters (see :class:`DomainOperation`). ``pyWATS(...).widget.get_widget("x")`` then returns a ``Widget``; on ``AsyncWATS`` the very
same method returns a coroutine (``await api.widget.get_widget("x")``). The decorator asks
the domain's executor to drive the generator: :class:`~pywats.core.executor.SyncExecutor`
sends each request with ``httpx.Client``; :class:`~pywats.core.executor.AsyncExecutor` with
``httpx.AsyncClient``. No hidden event loop, no endpoint written twice.

Rules and helpers:

- Several calls in one method (paging, fetch–modify–resubmit) are just several ``yield``-s.
- Errors are thrown into the generator at the ``yield``: ``try: data = yield req`` /
  ``except NotFoundError: return None`` works.
- To reuse another operation inside an operation use ``yield from``::

      processes = yield from steps(self.client.process.get_processes)

- ``Request(..., idempotent=True)`` marks a POST that is safe to retry. GET/PUT/DELETE are
  retried by default; other POSTs never are.
- ``Request(..., expect="bytes")`` returns the raw body (files), ``"text"`` text, ``"none"``
  nothing; the default ``"json"`` decodes JSON (or MessagePack when negotiated).
- Per-client shared state (caches) lives in ``self.client.state`` (a :class:`ClientState`).
- Register a new domain in :data:`pywats.domains.DOMAINS` (attribute name → ``"module:Class"``);
  both clients then create it lazily on first attribute access.
- Keep operation bodies free of blocking work other than ``yield``: the same code runs inside
  the event loop for ``AsyncWATS``.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Coroutine, Generator
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, cast, overload

from pywats.core.request import Request

if TYPE_CHECKING:
    from pywats.core.executor import AsyncExecutor, SyncExecutor

__all__ = [
    "AsyncMode",
    "BoundOperation",
    "ClientMode",
    "ClientState",
    "Domain",
    "DomainOperation",
    "Request",
    "SyncMode",
    "operation",
    "steps",
]

_GEN_ATTR = "__pywats_operation__"


class ClientMode:
    """Type-level marker of the client a domain belongs to (never instantiated)."""


class SyncMode(ClientMode):
    """A domain of :class:`~pywats.pyWATS`: operations return their result."""


class AsyncMode(ClientMode):
    """A domain of :class:`~pywats.AsyncWATS`: operations return a coroutine of their result."""


ModeT = TypeVar("ModeT", bound=ClientMode)
"""The client mode a :class:`Domain` is parameterised with (``SyncMode`` or ``AsyncMode``)."""

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
D = TypeVar("D", bound="Domain[Any]")


class BoundOperation(Protocol[P, R_co]):
    """An operation bound to a domain whose client kind is not known statically (inside
    operation bodies). Pass it to :func:`steps` to reuse its requests."""

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R_co | Coroutine[Any, Any, R_co]: ...


class DomainOperation(Protocol[D, P, R]):
    """What :func:`operation` makes of a generator method, as type checkers see it.

    Read on a ``Domain[SyncMode]`` (``pyWATS``) it is a method returning ``R``; on a
    ``Domain[AsyncMode]`` (``AsyncWATS``) a method returning a coroutine of ``R``.
    """

    @overload
    def __get__(self, obj: None, owner: type[Any], /) -> DomainOperation[D, P, R]: ...
    @overload
    def __get__(self, obj: Domain[SyncMode], owner: type[Any] | None = None, /) -> Callable[P, R]: ...
    @overload
    def __get__(
        self, obj: Domain[AsyncMode], owner: type[Any] | None = None, /
    ) -> Callable[P, Coroutine[Any, Any, R]]: ...
    @overload
    def __get__(self, obj: Domain[Any], owner: type[Any] | None = None, /) -> BoundOperation[P, R]: ...


def operation(func: Callable[Concatenate[D, P], Generator[Request, Any, R]]) -> DomainOperation[D, P, R]:
    """Turn a generator method into a client method run by the domain's executor.

    On a sync client the wrapped method returns the result; on an async client it returns
    a coroutine of the result. Type checkers see exactly that (see :class:`DomainOperation`).
    """

    @functools.wraps(func)
    def run(self: D, *args: P.args, **kwargs: P.kwargs) -> Any:
        return self._executor.drive(func(self, *args, **kwargs))

    setattr(run, _GEN_ATTR, func)
    # a plain function is a descriptor whose bound form behaves as DomainOperation describes
    return cast("DomainOperation[D, P, R]", run)


def steps(
    bound_method: BoundOperation[P, R], /, *args: P.args, **kwargs: P.kwargs
) -> Generator[Request, Any, R]:
    """The request generator behind an :func:`operation` method, for ``yield from`` reuse."""
    func = getattr(bound_method, "__func__", bound_method)
    gen_func = getattr(func, _GEN_ATTR, None)
    if gen_func is None:
        raise TypeError(f"{bound_method!r} is not a pyWATS operation")
    generator: Generator[Request, Any, R] = gen_func(getattr(bound_method, "__self__", None), *args, **kwargs)
    return generator


class ClientState:
    """Per-client shared state: a small thread-safe TTL cache used by domains."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, Any]] = {}
        self._clock = clock

    def cache_get(self, key: str, ttl: float) -> Any | None:
        """The cached value for ``key`` if it is younger than ``ttl`` seconds, else ``None``."""
        with self._lock:
            entry = self._cache.get(key)
        if entry is None or self._clock() - entry[0] > ttl:
            return None
        return entry[1]

    def cache_set(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` (timestamped now)."""
        with self._lock:
            self._cache[key] = (self._clock(), value)

    def cache_clear(self, prefix: str = "") -> None:
        """Forget cached entries whose key starts with ``prefix`` (all by default)."""
        with self._lock:
            for key in [k for k in self._cache if k.startswith(prefix)]:
                del self._cache[key]


class Domain(Generic[ModeT]):
    """Base class of every API domain. ``self.client`` is the owning pyWATS/AsyncWATS.

    ``ModeT`` is :class:`SyncMode` for the domains of ``pyWATS`` and :class:`AsyncMode` for
    those of ``AsyncWATS``; it only tells type checkers what an operation returns.
    """

    def __init__(self, client: Any, executor: SyncExecutor | AsyncExecutor) -> None:
        self.client = client
        self._executor = executor

    @property
    def is_async(self) -> bool:
        """True on an :class:`~pywats.AsyncWATS` client (methods return awaitables)."""
        return self._executor.is_async

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.client!r}>"
