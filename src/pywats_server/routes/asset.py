"""``/api/Asset*``: asset list/read/create/update and asset types.

``/api/Asset/{Status,State,Count,ResetRunningCount,Calibration,Maintenance,Log,SubAssets}``;
``/api/Asset/{Message,SetRunningCount,SetTotalCount}``, ``/api/Asset/{Calibration,Maintenance}/External``
(WATS 25.3) and ``DELETE /api/Asset``.

These literal paths come before ``GET /api/Asset/{key}`` in :data:`routes` so they are not
taken for it. Semantics in :mod:`..storage.assets`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..odata import sort_rows
from ..odata_support import apply_query, request_filter_sql, request_orderby, top_skip
from ..storage import assets as store
from ..wire import (
    ApiError,
    basic_user,
    query_bool,
    query_int,
    query_value,
    read_body,
    respond,
)

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


LOG_FIELDS = ["logId", "assetId", "serialNumber", "date", "user", "type", "property", "value", "comment"]


def _key(request: Request) -> tuple[str | None, str | None]:
    return query_value(request, "id") or None, query_value(request, "serialNumber") or None


async def get_status(request: Request) -> Response:
    """GET /api/Asset/Status?id|serialNumber → ``{assetId, serialNumber, alarmState, messages, ...}``."""
    ctx = get_context(request)
    key = _key(request)
    return respond(request, await ctx.storage.read(lambda c: store.status(c, *key)))


async def put_state(request: Request) -> Response:
    """PUT /api/Asset/State?state=0..6&id|serialNumber → 204 (logged)."""
    ctx = get_context(request)
    state = query_int(request, "state")
    if state is None:
        raise ApiError(400, "state: query parameter is required")
    key, user = _key(request), basic_user(request)
    await ctx.storage.write(lambda c: store.set_state(c, *key, state, user))
    return Response(status_code=204)


async def put_count(request: Request) -> Response:
    """PUT /api/Asset/Count?id|serialNumber[&totalCount][&incrementBy][&incrementChildren] → 204."""
    ctx = get_context(request)
    key = _key(request)
    total, inc = query_int(request, "totalCount"), query_int(request, "incrementBy")
    children = bool(query_bool(request, "incrementChildren", False))
    await ctx.storage.write(lambda c: store.count(c, *key, total, inc, children))
    return Response(status_code=204)


async def post_reset(request: Request) -> Response:
    """POST /api/Asset/ResetRunningCount?id|serialNumber[&comment] → 204 (logged)."""
    ctx = get_context(request)
    key, comment, user = _key(request), query_value(request, "comment"), basic_user(request)
    await ctx.storage.write(lambda c: store.reset_running_count(c, *key, comment, user))
    return Response(status_code=204)


def _service(kind: str) -> Any:
    async def handler(request: Request) -> Response:
        ctx = get_context(request)
        key, user = _key(request), basic_user(request)
        when, comment = query_value(request, "dateTime"), query_value(request, "comment")
        await ctx.storage.write(lambda c: store.record_service(c, kind, *key, when, comment, user))
        return Response(status_code=204)

    handler.__doc__ = f"POST /api/Asset/{kind.capitalize()}?id|serialNumber[&dateTime&comment] → 204 (logged)."
    return handler


async def get_log(request: Request) -> Response:
    """GET /api/Asset/Log → ``[AssetLog]``; OData $filter/$orderby/$top (default 1000)/$skip.

    The filter, and in log order also $top/$skip, run in SQL (the log grows with every
    count); another $orderby sorts the matching entries with :func:`..odata.sort_rows`.
    """
    ctx = get_context(request)
    where = request_filter_sql(request, store.LOG_SCHEMA)
    order = request_orderby(request, LOG_FIELDS) or [("logId", False)]
    top, skip = top_skip(request, 1000)
    if order == [("logId", False)]:
        return respond(request, await ctx.storage.read(store.list_log, where, top, skip))
    entries = sort_rows(await ctx.storage.read(store.list_log, where), order)
    return respond(request, entries[skip: skip + top])


async def get_sub_assets(request: Request) -> Response:
    """GET /api/Asset/SubAssets?id|serialNumber[&level] → ``[Asset]`` (descendants, breadth first)."""
    ctx = get_context(request)
    key, level = _key(request), query_int(request, "level")
    return respond(request, await ctx.storage.read(lambda c: store.sub_assets(c, *key, level)))


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
    await _write(request, store.post_message, asset_id, serial, content, user)
    return Response(status_code=204)


async def _write(request: Request, fn: Any, *args: Any) -> Any:
    return await get_context(request).storage.write(fn, *args)


def _set_count(field: str) -> Any:
    async def handler(request: Request) -> Response:
        await _write(request, store.set_count, query_value(request, "id"), query_value(request, "serialNumber"),
                     field, query_int(request, field), basic_user(request))
        return Response(status_code=204)

    handler.__doc__ = f"PUT /api/Asset/Set{field[0].upper()}{field[1:]}?{field}=&id|serialNumber → 204 (WATS 25.3)."
    return handler


def _external_service(kind: str) -> Any:
    async def handler(request: Request) -> Response:
        await _write(request, store.record_external_service, kind, query_value(request, "id"),
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

    if not await get_context(request).storage.write(store.delete_asset, key):
        raise ApiError(404, f"Asset {key!r} was not found.")
    return Response(status_code=204)


routes = [
    Route("/api/Asset/Message", post_message, methods=["POST"]),
    Route("/api/Asset/SetRunningCount", _set_count("runningCount"), methods=["PUT"]),
    Route("/api/Asset/SetTotalCount", _set_count("totalCount"), methods=["PUT"]),
    Route("/api/Asset/Calibration/External", _external_service("calibration"), methods=["POST"]),
    Route("/api/Asset/Maintenance/External", _external_service("maintenance"), methods=["POST"]),
    Route("/api/Asset/Status", get_status, methods=["GET"]),
    Route("/api/Asset/State", put_state, methods=["PUT"]),
    Route("/api/Asset/Count", put_count, methods=["PUT"]),
    Route("/api/Asset/ResetRunningCount", post_reset, methods=["POST"]),
    Route("/api/Asset/Calibration", _service("calibration"), methods=["POST"]),
    Route("/api/Asset/Maintenance", _service("maintenance"), methods=["POST"]),
    Route("/api/Asset/Log", get_log, methods=["GET"]),
    Route("/api/Asset/SubAssets", get_sub_assets, methods=["GET"]),
    Route("/api/Asset", list_assets, methods=["GET"]),
    Route("/api/Asset", put_asset, methods=["PUT"]),
    Route("/api/Asset", delete_asset, methods=["DELETE"]),
    Route("/api/Asset/Types", list_types, methods=["GET"]),
    Route("/api/Asset/Types", put_type, methods=["PUT"]),
    Route("/api/Asset/{key}", get_asset, methods=["GET"]),
]
