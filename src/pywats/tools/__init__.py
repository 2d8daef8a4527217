"""Helpers for building reports: :class:`ReportBuilder` (test reports) and
:class:`UURBuilder` (repair reports)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pywats.tools.report_builder import ReportBuilder, SequenceBuilder
    from pywats.tools.uur_builder import UURBuilder

_LAZY = {
    "ReportBuilder": "pywats.tools.report_builder",
    "SequenceBuilder": "pywats.tools.report_builder",
    "UURBuilder": "pywats.tools.uur_builder",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pywats.tools' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
