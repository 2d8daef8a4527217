"""Converters: turn station result files into WATS reports.

Public API (the integration guide imports these names from here):

- :class:`FileConverter` — base class of converters (``convert(source, context)``);
- :class:`ConverterSource` — the file being converted (``read_text()``, ``read_bytes()``,
  ``open()``);
- :class:`ConverterResult` — ``ConverterResult.success(report)`` /
  ``ConverterResult.failure(message)``; :class:`ConversionError` — raise it to fail a file
  with a plain message;
- :class:`ConverterContext` / :class:`ContextData` — station identity, process list,
  options and logging;
- :func:`load_converter` / :class:`ConverterLoadError` — import a converter by spec;
- :class:`ConverterPool` / :class:`ConversionOutcome` — isolated execution
  (``ConverterPool.describe`` → :class:`ConverterInfo`);
- :func:`convert_in_process`, :func:`matches_patterns`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pywats_client.converters.base import FileConverter
from pywats_client.converters.context import ContextData, ConverterContext
from pywats_client.converters.loader import BUILTIN_CONVERTERS, ConverterLoadError, load_converter
from pywats_client.converters.outcome import ConversionOutcome
from pywats_client.converters.patterns import matches_patterns
from pywats_client.converters.result import ConversionError, ConverterResult
from pywats_client.converters.source import ConverterSource

if TYPE_CHECKING:
    from pywats_client.converters.pool import ConverterPool
    from pywats_client.converters.runner import ConverterInfo, convert_in_process

__all__ = [
    "BUILTIN_CONVERTERS",
    "ContextData",
    "ConversionError",
    "ConversionOutcome",
    "ConverterContext",
    "ConverterInfo",
    "ConverterLoadError",
    "ConverterPool",
    "ConverterResult",
    "ConverterSource",
    "FileConverter",
    "convert_in_process",
    "load_converter",
    "matches_patterns",
]

_LAZY = {
    "ConverterPool": "pywats_client.converters.pool",
    "convert_in_process": "pywats_client.converters.runner",
    "ConverterInfo": "pywats_client.converters.runner",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'pywats_client.converters' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
