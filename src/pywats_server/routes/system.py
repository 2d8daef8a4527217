"""``/api/SystemManager/*``, ``GET /api/SystemStatus`` and ``GET /api/Auth/GetToken``.

Simplifications of a single-site server: clients are the stations that submitted reports
(plus their edits), a client log is the list of its latest reports, and ``Auth/GetToken``
answers the token the caller authenticated with (tokens come from the server's configuration,
so ``reset`` cannot invalidate one and is accepted but ignored).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import VERSION, get_context
from ..storage import system
from ..timefmt import format_utc_full, now_utc
from ..wire import query_bool, query_value, read_body, respond

__all__ = ["routes"]


async def _run(request: Request, fn: Callable[..., Any], *args: Any, write: bool = False) -> Any:
    storage = get_context(request).storage
    return await (storage.write(fn, *args) if write else storage.read(fn, *args))


async def _synced(request: Request, fn: Callable[..., Any], *args: Any) -> Any:
    def run(conn: Any) -> Any:
        system.sync_clients(conn)
        return fn(conn, *args)

    return await _run(request, run, write=True)


async def clients(request: Request) -> Response:
    """GET /api/SystemManager/Clients → every client with report count and last report."""
    return respond(request, await _synced(request, system.list_clients))


async def client(request: Request) -> Response:
    """GET /api/SystemManager/Client?name=|identifier= → one client; PUT (b: ClientDto,
    q: moveWithHistory) → the updated client."""
    if request.method == "PUT":
        body = await read_body(request)
        moved = bool(query_bool(request, "moveWithHistory", False))
        return respond(request, await _synced(request, system.update_client, body, moved))
    return respond(request, await _synced(request, system.find_client, query_value(request, "name"),
                                          query_value(request, "identifier")))


async def client_log(request: Request) -> Response:
    """GET /api/SystemManager/ClientLog/{identifier} → the client's log text (here: one line per
    report it submitted recently, newest first)."""
    found = await _synced(request, system.find_client, None, request.path_params["identifier"])

    def lines(conn: Any) -> list[str]:
        rows = conn.execute(
            "SELECT start_utc_full, report_type, part_number, serial_number, result FROM reports"
            " WHERE station_name=? COLLATE NOCASE ORDER BY start_utc_full DESC LIMIT 100", (found["name"],)
        ).fetchall()
        return [f"{r[0]} {'UUT' if r[1] == 'T' else 'UUR'} {r[2]} {r[3]} {r[4]}" for r in rows]

    return respond(request, "\n".join(await get_context(request).storage.read(lines)))


async def level(request: Request) -> Response:
    """GET /api/SystemManager/Level?hierarchy=a&hierarchy=b → leaf level id or null;
    POST (b: ["a", "b"]) → the leaf level id, creating missing levels."""
    if request.method == "POST":
        return respond(request, await _run(request, system.create_level_hierarchy, await read_body(request), write=True))
    names = [v for k, v in request.query_params.multi_items() if k.lower() in ("hierarchy", "hierarchy[]")]
    if len(names) == 1 and ";" in names[0]:
        names = names[0].split(";")
    return respond(request, await _run(request, system.level_by_hierarchy, names))


async def system_status(request: Request) -> Response:
    """GET /api/SystemStatus → ``{status, version, utcNow, reportCount, ...}``."""
    counts = await get_context(request).storage.read(system.system_status)
    return respond(request, {"status": "OK", "version": VERSION, "utcNow": format_utc_full(now_utc()), **counts})


async def get_token(request: Request) -> Response:
    """GET /api/Auth/GetToken[/{identifier}]?reset= → the token to send as ``Authorization:
    Basic <token>`` (here the caller's own token; see the module docstring)."""
    query_bool(request, "reset")  # validated; tokens are configured, so nothing to reset
    auth = request.headers.get("authorization", "")
    return respond(request, auth.partition(" ")[2].strip())


routes = [
    Route("/api/SystemManager/Clients", clients, methods=["GET"]),
    Route("/api/SystemManager/Client", client, methods=["GET", "PUT"]),
    Route("/api/SystemManager/ClientLog/{identifier}", client_log, methods=["GET"]),
    Route("/api/SystemManager/Level", level, methods=["GET", "POST"]),
    Route("/api/SystemStatus", system_status, methods=["GET"]),
    Route("/api/Auth/GetToken", get_token, methods=["GET"]),
    Route("/api/Auth/GetToken/{identifier}", get_token, methods=["GET"]),
]
