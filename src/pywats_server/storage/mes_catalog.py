"""ERP-side product catalogue data: vendors, product-group filters, bulk product import
(``/api/Product/Vendors``, ``/api/Product/ProductGroupFilter``,
``/api/Product/ProductGroupsByProduct``, ``PUT /api/Products[/Revisions]``)."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..errors import InputError
from .analytics import wildcard
from .core import register_schema
from .products import save_product, save_revision

__all__ = ["list_vendors", "add_vendors", "delete_vendors", "add_group_filter", "groups_by_product",
           "save_products", "save_revisions"]

register_schema(
    "mes_catalog",
    """
CREATE TABLE IF NOT EXISTS vendors (
    vendor_name TEXT PRIMARY KEY COLLATE NOCASE
);
CREATE TABLE IF NOT EXISTS product_group_filters (
    product_group_id INTEGER NOT NULL,
    part_number      TEXT NOT NULL,
    revision         TEXT NOT NULL DEFAULT '',
    exclude          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (product_group_id, part_number, revision)
);
""",
)


def _vendor_names(body: Any) -> list[str]:
    if not isinstance(body, list):
        raise InputError("body: must be an array of {VendorName}")
    names = []
    for i, item in enumerate(body):
        name = item.get("VendorName", item.get("vendorName")) if isinstance(item, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"[{i}].VendorName: is required")
        names.append(name.strip())
    return names


def list_vendors(conn: sqlite3.Connection) -> list[dict[str, str]]:
    """Every vendor as ``{VendorName}``."""
    return [{"VendorName": r[0]} for r in conn.execute("SELECT vendor_name FROM vendors ORDER BY vendor_name")]


def add_vendors(conn: sqlite3.Connection, body: Any) -> list[dict[str, str]]:
    """Add the vendors not already there; the vendors added."""
    added = []
    for name in _vendor_names(body):
        if conn.execute("INSERT OR IGNORE INTO vendors VALUES(?)", (name,)).rowcount:
            added.append({"VendorName": name})
    return added


def delete_vendors(conn: sqlite3.Connection, body: Any) -> int:
    """Delete the named vendors; how many were there."""
    return sum(conn.execute("DELETE FROM vendors WHERE vendor_name=?", (n,)).rowcount for n in _vendor_names(body))


def add_group_filter(conn: sqlite3.Connection, group: str, part_number: str, revision: str | None,
                     exclude: bool) -> dict[str, Any]:
    """Add an include (or exclude) filter for ``part_number`` (WATS wildcards) to an existing group."""
    row = conn.execute("SELECT product_group_id FROM product_groups WHERE product_group_name=? COLLATE NOCASE",
                       (group,)).fetchone()
    if row is None:
        raise InputError(f"productGroup: no product group named {group!r}")
    conn.execute("INSERT OR REPLACE INTO product_group_filters VALUES(?,?,?,?)",
                 (row[0], part_number, revision or "", int(exclude)))
    return {"productGroupId": row[0], "productGroupName": group, "partNumber": part_number,
            "revision": revision, "exclude": exclude}


def groups_by_product(conn: sqlite3.Connection, part_number: str, revision: str | None) -> list[dict[str, Any]]:
    """Product groups the product belongs to: its own category, plus groups with an include
    filter matching part number (and revision) and no matching exclude filter."""
    groups = {int(r[0]): str(r[1]) for r in conn.execute("SELECT product_group_id, product_group_name FROM product_groups")}
    member: set[int] = set()
    category = conn.execute("SELECT product_category_name FROM products WHERE part_number=?", (part_number,)).fetchone()
    if category and category[0]:
        member |= {gid for gid, name in groups.items() if name.lower() == str(category[0]).lower()}
    excluded: set[int] = set()
    for gid, pattern, rev, exclude in conn.execute("SELECT * FROM product_group_filters"):
        if not wildcard(pattern, "partNumber")(part_number):
            continue
        if rev and (revision is None or not wildcard(rev, "revision")(revision)):
            continue
        (excluded if exclude else member).add(int(gid))
    return [{"productGroupId": gid, "productGroupName": groups[gid]}
            for gid in sorted(member - excluded) if gid in groups]


def _each(conn: sqlite3.Connection, body: Any, save: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(body, list):
        raise InputError(f"body: must be an array of {what}")
    out = []
    for i, item in enumerate(body):
        try:
            out.append(save(conn, item))
        except InputError as exc:
            raise InputError(f"[{i}].{exc.message}", status=exc.status) from None
    return out


def save_products(conn: sqlite3.Connection, body: Any) -> list[dict[str, Any]]:
    """Add or update each product of the array (ERP import); the stored products."""
    return _each(conn, body, save_product, "products")


def save_revisions(conn: sqlite3.Connection, body: Any) -> list[dict[str, Any]]:
    """Add or update each product revision of the array (``PartNumber`` names the product)."""
    return _each(conn, body, save_revision, "product revisions")
