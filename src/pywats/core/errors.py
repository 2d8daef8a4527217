"""Turning HTTP answers and httpx failures into :mod:`pywats.exceptions` errors."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import httpx

from pywats.exceptions import (
    ConfigurationError,
    ConnectionError,
    HTTPError,
    PyWATSError,
    RateLimitError,
    TimeoutError,
    ValidationError,
    error_for_status,
)

__all__ = ["error_from_response", "error_from_transport", "parse_retry_after", "server_message"]

_MESSAGE_KEYS = ("message", "Message", "error", "errors", "detail", "title")


def _flatten(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            parts.append(f"{key}: {_flatten(item)}")
        return "; ".join(parts)
    if isinstance(value, (list, tuple)):
        return "; ".join(_flatten(item) for item in value)
    return str(value)


def server_message(body: bytes, content_type: str = "") -> str:
    """The server's error message: a known JSON key (message, Message, error, errors, detail, title), else the text."""
    text = body.decode("utf-8", errors="replace").strip()
    data: Any = None
    if "msgpack" in content_type:
        try:
            import msgpack

            data = msgpack.unpackb(body, raw=False)
        except Exception:  # noqa: BLE001 - fall back to the text
            data = None
    elif text[:1] in ("{", "[", '"'):
        try:
            from pydantic_core import from_json

            data = from_json(body)
        except ValueError:
            data = None
    if isinstance(data, dict):
        for key in _MESSAGE_KEYS:
            if data.get(key):
                return _flatten(data[key])
    if isinstance(data, str) and data:
        return data
    return text


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_from_response(method: str, url: str, status: int, headers: httpx.Headers, body: bytes) -> HTTPError:
    """The exception for an error answer (status >= 400)."""
    message = server_message(body, headers.get("content-type", "")) or f"HTTP {status}"
    cls = error_for_status(status)
    text = body.decode("utf-8", errors="replace")
    kwargs: dict[str, Any] = {"method": method, "url": url, "status_code": status, "response_text": text}
    retry_after = parse_retry_after(headers.get("retry-after"))
    if cls is RateLimitError:
        return RateLimitError(message, retry_after=retry_after, **kwargs)
    if cls is ValidationError:
        return ValidationError(message, **kwargs)
    error = cls(message, **kwargs)
    if retry_after is not None:
        error.retry_after = retry_after  # type: ignore[attr-defined]  # e.g. 503 with Retry-After
    return error


def error_from_transport(method: str, url: str, exc: Exception) -> PyWATSError:
    """The exception for an httpx failure that produced no answer."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        kind = {
            httpx.ConnectTimeout: "connect",
            httpx.ReadTimeout: "read",
            httpx.WriteTimeout: "write",
            httpx.PoolTimeout: "pool",
        }.get(type(exc), "")
        return TimeoutError(f"{kind + ' ' if kind else ''}timeout: {detail}", method=method, url=url)
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return ConfigurationError(f"invalid server URL: {detail}", method=method, url=url)
    return ConnectionError(f"{type(exc).__name__}: {detail}", method=method, url=url)
