"""Server storage: :class:`Storage` owns the SQLite connection; one module per area.

Importing this package imports every area module that owns tables (reports, products,
product_extra, production, assets, asset_extra, processes, software, rootcause), and each
registers its DDL with :func:`register_schema` at import time. So whenever a
:class:`Storage` opens a database, every table already exists: this is the one place
where schema is created. (Some areas still create their tables on first write as well;
that is a no-op once the tables exist.) A new area adds ``storage/<area>.py`` calling
:func:`register_schema` and imports it here. ``analytics`` and ``production_extra`` own no
tables.
"""

from __future__ import annotations

from . import (  # register schemas
    asset_extra,
    assets,
    processes,
    product_extra,
    production,
    products,
    reports,
    rootcause,
    software,
)
from .core import Storage, register_schema

__all__ = [
    "Storage", "register_schema", "asset_extra", "assets", "processes", "product_extra", "production",
    "products", "reports", "rootcause", "software",
]
