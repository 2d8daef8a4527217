"""WSXF (WATS Standard XML Format) for ``POST /api/Report/WSXF`` and ``GET /api/Report/Wsxf/{id}``.

The conversion itself is :mod:`pywats.formats.wsxf` (WSXF XML ↔ WSJF dicts); this module
adapts it to the server: a document that cannot be read answers 400 naming the problem, and
an ``Attachment`` without data is never looked up as a file on the server (no
``attachment_dir``).
"""

from __future__ import annotations

from typing import Any

from pywats.formats.wsxf import WATSFormatError, parse_wsxf, to_wsxf

from .errors import InputError

__all__ = ["wsxf_to_reports", "report_to_wsxf"]


def wsxf_to_reports(xml: bytes) -> list[dict[str, Any]]:
    """The WSJF dict of every report in a WSXF document; :class:`~.errors.InputError` (400)
    naming the problem when the document cannot be read."""
    try:
        return parse_wsxf(xml)
    except WATSFormatError as exc:
        raise InputError(f"body: not a readable WSXF document: {exc}") from None


def report_to_wsxf(report: dict[str, Any]) -> bytes:
    """One stored WSJF report as a WSXF document (UTF-8 bytes)."""
    return to_wsxf(report).encode("utf-8")
