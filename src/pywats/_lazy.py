"""Lazy package exports: names imported from their module on first access.

A package lists its public names and the module that defines each, then takes its
module-level ``__getattr__`` and ``__dir__`` from :func:`lazy_exports`::

    _LAZY = {"ReportBuilder": "pywats.tools.report_builder"}
    __all__ = ["ReportBuilder"]
    __getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

Module names may be absolute or relative to the package (``".report_builder"``). A name is
imported once; afterwards it lives in the package's namespace like any other attribute.
``__all__`` is written out (linters and type checkers read it literally) and must list every
lazy name: :func:`lazy_exports` raises at import time when the two disagree. Keep the real
imports under ``if TYPE_CHECKING:`` so type checkers see the names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str,
    exports: Mapping[str, str],
    namespace: dict[str, Any],
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for the package ``package``.

    Args:
        package: the package's ``__name__``.
        exports: public name → defining module (absolute, or relative to ``package``).
        namespace: the package's ``globals()`` (with ``__all__``); an imported name is stored there.

    Raises:
        ImportError: a lazy name is missing from the package's ``__all__``.
    """
    listed = sorted(namespace.get("__all__", exports))
    missing = sorted(set(exports) - set(listed))
    if missing:
        raise ImportError(f"{package}: lazy exports missing from __all__: {', '.join(missing)}")

    def get_attribute(name: str) -> Any:
        module_name = exports.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module_name, package), name)
        namespace[name] = value
        return value

    def list_names() -> list[str]:
        return list(listed)

    return get_attribute, list_names
