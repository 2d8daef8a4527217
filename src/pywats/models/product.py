"""Product, revision and BOM models."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field

from pywats.models.common import WATSModel

__all__ = ["Setting", "ProductRevision", "Product", "ProductView", "BomComponent", "Bom", "Vendor", "ProductGroupFilter"]


class Setting(WATSModel):
    """A tag ``{key, value, change}``; ``change`` 0 none, 1 add, 2 update, 3 delete."""

    key: str
    value: str | None = None
    change: int | None = None


class ProductRevision(WATSModel):
    """A product revision. The wire name of the part number is ``PartNumber`` (capital P)."""

    product_revision_id: str | None = None
    product_id: str | None = None
    revision: str
    name: str | None = None
    description: str | None = None
    state: int | None = Field(default=None, description="1 active, 0 inactive")
    xml_data: str | None = None
    part_number: str | None = Field(
        default=None,
        serialization_alias="PartNumber",
        validation_alias=AliasChoices("PartNumber", "partNumber", "part_number"),
    )
    tags: list[Setting] = Field(default_factory=list)


class Product(WATSModel):
    """A product (part number) with its revisions."""

    product_id: str | None = None
    part_number: str
    name: str | None = None
    description: str | None = None
    non_serial: bool | None = None
    state: int | None = Field(default=None, description="1 active, 0 inactive")
    xml_data: str | None = None
    product_category_id: str | None = None
    product_category_name: str | None = None
    revisions: list[ProductRevision] = Field(default_factory=list)
    tags: list[Setting] = Field(default_factory=list)

    def get_revision(self, revision: str) -> ProductRevision | None:
        """The revision called ``revision`` among :attr:`revisions`, or ``None``."""
        for rev in self.revisions:
            if rev.revision == revision:
                return rev
        return None

    @property
    def is_active(self) -> bool:
        """True unless the server marked the product inactive (state 0)."""
        return self.state is None or self.state == 1


class ProductView(WATSModel):
    """The short product record of ``GET /api/Product/Query``."""

    part_number: str
    name: str | None = None
    category: str | None = None
    non_serial: bool | None = None
    state: int | None = None


class BomComponent(WATSModel):
    """One BOM line: component ``number`` (part number), ``revision``, ``quantity``, references."""

    number: str
    revision: str | None = None
    quantity: float | None = None
    description: str | None = None
    reference: str | None = Field(default=None, description="component references, e.g. 'A30;A31'")
    function_block: str | None = None


class Bom(WATSModel):
    """A bill of materials of one product revision (``GET /api/Product/BOM``)."""

    part_number: str
    revision: str | None = None
    description: str | None = None
    components: list[BomComponent] = Field(default_factory=list)

    def to_wsbf(self) -> str:
        """The BOM as WSBF XML (the body of ``PUT /api/Product/BOM``)."""
        return bom_to_wsbf(self.part_number, self.revision, self.description, self.components)


WSBF_NAMESPACE = "http://wats.virinco.com/schemas/WATS/wsbf"


def _fmt_qty(value: float | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def bom_to_wsbf(
    part_number: str, revision: str | None, description: str | None, components: list[BomComponent] | list[Any]
) -> str:
    """Render WSBF XML: root ``BOM`` (``Partnumber``, ``Revision``, ``Desc``) with ``Component`` children."""
    from xml.etree import ElementTree as ET

    root = ET.Element("BOM", {"xmlns": WSBF_NAMESPACE, "Partnumber": part_number})
    if revision is not None:
        root.set("Revision", revision)
    if description is not None:
        root.set("Desc", description)
    for raw in components:
        comp = raw if isinstance(raw, BomComponent) else BomComponent.model_validate(raw)
        attrs = {
            "Number": comp.number,
            "Rev": comp.revision,
            "Qty": _fmt_qty(comp.quantity),
            "Desc": comp.description,
            "Ref": comp.reference,
            "FunctionBlock": comp.function_block,
        }
        ET.SubElement(root, "Component", {k: v for k, v in attrs.items() if v is not None})
    return ET.tostring(root, encoding="unicode")


class Vendor(WATSModel):
    """A vendor (ERP data); the wire name is ``VendorName``."""

    vendor_name: str = Field(alias="VendorName")


class ProductGroupFilter(WATSModel):
    """A part-number filter of a product group (include, or exclude when ``exclude``)."""

    product_group_id: int | None = None
    product_group_name: str | None = None
    part_number: str | None = None
    revision: str | None = None
    exclude: bool = False
