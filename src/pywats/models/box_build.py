"""Box-build template models (internal ``/api/internal/Product/*`` routes, PascalCase on the wire)."""

from __future__ import annotations

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_pascal

from pywats.models.common import WATSModel

__all__ = ["ProductInfoItem", "ProductRevisionRelation"]


class _PascalModel(WATSModel):
    model_config = ConfigDict(alias_generator=to_pascal, populate_by_name=True, extra="allow")


class ProductInfoItem(_PascalModel):
    """One row of a product revision's tree (``GetProductInfo``): the revision itself at
    ``hlevel`` 0, each subunit relation below it at ``hlevel`` 1, 2, …"""

    part_number: str | None = None
    revision: str | None = None
    name: str | None = None
    product_id: str | None = None
    product_revision_id: str | None = None
    parent_product_revision_id: str | None = None
    product_revision_relation_id: str | None = None
    quantity: int | None = None
    revision_mask: str | None = None
    hlevel: int = Field(default=0, alias="hlevel")


class ProductRevisionRelation(_PascalModel):
    """A subunit of a box build: ``quantity`` of child revision ``product_revision_id`` in
    parent revision ``parent_product_revision_id``; ``revision_mask`` lists accepted child
    revisions (comma-separated, ``%`` wildcard)."""

    product_revision_relation_id: str | None = None
    parent_product_revision_id: str | None = None
    product_revision_id: str | None = None
    quantity: int = 1
    revision_mask: str | None = None
