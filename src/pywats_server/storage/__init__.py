"""Server storage: :class:`Storage` owns the SQLite connections; one module per WATS area.

Importing this package imports every area module that owns tables (reports, products,
production, assets, processes, software, rootcause), and each registers its DDL with
:func:`register_schema` at import time. So whenever a :class:`Storage` opens a database,
every table already exists: this is the one place where schema is created (no area
creates tables later). A new area adds ``storage/<area>.py`` calling :func:`register_schema`
and imports it here. ``analytics`` owns no tables.
"""

from __future__ import annotations

from . import (
    assets,
    processes,
    production,
    products,
    reports,
    rootcause,
    software,
)
from .core import Storage, register_schema

__all__ = [
    "Storage", "register_schema", "assets", "processes", "production",
    "products", "reports", "rootcause", "software",
]
