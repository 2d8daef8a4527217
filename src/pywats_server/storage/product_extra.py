"""Bills of materials per product revision (``/api/Product/BOM``, reference §2.4).

The table is registered with :func:`register_schema` (created when the database opens);
``save_bom`` still creates it if missing, which is then a no-op.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any
from xml.etree import ElementTree as ET

from ..errors import InputError
from .core import register_schema
from .products import ensure_product_revision

__all__ = ["BomInputError", "parse_wsbf", "save_bom", "get_bom"]

_DDL = [
    """CREATE TABLE IF NOT EXISTS product_boms (
        part_number TEXT NOT NULL,
        revision    TEXT NOT NULL,
        description TEXT,
        components  TEXT NOT NULL,
        PRIMARY KEY (part_number, revision)
    )""",
]
register_schema("product_boms", ";\n".join(_DDL) + ";")


BomInputError = InputError  # the one input-error type (errors.InputError); name kept for callers


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(el: ET.Element, *names: str) -> str | None:
    lowered = {k.lower(): v for k, v in el.attrib.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def parse_wsbf(xml: bytes | str) -> dict[str, Any]:
    """Parse a WSBF document: root ``BOM`` (``Partnumber``, ``Revision``, ``Desc``) with ``Component`` children.

    Returns ``{partNumber, revision, description, components:[{number, revision, quantity,
    description, reference, functionBlock}]}``.
    """
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise BomInputError(f"body: not well-formed WSBF XML: {exc}") from None
    if _local(root.tag) != "BOM":
        raise BomInputError(f"body: root element must be BOM, not {_local(root.tag)!r}")
    pn = _attr(root, "Partnumber", "PartNumber")
    if not pn:
        raise BomInputError("BOM/@Partnumber: is required")
    rev = _attr(root, "Revision", "Rev")
    if not rev:
        raise BomInputError("BOM/@Revision: is required")
    components: list[dict[str, Any]] = []
    for i, comp in enumerate(el for el in root.iter() if _local(el.tag) == "Component"):
        number = _attr(comp, "Number", "PartNumber")
        if not number:
            raise BomInputError(f"Component[{i}]/@Number: is required")
        qty_text = _attr(comp, "Qty", "Quantity")
        quantity: float | int | None = None
        if qty_text not in (None, ""):
            try:
                q = float(qty_text)
            except ValueError:
                raise BomInputError(f"Component[{i}]/@Qty: must be a number, not {qty_text!r}") from None
            quantity = int(q) if q.is_integer() else q
        components.append({
            "number": number,
            "revision": _attr(comp, "Rev", "Revision"),
            "quantity": quantity,
            "description": _attr(comp, "Desc", "Description"),
            "reference": _attr(comp, "Ref", "Reference"),
            "functionBlock": _attr(comp, "FunctionBlock"),
        })
    return {"partNumber": pn, "revision": rev, "description": _attr(root, "Desc", "Description"),
            "components": components}


def save_bom(conn: sqlite3.Connection, xml: bytes | str) -> dict[str, Any]:
    """Store (replace) the BOM of the revision named in the WSBF document; registers the product."""
    bom = parse_wsbf(xml)
    ensure_product_revision(conn, bom["partNumber"], bom["revision"])
    conn.execute(
        "INSERT INTO product_boms(part_number, revision, description, components) VALUES(?,?,?,?)"
        " ON CONFLICT(part_number, revision) DO UPDATE SET description=excluded.description,"
        " components=excluded.components",
        (bom["partNumber"], bom["revision"], bom["description"], json.dumps(bom["components"])),
    )
    return bom


def get_bom(conn: sqlite3.Connection, part_number: str, revision: str) -> dict[str, Any] | None:
    """The stored BOM of a revision, or None."""
    row = conn.execute(
        "SELECT * FROM product_boms WHERE part_number=? AND revision=?", (part_number, revision)
    ).fetchone()
    if row is None:
        return None
    return {"partNumber": row["part_number"], "revision": row["revision"], "description": row["description"],
            "components": json.loads(row["components"])}
