"""``/api/Export/*``: certificate exports, listed and downloaded per user
(see :mod:`..storage.exports`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..storage import exports
from ..wire import ApiError, basic_user, query_bool, read_body, respond

__all__ = ["routes"]


def _user(request: Request) -> str:
    return basic_user(request) or "token"


async def certificate(request: Request) -> Response:
    """POST /api/Export/Certificate?headerDataOnly=&asIndividualFiles= (b: filter) →
    ``{fileName, reportCount}`` of the finished export."""
    header_only = query_bool(request, "headerDataOnly")
    individual = query_bool(request, "asIndividualFiles")
    for name, value in (("headerDataOnly", header_only), ("asIndividualFiles", individual)):
        if value is None:
            raise ApiError(400, f"Query parameter '{name}' is required (true or false).")
    raw = await request.body()
    body = await read_body(request) if raw.strip() else {}
    made = await get_context(request).storage.write(
        exports.create_certificate_export, _user(request), body, bool(header_only), bool(individual))
    return respond(request, made)


async def export_list(request: Request) -> Response:
    """GET /api/Export/List → names of the caller's exports."""
    return respond(request, await get_context(request).storage.read(exports.list_exports, _user(request)))


async def exported_file(request: Request) -> Response:
    """GET /api/Export/{fileName} → the file (zip); 404 for another user's or an unknown file."""
    name = request.path_params["fileName"]
    found = await get_context(request).storage.read(exports.get_export, _user(request), name)
    if found is None:
        raise ApiError(404, f"Export '{name}' was not found.")
    return Response(found[1], media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{found[0]}"'})


routes = [
    Route("/api/Export/Certificate", certificate, methods=["POST"]),
    Route("/api/Export/List", export_list, methods=["GET"]),
    Route("/api/Export/{fileName}", exported_file, methods=["GET"]),
]
