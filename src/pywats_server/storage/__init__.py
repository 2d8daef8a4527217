"""Server storage: :class:`Storage` owns the SQLite connection; one module per area.

Importing this package registers every area's tables (reports, products, production,
assets, processes). A new area adds ``storage/<area>.py`` calling
:func:`register_schema` and imports it here.
"""

from __future__ import annotations

from . import assets, processes, production, products, reports  # noqa: F401  (register schemas)
from .core import Storage, register_schema

__all__ = ["Storage", "register_schema", "assets", "processes", "production", "products", "reports"]
