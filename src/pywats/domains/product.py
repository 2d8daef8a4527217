"""``api.product``: products, revisions, product groups and BOMs (reference §2.4, §5.5)."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping
from typing import Any

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation, steps
from pywats.exceptions import NotFoundError, ValidationError
from pywats.models.app import ProductGroup
from pywats.models.product import Bom, BomComponent, Product, ProductRevision, ProductView, bom_to_wsbf

__all__ = ["ProductDomain"]

_ProductInput = Product | Mapping[str, Any]
_RevisionInput = ProductRevision | Mapping[str, Any]


def _product_body(product: _ProductInput) -> dict[str, Any]:
    if isinstance(product, Product):
        return product.to_wire()
    if isinstance(product, Mapping):
        return Product.model_validate(dict(product)).to_wire()
    raise ValidationError(f"product must be a Product or a dict, not {type(product).__name__}", field="product")


def _revision_body(revision: _RevisionInput) -> dict[str, Any]:
    if isinstance(revision, ProductRevision):
        return revision.to_wire()
    if isinstance(revision, Mapping):
        return ProductRevision.model_validate(dict(revision)).to_wire()
    raise ValidationError(
        f"revision must be a ProductRevision or a dict, not {type(revision).__name__}", field="revision"
    )


def _path_part(value: str, field: str) -> str:
    from urllib.parse import quote

    if not isinstance(value, str) or not value:
        raise ValidationError(f"{field} must be a non-empty string", field=field)
    return quote(value, safe="")


class ProductDomain(Domain[ModeT]):
    """Products (part numbers), their revisions, product groups and bills of materials."""

    @operation
    def get_product(self, part_number: str) -> Generator[Request, Any, Product]:
        """The product ``part_number`` (``GET /api/Product/{partNumber}``).

        Raises:
            NotFoundError: the server knows no such product.
        """
        data = yield Request("GET", f"/api/Product/{_path_part(part_number, 'part_number')}")
        return Product.model_validate(data)

    @operation
    def find_product(self, part_number: str) -> Generator[Request, Any, Product | None]:
        """Like :meth:`get_product` but ``None`` when the product does not exist."""
        try:
            return (yield from steps(self.get_product, part_number))
        except NotFoundError:
            return None

    @operation
    def query_products(
        self, filter: str | None = None, top: int | None = None, orderby: str | None = None
    ) -> Generator[Request, Any, list[ProductView]]:
        """Products matching an OData ``filter`` (``GET /api/Product/Query``).

        Args:
            filter: OData ``$filter``, e.g. ``"partNumber eq 'WIDGET-100'"``.
            top: at most this many (the server caps unfiltered queries at 1000).
            orderby: OData ``$orderby``, e.g. ``"partNumber desc"``.
        """
        params = {"$filter": filter, "$top": top, "$orderby": orderby}
        data = yield Request("GET", "/api/Product/Query", params=params)
        return [ProductView.model_validate(item) for item in data or []]

    @operation
    def get_products(self) -> Generator[Request, Any, list[ProductView]]:
        """All products (``GET /api/Product/Query`` without filter; at most 1000)."""
        return (yield from steps(self.query_products))

    @operation
    def save_product(self, product: _ProductInput) -> Generator[Request, Any, Product]:
        """Create or update a product (``PUT /api/Product``); returns the stored product.

        An empty ``product_id`` creates; the server matches an existing product by id or part number.
        """
        data = yield Request("PUT", "/api/Product", json=_product_body(product))
        return Product.model_validate(data)

    @operation
    def create_product(
        self,
        part_number: str,
        name: str | None = None,
        description: str | None = None,
        non_serial: bool = False,
        state: int = 1,
        **fields: Any,
    ) -> Generator[Request, Any, Product]:
        """Create a product (``PUT /api/Product`` with no ``productId``); extra fields pass through."""
        product = Product(
            part_number=part_number, name=name, description=description, non_serial=non_serial, state=state, **fields
        )
        return (yield from steps(self.save_product, product))

    @operation
    def update_product(self, product: _ProductInput) -> Generator[Request, Any, Product]:
        """Update a product (``PUT /api/Product``); fetch it, change fields, pass it back."""
        return (yield from steps(self.save_product, product))

    @operation
    def get_revision(self, part_number: str, revision: str) -> Generator[Request, Any, ProductRevision]:
        """One revision (``GET /api/Product/{partNumber}/{revision}``).

        Raises:
            NotFoundError: no such product or revision.
        """
        path = f"/api/Product/{_path_part(part_number, 'part_number')}/{_path_part(revision, 'revision')}"
        data = yield Request("GET", path)
        return ProductRevision.model_validate(data)

    @operation
    def save_revision(self, revision: _RevisionInput) -> Generator[Request, Any, ProductRevision]:
        """Create or update a revision (``PUT /api/Product/Revision``); returns the stored revision."""
        data = yield Request("PUT", "/api/Product/Revision", json=_revision_body(revision))
        return ProductRevision.model_validate(data)

    @operation
    def create_revision(
        self,
        part_number: str,
        revision: str,
        name: str | None = None,
        description: str | None = None,
        state: int = 1,
        **fields: Any,
    ) -> Generator[Request, Any, ProductRevision]:
        """Create revision ``revision`` of the existing product ``part_number``."""
        rev = ProductRevision(
            part_number=part_number, revision=revision, name=name, description=description, state=state, **fields
        )
        return (yield from steps(self.save_revision, rev))

    @operation
    def update_revision(self, revision: _RevisionInput) -> Generator[Request, Any, ProductRevision]:
        """Update a revision (``PUT /api/Product/Revision``)."""
        return (yield from steps(self.save_revision, revision))

    @operation
    def get_product_groups(self) -> Generator[Request, Any, list[ProductGroup]]:
        """All product groups (``GET /api/App/ProductGroups``)."""
        data = yield Request("GET", "/api/App/ProductGroups")
        return [ProductGroup.model_validate(item) for item in data or []]

    @operation
    def get_bom(self, part_number: str, revision: str) -> Generator[Request, Any, Bom | None]:
        """The BOM of a product revision (``GET /api/Product/BOM``), ``None`` when none is loaded."""
        data = yield Request(
            "GET", "/api/Product/BOM", params={"partNumber": part_number, "revision": revision}
        )
        if not data:
            return None
        return Bom.model_validate(data)

    @operation
    def update_bom(
        self,
        part_number: str,
        revision: str,
        components: Iterable[BomComponent | Mapping[str, Any]],
        description: str | None = None,
    ) -> Generator[Request, Any, None]:
        """Replace the BOM of a product revision (``PUT /api/Product/BOM`` with a WSBF XML body).

        Args:
            components: :class:`BomComponent` objects or dicts (``number``, ``revision``,
                ``quantity``, ``description``, ``reference``, ``function_block``).
        """
        comps = [c if isinstance(c, BomComponent) else BomComponent.model_validate(dict(c)) for c in components]
        xml = bom_to_wsbf(part_number, revision, description, comps)
        yield Request(
            "PUT", "/api/Product/BOM", content=xml.encode("utf-8"),
            content_type="application/xml; charset=utf-8", expect="none",
        )
        return None
