"""``/api/SCIM/v2/*`` user provisioning and ``GET /api/App/CommonUserSettings``.

The SCIM token is a signed JSON Web Token (HS256, signed with a secret kept in the
database); this server hands it out but, as a single-site simplification, authenticates
requests with its configured tokens only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..storage import scim
from ..wire import ApiError, basic_user, query_int, query_value, read_body, respond

__all__ = ["routes"]


async def _run(request: Request, fn: Callable[..., Any], *args: Any, write: bool = False) -> Any:
    storage = get_context(request).storage
    return await (storage.write(fn, *args) if write else storage.read(fn, *args))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _scim_secret(conn: Any) -> str:
    """The signing secret of SCIM tokens, created on first use."""
    conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES('scim_secret', ?)", (secrets.token_hex(32),))
    return str(conn.execute("SELECT value FROM meta WHERE key='scim_secret'").fetchone()[0])


async def token(request: Request) -> Response:
    """GET /api/SCIM/v2/Token?duration= (days, default 90) → a JWT (JSON string)."""
    days = query_int(request, "duration", 90) or 90
    if days <= 0:
        raise ApiError(400, "Query parameter 'duration' must be a positive number of days.")
    secret = await get_context(request).storage.write(_scim_secret)
    now = int(time.time())
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": basic_user(request) or "scim", "iat": now, "exp": now + days * 86400, "aud": "scim"}
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return respond(request, f"{header}.{payload}.{_b64url(signature)}")


async def users(request: Request) -> Response:
    """GET /api/SCIM/v2/Users?filter=&startIndex=&count= → SCIM list response."""
    return respond(request, await _run(request, scim.list_users, query_value(request, "filter"),
                                       query_int(request, "startIndex"), query_int(request, "count")))


async def create_user(request: Request) -> Response:
    """POST /api/SCIM/v2/Users (b: SCIM user) → the stored user."""
    return respond(request, await _run(request, scim.create_user, await read_body(request), write=True))


async def user_by_name(request: Request) -> Response:
    """GET /api/SCIM/v2/Users/userName={userName} → the user."""
    return respond(request, await _run(request, scim.find_user, request.path_params["userName"]))


async def user(request: Request) -> Response:
    """GET | DELETE | PATCH /api/SCIM/v2/Users/{id}."""
    user_id = request.path_params["id"]
    if request.method == "DELETE":
        await _run(request, scim.delete_user, user_id, write=True)
        return Response(status_code=200)
    if request.method == "PATCH":
        return respond(request, await _run(request, scim.patch_user, user_id, await read_body(request), write=True))
    return respond(request, await _run(request, scim.get_user, user_id))


async def common_user_settings(request: Request) -> Response:
    """GET /api/App/CommonUserSettings?UserName= → ``{fullName, cultureCode, email, roles,
    levels, productGroups}`` of a provisioned user (single site: every user sees every level
    and product group)."""
    name = query_value(request, "UserName")
    if not name:
        raise ApiError(400, "Query parameter 'UserName' is required.")
    found = await _run(request, scim.find_user, name)

    def lists(conn: Any) -> tuple[list[str], list[str]]:
        levels = [r[0] for r in conn.execute("SELECT level_name FROM levels ORDER BY level_id")]
        groups = [r[0] for r in conn.execute("SELECT product_group_name FROM product_groups ORDER BY product_group_id")]
        return levels, groups

    levels, groups = await get_context(request).storage.read(lists)
    emails = found.get("emails") or []
    return respond(request, {
        "fullName": found.get("displayName") or found["name"].get("formatted") or found["userName"],
        "cultureCode": "en-US", "email": emails[0]["value"] if emails else None,
        "roles": ["User"] if found["active"] else [], "levels": levels, "productGroups": groups,
    })


routes = [
    Route("/api/SCIM/v2/Token", token, methods=["GET"]),
    Route("/api/SCIM/v2/Users", users, methods=["GET"]),
    Route("/api/SCIM/v2/Users", create_user, methods=["POST"]),
    Route("/api/SCIM/v2/Users/userName={userName}", user_by_name, methods=["GET"]),
    Route("/api/SCIM/v2/Users/{id}", user, methods=["GET", "DELETE", "PATCH"]),
    Route("/api/App/CommonUserSettings", common_user_settings, methods=["GET"]),
]
