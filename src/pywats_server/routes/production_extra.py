"""Unit assembly and verification: ``AddChildUnit``, ``RemoveChildUnit``, ``CheckChildUnits``,
``UnitVerification`` (reference §2.3, §5.1, §5.3); rules in :mod:`..storage.production_extra`."""

from __future__ import annotations


from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..storage import production_extra as store
from ..wire import ApiError, query_value, respond

__all__ = ["routes"]




def _required(request: Request, name: str) -> str:
    value = query_value(request, name)
    if value is None or not value.strip():
        raise ApiError(400, f"{name}: query parameter is required")
    return value


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


routes = [
    Route("/api/Production/AddChildUnit", add_child, methods=["POST"]),
    Route("/api/Production/RemoveChildUnit", remove_child, methods=["POST"]),
    Route("/api/Production/CheckChildUnits", check_children, methods=["GET"]),
    Route("/api/Production/UnitVerification", verification, methods=["GET"]),
]
