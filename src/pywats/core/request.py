"""The description of one HTTP call, shared by the sync and the async executor.

A domain method never talks to httpx itself: it *yields* :class:`Request` objects and
receives the decoded answer (see :mod:`pywats.domains._base`). The executors in
:mod:`pywats.core.executor` turn a ``Request`` into an httpx call, apply throttling,
retries and error mapping, and hand back the body decoded as ``expect`` says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Request", "Expect", "IDEMPOTENT_METHODS"]

Expect = Literal["json", "bytes", "text", "none"]
"""How the response body is handed back: decoded JSON/MessagePack, raw bytes, text, or ``None``."""

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
"""HTTP methods that may be retried without special marking."""

class _NoBody:
    """Marker for "no JSON body" (``None`` is a valid JSON body: ``null``)."""

    def __repr__(self) -> str:
        return "NO_BODY"


_NO_BODY: Any = _NoBody()


@dataclass(frozen=True)
class Request:
    """One HTTP call described as data.

    Attributes:
        method: HTTP method (upper case).
        path: absolute path below the base URL, e.g. ``/api/Report/WSJF``.
        params: query parameters; ``None`` values are dropped, booleans become ``true``/``false``.
        json: a Python object sent as the body (JSON, or MessagePack once the server advertised it).
        content: raw bytes sent as-is (with ``content_type``); excludes ``json``.
        content_type: Content-Type of ``content``.
        headers: extra headers for this call only.
        expect: how the answer body is decoded (see :data:`Expect`).
        idempotent: whether the call may be retried. ``None`` means "decided by the method"
            (GET/HEAD/PUT/DELETE/OPTIONS yes, POST/PATCH no). Set ``True`` on a POST that is
            idempotent by design, such as report submission (the report GUID makes a re-post
            replace, never duplicate).
    """

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = _NO_BODY
    content: bytes | None = None
    content_type: str | None = None
    headers: Mapping[str, str] | None = None
    expect: Expect = "json"
    idempotent: bool | None = None

    @property
    def has_json(self) -> bool:
        """True when a JSON/MessagePack body is to be sent."""
        return self.json is not _NO_BODY

    @property
    def is_idempotent(self) -> bool:
        """Whether a retry of this call is safe."""
        if self.idempotent is not None:
            return self.idempotent
        return self.method.upper() in IDEMPOTENT_METHODS

    def query(self) -> dict[str, str | list[str]]:
        """The query parameters as strings, ``None`` dropped, booleans lower-case; a list or
        tuple value repeats the parameter (``hierarchy=a&hierarchy=b``, as ASP.NET binds arrays)."""
        out: dict[str, str | list[str]] = {}
        for key, value in (self.params or {}).items():
            if value is None:
                continue
            if isinstance(value, (list, tuple)):
                out[key] = [str(v) for v in value]
            elif isinstance(value, bool):
                out[key] = "true" if value else "false"
            else:
                out[key] = str(value)
        return out
