"""Helpers for building reports: :class:`ReportBuilder` (test reports) and
:class:`UURBuilder` (repair reports)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pywats._lazy import lazy_exports

if TYPE_CHECKING:
    from pywats.tools.report_builder import ReportBuilder, SequenceBuilder
    from pywats.tools.uur_builder import UURBuilder

_LAZY = {
    "ReportBuilder": "pywats.tools.report_builder",
    "SequenceBuilder": "pywats.tools.report_builder",
    "UURBuilder": "pywats.tools.uur_builder",
}

__all__ = ["ReportBuilder", "SequenceBuilder", "UURBuilder"]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
