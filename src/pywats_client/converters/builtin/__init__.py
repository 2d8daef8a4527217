"""Built-in converters, by the short name a configuration uses for them (or their full
``module_path``):

- ``csv`` (:class:`CSVConverter`) — delimited station logs, one report per unit;
- ``wsjf`` (:class:`WSJFConverter`), ``wsxf`` (:class:`WSXFConverter`), ``wstf``
  (:class:`WSTFConverter`), ``wrml`` (:class:`WRMLConverter`) — the WATS standard formats;
- ``atml`` (:class:`ATMLConverter`) and ``teststand-xml`` (:class:`TestStandXMLConverter`) —
  what NI TestStand writes;
- ``openhtf`` (:class:`OpenHTFConverter`) — OpenHTF's JSON test record.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ATMLConverter",
    "CSVConverter",
    "OpenHTFConverter",
    "TestStandXMLConverter",
    "WRMLConverter",
    "WSJFConverter",
    "WSTFConverter",
    "WSXFConverter",
]

_MODULES = {
    "CSVConverter": "csv",
    "WSJFConverter": "wsjf",
    "ATMLConverter": "atml",
    "TestStandXMLConverter": "teststand_xml",
    "WSXFConverter": "wsxf",
    "WSTFConverter": "wstf",
    "WRMLConverter": "wrml",
    "OpenHTFConverter": "openhtf",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'pywats_client.converters.builtin' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
