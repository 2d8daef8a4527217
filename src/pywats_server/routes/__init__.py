"""HTTP routes, one module per area; each module exposes ``routes: list[Route]``.

To add an area, write ``routes/<area>.py`` with a module-level ``routes`` list and add the
module name to :data:`AREAS`. Within a module, put literal paths before parameterised ones
(``/api/Product/Query`` before ``/api/Product/{partNumber}``). Paths match
case-insensitively (:class:`..routing.CaseInsensitivePaths` hands the router the spelling of
the matching route). Handlers get the shared objects from :func:`..context.get_context`.
Every ``/api/internal/*`` route requires a ``Referer`` header: :func:`all_routes` wraps them
once, here (see :mod:`pywats_server.internal_api`).
"""

from __future__ import annotations

import importlib

from starlette.routing import BaseRoute

from ..internal_api import guard_internal_routes

__all__ = ["AREAS", "all_routes"]

#: Route modules in match order.
AREAS: list[str] = [
    "app", "report", "product", "production", "asset", "software", "rootcause", "analytics",
    "scim", "system", "workflow", "export", "barcode", "internal_product", "internal_app", "ui",
]


def all_routes() -> list[BaseRoute]:
    """Every route of every area, in match order."""
    collected: list[BaseRoute] = []
    for name in AREAS:
        module = importlib.import_module(f"{__name__}.{name}")
        collected.extend(module.routes)
    return guard_internal_routes(collected)
