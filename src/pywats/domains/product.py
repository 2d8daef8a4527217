"""``api.product``: products, revisions, product groups and BOMs."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping
from typing import Any

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation, steps
from pywats.exceptions import NotFoundError, ValidationError
from pywats.models.app import ProductGroup
from pywats.models.box_build import ProductInfoItem, ProductRevisionRelation
from pywats.models.product import (
    Bom,
    BomComponent,
    Product,
    ProductGroupFilter,
    ProductRevision,
    ProductView,
    Vendor,
    bom_to_wsbf,
)

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

    # -- ERP data: vendors, product group filters, bulk import -------------------------------

    @operation
    def get_vendors(self) -> Generator[Request, Any, list[Vendor]]:
        """Every vendor (``GET /api/Product/Vendors``)."""
        data = yield Request("GET", "/api/Product/Vendors")
        return [Vendor.model_validate(v) for v in data or []]

    @operation
    def add_vendors(self, names: Iterable[str]) -> Generator[Request, Any, None]:
        """Add the vendors that do not exist yet (``PUT /api/Product/Vendors``)."""
        yield Request("PUT", "/api/Product/Vendors", json=[{"VendorName": n} for n in names], expect="none")

    @operation
    def delete_vendors(self, names: Iterable[str]) -> Generator[Request, Any, None]:
        """Delete vendors (``DELETE /api/Product/Vendors``, names in the body)."""
        yield Request("DELETE", "/api/Product/Vendors", json=[{"VendorName": n} for n in names], expect="none")

    @operation
    def add_product_group_filter(self, product_group: str, part_number: str, revision: str | None = None,
                                 exclude: bool | None = None) -> Generator[Request, Any, ProductGroupFilter]:
        """Add a part-number filter (``%`` wildcards) to an existing product group
        (``POST /api/Product/ProductGroupFilter``); ``exclude=True`` makes it an exclude filter."""
        params = {"productGroup": product_group, "partNumber": part_number, "revision": revision, "exclude": exclude}
        data = yield Request("POST", "/api/Product/ProductGroupFilter", params=params)
        if isinstance(data, dict):
            return ProductGroupFilter.model_validate(data)
        return ProductGroupFilter(product_group_name=product_group, part_number=part_number, revision=revision,
                                  exclude=bool(exclude))

    @operation
    def get_product_groups_for_product(self, part_number: str, revision: str | None = None
                                       ) -> Generator[Request, Any, list[ProductGroup]]:
        """The product groups a product belongs to (``GET /api/Product/ProductGroupsByProduct``)."""
        data = yield Request("GET", "/api/Product/ProductGroupsByProduct",
                             params={"partNumber": part_number, "revision": revision})
        return [ProductGroup.model_validate(g) for g in data or []]

    @operation
    def save_products(self, products: Iterable[_ProductInput]) -> Generator[Request, Any, list[Product]]:
        """Add or update many products at once, for ERP integration (``PUT /api/Products``)."""
        body = [_product_body(p) for p in products]
        data = yield Request("PUT", "/api/Products", json=body)
        return [Product.model_validate(p) for p in (data if isinstance(data, list) else body)]

    @operation
    def save_revisions(self, revisions: Iterable[_RevisionInput]) -> Generator[Request, Any, list[ProductRevision]]:
        """Add or update many product revisions at once (``PUT /api/Products/Revisions``; each
        names its product by ``PartNumber``)."""
        body = [_revision_body(r) for r in revisions]
        data = yield Request("PUT", "/api/Products/Revisions", json=body)
        return [ProductRevision.model_validate(r) for r in (data if isinstance(data, list) else body)]

    # -- box-build templates and BOM lines (internal routes, sent with Referer) ---------------

    def _internal(self) -> dict[str, str]:
        return {"Referer": self.client.base_url}

    @operation
    def get_product_info(self, part_number: str, revision: str) -> Generator[Request, Any, list[ProductInfoItem]]:
        """A revision and its box-build tree: the revision at ``hlevel`` 0 and every subunit
        relation below it (``GET /api/internal/Product/GetProductInfo``, internal)."""
        data = yield Request("GET", "/api/internal/Product/GetProductInfo",
                             params={"partNumber": part_number, "revision": revision}, headers=self._internal())
        return [ProductInfoItem.model_validate(i) for i in data or []]

    @operation
    def add_subunit(self, parent_revision_id: str, child_revision_id: str, quantity: int = 1,
                    revision_mask: str | None = None) -> Generator[Request, Any, ProductRevisionRelation]:
        """Add ``quantity`` of a child revision to a box build
        (``POST /api/internal/Product/PostProductRevisionRelation``, internal); the relation."""
        body = ProductRevisionRelation(parent_product_revision_id=parent_revision_id,
                                       product_revision_id=child_revision_id, quantity=quantity,
                                       revision_mask=revision_mask).model_dump(by_alias=True, exclude_none=True)
        data = yield Request("POST", "/api/internal/Product/PostProductRevisionRelation", json=body,
                             headers=self._internal())
        rows = data if isinstance(data, list) else [data]
        for row in rows:
            item = ProductInfoItem.model_validate(row)
            if (item.product_revision_id or "").lower() == child_revision_id.lower() and \
                    (item.parent_product_revision_id or "").lower() == parent_revision_id.lower():
                return ProductRevisionRelation.model_validate(row)
        raise ValidationError("the server's answer holds no such relation", field="ProductRevisionId")

    @operation
    def update_subunit(self, relation: ProductRevisionRelation | Mapping[str, Any]
                       ) -> Generator[Request, Any, ProductRevisionRelation]:
        """Change a subunit relation's quantity or revision mask
        (``PUT /api/internal/Product/PutProductRevisionRelation``, internal)."""
        model = relation if isinstance(relation, ProductRevisionRelation) else \
            ProductRevisionRelation.model_validate(dict(relation))
        if not model.product_revision_relation_id:
            raise ValidationError("product_revision_relation_id is required", field="ProductRevisionRelationId")
        data = yield Request("PUT", "/api/internal/Product/PutProductRevisionRelation",
                             json=model.model_dump(by_alias=True, exclude_none=True), headers=self._internal())
        return ProductRevisionRelation.model_validate(data)

    @operation
    def remove_subunit(self, relation_id: str) -> Generator[Request, Any, None]:
        """Remove a subunit relation from a box build
        (``DELETE /api/internal/Product/DeleteProductRevisionRelation``, internal)."""
        yield Request("DELETE", "/api/internal/Product/DeleteProductRevisionRelation",
                      params={"productRevisionRelationId": relation_id}, headers=self._internal(), expect="none")

    @operation
    def get_bom_lines(self, part_number: str, revision: str) -> Generator[Request, Any, list[BomComponent]]:
        """The BOM lines of a revision (``GET /api/internal/Product/Bom``, internal); empty when none."""
        data = yield Request("GET", "/api/internal/Product/Bom", params={"partNumber": part_number,
                                                                        "revision": revision}, headers=self._internal())
        return [BomComponent.model_validate(c) for c in data or []]

    @operation
    def save_bom_lines(self, part_number: str, revision: str, components: Iterable[BomComponent | Mapping[str, Any]]
                       ) -> Generator[Request, Any, list[BomComponent]]:
        """Replace the BOM lines of a revision (``PUT /api/internal/Product/BOM?format=json``, internal)."""
        body = [(c if isinstance(c, BomComponent) else BomComponent.model_validate(dict(c))).to_wire()
                for c in components]
        data = yield Request("PUT", "/api/internal/Product/BOM", params={"partNumber": part_number,
                                                                        "revision": revision, "format": "json"},
                             json=body, headers=self._internal())
        return [BomComponent.model_validate(c) for c in (data if isinstance(data, list) else body)]
