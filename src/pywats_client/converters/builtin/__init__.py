"""Built-in converters: ``csv`` (:class:`CSVConverter`), ``wsjf`` (:class:`WSJFConverter`),
``atml`` (:class:`ATMLConverter`) and ``openhtf`` (:class:`OpenHTFConverter`). Refer to
them in a configuration by those short names or by their full ``module_path``."""

from __future__ import annotations

__all__ = ["ATMLConverter", "CSVConverter", "OpenHTFConverter", "WSJFConverter"]

from typing import Any


def __getattr__(name: str) -> Any:
    modules = {
        "CSVConverter": "csv",
        "WSJFConverter": "wsjf",
        "ATMLConverter": "atml",
        "OpenHTFConverter": "openhtf",
    }
    if name not in modules:
        raise AttributeError(f"module 'pywats_client.converters.builtin' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{modules[name]}"), name)
