"""``/api/Production/*`` and unit phases: units, phases, serial-number types and pools.

Local extension: ``PUT /api/Production/SerialNumbers/Types`` with body
``{name, description, format, startIndex[, endIndex, identifier]}`` creates a serial-number
type whose numbers are ``format`` with ``{index}`` replaced by a counter starting at
``startIndex`` (``{index:06}`` pads with zeros; a format without ``{index}`` gets the
number appended). Real WATS configures pools in its UI; this endpoint is how clients of the
local server set one up. It answers 201 with the type when created, 200 with the existing
type (unchanged pool) when the name already exists, so "create if missing" is idempotent.

Unit assembly and verification: ``AddChildUnit``, ``RemoveChildUnit``, ``CheckChildUnits``,
``UnitVerification``; rules in :mod:`..storage.production`.

Unit change feed (``Units/Changes``), batches, ``SetUnitProcess`` and the serial-number
lists/uploads (``SerialNumbers[/ByRange|/ByReference]``) over :mod:`..storage.production_changes`.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import quoteattr

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..storage import production as store
from ..storage import production_changes as changes
from ..wire import ApiError, query_bool, query_int, query_value, read_body, respond
from .rootcause import parse_multipart_file

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


def _relation(request: Request) -> tuple[str, str, str, str]:
    return (_required(request, "parentSerialNumber"), _required(request, "parentPartNumber"),
            _required(request, "childSerialNumber"), _required(request, "childPartNumber"))


async def add_child(request: Request) -> Response:
    """POST /api/Production/AddChildUnit?parentSerialNumber&parentPartNumber&childSerialNumber&childPartNumber
    [&checkPartNumber&checkRevision] → 204."""
    ctx = get_context(request)
    rel = _relation(request)
    check_pn = query_value(request, "checkPartNumber") or ""
    check_rev = query_value(request, "checkRevision") or ""
    await ctx.storage.write(lambda c: store.add_child_unit(c, *rel, check_pn, check_rev))
    return Response(status_code=204)


async def remove_child(request: Request) -> Response:
    """POST /api/Production/RemoveChildUnit (same four query parameters) → 204."""
    ctx = get_context(request)
    rel = _relation(request)
    await ctx.storage.write(lambda c: store.remove_child_unit(c, *rel))
    return Response(status_code=204)


async def check_children(request: Request) -> Response:
    """GET /api/Production/CheckChildUnits?parentSerialNumber&parentPartNumber → check result."""
    ctx = get_context(request)
    psn = query_value(request, "parentSerialNumber") or query_value(request, "serialNumber")
    ppn = query_value(request, "parentPartNumber") or query_value(request, "partNumber")
    if not psn or not ppn:
        raise ApiError(400, "parentSerialNumber, parentPartNumber: query parameters are required")
    return respond(request, await ctx.storage.read(lambda c: store.check_child_units(c, psn, ppn)))


async def verification(request: Request) -> Response:
    """GET /api/Production/UnitVerification?serialNumber[&partNumber&revision] → PublicUnitVerificationGrade."""
    ctx = get_context(request)
    sn = _required(request, "serialNumber")
    pn = query_value(request, "partNumber") or None
    rev = query_value(request, "revision") or None

    def info(code: int) -> tuple[str | None, int | None]:
        p = ctx.processes.get(code)
        return (None, None) if p is None else (p.name, p.process_index)

    return respond(request, await ctx.storage.read(lambda c: store.unit_verification(c, sn, pn, rev, info)))


async def unit_changes(request: Request) -> Response:
    """GET /api/Production/Units/Changes?maxCount= → ``[UnitChange]``, oldest first."""
    count = query_int(request, "maxCount")
    if count is None:
        raise ApiError(400, "maxCount: query parameter is required")
    return respond(request, await get_context(request).storage.read(changes.unit_changes, count))


async def delete_unit_change(request: Request) -> Response:
    """DELETE /api/Production/Units/Changes/{id} → 200 once forgotten (404 unknown)."""
    try:
        change = int(request.path_params["id"])
    except ValueError:
        raise ApiError(400, f"id: must be an integer, not {request.path_params['id']!r}") from None
    await get_context(request).storage.write(changes.delete_unit_change, change)
    return Response(status_code=200)


async def put_batches(request: Request) -> Response:
    """PUT /api/Production/Batches (b: [{batchNumber, batchSize}]) → the stored batches."""
    body = await read_body(request)
    return respond(request, await get_context(request).storage.write(changes.save_batches, body))


async def set_unit_process(request: Request) -> Response:
    """PUT /api/Production/SetUnitProcess?serialNumber=&partNumber=&processName= → 200."""
    sn, pn, proc = (_required(request, n) for n in ("serialNumber", "partNumber", "processName"))
    await get_context(request).storage.write(changes.set_unit_process, sn, pn, proc)
    return Response(status_code=200)


def _format(request: Request) -> str:
    fmt = _required(request, "format").strip().upper()
    if fmt not in ("XML", "CSV"):
        raise ApiError(400, f"format: must be XML or CSV, not {fmt!r}")
    return fmt


async def serial_numbers(request: Request) -> Response:
    """GET /api/Production/SerialNumbers?serialNumberType=&format=&startAddress=… → XML or CSV file;
    PUT (multipart file, same query) uploads numbers → ``{addedCount}``."""
    type_name, fmt = _required(request, "serialNumberType"), _format(request)
    storage = get_context(request).storage
    if request.method == "PUT":
        _, _, data = parse_multipart_file(await request.body(), request.headers.get("content-type", ""))
        numbers = changes.parse_serial_file(data, fmt)
        added = await storage.write(changes.upload_serial_numbers, type_name, numbers)
        return respond(request, {"addedCount": added})
    found = await storage.read(lambda c: changes.serial_numbers(
        c, type_name, start=query_value(request, "startAddress"),
        end=query_value(request, "endAddress"), start_date=query_value(request, "startDate"),
        end_date=query_value(request, "endDate")))
    if fmt == "CSV":
        return Response("".join(f"{r['serialNumber']}\r\n" for r in found), media_type="text/csv; charset=utf-8")
    sns = "".join(f"<SN id={quoteattr(r['serialNumber'])}/>" for r in found)
    return Response(f'<?xml version="1.0" encoding="utf-8"?><SerialNumbers serialNumberType={quoteattr(type_name)}>'
                    f"{sns}</SerialNumbers>", media_type="application/xml; charset=utf-8")


async def serial_numbers_by(request: Request) -> Response:
    """GET /api/Production/SerialNumbers/ByRange?…&startAddress=&endAddress= and /ByReference?…&refSN=|refPN=
    → ``[{serialNumber, taken, takenDate, refSN, refPN, stationName}]``."""
    type_name = _required(request, "serialNumberType")
    by_range = request.url.path.lower().endswith("/byrange")
    kwargs: dict[str, Any] = {"start_date": query_value(request, "startDate"), "end_date": query_value(request, "endDate")}
    if by_range:
        kwargs.update(start=_required(request, "startAddress"), end=_required(request, "endAddress"))
    else:
        kwargs.update(ref_sn=query_value(request, "refSN"), ref_pn=query_value(request, "refPN"))
        if not kwargs["ref_sn"] and not kwargs["ref_pn"]:
            raise ApiError(400, "refSN, refPN: one of them is required")
    found = await get_context(request).storage.read(lambda c: changes.serial_numbers(c, type_name, **kwargs))
    return respond(request, found)


routes = [
    Route("/api/Production/Units/Changes", unit_changes, methods=["GET"]),
    Route("/api/Production/Units/Changes/{id}", delete_unit_change, methods=["DELETE"]),
    Route("/api/Production/Batches", put_batches, methods=["PUT"]),
    Route("/api/Production/SetUnitProcess", set_unit_process, methods=["PUT"]),
    Route("/api/Production/SerialNumbers", serial_numbers, methods=["GET", "PUT"]),
    Route("/api/Production/SerialNumbers/ByRange", serial_numbers_by, methods=["GET"]),
    Route("/api/Production/SerialNumbers/ByReference", serial_numbers_by, methods=["GET"]),
    Route("/api/Production/Unit/{serialNumber}/{partNumber}", get_unit, methods=["GET"]),
    Route("/api/Production/Units", put_units, methods=["PUT"]),
    Route("/api/Production/SetUnitPhase", set_unit_phase, methods=["PUT"]),
    Route("/api/internal/Mes/GetUnitPhases", unit_phases, methods=["GET"]),
    Route("/api/Production/SerialNumbers/Types", sn_types, methods=["GET"]),
    Route("/api/Production/SerialNumbers/Types", put_sn_type, methods=["PUT"]),
    Route("/api/Production/SerialNumbers/Take", take, methods=["POST"]),
    Route("/api/Production/AddChildUnit", add_child, methods=["POST"]),
    Route("/api/Production/RemoveChildUnit", remove_child, methods=["POST"]),
    Route("/api/Production/CheckChildUnits", check_children, methods=["GET"]),
    Route("/api/Production/UnitVerification", verification, methods=["GET"]),
]
