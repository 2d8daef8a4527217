"""The ASGI application: routing (case-insensitive), auth, latency, format headers, errors."""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .storage import Storage
from .storage.processes import ProcessCatalog, load_seed
from .wire import ACCEPT_FORMATS_HEADER, ACCEPT_FORMATS_VALUE, ApiError, error_response

__all__ = ["ServerConfig", "ServerContext", "create_app", "get_context"]

VERSION = "2026.1.0-pywats-local"

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass
class ServerConfig:
    """Everything the app needs: database file, accepted tokens, added latency, seed file."""

    db_path: Path
    tokens: list[str]
    latency_ms: float = 0.0
    seed_file: Path | None = None
    synchronous: str = "NORMAL"


@dataclass
class ServerContext:
    """Per-app shared objects, reachable from handlers via :func:`get_context`."""

    config: ServerConfig
    storage: Storage
    processes: ProcessCatalog
    extra: dict[str, Any] = field(default_factory=dict)


def get_context(request: Request) -> ServerContext:
    """The :class:`ServerContext` of the app serving ``request``."""
    return request.app.state.ctx


def _case_insensitive(routes: list[BaseRoute]) -> list[BaseRoute]:
    for route in routes:
        if isinstance(route, Route):
            route.path_regex = re.compile(route.path_regex.pattern, re.IGNORECASE)
    return routes


class ApiGate:
    """Pure ASGI middleware for ``/api``: latency, Basic-token check, format header.

    Every ``/api`` response carries ``X-WATS-Accept-Formats``; a request without a valid
    ``Authorization: Basic <token>`` gets 401 ``{"Message": ...}``. ``latency_ms`` is
    awaited before the request is handled (asynchronously, so concurrency still scales).
    """

    def __init__(self, app: ASGIApp, tokens: list[str], latency_ms: float,
                 direct: dict[tuple[str, str], Endpoint] | None = None) -> None:
        self.app = app
        self.tokens = {t.strip() for t in tokens}
        self.latency = max(0.0, latency_ms) / 1000.0
        self.direct = {(method.upper(), path.lower()): fn for (method, path), fn in (direct or {}).items()}
        """Hot endpoints by (method, lower-case path): run without the router and middleware
        stack (see :meth:`_run_direct`)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].lower().startswith("/api"):
            await self.app(scope, receive, send)
            return
        if self.latency:
            await asyncio.sleep(self.latency)  # the server runs on asyncio (uvicorn); skips anyio's backend lookup

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((ACCEPT_FORMATS_HEADER.lower().encode(), ACCEPT_FORMATS_VALUE.encode()))
                message = {**message, "headers": headers}
            await send(message)

        if not self._authorized(scope):
            request = Request(scope)
            response = error_response(request, 401, "Authorization has been denied for this request.")
            response.headers["WWW-Authenticate"] = 'Basic realm="WATS"'
            await response(scope, receive, send_with_header)
            return
        endpoint = self.direct.get((scope["method"], scope["path"].lower())) if self.direct else None
        if endpoint is not None:
            await self._run_direct(endpoint, scope, receive, send_with_header)
            return
        await self.app(scope, receive, send_with_header)

    async def _run_direct(self, endpoint: Endpoint, scope: Scope, receive: Receive, send: Send) -> None:
        """Call ``endpoint`` as its route would, minus routing and middleware layers (report
        submission is the per-request hot path). Errors are answered by the same handlers
        the app uses; an unexpected exception is answered 500 and re-raised, as Starlette does."""
        scope["app"] = self.app
        request = Request(scope, receive, send)
        try:
            response = await endpoint(request)
        except ApiError as exc:
            response = error_response(request, exc.status, exc.message)
        except HTTPException as exc:
            response = await _http_error(request, exc)
        except Exception as exc:
            await (await _server_error(request, exc))(scope, receive, send)
            raise
        await response(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        for key, value in scope.get("headers", []):
            if key == b"authorization":
                text = value.decode("latin-1").strip()
                scheme, _, token = text.partition(" ")
                return scheme.lower() == "basic" and token.strip() in self.tokens
        return False


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(request, exc.status, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        msg = f"No HTTP resource was found that matches the request URI '{request.url.path}'."
    elif exc.status_code == 405:
        msg = f"The requested resource does not support http method '{request.method}'."
    else:
        msg = str(exc.detail)
    resp = error_response(request, exc.status_code, msg)
    if exc.headers:
        resp.headers.update(exc.headers)
    return resp


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(request, 500, f"An error has occurred: {type(exc).__name__}: {exc}")


def open_context(config: ServerConfig) -> ServerContext:
    """Open the database, load the seed and build the shared context."""
    storage = Storage(config.db_path, synchronous=config.synchronous)
    load_seed(storage, config.seed_file)
    return ServerContext(config=config, storage=storage, processes=ProcessCatalog(storage))


def hot_endpoints() -> dict[tuple[str, str], Endpoint]:
    """(method, path) → endpoint for routes :class:`ApiGate` runs directly. Each must also
    stay in the route table (same path, same method) so both ways give the same answer."""
    from .routes.report import submit_wsjf

    return {("POST", "/api/Report/WSJF"): submit_wsjf}


def create_app(config: ServerConfig, context: ServerContext | None = None) -> ASGIApp:
    """Build the ASGI app for ``config`` (opens the database unless ``context`` is given)."""
    from .routes import all_routes

    ctx = context or open_context(config)
    app = Starlette(
        routes=_case_insensitive(all_routes()),
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _server_error},
    )
    app.state.ctx = ctx
    return ApiGate(app, config.tokens, config.latency_ms, direct=hot_endpoints())


def token_for(user: str, password: str) -> str:
    """The Basic token WATS issues for ``user:password`` (base64)."""
    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
