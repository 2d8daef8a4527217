"""``/api/Production/*`` and unit phases: units, phases, serial-number types and pools.

Local extension: ``PUT /api/Production/SerialNumbers/Types`` with body
``{name, description, format, startIndex[, endIndex, identifier]}`` creates a serial-number
type whose numbers are ``format`` with ``{index}`` replaced by a counter starting at
``startIndex`` (``{index:06}`` pads with zeros; a format without ``{index}`` gets the
number appended). Real WATS configures pools in its UI; this endpoint is how clients of the
local server set one up. It answers 201 with the type when created, 200 with the existing
type (unchanged pool) when the name already exists, so "create if missing" is idempotent.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..storage import production as store
from ..wire import ApiError, query_bool, query_int, query_value, read_body, respond

__all__ = ["routes"]




def _required(request: Request, name: str) -> str:
    value = query_value(request, name)
    if value is None or not value.strip():
        raise ApiError(400, f"{name}: query parameter is required")
    return value


async def get_unit(request: Request) -> Response:
    """GET /api/Production/Unit/{serialNumber}/{partNumber} → Unit (404 when unknown)."""
    ctx = get_context(request)
    sn, pn = request.path_params["serialNumber"], request.path_params["partNumber"]
    unit = await ctx.storage.read(store.get_unit, sn, pn)
    if unit is None:
        raise ApiError(404, f"Unit {sn!r} with part number {pn!r} was not found.")
    return respond(request, unit)


async def put_units(request: Request) -> Response:
    """PUT /api/Production/Units (b: [Unit]) → ``{errorCount, insertCount, updateCount, errors}``."""
    ctx = get_context(request)
    body = await read_body(request)
    result = await ctx.storage.write(lambda c: store.save_units(c, body))
    return respond(request, result)


async def set_unit_phase(request: Request) -> Response:
    """PUT /api/Production/SetUnitPhase?serialNumber=&partNumber=&phase= → 204."""
    ctx = get_context(request)
    sn, pn, phase = _required(request, "serialNumber"), _required(request, "partNumber"), _required(request, "phase")
    await ctx.storage.write(lambda c: store.set_unit_phase(c, sn, pn, phase))
    return Response(status_code=204)


async def unit_phases(request: Request) -> Response:
    """GET /api/internal/Mes/GetUnitPhases → ``[{UnitPhaseId, Code, Name, Description}]``."""
    return respond(
        request,
        [{"UnitPhaseId": pid, "Code": code, "Name": name, "Description": name} for pid, code, name in store.UNIT_PHASES],
    )


async def sn_types(request: Request) -> Response:
    """GET /api/Production/SerialNumbers/Types → ``[SerialNumberType]``."""
    ctx = get_context(request)
    return respond(request, await ctx.storage.read(store.list_sn_types))


async def put_sn_type(request: Request) -> Response:
    """PUT /api/Production/SerialNumbers/Types — LOCAL EXTENSION (see module docstring)."""
    ctx = get_context(request)
    body = await read_body(request)
    result, created = await ctx.storage.write(lambda c: store.save_sn_type(c, body))
    return respond(request, result, 201 if created else 200)


async def take(request: Request) -> Response:
    """POST /api/Production/SerialNumbers/Take → XML ``<SerialNumbers><SN id=.../></SerialNumbers>`` or CSV.

    Runs in one IMMEDIATE transaction: a number is never handed out twice.
    """
    ctx = get_context(request)
    type_name = _required(request, "serialNumberType")
    quantity = query_int(request, "quantity")
    if quantity is None:
        raise ApiError(400, "quantity: query parameter is required")
    fmt = (query_value(request, "format") or "XML").strip().upper()
    if fmt not in ("XML", "CSV"):
        raise ApiError(400, f"format: must be XML or CSV, not {fmt!r}")
    ref_sn, ref_pn = query_value(request, "refSN"), query_value(request, "refPN")
    station = query_value(request, "stationName")
    in_seq = bool(query_bool(request, "onlyInSequence", False))
    numbers: list[str] = await ctx.storage.write(
        lambda c: store.take_serial_numbers(c, type_name, quantity, ref_sn=ref_sn, ref_pn=ref_pn,
            station_name=station, only_in_sequence=in_seq,
        )
    )
    if fmt == "CSV":
        return Response("\r\n".join(numbers) + "\r\n", media_type="text/csv; charset=utf-8")
    attrs = f"requestType=\"Take\" serialNumberType={quoteattr(type_name)} batchSize=\"{len(numbers)}\""
    if station:
        attrs += f" stationName={quoteattr(station)}"
    sns = "".join(
        f"<SN id={quoteattr(sn)}"
        + (f" refSN={quoteattr(ref_sn)}" if ref_sn else "")
        + (f" refPN={quoteattr(ref_pn)}" if ref_pn else "")
        + "/>"
        for sn in numbers
    )
    xml = f'<?xml version="1.0" encoding="utf-8"?><SerialNumbers {attrs}>{sns}</SerialNumbers>'
    return Response(xml, media_type="application/xml; charset=utf-8")


routes = [
    Route("/api/Production/Unit/{serialNumber}/{partNumber}", get_unit, methods=["GET"]),
    Route("/api/Production/Units", put_units, methods=["PUT"]),
    Route("/api/Production/SetUnitPhase", set_unit_phase, methods=["PUT"]),
    Route("/api/internal/Mes/GetUnitPhases", unit_phases, methods=["GET"]),
    Route("/api/Production/SerialNumbers/Types", sn_types, methods=["GET"]),
    Route("/api/Production/SerialNumbers/Types", put_sn_type, methods=["PUT"]),
    Route("/api/Production/SerialNumbers/Take", take, methods=["POST"]),
]
