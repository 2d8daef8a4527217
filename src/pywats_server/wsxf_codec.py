"""WSXF (WATS Standard XML Format) for ``POST /api/Report/WSXF`` and ``GET /api/Report/Wsxf/{id}``.

The conversion itself lives in :mod:`pywats.formats.wsxf` (WSXF XML ↔ WSJF dicts), imported
on first use: this module only adapts its functions — ``wsxf_to_wsjf``/``wsjf_to_wsxf`` or
``parse_wsxf``/``to_wsxf``, whichever the installed codec offers. A build without the codec
answers 501 (Not Implemented) naming what is missing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

from .wire import ApiError

__all__ = ["wsxf_to_reports", "report_to_wsxf"]


def _codec() -> ModuleType:
    try:
        return importlib.import_module("pywats.formats.wsxf")
    except ImportError:
        raise ApiError(501, "WSXF is not available on this server: the WSXF codec (pywats.formats.wsxf) "
                            "is not installed.") from None


def _function(module: ModuleType, *names: str) -> Callable[..., Any]:
    for name in names:
        fn = getattr(module, name, None)
        if callable(fn):
            return fn
    raise ApiError(501, f"WSXF is not available on this server: pywats.formats.wsxf has none of {', '.join(names)}.")


def wsxf_to_reports(xml: bytes) -> list[dict[str, Any]]:
    """The WSJF dict of every report in a WSXF document; 400 naming the problem when the
    document cannot be read."""
    module = _codec()
    convert = _function(module, "wsxf_to_wsjf", "parse_wsxf")
    try:
        result = convert(xml)
    except (ValueError, TypeError, KeyError) as exc:  # the codec's format error is a ValueError
        raise ApiError(400, f"body: not a readable WSXF document: {exc}") from None
    reports = result if isinstance(result, list) else [result]
    if not reports or not all(isinstance(r, dict) for r in reports):
        raise ApiError(400, "body: the WSXF document holds no report")
    return reports


def report_to_wsxf(report: dict[str, Any]) -> bytes:
    """One stored WSJF report as a WSXF document (UTF-8 bytes)."""
    convert = _function(_codec(), "wsjf_to_wsxf", "to_wsxf")
    out = convert(report)
    return out if isinstance(out, bytes) else str(out).encode("utf-8")
