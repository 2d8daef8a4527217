"""``/api/Product/BOM``: upload a WSBF bill of materials, read it back as JSON (reference §2.4).

Listed in :data:`AREAS` before ``product`` so ``GET /api/Product/BOM`` is not taken for
``GET /api/Product/{partNumber}``. An invalid WSBF document answers 400 with the reason
(real WATS answers 500).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..storage import product_extra as store
from ..wire import ApiError, query_value, respond

__all__ = ["routes"]


def _required(request: Request, name: str) -> str:
    value = query_value(request, name)
    if value is None or not value.strip():
        raise ApiError(400, f"{name}: query parameter is required")
    return value


async def put_bom(request: Request) -> Response:
    """PUT /api/Product/BOM (b: WSBF XML) → 200 with the stored BOM as JSON."""
    ctx = get_context(request)
    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, "The request body is empty (expected a WSBF XML document).")

    def save(conn: object) -> dict[str, object]:
        try:
            return store.save_bom(conn, raw)  # type: ignore[arg-type]
        except store.BomInputError as exc:
            raise ApiError(400, str(exc)) from None

    return respond(request, await ctx.storage.write(save))


async def get_bom(request: Request) -> Response:
    """GET /api/Product/BOM?partNumber=&revision= → the BOM as JSON, or 204 when none is stored."""
    ctx = get_context(request)
    pn, rev = _required(request, "partNumber"), _required(request, "revision")
    bom = await ctx.storage.read(store.get_bom, pn, rev)
    if bom is None:
        return Response(status_code=204)
    return respond(request, bom)


routes = [
    Route("/api/Product/BOM", put_bom, methods=["PUT"]),
    Route("/api/Product/BOM", get_bom, methods=["GET"]),
]
