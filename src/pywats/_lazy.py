"""Lazy package exports: names imported from their module on first access.

A package lists its public names and the module that defines each, then takes its
module-level ``__getattr__`` and ``__dir__`` from :func:`lazy_exports`::

    _LAZY = {"ReportBuilder": "pywats.tools.report_builder"}
    __all__ = sorted(_LAZY)
    __getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

Module names may be absolute or relative to the package (``".report_builder"``). A name is
imported once; afterwards it lives in the package's namespace like any other attribute.
Keep the real imports under ``if TYPE_CHECKING:`` so type checkers see the names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str,
    exports: Mapping[str, str],
    namespace: dict[str, Any],
    *,
    also_listed: Iterable[str] = (),
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for the package ``package``.

    Args:
        package: the package's ``__name__``.
        exports: public name → defining module (absolute, or relative to ``package``).
        namespace: the package's ``globals()``; an imported name is stored there.
        also_listed: further names for ``dir()`` (e.g. ``__version__``).
    """
    listed = sorted({*exports, *also_listed})

    def __getattr__(name: str) -> Any:
        module_name = exports.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module_name, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return list(listed)

    return __getattr__, __dir__
