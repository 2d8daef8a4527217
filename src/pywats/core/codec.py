"""Body encoding and decoding: JSON via pydantic-core, MessagePack when negotiated.

Real WATS speaks JSON only. A server that also accepts MessagePack says so in the
``X-WATS-Accept-Formats`` response header (the local pyWATS server does); a client created
with ``use_msgpack=True`` switches to MessagePack only after it has seen that header.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import from_json, to_json, to_jsonable_python

__all__ = ["JSON", "MSGPACK", "FORMATS_HEADER", "encode_json", "encode_msgpack", "decode", "parse_formats"]

JSON = "application/json"
MSGPACK = "application/x-msgpack"
FORMATS_HEADER = "X-WATS-Accept-Formats"


def encode_json(value: Any) -> bytes:
    """JSON bytes for ``value`` (pydantic models, datetimes, UUIDs handled)."""
    return to_json(value, by_alias=True)


def _msgpack_default(value: Any) -> Any:
    return to_jsonable_python(value, by_alias=True)


def encode_msgpack(value: Any) -> bytes:
    """MessagePack bytes for ``value``; types MessagePack lacks are converted as JSON would."""
    import msgpack

    return msgpack.packb(value, default=_msgpack_default, use_bin_type=True)


def decode(body: bytes, content_type: str) -> Any:
    """Decode an answer body according to its Content-Type (empty body → ``None``)."""
    if not body:
        return None
    if MSGPACK in content_type or "msgpack" in content_type:
        import msgpack

        return msgpack.unpackb(body, raw=False)
    try:
        return from_json(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")


def parse_formats(value: str | None) -> frozenset[str]:
    """Media types listed in an ``X-WATS-Accept-Formats`` header."""
    if not value:
        return frozenset()
    return frozenset(part.split(";")[0].strip().lower() for part in value.split(",") if part.strip())
