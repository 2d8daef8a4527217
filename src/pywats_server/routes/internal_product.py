"""Internal product routes behind box-build templates and BOM editing
(``/api/internal/Product/*``; see :mod:`..storage.box_build`). All require ``Referer``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..storage import box_build
from ..wire import ApiError, query_value, read_body, respond

__all__ = ["routes"]


async def _run(request: Request, fn: Callable[..., Any], *args: Any, write: bool = False) -> Any:
    storage = get_context(request).storage
    return await (storage.write(fn, *args) if write else storage.read(fn, *args))


def _needed(request: Request, name: str) -> str:
    value = query_value(request, name)
    if not value:
        raise ApiError(400, f"Query parameter '{name}' is required.")
    return value


async def product_info(request: Request) -> Response:
    """GET /api/internal/Product/GetProductInfo?partNumber=&revision= → the revision and its subunit tree."""
    return respond(request, await _run(request, box_build.product_info, _needed(request, "partNumber"),
                                       _needed(request, "revision")))


async def post_relation(request: Request) -> Response:
    """POST /api/internal/Product/PostProductRevisionRelation (b: relation) → the parent's tree."""
    return respond(request, await _run(request, box_build.add_relation, await read_body(request), write=True))


async def put_relation(request: Request) -> Response:
    """PUT /api/internal/Product/PutProductRevisionRelation (b: relation) → the relation."""
    return respond(request, await _run(request, box_build.update_relation, await read_body(request), write=True))


async def delete_relation(request: Request) -> Response:
    """DELETE /api/internal/Product/DeleteProductRevisionRelation?productRevisionRelationId= → 200."""
    await _run(request, box_build.delete_relation, _needed(request, "productRevisionRelationId"), write=True)
    return respond(request, True)


async def get_bom(request: Request) -> Response:
    """GET /api/internal/Product/Bom?partNumber=&revision= → the BOM lines."""
    return respond(request, await _run(request, box_build.bom_components, _needed(request, "partNumber"),
                                       _needed(request, "revision")))


async def put_bom(request: Request) -> Response:
    """PUT /api/internal/Product/BOM?partNumber=&revision=&format=json|xml (b: lines or WSBF) → the lines."""
    pn, rev = _needed(request, "partNumber"), _needed(request, "revision")
    fmt = _needed(request, "format").strip().lower()
    body: Any = await read_body(request) if fmt == "json" else await request.body()
    return respond(request, await _run(request, box_build.save_bom_components, pn, rev, fmt, body, write=True))


routes = [
    Route("/api/internal/Product/GetProductInfo", product_info, methods=["GET"]),
    Route("/api/internal/Product/PostProductRevisionRelation", post_relation, methods=["POST"]),
    Route("/api/internal/Product/PutProductRevisionRelation", put_relation, methods=["PUT"]),
    Route("/api/internal/Product/DeleteProductRevisionRelation", delete_relation, methods=["DELETE"]),
    Route("/api/internal/Product/Bom", get_bom, methods=["GET"]),
    Route("/api/internal/Product/BOM", put_bom, methods=["PUT"]),
]
