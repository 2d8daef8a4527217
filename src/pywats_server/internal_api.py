"""The rule for ``/api/internal/*`` routes: the WATS web application's own API.

WATS serves its internal routes only to callers that send a ``Referer`` header (the web
application always does; pyWATS sends the server's address). Without one this server answers
as WATS does for a request it does not authorize: 401 ``{"Message": "Authorization has been
denied for this request."}``. :func:`require_referer` wraps every internal route (applied in
:func:`pywats_server.routes.all_routes`).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .wire import error_response

__all__ = ["INTERNAL_PREFIX", "DENIED_MESSAGE", "require_referer", "guard_internal_routes"]

INTERNAL_PREFIX = "/api/internal/"
DENIED_MESSAGE = "Authorization has been denied for this request."

Endpoint = Callable[[Request], Awaitable[Response]]


def require_referer(endpoint: Endpoint) -> Endpoint:
    """``endpoint``, answering 401 when the request carries no ``Referer`` header."""

    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        if not request.headers.get("referer", "").strip():
            return error_response(request, 401, DENIED_MESSAGE)
        return await endpoint(request)

    return guarded


def guard_internal_routes(routes: list[BaseRoute]) -> list[BaseRoute]:
    """The routes with every ``/api/internal/*`` endpoint wrapped by :func:`require_referer`."""
    out: list[BaseRoute] = []
    for route in routes:
        if isinstance(route, Route) and route.path.lower().startswith(INTERNAL_PREFIX.lower()):
            route = Route(route.path, require_referer(route.endpoint), methods=list(route.methods or []) or None,
                          name=route.name)
        out.append(route)
    return out
