"""``/api/Product*``: product query, product and revision read/create/update.

``/api/Product/BOM``: upload a WSBF bill of materials, read it back as JSON.

``/api/Product/{Vendors,ProductGroupFilter,ProductGroupsByProduct}`` and the bulk
``PUT /api/Products[/Revisions]`` over :mod:`..storage.mes_catalog`.

``/api/Product/BOM`` comes before ``/api/Product/{partNumber}`` in :data:`routes` so it is
not taken for a part number. An invalid WSBF document answers 400 with the reason
(real WATS answers 500).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..odata_support import apply_query, request_filter_sql
from ..storage import mes_catalog
from ..storage import products as store
from ..wire import ApiError, query_bool, query_value, read_body, respond

__all__ = ["routes"]

PRODUCT_VIEW_FIELDS = ["partNumber", "name", "category", "nonSerial", "state"]


async def query(request: Request) -> Response:
    """GET /api/Product/Query → ``[ProductView]``; OData $filter/$orderby/$top/$skip (top 1000 unfiltered)."""
    ctx = get_context(request)
    where = request_filter_sql(request, store.PRODUCT_VIEW_SCHEMA)
    rows = await ctx.storage.read(store.list_products, where)
    views = [store.product_view(r) for r in rows]
    out = apply_query(
        request, views, default_top=1000 if where is None else 10**9,
        allowed_orderby=PRODUCT_VIEW_FIELDS, default_order=[("partNumber", False)], filtered=True,
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
    result = await ctx.storage.write(lambda c: store.save_product(c, body))
    return respond(request, result)


async def put_revision(request: Request) -> Response:
    """PUT /api/Product/Revision → the stored ProductRevision (empty ``productRevisionId`` = create)."""
    ctx = get_context(request)
    body = await read_body(request)
    result = await ctx.storage.write(lambda c: store.save_revision(c, body))
    return respond(request, result)


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


async def vendors(request: Request) -> Response:
    """GET /api/Product/Vendors → ``[{VendorName}]``; PUT (b: vendors) adds missing ones;
    DELETE (b: vendors) removes them."""
    storage = get_context(request).storage
    if request.method == "GET":
        return respond(request, await storage.read(mes_catalog.list_vendors))
    body = await read_body(request)
    fn = mes_catalog.add_vendors if request.method == "PUT" else mes_catalog.delete_vendors
    return respond(request, await storage.write(fn, body))


async def product_group_filter(request: Request) -> Response:
    """POST /api/Product/ProductGroupFilter?productGroup=&partNumber=&revision=&exclude= → the filter."""
    args = (_required(request, "productGroup"), _required(request, "partNumber"), query_value(request, "revision"),
            bool(query_bool(request, "exclude", False)))
    return respond(request, await get_context(request).storage.write(mes_catalog.add_group_filter, *args))


async def groups_by_product(request: Request) -> Response:
    """GET /api/Product/ProductGroupsByProduct?partNumber=&revision= → ``[{productGroupId, productGroupName}]``."""
    pn, rev = _required(request, "partNumber"), query_value(request, "revision")
    return respond(request, await get_context(request).storage.read(mes_catalog.groups_by_product, pn, rev))


async def put_products(request: Request) -> Response:
    """PUT /api/Products (b: [Product]) and PUT /api/Products/Revisions (b: [ProductRevision]) → stored items."""
    body = await read_body(request)
    fn = mes_catalog.save_revisions if request.url.path.lower().endswith("/revisions") else mes_catalog.save_products
    return respond(request, await get_context(request).storage.write(fn, body))


routes = [
    Route("/api/Product/BOM", put_bom, methods=["PUT"]),
    Route("/api/Product/BOM", get_bom, methods=["GET"]),
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
