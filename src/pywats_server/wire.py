"""Request bodies in, responses out: JSON or MessagePack, ASP.NET-style error bodies.

Every error answer has the body ``{"Message": "..."}`` like ASP.NET Web API. Request
bodies sent with ``Content-Type: application/x-msgpack`` are decoded as MessagePack;
responses are MessagePack when the request's ``Accept`` header prefers
``application/x-msgpack`` over JSON, else JSON.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import msgpack
from starlette.requests import Request
from starlette.responses import Response

__all__ = [
    "ApiError",
    "MSGPACK",
    "ACCEPT_FORMATS_HEADER",
    "ACCEPT_FORMATS_VALUE",
    "read_body",
    "decode_body",
    "respond",
    "error_response",
    "wants_msgpack",
    "query_bool",
    "query_int",
    "query_value",
    "basic_user",
]

MSGPACK = "application/x-msgpack"
JSON = "application/json"
ACCEPT_FORMATS_HEADER = "X-WATS-Accept-Formats"
ACCEPT_FORMATS_VALUE = "application/json, application/x-msgpack"


class ApiError(Exception):
    """An error answer: HTTP ``status`` with body ``{"Message": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _media_prefs(accept: str) -> list[tuple[str, float, int]]:
    prefs: list[tuple[str, float, int]] = []
    for pos, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        if not media:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        prefs.append((media, q, pos))
    return prefs


def wants_msgpack(request: Request) -> bool:
    """True when the request's Accept header prefers MessagePack over JSON."""
    accept = request.headers.get("accept", "")
    if "msgpack" not in accept.lower():
        return False
    best: tuple[float, int] | None = None
    best_media = ""
    for media, q, pos in _media_prefs(accept):
        if q <= 0 or media not in {MSGPACK, JSON, "text/json", "*/*", "application/*"}:
            continue
        key = (q, -pos)
        if best is None or key > best:
            best, best_media = key, media
    return best_media == MSGPACK


async def read_body(request: Request) -> Any:
    """Decode the request body (JSON or MessagePack); 400 when it cannot be decoded."""
    return decode_body(await request.body(), request.headers.get("content-type", ""))


def decode_body(raw: bytes, content_type: str) -> Any:
    """Decode ``raw`` as MessagePack (``application/x-msgpack``) or JSON; ApiError(400) if bad."""
    ctype = content_type.split(";")[0].strip().lower()
    if not raw:
        raise ApiError(400, "The request body is empty.")
    if ctype == MSGPACK:
        try:
            return msgpack.unpackb(raw, raw=False, timestamp=0, strict_map_key=False)
        except Exception as exc:  # any decode failure is a client error
            raise ApiError(400, f"The request body is not valid MessagePack: {exc}") from exc
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"The request body is not valid JSON: {exc}") from exc


def _dumps_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def respond(request: Request, data: Any, status: int = 200) -> Response:
    """Answer ``data`` as JSON or MessagePack, whichever the client prefers."""
    if wants_msgpack(request):
        return Response(msgpack.packb(data, use_bin_type=True), status_code=status, media_type=MSGPACK)
    return Response(_dumps_json(data), status_code=status, media_type="application/json; charset=utf-8")


def error_response(request: Request | None, status: int, message: str) -> Response:
    """An ASP.NET-style error answer ``{"Message": message}``."""
    body = {"Message": message}
    if request is not None:
        return respond(request, body, status)
    return Response(_dumps_json(body), status_code=status, media_type="application/json; charset=utf-8")


def query_bool(request: Request, name: str, default: bool | None = None) -> bool | None:
    """A boolean query parameter (case-insensitive name); 400 when it is not true/false."""
    value = query_value(request, name)
    if value is None or value == "":
        return default
    low = value.strip().lower()
    if low in {"true", "1", "yes"}:
        return True
    if low in {"false", "0", "no"}:
        return False
    raise ApiError(400, f"Query parameter '{name}' must be true or false, not {value!r}.")


def query_int(request: Request, name: str, default: int | None = None) -> int | None:
    """An integer query parameter (case-insensitive name); 400 when it is not an integer."""
    value = query_value(request, name)
    if value is None or value == "":
        return default
    try:
        return int(value.strip())
    except ValueError:
        raise ApiError(400, f"Query parameter '{name}' must be an integer, not {value!r}.") from None


def query_value(request: Request, name: str) -> str | None:
    """A query parameter looked up case-insensitively (ASP.NET binds names that way)."""
    params = request.query_params
    if name in params:
        return params[name]
    low = name.lower()
    for key, value in params.multi_items():
        if key.lower() == low:
            return value
    return None


def basic_user(request: Request) -> str | None:
    """The user name in the request's ``Authorization: Basic`` token (``user:password``), if any."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            return base64.b64decode(auth[6:].strip()).decode("utf-8").split(":", 1)[0] or None
        except (ValueError, UnicodeDecodeError):
            return None
    return None
