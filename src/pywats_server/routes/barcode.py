"""``/api/BarcodeIdentifiers/*``: barcode identifiers and barcode identification
(see :mod:`..storage.barcode`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..storage import barcode
from ..wire import ApiError, query_value, read_body, respond

__all__ = ["routes"]


async def _run(request: Request, fn: Callable[..., Any], *args: Any, write: bool = False) -> Any:
    storage = get_context(request).storage
    return await (storage.write(fn, *args) if write else storage.read(fn, *args))


async def identifiers(request: Request) -> Response:
    """GET /api/BarcodeIdentifiers/BarcodeIdentifiers → every identifier, in match order."""
    return respond(request, await _run(request, barcode.list_identifiers))


async def put_identifier(request: Request) -> Response:
    """PUT /api/BarcodeIdentifiers/BarcodeIdentifier (b: identifier, no id = new) → the stored one."""
    return respond(request, await _run(request, barcode.save_identifier, await read_body(request), write=True))


async def delete_identifier(request: Request) -> Response:
    """DELETE /api/BarcodeIdentifiers/BarcodeIdentifier/{id}."""
    try:
        ident = int(request.path_params["id"])
    except ValueError:
        raise ApiError(400, f"Path parameter 'id' must be an integer, not {request.path_params['id']!r}.") from None
    await _run(request, barcode.delete_identifier, ident, write=True)
    return Response(status_code=200)


async def identify(request: Request) -> Response:
    """GET /api/BarcodeIdentifiers/IdentifyBarcode?code= → the identified values."""
    code = query_value(request, "code")
    if not code:
        raise ApiError(400, "Query parameter 'code' is required.")
    return respond(request, await _run(request, barcode.identify, code))


routes = [
    Route("/api/BarcodeIdentifiers/BarcodeIdentifiers", identifiers, methods=["GET"]),
    Route("/api/BarcodeIdentifiers/BarcodeIdentifier", put_identifier, methods=["PUT"]),
    Route("/api/BarcodeIdentifiers/BarcodeIdentifier/{id}", delete_identifier, methods=["DELETE"]),
    Route("/api/BarcodeIdentifiers/IdentifyBarcode", identify, methods=["GET"]),
]
