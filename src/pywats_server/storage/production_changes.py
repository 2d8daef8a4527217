"""Production data beside the units: the unit change feed (``/api/Production/Units/Changes``),
batches, uploaded serial numbers and serial-number listings, and a unit's current process.

Unit changes are recorded by SQLite triggers on ``units``: whenever a unit's parent, part
number, revision or phase changes (or a unit is created with a parent), one row is added,
so every writer of units feeds it without knowing about it. A consumer reads the changes
and deletes each once handled.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from typing import Any
from xml.etree import ElementTree as ET

from ..errors import InputError
from .core import register_schema

__all__ = ["unit_changes", "delete_unit_change", "save_batches", "upload_serial_numbers", "serial_numbers",
           "set_unit_process"]

register_schema(
    "production_changes",
    """
CREATE TABLE IF NOT EXISTS unit_changes (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_serial_number       TEXT NOT NULL,
    new_parent_serial_number TEXT,
    new_part_number          TEXT,
    new_revision             TEXT,
    new_unit_phase_id        INTEGER,
    changed_utc              TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE TRIGGER IF NOT EXISTS unit_changes_update AFTER UPDATE ON units
WHEN OLD.parent_serial_number IS NOT NEW.parent_serial_number OR OLD.part_number IS NOT NEW.part_number
  OR OLD.revision IS NOT NEW.revision OR OLD.unit_phase_id IS NOT NEW.unit_phase_id
BEGIN
    INSERT INTO unit_changes(unit_serial_number, new_parent_serial_number, new_part_number, new_revision,
                             new_unit_phase_id)
    VALUES (NEW.serial_number, NEW.parent_serial_number, NEW.part_number, NEW.revision, NEW.unit_phase_id);
END;
CREATE TRIGGER IF NOT EXISTS unit_changes_insert AFTER INSERT ON units WHEN NEW.parent_serial_number IS NOT NULL
BEGIN
    INSERT INTO unit_changes(unit_serial_number, new_parent_serial_number, new_part_number, new_revision,
                             new_unit_phase_id)
    VALUES (NEW.serial_number, NEW.parent_serial_number, NEW.part_number, NEW.revision, NEW.unit_phase_id);
END;
CREATE TABLE IF NOT EXISTS production_batches (
    batch_number TEXT PRIMARY KEY COLLATE NOCASE,
    batch_size   INTEGER
);
CREATE TABLE IF NOT EXISTS sn_uploaded (
    type_name     TEXT NOT NULL,
    serial_number TEXT NOT NULL,
    uploaded_utc  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    PRIMARY KEY (type_name, serial_number)
);
""",
)


def unit_changes(conn: sqlite3.Connection, max_count: int) -> list[dict[str, Any]]:
    """The oldest ``max_count`` unhandled changes as ``UnitChange`` records."""
    if max_count < 1:
        raise InputError("maxCount: must be at least 1")
    rows = conn.execute("SELECT * FROM unit_changes ORDER BY id LIMIT ?", (max_count,)).fetchall()
    return [{"id": r["id"], "unitSerialNumber": r["unit_serial_number"],
             "newParentSerialNumber": r["new_parent_serial_number"], "newPartNumber": r["new_part_number"],
             "newRevision": r["new_revision"], "newUnitPhaseId": r["new_unit_phase_id"]} for r in rows]


def delete_unit_change(conn: sqlite3.Connection, change_id: int) -> None:
    """Forget a handled change (404 when there is none)."""
    if conn.execute("DELETE FROM unit_changes WHERE id=?", (change_id,)).rowcount == 0:
        raise InputError(f"id: no unit change {change_id}", status=404)


def save_batches(conn: sqlite3.Connection, body: Any) -> list[dict[str, Any]]:
    """Add or update ``[{batchNumber, batchSize}]``; the stored batches."""
    if not isinstance(body, list):
        raise InputError("body: must be an array of {batchNumber, batchSize}")
    out = []
    for i, item in enumerate(body):
        number = item.get("batchNumber") if isinstance(item, dict) else None
        if not isinstance(number, str) or not number.strip():
            raise InputError(f"[{i}].batchNumber: is required")
        size = item.get("batchSize")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
            raise InputError(f"[{i}].batchSize: must be a non-negative integer")
        conn.execute("INSERT INTO production_batches VALUES(?,?) ON CONFLICT(batch_number) DO UPDATE SET"
                     " batch_size=excluded.batch_size", (number, size))
        out.append({"batchNumber": number, "batchSize": size})
    return out


def _type_exists(conn: sqlite3.Connection, type_name: str) -> None:
    if conn.execute("SELECT 1 FROM sn_types WHERE name=?", (type_name,)).fetchone() is None:
        raise InputError(f"serialNumberType: unknown serial number type {type_name!r}", status=404)


def parse_serial_file(data: bytes, fmt: str) -> list[str]:
    """Serial numbers of an uploaded file: XML ``<SN id="..."/>`` elements or CSV (first column)."""
    text = data.decode("utf-8-sig", errors="replace")
    if fmt == "XML":
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise InputError(f"file: not valid XML ({exc})") from None
        return [str(el.get("id")) for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "SN" and el.get("id")]
    rows = csv.reader(io.StringIO(text))
    return [row[0].strip() for row in rows if row and row[0].strip() and row[0].strip().lower() != "serialnumber"]


def upload_serial_numbers(conn: sqlite3.Connection, type_name: str, numbers: list[str]) -> int:
    """Add uploaded serial numbers to a type's list; how many were new. (Taking numbers still
    uses the type's counter; uploaded numbers are listed and exported.)"""
    _type_exists(conn, type_name)
    return sum(conn.execute("INSERT OR IGNORE INTO sn_uploaded(type_name, serial_number) VALUES(?,?)",
                            (type_name, sn)).rowcount for sn in numbers)


def serial_numbers(conn: sqlite3.Connection, type_name: str, *, start: str | None = None, end: str | None = None,
                   start_date: str | None = None, end_date: str | None = None, ref_sn: str | None = None,
                   ref_pn: str | None = None) -> list[dict[str, Any]]:
    """Taken and uploaded numbers of a type, by address range, date range and/or reference;
    each ``{serialNumber, taken, takenDate, refSN, refPN, stationName}``."""
    _type_exists(conn, type_name)
    rows = conn.execute(
        "SELECT serial_number, 1 AS taken, taken_at AS at, ref_sn, ref_pn, station_name FROM sn_taken WHERE type_name=?"
        " UNION ALL SELECT u.serial_number, 0, u.uploaded_utc, NULL, NULL, NULL FROM sn_uploaded u WHERE u.type_name=?"
        " AND NOT EXISTS (SELECT 1 FROM sn_taken t WHERE t.type_name=u.type_name AND t.serial_number=u.serial_number)"
        " ORDER BY serial_number", (type_name, type_name),
    ).fetchall()
    out = []
    for r in rows:
        sn = str(r[0])
        if (start and sn < start) or (end and sn > end) or (start_date and r[2] < start_date) \
                or (end_date and r[2] > end_date):
            continue
        if (ref_sn and (r[3] or "").lower() != ref_sn.lower()) or (ref_pn and (r[4] or "").lower() != ref_pn.lower()):
            continue
        out.append({"serialNumber": sn, "taken": bool(r[1]), "takenDate": r[2] if r[1] else None,
                    "refSN": r[3], "refPN": r[4], "stationName": r[5]})
    return out


def set_unit_process(conn: sqlite3.Connection, serial_number: str, part_number: str, process_name: str) -> None:
    """Set the unit's current process (by process name or code); 404 for an unknown unit."""
    proc = conn.execute("SELECT code FROM processes WHERE name=? COLLATE NOCASE OR CAST(code AS TEXT)=?",
                        (process_name, process_name)).fetchone()
    if proc is None:
        raise InputError(f"processName: unknown process {process_name!r}")
    updated = conn.execute("UPDATE units SET process_code=? WHERE serial_number=? AND part_number=?",
                           (str(proc[0]), serial_number, part_number)).rowcount
    if not updated:
        raise InputError(f"No unit {serial_number!r} of part number {part_number!r}", status=404)
