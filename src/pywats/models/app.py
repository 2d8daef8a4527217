"""Models of the ``/api/App/*`` reference lists (levels, product groups)."""

from __future__ import annotations

from pydantic import Field

from pywats.models.common import WATSModel

__all__ = ["Level", "ProductGroup", "CommonUserSettings"]


class Level(WATSModel):
    """A level ("client group") from ``GET /api/App/Levels``."""

    level_id: int | None = None
    level_name: str | None = None


class ProductGroup(WATSModel):
    """A product group from ``GET /api/App/ProductGroups``."""

    product_group_id: int | None = None
    product_group_name: str | None = None


class CommonUserSettings(WATSModel):
    """A user's settings from ``GET /api/App/CommonUserSettings``."""

    full_name: str | None = None
    culture_code: str | None = None
    email: str | None = None
    roles: list[str] = Field(default_factory=list)
    levels: list[str] = Field(default_factory=list)
    product_groups: list[str] = Field(default_factory=list)
