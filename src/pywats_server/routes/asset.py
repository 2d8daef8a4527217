"""``/api/Asset*``: asset list/read/create/update and asset types."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..app import get_context
from ..odata_support import apply_query
from ..storage import asset_external
from ..storage import assets as store
from ..storage.asset_extra import AssetNotFound
from ..wire import ApiError, basic_user, query_int, query_value, read_body, respond

__all__ = ["routes"]

ASSET_ORDER_FIELDS = [
    "assetId", "serialNumber", "assetName", "typeId", "state", "partNumber", "location",
    "lastSeenDate", "totalCount", "runningCount",
]
TYPE_ORDER_FIELDS = ["typeId", "typeName"]


def _call(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except store.AssetInputError as exc:
        raise ApiError(400, str(exc)) from None


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
    return respond(request, await ctx.storage.write(lambda c: _call(store.save_asset, c, body, user)))


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
    return respond(request, await ctx.storage.write(lambda c: _call(store.save_asset_type, c, body)))


async def post_message(request: Request) -> Response:
    """POST /api/Asset/Message?id=|serialNumber= (b: ``{content}``) → 204; the message goes to the
    asset log. Read liberally: the body may name the asset (``assetId``/``serialNumber``), carry
    the text as ``comment`` and the author as ``user``."""
    body = await read_body(request)
    body = body if isinstance(body, dict) else {}
    asset_id = query_value(request, "id") or body.get("assetId") or body.get("id")
    serial = query_value(request, "serialNumber") or body.get("serialNumber")
    content = body.get("content") if body.get("content") is not None else body.get("comment")
    if not isinstance(content, str) or not content.strip():
        raise ApiError(400, "content: the message text is required")
    user = body.get("user") if isinstance(body.get("user"), str) else basic_user(request)
    await _write(request, asset_external.post_message, asset_id, serial, content, user)
    return Response(status_code=204)


async def _write(request: Request, fn: Any, *args: Any) -> Any:
    def run(conn: Any) -> Any:
        try:
            return fn(conn, *args)
        except store.AssetInputError as exc:
            raise ApiError(400, str(exc)) from None
        except AssetNotFound as exc:
            raise ApiError(404, str(exc)) from None

    return await get_context(request).storage.write(run)


def _set_count(field: str) -> Any:
    async def handler(request: Request) -> Response:
        await _write(request, asset_external.set_count, query_value(request, "id"), query_value(request, "serialNumber"),
                     field, query_int(request, field), basic_user(request))
        return Response(status_code=204)

    handler.__doc__ = f"PUT /api/Asset/Set{field[0].upper()}{field[1:]}?{field}=&id|serialNumber → 204 (WATS 25.3)."
    return handler


def _external_service(kind: str) -> Any:
    async def handler(request: Request) -> Response:
        await _write(request, asset_external.record_external_service, kind, query_value(request, "id"),
                     query_value(request, "serialNumber"), query_value(request, "fromDate"),
                     query_value(request, "toDate"), query_value(request, "comment"), basic_user(request))
        return Response(status_code=204)

    handler.__doc__ = f"POST /api/Asset/{kind.capitalize()}/External?id|serialNumber&fromDate&toDate[&comment] → 204 (WATS 25.3)."
    return handler


async def delete_asset(request: Request) -> Response:
    """DELETE /api/Asset?id=|serialNumber= → 204; the asset's log goes with it, its children move
    to its parent."""
    key = query_value(request, "id") or query_value(request, "serialNumber")
    if not key:
        raise ApiError(400, "id, serialNumber: give the asset id or its serial number")

    def run(conn: Any) -> bool:
        doc = store.get_asset(conn, key)
        if doc is None:
            return False
        for (child_doc,) in conn.execute("SELECT doc FROM assets").fetchall():
            child = json.loads(child_doc)
            if child.get("parentAssetId") == doc["assetId"]:
                child.update(parentAssetId=doc.get("parentAssetId"), parentSerialNumber=doc.get("parentSerialNumber"))
                conn.execute("UPDATE assets SET doc=? WHERE asset_id=?", (json.dumps(child), child["assetId"]))
        conn.execute("DELETE FROM asset_log WHERE asset_id=?", (doc["assetId"],))
        conn.execute("DELETE FROM assets WHERE asset_id=?", (doc["assetId"],))
        return True

    if not await get_context(request).storage.write(run):
        raise ApiError(404, f"Asset {key!r} was not found.")
    return Response(status_code=204)


routes = [
    Route("/api/Asset/Message", post_message, methods=["POST"]),
    Route("/api/Asset/SetRunningCount", _set_count("runningCount"), methods=["PUT"]),
    Route("/api/Asset/SetTotalCount", _set_count("totalCount"), methods=["PUT"]),
    Route("/api/Asset/Calibration/External", _external_service("calibration"), methods=["POST"]),
    Route("/api/Asset/Maintenance/External", _external_service("maintenance"), methods=["POST"]),
    Route("/api/Asset", list_assets, methods=["GET"]),
    Route("/api/Asset", put_asset, methods=["PUT"]),
    Route("/api/Asset", delete_asset, methods=["DELETE"]),
    Route("/api/Asset/Types", list_types, methods=["GET"]),
    Route("/api/Asset/Types", put_type, methods=["PUT"]),
    Route("/api/Asset/{key}", get_asset, methods=["GET"]),
]
