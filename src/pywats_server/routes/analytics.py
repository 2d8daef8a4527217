"""``/api/App/*`` statistics: DynamicYield, UutReport, UurReport, TopFailed, Measurements,
AggregatedMeasurements, SerialNumberHistory — computed from the stored reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..app import get_context
from ..storage import analytics as calc
from ..wire import ApiError, query_value, read_body, respond

__all__ = ["routes"]


async def _filter_body(request: Request) -> Any:
    """The filter body; an empty body is an empty filter."""
    raw = await request.body()
    if not raw.strip():
        return {}
    return await read_body(request)


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        try:
            return fn(*args)
        except calc.FilterError as exc:
            raise ApiError(400, str(exc)) from None

    return run


async def _compute(request: Request, fn: Callable[..., Any], *args: Any) -> Response:
    body = await _filter_body(request)
    rows = await get_context(request).storage.read(_guard(fn), body, *args)
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


routes = [
    Route("/api/App/DynamicYield", dynamic_yield, methods=["POST"]),
    Route("/api/App/UutReport", uut_report, methods=["POST"]),
    Route("/api/App/UurReport", uur_report, methods=["POST"]),
    Route("/api/App/TopFailed", top_failed, methods=["POST"]),
    Route("/api/App/Measurements", measurements, methods=["POST"]),
    Route("/api/App/AggregatedMeasurements", aggregated_measurements, methods=["POST"]),
    Route("/api/App/SerialNumberHistory", serial_number_history, methods=["POST"]),
]
