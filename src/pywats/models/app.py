"""Models of the ``/api/App/*`` reference lists (levels, product groups)."""

from __future__ import annotations

from pywats.models.common import WATSModel

__all__ = ["Level", "ProductGroup"]


class Level(WATSModel):
    """A level ("client group") from ``GET /api/App/Levels``."""

    level_id: int | None = None
    level_name: str | None = None


class ProductGroup(WATSModel):
    """A product group from ``GET /api/App/ProductGroups``."""

    product_group_id: int | None = None
    product_group_name: str | None = None
