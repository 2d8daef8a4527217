"""Internal statistics and flow routes of the WATS web application, all requiring ``Referer``:

- ``/api/internal/UnitFlow*`` (see :mod:`..storage.unit_flow`);
- ``/api/internal/App/MeasurementList``, ``StepStatusList``, ``TopFailed`` (GET and POST forms)
  and ``/api/internal/Trigger/GetAlarmAndNotificationLogs`` (see :mod:`..storage.internal_stats`);
- ``/api/internal/Process/GetRepairOperations`` and ``GetRepairOperation/{id}``.

``GET /api/internal/UnitFlow/Nodes|Links|Units`` answer the caller's last ``POST`` query (as
the web application's session does) unless ``filter`` carries a filter as JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..storage import app_stats, internal_stats, unit_flow
from ..storage.analytics import top_failed
from ..wire import ApiError, basic_user, query_bool, query_int, query_value, read_body, respond

__all__ = ["routes"]


async def _body(request: Request) -> Any:
    raw = await request.body()
    return await read_body(request) if raw.strip() else {}


async def _read(request: Request, fn: Callable[..., Any], *args: Any) -> Any:
    return await get_context(request).storage.read(fn, *args)


def _sessions(request: Request) -> dict[str, dict[str, Any]]:
    sessions: dict[str, dict[str, Any]] = get_context(request).extra.setdefault("unit_flow_queries", {})
    return sessions


# -- unit flow ----------------------------------------------------------------------------------

async def flow(request: Request) -> Response:
    """POST /api/internal/UnitFlow and /api/internal/UnitFlow/SplitBy (b: filter, ``splitBy``)
    → ``{nodes, links, units}``; remembered as the caller's current query."""
    body = await _body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "body: must be a filter object")
    _sessions(request)[basic_user(request) or ""] = body
    return respond(request, await _read(request, unit_flow.unit_flow, body, None))


async def flow_part(request: Request) -> Response:
    """GET /api/internal/UnitFlow/Nodes|Links|Units?filter= → one part of the flow."""
    text = query_value(request, "filter")
    if text and text.strip():
        try:
            body = json.loads(text)
        except ValueError:
            raise ApiError(400, "filter: must be a filter as JSON text (or empty for the current query)") from None
    else:
        body = _sessions(request).get(basic_user(request) or "", {})
    part = request.url.path.rstrip("/").rsplit("/", 1)[-1].lower()
    return respond(request, (await _read(request, unit_flow.unit_flow, body, None))[part])


async def flow_serial_numbers(request: Request) -> Response:
    """POST /api/internal/UnitFlow/SN (b: [unitId]) → ``[{unitId, serialNumber, partNumber, revision}]``."""
    return respond(request, await _read(request, unit_flow.serial_numbers, await read_body(request)))


async def flow_unit_order(request: Request) -> Response:
    """POST /api/internal/UnitFlow/UnitOrder (b: [UnitFlowUnit]) → the units in display order."""
    body = await read_body(request)
    return respond(request, unit_flow.unit_order(body))


# -- step lists, top failed, alarms ------------------------------------------------------------------

async def _filter_for(request: Request) -> Any:
    """The POST body, or the GET form's productGroupId/levelId/days as a filter."""
    if request.method == "POST":
        return await _body(request)
    days, groups, levels = query_int(request, "days"), query_value(request, "productGroupId"), query_value(request, "levelId")
    return await _read(request, app_stats.query_filter, days, groups, levels)


def _step_list(fn: Callable[..., Any]) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        body = await _filter_for(request)
        return respond(request, await _read(request, fn, body, query_value(request, "stepFilters"),
                                            query_value(request, "sequenceFilters")))

    endpoint.__doc__ = f"GET|POST → {fn.__name__} rows (see :mod:`..storage.internal_stats`)."
    return endpoint


async def internal_top_failed(request: Request) -> Response:
    """GET|POST /api/internal/App/TopFailed → the steps causing failures (as the public forms)."""
    if request.method == "POST":
        return respond(request, await _read(request, top_failed, await _body(request)))
    return respond(request, await _read(request, app_stats.top_failed_by_query, query_value(request, "partNumber"),
                                        query_value(request, "processCode"), query_value(request, "productGroupId"),
                                        query_value(request, "levelId"), query_int(request, "days"),
                                        query_int(request, "count")))


async def alarm_logs(request: Request) -> Response:
    """GET|POST /api/internal/Trigger/GetAlarmAndNotificationLogs → alarm and notification log entries."""
    if request.method == "POST":
        body = await _body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "body: must be a filter object")
    else:
        body = {k: v for k, v in (("topCount", query_int(request, "topCount")), ("dateFrom", query_value(request, "fromDate")),
                                  ("dateTo", query_value(request, "toDate"))) if v is not None}
    types_text = query_value(request, "includeTypes")
    types: set[int] | None = None
    if types_text:
        try:
            types = {int(t) for t in types_text.split(";") if t.strip()}
        except ValueError:
            raise ApiError(400, f"includeTypes: semicolon-separated alarm type ids, not {types_text!r}") from None
    calc = bool(query_bool(request, "includeCalculationString", False))
    return respond(request, await _read(request, internal_stats.alarm_logs, body, types, calc))


# -- repair operations ---------------------------------------------------------------------------

def _repair_operation(conn: Any, process: Any) -> dict[str, Any]:
    categories: dict[str, set[str]] = {}
    rows = conn.execute("SELECT body FROM reports WHERE report_type='R' AND process_code=?", (process.code,))
    for (body,) in rows:
        try:
            doc = json.loads(body)
        except ValueError:
            continue
        for sub in doc.get("subUnits") or []:
            for failure in sub.get("failures") or []:
                categories.setdefault(str(failure.get("category") or ""), set()).add(str(failure.get("code") or ""))
    return {**process.internal(),
            "Categories": [{"Name": name, "Codes": sorted(codes)} for name, codes in sorted(categories.items())]}


async def repair_operations(request: Request) -> Response:
    """GET /api/internal/Process/GetRepairOperations → repair processes with the failure
    categories and codes recorded under each."""
    procs = [p for p in get_context(request).processes.all() if p.is_repair]
    return respond(request, await get_context(request).storage.read(
        lambda conn: [_repair_operation(conn, p) for p in procs]))


async def repair_operation(request: Request) -> Response:
    """GET /api/internal/Process/GetRepairOperation/{id}?processCode= → one repair process (by
    process id or code)."""
    key = request.path_params["id"].strip("{}").lower()
    code = query_int(request, "processCode")
    for p in get_context(request).processes.all():
        if p.is_repair and (p.process_id.lower() == key or str(p.code) == key or (code is not None and p.code == code)):
            return respond(request, await get_context(request).storage.read(_repair_operation, p))
    raise ApiError(404, f"Repair operation {request.path_params['id']!r} was not found.")


routes = [
    Route("/api/internal/UnitFlow", flow, methods=["POST"]),
    Route("/api/internal/UnitFlow/SplitBy", flow, methods=["POST"]),
    Route("/api/internal/UnitFlow/Nodes", flow_part, methods=["GET"]),
    Route("/api/internal/UnitFlow/Links", flow_part, methods=["GET"]),
    Route("/api/internal/UnitFlow/Units", flow_part, methods=["GET"]),
    Route("/api/internal/UnitFlow/SN", flow_serial_numbers, methods=["POST"]),
    Route("/api/internal/UnitFlow/UnitOrder", flow_unit_order, methods=["POST"]),
    Route("/api/internal/App/MeasurementList", _step_list(internal_stats.measurement_list), methods=["GET", "POST"]),
    Route("/api/internal/App/StepStatusList", _step_list(internal_stats.step_status_list), methods=["GET", "POST"]),
    Route("/api/internal/App/TopFailed", internal_top_failed, methods=["GET", "POST"]),
    Route("/api/internal/Trigger/GetAlarmAndNotificationLogs", alarm_logs, methods=["GET", "POST"]),
    Route("/api/internal/Process/GetRepairOperations", repair_operations, methods=["GET"]),
    Route("/api/internal/Process/GetRepairOperation/{id}", repair_operation, methods=["GET"]),
]
