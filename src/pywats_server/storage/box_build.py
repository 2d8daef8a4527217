"""Box-build templates: which product revisions (subunits) a product revision is built from
(``/api/internal/Product/*ProductRevisionRelation``, ``GetProductInfo``), and the internal
BOM routes (``/api/internal/Product/Bom``, ``BOM``) over the BOMs of :mod:`.products`.

A relation links a parent revision to a child revision with a ``Quantity`` and an optional
``RevisionMask`` (child revisions accepted when building: comma-separated, ``%`` wildcard).
Relations may not form a cycle.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from ..errors import InputError
from .core import register_schema
from .products import ensure_product_revision, parse_wsbf

__all__ = ["product_info", "add_relation", "update_relation", "delete_relation",
           "bom_components", "save_bom_components"]

register_schema(
    "box_build",
    """
CREATE TABLE IF NOT EXISTS product_revision_relations (
    relation_id        TEXT PRIMARY KEY,
    parent_revision_id TEXT NOT NULL,
    child_revision_id  TEXT NOT NULL,
    quantity           INTEGER NOT NULL DEFAULT 1,
    revision_mask      TEXT,
    UNIQUE (parent_revision_id, child_revision_id)
);
""",
)



def _revision(conn: sqlite3.Connection, revision_id: str) -> sqlite3.Row:
    row = conn.execute(
        "SELECT r.product_revision_id, r.revision, r.name, p.product_id, p.part_number, p.name AS product_name"
        " FROM product_revisions r JOIN products p ON p.product_id=r.product_id WHERE lower(r.product_revision_id)=lower(?)",
        (revision_id,),
    ).fetchone()
    if row is None:
        raise InputError(f"Product revision {revision_id!r} was not found.", status=404)
    return row


def _item(row: sqlite3.Row, level: int, relation: sqlite3.Row | None) -> dict[str, Any]:
    return {
        "PartNumber": row["part_number"], "Revision": row["revision"], "Name": row["product_name"],
        "ProductId": row["product_id"], "ProductRevisionId": row["product_revision_id"],
        "ParentProductRevisionId": None if relation is None else relation["parent_revision_id"],
        "ProductRevisionRelationId": None if relation is None else relation["relation_id"],
        "Quantity": None if relation is None else relation["quantity"],
        "RevisionMask": None if relation is None else relation["revision_mask"],
        "hlevel": level,
    }


def _tree(conn: sqlite3.Connection, revision_id: str) -> list[dict[str, Any]]:
    out = [_item(_revision(conn, revision_id), 0, None)]
    stack: list[tuple[str, int]] = [(revision_id, 1)]
    while stack:
        parent, level = stack.pop()
        rows = conn.execute("SELECT * FROM product_revision_relations WHERE parent_revision_id=? ORDER BY rowid",
                            (parent,)).fetchall()
        for rel in rows:
            out.append(_item(_revision(conn, rel["child_revision_id"]), level, rel))
            stack.append((rel["child_revision_id"], level + 1))
    return out


def product_info(conn: sqlite3.Connection, part_number: str, revision: str) -> list[dict[str, Any]]:
    """The revision (``hlevel`` 0) and every subunit relation below it (``hlevel`` 1, 2, …)."""
    row = conn.execute(
        "SELECT r.product_revision_id FROM product_revisions r JOIN products p ON p.product_id=r.product_id"
        " WHERE p.part_number=? AND r.revision=?", (part_number, revision),
    ).fetchone()
    if row is None:
        raise InputError(f"Product {part_number!r} revision {revision!r} was not found.", status=404)
    return _tree(conn, row[0])


def _quantity(body: dict[str, Any]) -> int:
    quantity = body.get("Quantity", 1)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise InputError("Quantity: must be a positive integer")
    return quantity


def _mask(body: dict[str, Any]) -> str | None:
    mask = body.get("RevisionMask")
    if mask is not None and not isinstance(mask, str):
        raise InputError("RevisionMask: must be text (comma-separated revisions, % wildcard)")
    return mask or None


def _descendants(conn: sqlite3.Connection, revision_id: str) -> set[str]:
    seen: set[str] = set()
    stack = [revision_id]
    while stack:
        for (child,) in conn.execute("SELECT child_revision_id FROM product_revision_relations WHERE parent_revision_id=?",
                                     (stack.pop(),)):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def add_relation(conn: sqlite3.Connection, body: Any) -> list[dict[str, Any]]:
    """Add a subunit to a box build: ``{ParentProductRevisionId, ProductRevisionId, Quantity,
    RevisionMask}``; answers the parent's whole tree (as WATS does)."""
    if not isinstance(body, dict):
        raise InputError("body: must be a ProductRevisionRelation object")
    parent_id, child_id = body.get("ParentProductRevisionId"), body.get("ProductRevisionId")
    for key, value in (("ParentProductRevisionId", parent_id), ("ProductRevisionId", child_id)):
        if not isinstance(value, str) or not value:
            raise InputError(f"{key}: is required")
    parent = _revision(conn, str(parent_id))["product_revision_id"]
    child = _revision(conn, str(child_id))["product_revision_id"]
    if parent == child or parent in _descendants(conn, child):
        raise InputError("ProductRevisionId: the relation would make the product contain itself")
    conn.execute(
        "INSERT INTO product_revision_relations VALUES(?,?,?,?,?) ON CONFLICT(parent_revision_id, child_revision_id)"
        " DO UPDATE SET quantity=excluded.quantity, revision_mask=excluded.revision_mask",
        (str(uuid.uuid4()), parent, child, _quantity(body), _mask(body)),
    )
    return _tree(conn, parent)


def update_relation(conn: sqlite3.Connection, body: Any) -> dict[str, Any]:
    """Change ``Quantity``/``RevisionMask`` of relation ``ProductRevisionRelationId``; the relation."""
    if not isinstance(body, dict) or not body.get("ProductRevisionRelationId"):
        raise InputError("ProductRevisionRelationId: is required")
    rel_id = str(body["ProductRevisionRelationId"])
    row = conn.execute("SELECT * FROM product_revision_relations WHERE lower(relation_id)=lower(?)", (rel_id,)).fetchone()
    if row is None:
        raise InputError(f"Product revision relation {rel_id!r} was not found.", status=404)
    quantity = _quantity(body) if "Quantity" in body else row["quantity"]
    mask = _mask(body) if "RevisionMask" in body else row["revision_mask"]
    conn.execute("UPDATE product_revision_relations SET quantity=?, revision_mask=? WHERE relation_id=?",
                 (quantity, mask, row["relation_id"]))
    return {"ProductRevisionRelationId": row["relation_id"], "ParentProductRevisionId": row["parent_revision_id"],
            "ProductRevisionId": row["child_revision_id"], "Quantity": quantity, "RevisionMask": mask}


def delete_relation(conn: sqlite3.Connection, relation_id: str) -> None:
    """Remove a subunit relation (``InputError`` 404 when there is none)."""
    if conn.execute("DELETE FROM product_revision_relations WHERE lower(relation_id)=lower(?)",
                    (relation_id,)).rowcount == 0:
        raise InputError(f"Product revision relation {relation_id!r} was not found.", status=404)


def bom_components(conn: sqlite3.Connection, part_number: str, revision: str) -> list[dict[str, Any]]:
    """The BOM lines of a revision (empty when no BOM is loaded)."""
    row = conn.execute("SELECT components FROM product_boms WHERE part_number=? AND revision=?",
                       (part_number, revision)).fetchone()
    return [] if row is None else list(json.loads(row[0]))


def _component(item: Any, i: int) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InputError(f"[{i}]: must be a BOM line object")
    number = item.get("number") or item.get("Number") or item.get("partNumber") or item.get("PartNumber")
    if not isinstance(number, str) or not number:
        raise InputError(f"[{i}].number: is required")
    quantity = item.get("quantity", item.get("Quantity"))
    if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, (int, float))):
        raise InputError(f"[{i}].quantity: must be a number")

    def text(*keys: str) -> str | None:
        value = next((item[k] for k in keys if item.get(k) is not None), None)
        return None if value is None else str(value)

    return {"number": number, "revision": text("revision", "Revision", "rev"), "quantity": quantity,
            "description": text("description", "Description", "desc"),
            "reference": text("reference", "Reference", "componentRef", "ref"),
            "functionBlock": text("functionBlock", "FunctionBlock")}


def save_bom_components(conn: sqlite3.Connection, part_number: str, revision: str, fmt: str,
                        body: Any) -> list[dict[str, Any]]:
    """Replace a revision's BOM with JSON lines (``format=json``) or a WSBF document
    (``format=xml``/``wsbf``); the stored lines."""
    if fmt in ("xml", "wsbf"):
        if not isinstance(body, (bytes, str)):
            raise InputError("body: a WSBF XML document is required with format=xml")
        components = parse_wsbf(body)["components"]
    elif fmt == "json":
        if not isinstance(body, list):
            raise InputError("body: must be an array of BOM lines with format=json")
        components = [_component(item, i) for i, item in enumerate(body)]
    else:
        raise InputError(f"format: must be json or xml, not {fmt!r}")
    ensure_product_revision(conn, part_number, revision)
    conn.execute(
        "INSERT INTO product_boms(part_number, revision, description, components) VALUES(?,?,NULL,?)"
        " ON CONFLICT(part_number, revision) DO UPDATE SET components=excluded.components",
        (part_number, revision, json.dumps(components)),
    )
    return components
