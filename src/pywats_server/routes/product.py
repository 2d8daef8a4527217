"""``/api/Product*``: product query, product and revision read/create/update."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..app import get_context
from ..odata_support import apply_query
from ..storage import mes_catalog
from ..storage import products as store
from ..wire import ApiError, query_bool, query_value, read_body, respond

__all__ = ["routes"]

PRODUCT_VIEW_FIELDS = ["partNumber", "name", "category", "nonSerial", "state"]


def _call(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except store.ProductInputError as exc:
        raise ApiError(400, str(exc)) from None


async def query(request: Request) -> Response:
    """GET /api/Product/Query → ``[ProductView]``; OData $filter/$orderby/$top/$skip (top 1000 unfiltered)."""
    ctx = get_context(request)
    rows = await ctx.storage.read(store.list_products)
    views = [store.product_view(r) for r in rows]
    has_filter = bool((query_value(request, "$filter") or "").strip())
    out = apply_query(
        request, views, default_top=1000 if not has_filter else 10**9,
        allowed_orderby=PRODUCT_VIEW_FIELDS, default_order=[("partNumber", False)],
    )
    return respond(request, list(out))


async def get_product(request: Request) -> Response:
    """GET /api/Product/{partNumber} → Product (404 when unknown)."""
    ctx = get_context(request)
    pn = request.path_params["partNumber"]
    product = await ctx.storage.read(store.get_product, pn)
    if product is None:
        raise ApiError(404, f"Product {pn!r} was not found.")
    return respond(request, product)


async def get_revision(request: Request) -> Response:
    """GET /api/Product/{partNumber}/{revision} → ProductRevision (404 when unknown)."""
    ctx = get_context(request)
    pn, rev = request.path_params["partNumber"], request.path_params["revision"]
    found = await ctx.storage.read(store.get_revision, pn, rev)
    if found is None:
        raise ApiError(404, f"Revision {rev!r} of product {pn!r} was not found.")
    return respond(request, found)


async def put_product(request: Request) -> Response:
    """PUT /api/Product → the stored Product (empty ``productId`` = create)."""
    ctx = get_context(request)
    body = await read_body(request)
    result = await ctx.storage.write(lambda c: _call(store.save_product, c, body))
    return respond(request, result)


async def put_revision(request: Request) -> Response:
    """PUT /api/Product/Revision → the stored ProductRevision (empty ``productRevisionId`` = create)."""
    ctx = get_context(request)
    body = await read_body(request)
    result = await ctx.storage.write(lambda c: _call(store.save_revision, c, body))
    return respond(request, result)



async def vendors(request: Request) -> Response:
    """GET /api/Product/Vendors → ``[{VendorName}]``; PUT (b: vendors) adds missing ones;
    DELETE (b: vendors) removes them."""
    storage = get_context(request).storage
    if request.method == "GET":
        return respond(request, await storage.read(mes_catalog.list_vendors))
    body = await read_body(request)
    fn = mes_catalog.add_vendors if request.method == "PUT" else mes_catalog.delete_vendors
    return respond(request, await storage.write(lambda c: _call(fn, c, body)))


def _needed(request: Request, name: str) -> str:
    value = query_value(request, name)
    if not value:
        raise ApiError(400, f"Query parameter '{name}' is required.")
    return value


async def product_group_filter(request: Request) -> Response:
    """POST /api/Product/ProductGroupFilter?productGroup=&partNumber=&revision=&exclude= → the filter."""
    args = (_needed(request, "productGroup"), _needed(request, "partNumber"), query_value(request, "revision"),
            bool(query_bool(request, "exclude", False)))
    return respond(request, await get_context(request).storage.write(
        lambda c: _call(mes_catalog.add_group_filter, c, *args)))


async def groups_by_product(request: Request) -> Response:
    """GET /api/Product/ProductGroupsByProduct?partNumber=&revision= → ``[{productGroupId, productGroupName}]``."""
    pn, rev = _needed(request, "partNumber"), query_value(request, "revision")
    return respond(request, await get_context(request).storage.read(mes_catalog.groups_by_product, pn, rev))


async def put_products(request: Request) -> Response:
    """PUT /api/Products (b: [Product]) and PUT /api/Products/Revisions (b: [ProductRevision]) → stored items."""
    body = await read_body(request)
    fn = mes_catalog.save_revisions if request.url.path.lower().endswith("/revisions") else mes_catalog.save_products
    return respond(request, await get_context(request).storage.write(lambda c: _call(fn, c, body)))

routes = [
    Route("/api/Product/Query", query, methods=["GET"]),
    Route("/api/Product/Vendors", vendors, methods=["GET", "PUT", "DELETE"]),
    Route("/api/Product/ProductGroupFilter", product_group_filter, methods=["POST"]),
    Route("/api/Product/ProductGroupsByProduct", groups_by_product, methods=["GET"]),
    Route("/api/Products", put_products, methods=["PUT"]),
    Route("/api/Products/Revisions", put_products, methods=["PUT"]),
    Route("/api/Product/Revision", put_revision, methods=["PUT"]),
    Route("/api/Product", put_product, methods=["PUT"]),
    Route("/api/Product/{partNumber}", get_product, methods=["GET"]),
    Route("/api/Product/{partNumber}/{revision}", get_revision, methods=["GET"]),
]
