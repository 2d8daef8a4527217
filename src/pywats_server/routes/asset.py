"""``/api/Asset*``: asset list/read/create/update and asset types."""

from __future__ import annotations


from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..odata_support import apply_query
from ..storage import assets as store
from ..wire import ApiError, basic_user, read_body, respond

__all__ = ["routes"]

ASSET_ORDER_FIELDS = [
    "assetId", "serialNumber", "assetName", "typeId", "state", "partNumber", "location",
    "lastSeenDate", "totalCount", "runningCount",
]
TYPE_ORDER_FIELDS = ["typeId", "typeName"]




async def list_assets(request: Request) -> Response:
    """GET /api/Asset → ``[Asset]``; $filter/$orderby/$top (default 1000)/$skip, default order assetId."""
    ctx = get_context(request)
    assets = await ctx.storage.read(store.list_assets)
    out = apply_query(
        request, assets, default_top=1000, allowed_orderby=ASSET_ORDER_FIELDS,
        default_order=[("assetId", False)],
    )
    return respond(request, list(out))


async def get_asset(request: Request) -> Response:
    """GET /api/Asset/{assetIdOrSerial} → Asset (404 when unknown)."""
    ctx = get_context(request)
    key = request.path_params["key"]
    asset = await ctx.storage.read(store.get_asset, key)
    if asset is None:
        raise ApiError(404, f"Asset {key!r} was not found.")
    return respond(request, asset)


async def put_asset(request: Request) -> Response:
    """PUT /api/Asset → the stored Asset (create or update; serialNumber and typeId required; logged)."""
    ctx = get_context(request)
    body = await read_body(request)
    user = basic_user(request)
    return respond(request, await ctx.storage.write(lambda c: store.save_asset(c, body, user)))


async def list_types(request: Request) -> Response:
    """GET /api/Asset/Types → ``[AssetType]``; $filter/$top (default 1000)/$skip."""
    ctx = get_context(request)
    types = await ctx.storage.read(store.list_asset_types)
    out = apply_query(
        request, types, default_top=1000, allowed_orderby=TYPE_ORDER_FIELDS,
        default_order=[("typeName", False)],
    )
    return respond(request, list(out))


async def put_type(request: Request) -> Response:
    """PUT /api/Asset/Types → the stored AssetType (typeName required; empty typeId = create)."""
    ctx = get_context(request)
    body = await read_body(request)
    return respond(request, await ctx.storage.write(lambda c: store.save_asset_type(c, body)))


routes = [
    Route("/api/Asset", list_assets, methods=["GET"]),
    Route("/api/Asset", put_asset, methods=["PUT"]),
    Route("/api/Asset/Types", list_types, methods=["GET"]),
    Route("/api/Asset/Types", put_type, methods=["PUT"]),
    Route("/api/Asset/{key}", get_asset, methods=["GET"]),
]
