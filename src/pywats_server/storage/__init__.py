"""Server storage: :class:`Storage` owns the SQLite connections; one module per WATS area.

Importing this package imports every area module that owns tables (reports, products,
production, production_changes, assets, processes, software, rootcause, scim, system,
workflow, exports, barcode, mes_catalog, box_build), and each registers its DDL with
:func:`register_schema` at import time. So whenever a :class:`Storage` opens a database,
every table already exists: this is the one place where schema is created (no area
creates tables later). A new area adds ``storage/<area>.py`` calling :func:`register_schema`
and imports it here. ``analytics``, ``app_stats``, ``internal_stats`` and ``unit_flow`` own no tables (they compute
from the stored reports).
"""

from __future__ import annotations

from . import (
    assets,
    barcode,
    box_build,
    exports,
    mes_catalog,
    processes,
    production,
    production_changes,
    products,
    reports,
    rootcause,
    scim,
    software,
    system,
    workflow,
)
from .core import Storage, register_schema

__all__ = [
    "Storage", "register_schema", "assets", "barcode", "box_build", "exports", "mes_catalog", "processes",
    "production", "production_changes", "products", "reports", "rootcause", "scim", "software", "system",
    "workflow",
]
