"""``/api/App/*`` statistics: DynamicYield, UutReport, UurReport, TopFailed, Measurements,
AggregatedMeasurements, SerialNumberHistory — computed from the stored reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..storage import analytics as calc
from ..storage import app_stats
from ..wire import ApiError, query_int, query_value, read_body, respond

__all__ = ["routes"]


async def _filter_body(request: Request) -> Any:
    """The filter body; an empty body is an empty filter."""
    raw = await request.body()
    if not raw.strip():
        return {}
    return await read_body(request)




async def _compute(request: Request, fn: Callable[..., Any], *args: Any) -> Response:
    body = await _filter_body(request)
    rows = await get_context(request).storage.read(fn, body, *args)
    return respond(request, rows)


async def dynamic_yield(request: Request) -> Response:
    """POST /api/App/DynamicYield?dimensions= (b: filter) → yield rows."""
    return await _compute(request, calc.dynamic_yield, query_value(request, "dimensions"))


async def uut_report(request: Request) -> Response:
    """POST /api/App/UutReport (b: filter) → newest test report headers (1000 unless topCount)."""
    return await _compute(request, calc.uut_reports, "T")


async def uur_report(request: Request) -> Response:
    """POST /api/App/UurReport (b: filter) → newest repair report headers (1000 unless topCount)."""
    return await _compute(request, calc.uut_reports, "R")


async def top_failed(request: Request) -> Response:
    """POST /api/App/TopFailed (b: filter) → steps causing failures, most frequent first."""
    return await _compute(request, calc.top_failed)


async def measurements(request: Request) -> Response:
    """POST /api/App/Measurements?measurementPaths= (b: filter) → measured values."""
    return await _compute(request, calc.measurements, query_value(request, "measurementPaths"))


async def aggregated_measurements(request: Request) -> Response:
    """POST /api/App/AggregatedMeasurements?measurementPaths= (b: filter) → statistics per path."""
    return await _compute(request, calc.aggregate_measurements, query_value(request, "measurementPaths"))


async def serial_number_history(request: Request) -> Response:
    """POST /api/App/SerialNumberHistory (b: filter) → every report of the matching units, oldest first."""
    return await _compute(request, calc.serial_number_history)


def _yield_list(kind: str) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        if request.method == "POST":
            return await _compute(request, app_stats.yield_list, kind)
        days = query_int(request, "days")

        def run(conn: Any) -> Any:
            body = app_stats.query_filter(conn, days, query_value(request, "productGroupId"), query_value(request, "levelId"))
            return app_stats.yield_list(conn, body, kind)

        return respond(request, await get_context(request).storage.read(run))

    endpoint.__doc__ = f"GET|POST /api/App/{kind} → yield rows (see :func:`..storage.app_stats.yield_list`)."
    return endpoint


async def _read(request: Request, fn: Callable[..., Any], *args: Any) -> Response:
    return respond(request, await get_context(request).storage.read(fn, *args))


async def top_failed_get(request: Request) -> Response:
    """GET /api/App/TopFailed?partNumber=&processCode=&productGroupId=&levelId=&days=&count=."""
    return await _read(request, app_stats.top_failed_by_query, query_value(request, "partNumber"),
                       query_value(request, "processCode"), query_value(request, "productGroupId"),
                       query_value(request, "levelId"), query_int(request, "days"), query_int(request, "count"))


async def uut_report_get(request: Request) -> Response:
    """GET /api/App/UutReport?serialNumber=&partNumber=&…&productGroupId=&levelId= → report headers."""
    names = ("serialNumber", "partNumber", "revision", "batchNumber", "stationName", "testOperation", "status",
             "dateFrom", "dateTo")
    fields = {n: query_value(request, n) for n in names}
    return await _read(request, app_stats.uut_reports_by_query, fields, query_value(request, "productGroupId"),
                       query_value(request, "levelId"))


async def dynamic_repair(request: Request) -> Response:
    """POST /api/App/DynamicRepair?dimensions= (b: filter) → repair statistics."""
    return await _compute(request, app_stats.dynamic_repair, query_value(request, "dimensions"))


async def related_repair_history(request: Request) -> Response:
    """GET /api/App/RelatedRepairHistory?partNumber=&revision=&repairOperationCode=&testOperationCode=."""
    pn, rev = query_value(request, "partNumber"), query_value(request, "revision")
    if not pn or not rev:
        raise ApiError(400, f"Query parameter '{'partNumber' if not pn else 'revision'}' is required.")
    return await _read(request, app_stats.related_repair_history, pn, rev, query_value(request, "repairOperationCode"),
                       query_value(request, "testOperationCode"))


async def oee_analysis(request: Request) -> Response:
    """POST /api/App/OeeAnalysis?availableTime=24,24,…&targetOutput=&min/maxExecutionTime= (b: filter)."""
    text = query_value(request, "availableTime")
    if not text:
        raise ApiError(400, "Query parameter 'availableTime' is required, e.g. 24,24,24,24,24,24,24.")
    try:
        hours = [float(h) for h in text.split(",")]
    except ValueError:
        raise ApiError(400, f"Query parameter 'availableTime' must be seven numbers, not {text!r}.") from None
    query_int(request, "minConnectionTime")
    query_int(request, "maxConnectionTime")
    return await _compute(request, app_stats.oee_analysis, hours, query_int(request, "targetOutput"),
                          query_int(request, "minExecutionTime"), query_int(request, "maxExecutionTime"))


async def test_step_analysis(request: Request) -> Response:
    """POST /api/App/TestStepAnalysis (b: filter) → per-step statistics."""
    return await _compute(request, app_stats.test_step_analysis)


routes = [
    Route("/api/App/TopFailed", top_failed_get, methods=["GET"]),
    Route("/api/App/UutReport", uut_report_get, methods=["GET"]),
    *(Route(f"/api/App/{kind}", _yield_list(kind), methods=["GET", "POST"] if "By" not in kind else ["POST"])
      for kind in ("HighVolume", "WorstYield", "VolumeYield", "HighVolumeByProductGroup", "WorstYieldByProductGroup")),
    Route("/api/App/DynamicRepair", dynamic_repair, methods=["POST"]),
    Route("/api/App/RelatedRepairHistory", related_repair_history, methods=["GET"]),
    Route("/api/App/OeeAnalysis", oee_analysis, methods=["POST"]),
    Route("/api/App/TestStepAnalysis", test_step_analysis, methods=["POST"]),
    Route("/api/App/DynamicYield", dynamic_yield, methods=["POST"]),
    Route("/api/App/UutReport", uut_report, methods=["POST"]),
    Route("/api/App/UurReport", uur_report, methods=["POST"]),
    Route("/api/App/TopFailed", top_failed, methods=["POST"]),
    Route("/api/App/Measurements", measurements, methods=["POST"]),
    Route("/api/App/AggregatedMeasurements", aggregated_measurements, methods=["POST"]),
    Route("/api/App/SerialNumberHistory", serial_number_history, methods=["POST"]),
]
