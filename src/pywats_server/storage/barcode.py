"""Barcode identifiers (``/api/BarcodeIdentifiers/*``): rules that split a scanned code
into serial number, part number, revision, batch number and process.

An identifier's ``pattern`` is a regular expression matched against the whole code; its
``serialNumber`` … ``process`` fields say where each value comes from: ``{name}`` or
``{1}`` inserts a named or numbered group (``"{sn}"``, ``"PN-{2}"``), other text is taken
as is. Identifiers are tried in ``order``; when none matches, the default format
``SerialNumber/PartNumber/Revision/BatchNumber/Process`` (split at ``/``) applies.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from ..errors import InputError
from .core import register_schema

__all__ = ["FIELDS", "list_identifiers", "save_identifier",
           "delete_identifier", "identify"]

#: (wire name, column) of the value fields.
FIELDS = (("serialNumber", "serial_number"), ("partNumber", "part_number"), ("revision", "revision"),
          ("batchNumber", "batch_number"), ("process", "process"))

register_schema(
    "barcode",
    """
CREATE TABLE IF NOT EXISTS barcode_identifiers (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    pattern        TEXT NOT NULL,
    serial_number  TEXT,
    part_number    TEXT,
    revision       TEXT,
    batch_number   TEXT,
    process        TEXT,
    sort_order     INTEGER NOT NULL DEFAULT 0,
    description    TEXT
);
""",
)




def _doc(row: sqlite3.Row) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": row["id"], "pattern": row["pattern"]}
    doc.update({wire: row[col] for wire, col in FIELDS})
    doc.update({"order": row["sort_order"], "description": row["description"]})
    return doc


def list_identifiers(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every identifier in match order."""
    return [_doc(r) for r in conn.execute("SELECT * FROM barcode_identifiers ORDER BY sort_order, id")]


def save_identifier(conn: sqlite3.Connection, body: Any) -> dict[str, Any]:
    """Add (no ``id``) or update (``id`` given) an identifier; the stored identifier."""
    if not isinstance(body, dict):
        raise InputError("body: must be a barcode identifier object")
    pattern = body.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        raise InputError("pattern: a regular expression is required")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise InputError(f"pattern: not a valid regular expression ({exc})") from None
    values: list[Any] = [pattern]
    for wire, _ in FIELDS + (("description", "description"),):
        value = body.get(wire)
        if value is not None and not isinstance(value, str):
            raise InputError(f"{wire}: must be a string")
        values.append(value)
    order = body.get("order") or 0
    if not isinstance(order, int) or isinstance(order, bool):
        raise InputError("order: must be an integer")
    values.insert(6, order)
    ident = body.get("id")
    if ident:
        if conn.execute("SELECT 1 FROM barcode_identifiers WHERE id=?", (ident,)).fetchone() is None:
            raise InputError(f"Barcode identifier {ident} not found.", status=404)
        conn.execute(
            "UPDATE barcode_identifiers SET pattern=?, serial_number=?, part_number=?, revision=?, batch_number=?,"
            " process=?, sort_order=?, description=? WHERE id=?", (*values, ident),
        )
    else:
        ident = conn.execute(
            "INSERT INTO barcode_identifiers(pattern, serial_number, part_number, revision, batch_number, process,"
            " sort_order, description) VALUES(?,?,?,?,?,?,?,?)", values,
        ).lastrowid
    return _doc(conn.execute("SELECT * FROM barcode_identifiers WHERE id=?", (ident,)).fetchone())


def delete_identifier(conn: sqlite3.Connection, ident: int) -> None:
    """Remove identifier ``ident`` (``InputError`` 404 when there is none)."""
    if conn.execute("DELETE FROM barcode_identifiers WHERE id=?", (ident,)).rowcount == 0:
        raise InputError(f"Barcode identifier {ident} not found.", status=404)


_GROUP_REF = re.compile(r"\{(\w+)\}")


def _fill(template: str | None, match: re.Match[str]) -> str | None:
    if not template:
        return None

    def group(ref: re.Match[str]) -> str:
        key = ref.group(1)
        try:
            value = match.group(int(key)) if key.isdigit() else match.group(key)
        except IndexError:  # no such group: keep the reference as text
            return ref.group(0)
        return value or ""

    return _GROUP_REF.sub(group, template)



def identify(conn: sqlite3.Connection, code: str) -> dict[str, Any]:
    """The values a scanned ``code`` carries, from the first identifier whose pattern matches
    (``id`` of that identifier) or from the default ``/``-separated format (``id`` 0)."""
    for doc in list_identifiers(conn):
        match = re.fullmatch(doc["pattern"], code)
        if match is None:
            continue
        out = {**doc}
        for wire, _ in FIELDS:
            if doc[wire]:
                out[wire] = _fill(doc[wire], match)
            else:
                out[wire] = match.groupdict().get(wire)
        return out
    parts = code.split("/")
    out = {"id": 0, "pattern": None, "order": 0, "description": "Default format"}
    out.update({wire: (parts[i] if i < len(parts) and parts[i] else None) for i, (wire, _) in enumerate(FIELDS)})
    return out
