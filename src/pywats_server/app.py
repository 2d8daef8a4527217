"""The ASGI application: routing (case-insensitive), auth, latency, format headers, errors."""

from __future__ import annotations

import asyncio
import base64
import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .context import VERSION, ServerConfig, ServerContext, get_context, open_context
from .errors import ApiError
from .routing import CaseInsensitivePaths
from .wire import ACCEPT_FORMATS_HEADER, ACCEPT_FORMATS_VALUE, error_response

__all__ = ["VERSION", "ServerConfig", "ServerContext", "create_app", "get_context", "open_context", "token_for"]

_log = logging.getLogger("pywats_server")


class ApiGate:
    """Pure ASGI middleware for ``/api``: latency, Basic-token check, format header.

    Every ``/api`` response carries ``X-WATS-Accept-Formats``; a request without a valid
    ``Authorization: Basic <token>`` gets 401 ``{"Message": ...}``. ``latency_ms`` is
    awaited before the request is handled (asynchronously, so concurrency still scales).
    """

    def __init__(self, app: ASGIApp, tokens: list[str], latency_ms: float) -> None:
        self.app = app
        self.tokens = {t.strip() for t in tokens}
        self.latency = max(0.0, latency_ms) / 1000.0

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
        await self.app(scope, receive, send_with_header)

    def _authorized(self, scope: Scope) -> bool:
        for key, value in scope.get("headers", []):
            if key == b"authorization":
                text = value.decode("latin-1").strip()
                scheme, _, token = text.partition(" ")
                return scheme.lower() == "basic" and token.strip() in self.tokens
        return False


async def _api_error(request: Request, exc: Exception) -> Response:
    """Every :class:`~.errors.ApiError` / :class:`~.errors.InputError`: its status and message."""
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
    """An unexpected exception: logged with its traceback; the answer carries no detail of it."""
    _log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "An error has occurred.")


def create_app(config: ServerConfig, context: ServerContext | None = None) -> ASGIApp:
    """Build the ASGI app for ``config`` (opens the database unless ``context`` is given)."""
    from .routes import all_routes

    ctx = context or open_context(config)
    routes = all_routes()
    app = Starlette(
        routes=routes,
        middleware=[Middleware(CaseInsensitivePaths, routes=routes)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error, Exception: _server_error},
    )
    app.state.ctx = ctx
    return ApiGate(app, config.tokens, config.latency_ms)


def token_for(user: str, password: str) -> str:
    """The Basic token WATS issues for ``user:password`` (base64)."""
    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
