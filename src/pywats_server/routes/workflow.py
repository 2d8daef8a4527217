"""``GET /api/Workflow/StartTest`` and ``GET /api/Workflow/EndTest`` (see :mod:`..storage.workflow`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..storage import workflow
from ..wire import ApiError, query_bool, query_int, query_value, respond

__all__ = ["routes"]

#: Workflow definition status: 0 Draft, 1 Pending, 2 Released (default), 3 Revoked.
_STATUSES = {0, 1, 2, 3}


def _unit(request: Request) -> tuple[str, str, int, str | None, str | None]:
    sn, pn = query_value(request, "serialNumber"), query_value(request, "partNumber")
    if not sn or not pn:
        raise ApiError(400, f"Query parameter '{'serialNumber' if not sn else 'partNumber'}' is required.")
    status = query_int(request, "status", 2)
    if status not in _STATUSES:
        raise ApiError(400, f"Query parameter 'status' must be 0 (Draft), 1 (Pending), 2 (Released) or 3 (Revoked), not {status}.")
    return sn, pn, int(status), query_value(request, "operatorName"), query_value(request, "stationName")


async def start_test(request: Request) -> Response:
    """GET /api/Workflow/StartTest → true when a test activity was started."""
    sn, pn, status, operator, station = _unit(request)
    started = await get_context(request).storage.write(workflow.start_test, sn, pn, status, operator, station)
    return respond(request, started)


async def end_test(request: Request) -> Response:
    """GET /api/Workflow/EndTest?passed= (default true) → true when the open activity ended."""
    sn, pn, _, operator, station = _unit(request)
    passed = bool(query_bool(request, "passed", True))
    ended = await get_context(request).storage.write(workflow.end_test, sn, pn, passed, operator, station)
    return respond(request, ended)


routes = [
    Route("/api/Workflow/StartTest", start_test, methods=["GET"]),
    Route("/api/Workflow/EndTest", end_test, methods=["GET"]),
]
