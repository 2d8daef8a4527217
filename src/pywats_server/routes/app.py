"""``/api/App/*`` and process endpoints: version, processes, levels, product groups."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import VERSION, get_context
from ..wire import query_bool, respond

__all__ = ["routes"]


async def version(request: Request) -> Response:
    """GET /api/App/Version → the server version as a JSON string."""
    return respond(request, VERSION)


async def processes(request: Request) -> Response:
    """GET /api/App/Processes — filtered by the include* flags.

    With no flag given: active processes that are test, repair or WIP operations. With
    flags: processes of the kinds whose flag is true; ``includeInactiveProcesses`` adds
    inactive ones.
    """
    ctx = get_context(request)
    test = query_bool(request, "includeTestOperations")
    repair = query_bool(request, "includeRepairOperations")
    wip = query_bool(request, "includeWipOperations")
    inactive = bool(query_bool(request, "includeInactiveProcesses", False))
    any_flag = test is not None or repair is not None or wip is not None
    out = []
    for p in ctx.processes.all():
        if p.state != 1 and not inactive:
            continue
        if any_flag:
            if not ((test and p.is_test) or (repair and p.is_repair) or (wip and p.is_wip)):
                continue
        elif not (p.is_test or p.is_repair or p.is_wip):
            continue
        out.append(p.public())
    return respond(request, out)


async def internal_processes(request: Request) -> Response:
    """GET /api/internal/Process/GetProcesses → PascalCase records of every process."""
    ctx = get_context(request)
    return respond(request, [p.internal() for p in ctx.processes.all()])


async def levels(request: Request) -> Response:
    """GET /api/App/Levels → ``[{levelId, levelName}]``."""
    ctx = get_context(request)
    rows = await ctx.storage.read(lambda c: c.execute("SELECT * FROM levels ORDER BY level_id").fetchall())
    return respond(request, [{"levelId": r["level_id"], "levelName": r["level_name"]} for r in rows])


async def product_groups(request: Request) -> Response:
    """GET /api/App/ProductGroups → ``[{productGroupId, productGroupName}]``."""
    ctx = get_context(request)
    rows = await ctx.storage.read(
        lambda c: c.execute("SELECT * FROM product_groups ORDER BY product_group_id").fetchall()
    )
    return respond(
        request,
        [{"productGroupId": r["product_group_id"], "productGroupName": r["product_group_name"]} for r in rows],
    )


routes = [
    Route("/api/App/Version", version, methods=["GET"]),
    Route("/api/App/Processes", processes, methods=["GET"]),
    Route("/api/App/Levels", levels, methods=["GET"]),
    Route("/api/App/ProductGroups", product_groups, methods=["GET"]),
    Route("/api/internal/Process/GetProcesses", internal_processes, methods=["GET"]),
]
