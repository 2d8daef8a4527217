"""Products and product revisions.

Also the bills of materials per product revision (``/api/Product/BOM``).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any
from xml.etree import ElementTree as ET

from ..errors import InputError
from ..odata_sql import SqlColumn, SqlSchema, SqlWhere
from .core import register_schema

__all__ = ["ensure_product_revision", "get_product", "get_revision", "list_products", "save_product", "save_revision", "product_view", "ProductInputError", "BomInputError", "parse_wsbf", "save_bom", "get_bom"]

register_schema(
    "products",
    """
CREATE TABLE IF NOT EXISTS products (
    product_id              TEXT PRIMARY KEY,
    part_number             TEXT NOT NULL UNIQUE,
    name                    TEXT,
    description             TEXT,
    non_serial              INTEGER NOT NULL DEFAULT 0,
    state                   INTEGER NOT NULL DEFAULT 1,
    xml_data                TEXT,
    product_category_id     TEXT,
    product_category_name   TEXT,
    tags                    TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS product_revisions (
    product_revision_id TEXT PRIMARY KEY,
    product_id          TEXT NOT NULL REFERENCES products(product_id),
    revision            TEXT NOT NULL,
    name                TEXT,
    description         TEXT,
    state               INTEGER NOT NULL DEFAULT 1,
    xml_data            TEXT,
    tags                TEXT NOT NULL DEFAULT '[]',
    UNIQUE(product_id, revision)
);
""",
)


ProductInputError = InputError  # the one input-error type (errors.InputError); name kept for callers


def _revision_dict(row: sqlite3.Row, part_number: str) -> dict[str, Any]:
    return {
        "productRevisionId": row["product_revision_id"],
        "productId": row["product_id"],
        "revision": row["revision"],
        "name": row["name"],
        "description": row["description"],
        "state": row["state"],
        "xmlData": row["xml_data"],
        "PartNumber": part_number,
        "tags": json.loads(row["tags"]),
    }


def _product_dict(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    revs = conn.execute(
        "SELECT * FROM product_revisions WHERE product_id=? ORDER BY rowid", (row["product_id"],)
    ).fetchall()
    return {
        "productId": row["product_id"],
        "nonSerial": bool(row["non_serial"]),
        "partNumber": row["part_number"],
        "name": row["name"],
        "description": row["description"],
        "state": row["state"],
        "xmlData": row["xml_data"],
        "productCategoryId": row["product_category_id"],
        "productCategoryName": row["product_category_name"],
        "revisions": [_revision_dict(r, row["part_number"]) for r in revs],
        "tags": json.loads(row["tags"]),
    }


def product_view(row: sqlite3.Row) -> dict[str, Any]:
    """The ProductView record of ``GET /api/Product/Query``."""
    return {
        "partNumber": row["part_number"],
        "name": row["name"],
        "category": row["product_category_name"],
        "nonSerial": bool(row["non_serial"]),
        "state": row["state"],
    }


def ensure_product_revision(conn: sqlite3.Connection, part_number: str, revision: str | None) -> None:
    """Register product ``part_number`` (and ``revision``) if they are not known yet."""
    row = conn.execute("SELECT product_id FROM products WHERE part_number=?", (part_number,)).fetchone()
    if row is None:
        pid = str(uuid.uuid4())
        conn.execute(
            "INSERT INTO products(product_id, part_number, name, state) VALUES(?,?,?,1)",
            (pid, part_number, part_number),
        )
    else:
        pid = row[0]
    if revision:
        conn.execute(
            "INSERT OR IGNORE INTO product_revisions(product_revision_id, product_id, revision, name, state)"
            " VALUES(?,?,?,?,1)",
            (str(uuid.uuid4()), pid, revision, revision),
        )


def get_product(conn: sqlite3.Connection, part_number: str) -> dict[str, Any] | None:
    """The full Product record, or None."""
    row = conn.execute("SELECT * FROM products WHERE part_number=?", (part_number,)).fetchone()
    return None if row is None else _product_dict(conn, row)


def get_revision(conn: sqlite3.Connection, part_number: str, revision: str) -> dict[str, Any] | None:
    """One ProductRevision record, or None."""
    row = conn.execute(
        "SELECT r.* FROM product_revisions r JOIN products p ON p.product_id=r.product_id"
        " WHERE p.part_number=? AND r.revision=?",
        (part_number, revision),
    ).fetchone()
    return None if row is None else _revision_dict(row, part_number)


#: Where each ProductView property is stored, for ``$filter`` compiled to SQL (a property
#: the view does not have is null, as when the filter is evaluated on the views).
PRODUCT_VIEW_SCHEMA = SqlSchema(
    columns={
        "partNumber": SqlColumn("part_number", "text", False),
        "name": SqlColumn("name", "text"),
        "category": SqlColumn("product_category_name", "text"),
        "nonSerial": SqlColumn("non_serial", "bool", False),
        "state": SqlColumn("state", "number", False),
    },
    unknown_is_null=True,
)


def list_products(conn: sqlite3.Connection, where: SqlWhere | None = None) -> list[sqlite3.Row]:
    """The product rows matching ``where`` (see :data:`PRODUCT_VIEW_SCHEMA`; all when None)
    ordered by part number."""
    if where is None:
        return conn.execute("SELECT * FROM products ORDER BY part_number").fetchall()
    return conn.execute(f"SELECT * FROM products WHERE {where.sql} ORDER BY part_number", where.params).fetchall()


def _opt_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProductInputError(f"{key}: must be a string")
    return value


def _tags(body: dict[str, Any]) -> str:
    tags = body.get("tags")
    if tags is None:
        return "[]"
    if not isinstance(tags, list) or not all(isinstance(t, dict) for t in tags):
        raise ProductInputError("tags: must be an array of {key, value} objects")
    return json.dumps([t for t in tags if t.get("change") != 3])


def save_product(conn: sqlite3.Connection, body: Any) -> dict[str, Any]:
    """Create (empty ``productId``) or update a product; returns the stored Product."""
    if not isinstance(body, dict):
        raise ProductInputError("body: must be one Product object")
    pn = body.get("partNumber")
    if not isinstance(pn, str) or not pn.strip():
        raise ProductInputError("partNumber: is required")
    pid = body.get("productId") or None
    existing = None
    if pid:
        existing = conn.execute("SELECT * FROM products WHERE product_id=?", (pid,)).fetchone()
    if existing is None:
        existing = conn.execute("SELECT * FROM products WHERE part_number=?", (pn,)).fetchone()
    non_serial = body.get("nonSerial", False)
    if not isinstance(non_serial, bool):
        raise ProductInputError("nonSerial: must be true or false")
    state = body.get("state", 1)
    if not isinstance(state, int) or isinstance(state, bool):
        raise ProductInputError("state: must be an integer (1 active, 0 inactive)")
    values = (
        pn, _opt_str(body, "name"), _opt_str(body, "description"), int(non_serial), state,
        _opt_str(body, "xmlData"), body.get("productCategoryId"), _opt_str(body, "productCategoryName"),
        _tags(body),
    )
    if existing is None:
        pid = pid or str(uuid.uuid4())
        conn.execute(
            "INSERT INTO products(part_number, name, description, non_serial, state, xml_data,"
            " product_category_id, product_category_name, tags, product_id) VALUES(?,?,?,?,?,?,?,?,?,?)",
            (*values, pid),
        )
    else:
        pid = existing["product_id"]
        if existing["part_number"] != pn and conn.execute(
            "SELECT 1 FROM products WHERE part_number=?", (pn,)
        ).fetchone():
            raise ProductInputError(f"partNumber: {pn!r} is already used by another product")
        conn.execute(
            "UPDATE products SET part_number=?, name=?, description=?, non_serial=?, state=?, xml_data=?,"
            " product_category_id=?, product_category_name=?, tags=? WHERE product_id=?",
            (*values, pid),
        )
    for i, rev in enumerate(body.get("revisions") or []):
        if isinstance(rev, dict):
            rev = {**rev, "productId": pid}
            try:
                save_revision(conn, rev)
            except ProductInputError as exc:
                raise ProductInputError(f"revisions[{i}].{exc}") from None
    row = conn.execute("SELECT * FROM products WHERE product_id=?", (pid,)).fetchone()
    return _product_dict(conn, row)


def save_revision(conn: sqlite3.Connection, body: Any) -> dict[str, Any]:
    """Create (empty ``productRevisionId``) or update a revision; returns the stored record.

    The product is found by ``productId`` or by ``PartNumber``/``partNumber``.
    """
    if not isinstance(body, dict):
        raise ProductInputError("body: must be one ProductRevision object")
    rev = body.get("revision")
    if not isinstance(rev, str) or not rev.strip():
        raise ProductInputError("revision: is required")
    prod = None
    if body.get("productId"):
        prod = conn.execute("SELECT * FROM products WHERE product_id=?", (body["productId"],)).fetchone()
    pn = body.get("PartNumber") or body.get("partNumber")
    if prod is None and isinstance(pn, str) and pn:
        prod = conn.execute("SELECT * FROM products WHERE part_number=?", (pn,)).fetchone()
    if prod is None:
        raise ProductInputError("productId: no such product (give productId or PartNumber of an existing product)")
    state = body.get("state", 1)
    if not isinstance(state, int) or isinstance(state, bool):
        raise ProductInputError("state: must be an integer")
    rid = body.get("productRevisionId") or None
    existing = None
    if rid:
        existing = conn.execute("SELECT * FROM product_revisions WHERE product_revision_id=?", (rid,)).fetchone()
    if existing is None:
        existing = conn.execute(
            "SELECT * FROM product_revisions WHERE product_id=? AND revision=?", (prod["product_id"], rev)
        ).fetchone()
    values = (rev, _opt_str(body, "name"), _opt_str(body, "description"), state, _opt_str(body, "xmlData"), _tags(body))
    if existing is None:
        rid = rid or str(uuid.uuid4())
        conn.execute(
            "INSERT INTO product_revisions(revision, name, description, state, xml_data, tags,"
            " product_revision_id, product_id) VALUES(?,?,?,?,?,?,?,?)",
            (*values, rid, prod["product_id"]),
        )
    else:
        rid = existing["product_revision_id"]
        conn.execute(
            "UPDATE product_revisions SET revision=?, name=?, description=?, state=?, xml_data=?, tags=?"
            " WHERE product_revision_id=?",
            (*values, rid),
        )
    row = conn.execute("SELECT * FROM product_revisions WHERE product_revision_id=?", (rid,)).fetchone()
    return _revision_dict(row, prod["part_number"])

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
