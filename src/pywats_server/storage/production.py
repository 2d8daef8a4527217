"""Production units, unit phases and serial-number pools.

A unit is identified by serial number + part number, so a parent-child relation stores
both of the parent's keys (``units.parent_serial_number`` + ``units.parent_part_number``).
Databases of older builds had only the serial number: opening one adds the column and
fills it wherever the parent serial number names exactly one unit; relations that stay
ambiguous (``parent_part_number`` NULL) are shown under every parent with that serial
number, as before.

Unit assembly (AddChildUnit / RemoveChildUnit / CheckChildUnits) and unit verification. Assembly rules: both
units exist, the child has no parent yet, no cycles, the child is Finalized, and ``checkPartNumber``/``checkRevision`` (when given)
match the child (``%``/``*`` wildcards allowed in the revision). There are no product-level
box-build templates on this server, so a blank check means "no part-number check".

Verification is computed from the stored test (UUT) and repair (UUR) reports of the unit.
"""

from __future__ import annotations

import fnmatch
import json
import re
import sqlite3
from collections.abc import Callable
from typing import Any

from ..errors import InputError
from .core import register_schema, table_columns
from .products import ensure_product_revision, get_product, get_revision

__all__ = ["UNIT_PHASES", "ProductionInputError", "ensure_unit", "get_unit", "save_units", "set_unit_phase", "list_sn_types", "save_sn_type", "take_serial_numbers", "format_serial", "children_of", "resolve_parent_part_number", "add_child_unit", "remove_child_unit", "check_child_units", "unit_verification", "FINALIZED"]


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring ``units`` of an older build up to date: add ``parent_part_number`` and fill it
    where the parent serial number names exactly one unit (idempotent)."""
    if "parent_part_number" not in table_columns(conn, "units"):
        conn.execute("ALTER TABLE units ADD COLUMN parent_part_number TEXT")
        conn.execute(
            "UPDATE units SET parent_part_number=(SELECT p.part_number FROM units p"
            " WHERE p.serial_number=units.parent_serial_number)"
            " WHERE parent_serial_number IS NOT NULL AND parent_part_number IS NULL"
            " AND (SELECT COUNT(*) FROM units p WHERE p.serial_number=units.parent_serial_number)=1"
        )
    conn.execute("CREATE INDEX IF NOT EXISTS units_parent_key ON units(parent_serial_number, parent_part_number)")


register_schema(
    "production",
    """
CREATE TABLE IF NOT EXISTS units (
    serial_number           TEXT NOT NULL,
    part_number             TEXT NOT NULL,
    revision                TEXT,
    parent_serial_number    TEXT,
    parent_part_number      TEXT,
    batch_number            TEXT,
    serial_date             TEXT,
    current_location        TEXT,
    xml_data                TEXT,
    unit_phase_id           INTEGER NOT NULL DEFAULT 2,
    process_code            TEXT,
    tags                    TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (serial_number, part_number)
);
CREATE INDEX IF NOT EXISTS units_parent ON units(parent_serial_number);
CREATE TABLE IF NOT EXISTS sn_types (
    name            TEXT PRIMARY KEY,
    description     TEXT NOT NULL DEFAULT '',
    format          TEXT NOT NULL,
    reg_ex          TEXT,
    identifier      INTEGER NOT NULL DEFAULT 0,
    start_index     INTEGER NOT NULL DEFAULT 0,
    end_index       INTEGER,
    next_index      INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sn_taken (
    type_name       TEXT NOT NULL REFERENCES sn_types(name),
    serial_number   TEXT NOT NULL,
    idx             INTEGER NOT NULL,
    taken_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    ref_sn          TEXT,
    ref_pn          TEXT,
    station_name    TEXT,
    PRIMARY KEY (type_name, serial_number)
);
""",
    migrate=_migrate,
)

#: Unit phases: (UnitPhaseId, Code, Name) — bit values as documented for SetUnitPhase.
UNIT_PHASES: list[tuple[int, str, str]] = [
    (1, "Unknown", "Unknown"),
    (2, "UnderProduction", "Under production"),
    (4, "ProductionRepair", "Production repair"),
    (8, "ServiceRepair", "Service repair (RMA)"),
    (16, "Finalized", "Finalized"),
    (32, "Scrapped", "Scrapped"),
    (64, "ExtendedTest", "Extended test"),
    (128, "Customization", "Customization"),
    (256, "Repaired", "Repaired"),
    (512, "Missing", "Missing"),
    (1024, "InStorage", "In storage"),
    (2048, "Shipped", "Shipped"),
    (4098, "UnderProductionQueued", "Under production - queued"),
    (4100, "WaitingForProductionRepair", "Waiting for production repair"),
    (4104, "WaitingForServiceRepair", "Waiting for service repair"),
]
_PHASE_BY_ID = {p[0]: p for p in UNIT_PHASES}

_INDEX_RE = re.compile(r"\{index(?::0?(\d+))?\}")
_IDENTIFIER_NAMES = {0: "Serial number", 1: "MAC address", 2: "IMEI"}


ProductionInputError = InputError  # the one input-error type (errors.InputError); name kept for callers


def ensure_unit(conn: sqlite3.Connection, serial_number: str, part_number: str, revision: str | None) -> None:
    """Register unit (serial_number, part_number) if it is not known yet (phase Under production)."""
    conn.execute(
        "INSERT OR IGNORE INTO units(serial_number, part_number, revision, serial_date, unit_phase_id)"
        " VALUES(?,?,?,strftime('%Y-%m-%dT%H:%M:%SZ','now'),2)",
        (serial_number, part_number, revision),
    )


def _unit_dict(conn: sqlite3.Connection, row: sqlite3.Row, *, depth: int = 0) -> dict[str, Any]:
    phase = _PHASE_BY_ID.get(row["unit_phase_id"])
    unit: dict[str, Any] = {
        "serialNumber": row["serial_number"],
        "partNumber": row["part_number"],
        "revision": row["revision"],
        "parentSerialNumber": row["parent_serial_number"],
        "batchNumber": row["batch_number"],
        "serialDate": row["serial_date"],
        "currentLocation": row["current_location"],
        "xmlData": row["xml_data"],
        "unitPhaseId": row["unit_phase_id"],
        "unitPhase": phase[2] if phase else None,
        "processCode": row["process_code"],
        "tags": json.loads(row["tags"]),
    }
    children = children_of(conn, row["serial_number"], row["part_number"], "serial_number, part_number")
    unit["subUnits"] = [_unit_dict(conn, c, depth=depth + 1) for c in children] if depth < 20 else []
    if depth == 0:
        unit["product"] = get_product(conn, row["part_number"])
        unit["productRevision"] = (
            get_revision(conn, row["part_number"], row["revision"]) if row["revision"] else None
        )
    return unit


def children_of(conn: sqlite3.Connection, serial_number: str, part_number: str, order: str) -> list[sqlite3.Row]:
    """The units whose parent is (serial_number, part_number), ordered by ``order`` (SQL columns).

    A relation with no recorded parent part number (from an older build, ambiguous) counts
    for every parent with that serial number.
    """
    return conn.execute(
        "SELECT * FROM units WHERE parent_serial_number=?"
        " AND (parent_part_number=? OR parent_part_number IS NULL)"
        f" ORDER BY {order}",
        (serial_number, part_number),
    ).fetchall()


def resolve_parent_part_number(conn: sqlite3.Connection, parent_serial: str | None) -> str | None:
    """The part number of the only unit with serial number ``parent_serial`` (None if not exactly one)."""
    if not parent_serial:
        return None
    rows = conn.execute("SELECT part_number FROM units WHERE serial_number=? LIMIT 2", (parent_serial,)).fetchall()
    return str(rows[0][0]) if len(rows) == 1 else None


def get_unit(conn: sqlite3.Connection, serial_number: str, part_number: str) -> dict[str, Any] | None:
    """The Unit record (with subUnits, product, productRevision) or None."""
    row = conn.execute(
        "SELECT * FROM units WHERE serial_number=? AND part_number=?", (serial_number, part_number)
    ).fetchone()
    return None if row is None else _unit_dict(conn, row)


def _opt_str(unit: dict[str, Any], key: str, path: str) -> str | None:
    v = unit.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise ProductionInputError(f"{path}.{key}: must be a string")
    return v


def save_units(conn: sqlite3.Connection, body: Any) -> dict[str, Any]:
    """Add or update units by serial number + part number (``PUT /api/Production/Units``)."""
    if isinstance(body, dict):
        body = [body]
    if not isinstance(body, list):
        raise ProductionInputError("body: must be an array of Unit objects")
    errors: list[dict[str, Any]] = []
    inserted = updated = 0
    for i, unit in enumerate(body):
        path = f"[{i}]"
        try:
            if not isinstance(unit, dict):
                raise ProductionInputError(f"{path}: must be a Unit object")
            sn = unit.get("serialNumber")
            pn = unit.get("partNumber")
            if not isinstance(sn, str) or not sn.strip():
                raise ProductionInputError(f"{path}.serialNumber: is required")
            if not isinstance(pn, str) or not pn.strip():
                raise ProductionInputError(f"{path}.partNumber: is required")
            phase = unit.get("unitPhaseId")
            if phase is not None and phase not in _PHASE_BY_ID:
                raise ProductionInputError(f"{path}.unitPhaseId: unknown unit phase {phase!r}")
            tags = unit.get("tags")
            if tags is not None and not isinstance(tags, list):
                raise ProductionInputError(f"{path}.tags: must be an array")
            rev = _opt_str(unit, "revision", path)
            ensure_product_revision(conn, pn, rev)
            fields = {
                "revision": rev,
                "parent_serial_number": _opt_str(unit, "parentSerialNumber", path),
                "batch_number": _opt_str(unit, "batchNumber", path),
                "serial_date": _opt_str(unit, "serialDate", path),
                "current_location": _opt_str(unit, "currentLocation", path),
                "xml_data": _opt_str(unit, "xmlData", path),
                "process_code": None if unit.get("processCode") is None else str(unit["processCode"]),
            }
            parent_sn = fields["parent_serial_number"]
            parent_pn = _opt_str(unit, "parentPartNumber", path)  # local extension; else looked up
            if parent_sn and not parent_pn:
                parent_pn = resolve_parent_part_number(conn, parent_sn)
            exists = conn.execute(
                "SELECT 1 FROM units WHERE serial_number=? AND part_number=?", (sn, pn)
            ).fetchone()
            if exists is None:
                conn.execute(
                    "INSERT INTO units(serial_number, part_number, revision, parent_serial_number, batch_number,"
                    " serial_date, current_location, xml_data, process_code, unit_phase_id, tags, parent_part_number)"
                    " VALUES(?,?,?,?,?,COALESCE(?, strftime('%Y-%m-%dT%H:%M:%SZ','now')),?,?,?,?,?,?)",
                    (sn, pn, *fields.values(), phase or 2,
                     json.dumps([t for t in tags or [] if isinstance(t, dict) and t.get("change") != 3]),
                     parent_pn if parent_sn else None),
                )
                inserted += 1
            else:
                sets = [f"{k}=COALESCE(?, {k})" for k in fields]
                params: list[Any] = list(fields.values())
                if parent_sn:  # a new parent serial number replaces the parent's part number too
                    sets.append("parent_part_number=?")
                    params.append(parent_pn)
                if phase is not None:
                    sets.append("unit_phase_id=?")
                    params.append(phase)
                if tags is not None:
                    sets.append("tags=?")
                    params.append(json.dumps([t for t in tags if isinstance(t, dict) and t.get("change") != 3]))
                conn.execute(
                    f"UPDATE units SET {', '.join(sets)} WHERE serial_number=? AND part_number=?",
                    (*params, sn, pn),
                )
                updated += 1
        except ProductionInputError as exc:
            errors.append({"index": i, "message": str(exc)})
    return {"errorCount": len(errors), "insertCount": inserted, "updateCount": updated, "errors": errors}


def set_unit_phase(conn: sqlite3.Connection, serial_number: str, part_number: str, phase: str) -> None:
    """Set a unit's phase by id (int) or name; raises ProductionInputError (400/404)."""
    phase_id: int | None = None
    text = phase.strip()
    if text.lstrip("-").isdigit():
        phase_id = int(text)
        if phase_id not in _PHASE_BY_ID:
            raise ProductionInputError(f"phase: unknown unit phase {phase_id}")
    else:
        for pid, code, name in UNIT_PHASES:
            if text.lower() in (code.lower(), name.lower()):
                phase_id = pid
        if phase_id is None:
            raise ProductionInputError(f"phase: unknown unit phase {phase!r}")
    cur = conn.execute(
        "UPDATE units SET unit_phase_id=? WHERE serial_number=? AND part_number=?",
        (phase_id, serial_number, part_number),
    )
    if cur.rowcount == 0:
        raise ProductionInputError(
            f"serialNumber: no unit {serial_number!r} with part number {part_number!r}", status=404
        )


def format_serial(fmt: str, index: int) -> str:
    """Render a serial-number format: ``{index}`` (or ``{index:06}`` zero-padded) → the number."""

    def sub(m: re.Match[str]) -> str:
        width = m.group(1)
        return str(index).zfill(int(width)) if width else str(index)

    if _INDEX_RE.search(fmt):
        return _INDEX_RE.sub(sub, fmt)
    return f"{fmt}{index}"


def _regex_for(fmt: str) -> str:
    literals = _INDEX_RE.sub("\x00", fmt).split("\x00")
    if len(literals) == 1:
        return "^" + re.escape(fmt) + r"\d+$"
    return "^" + r"\d+".join(re.escape(lit) for lit in literals) + "$"


def _type_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "name": row["name"],
        "description": row["description"],
        "format": row["format"],
        "regEx": row["reg_ex"],
        "identifier": row["identifier"],
        "identifierName": _IDENTIFIER_NAMES.get(row["identifier"], "Serial number"),
        "startIndex": row["start_index"],
        "endIndex": row["end_index"],
        "nextIndex": row["next_index"],
    }


def list_sn_types(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """All serial-number types."""
    return [_type_dict(r) for r in conn.execute("SELECT * FROM sn_types ORDER BY name").fetchall()]


def save_sn_type(conn: sqlite3.Connection, body: Any) -> tuple[dict[str, Any], bool]:
    """Create a serial-number type (local extension); returns (type, created).

    An existing type keeps its pool: ``format``/``startIndex`` of a later PUT are ignored
    (so "create if missing" is idempotent) and only ``description`` is updated.
    """
    if not isinstance(body, dict):
        raise ProductionInputError("body: must be a SerialNumberType object")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ProductionInputError("name: is required")
    fmt = body.get("format")
    if fmt is None:
        fmt = name + "{index}"
    if not isinstance(fmt, str) or not fmt:
        raise ProductionInputError("format: must be a string such as 'WGT-{index}'")
    start = body.get("startIndex", 1)
    if not isinstance(start, int) or isinstance(start, bool) or start < 0:
        raise ProductionInputError("startIndex: must be a non-negative integer")
    end = body.get("endIndex")
    if end is not None and (not isinstance(end, int) or isinstance(end, bool) or end < start):
        raise ProductionInputError("endIndex: must be an integer >= startIndex")
    identifier = body.get("identifier", 0)
    if identifier not in (0, 1, 2):
        raise ProductionInputError("identifier: must be 0 (serial number), 1 (MAC address) or 2 (IMEI)")
    desc = body.get("description") or ""
    row = conn.execute("SELECT * FROM sn_types WHERE name=?", (name,)).fetchone()
    if row is not None:
        if body.get("description") is not None:
            conn.execute("UPDATE sn_types SET description=? WHERE name=?", (str(desc), name))
        row = conn.execute("SELECT * FROM sn_types WHERE name=?", (name,)).fetchone()
        return _type_dict(row), False
    conn.execute(
        "INSERT INTO sn_types(name, description, format, reg_ex, identifier, start_index, end_index, next_index)"
        " VALUES(?,?,?,?,?,?,?,?)",
        (name, str(desc), fmt, _regex_for(fmt), identifier, start, end, start),
    )
    row = conn.execute("SELECT * FROM sn_types WHERE name=?", (name,)).fetchone()
    return _type_dict(row), True


def take_serial_numbers(
    conn: sqlite3.Connection,
    type_name: str,
    quantity: int,
    *,
    ref_sn: str | None = None,
    ref_pn: str | None = None,
    station_name: str | None = None,
    only_in_sequence: bool = False,
) -> list[str]:
    """Take ``quantity`` free numbers of a type (call inside one IMMEDIATE transaction).

    Numbers come from the type's counter, so a number is never handed out twice; the
    ``sn_taken`` primary key makes that a database guarantee too. Takes all remaining
    numbers if fewer are left. Raises ProductionInputError with status 409 (nothing taken)
    when no number is free, or when ``only_in_sequence`` asks for more contiguous numbers
    than are left.
    """
    row = conn.execute("SELECT * FROM sn_types WHERE name=?", (type_name,)).fetchone()
    if row is None:
        raise ProductionInputError(f"serialNumberType: unknown serial number type {type_name!r}", status=404)
    if quantity < 1:
        raise ProductionInputError("quantity: must be at least 1")
    first = int(row["next_index"])
    last = first + quantity - 1
    end = row["end_index"]
    if end is not None and first > end:
        raise ProductionInputError(f"no free numbers left in serial-number type {type_name!r}", status=409)
    if end is not None and last > end:
        if only_in_sequence:
            raise ProductionInputError(
                f"quantity: only {end - first + 1} numbers left in serial-number type {type_name!r}; "
                f"onlyInSequence demands a gap-free block of {quantity}",
                status=409,
            )
        last = int(end)
    numbers = [format_serial(row["format"], i) for i in range(first, last + 1)]
    conn.executemany(
        "INSERT INTO sn_taken(type_name, serial_number, idx, ref_sn, ref_pn, station_name) VALUES(?,?,?,?,?,?)",
        [(type_name, sn, first + k, ref_sn, ref_pn, station_name) for k, sn in enumerate(numbers)],
    )
    conn.execute("UPDATE sn_types SET next_index=? WHERE name=?", (last + 1, type_name))
    return numbers

FINALIZED = 16
_PHASE_NAMES = {pid: name for pid, _code, name in UNIT_PHASES}


def _unit(conn: sqlite3.Connection, sn: str, pn: str, field: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM units WHERE serial_number=? AND part_number=?", (sn, pn)).fetchone()
    if row is None:
        raise ProductionInputError(f"{field}: no unit {sn!r} with part number {pn!r}", status=404)
    return row


def _parent_key(conn: sqlite3.Connection, row: sqlite3.Row) -> tuple[str, str | None] | None:
    """(serial, part number) of a unit's parent, or None; part number None when an old
    relation cannot be resolved to one unit."""
    psn = row["parent_serial_number"]
    if not psn:
        return None
    return psn, row["parent_part_number"] or resolve_parent_part_number(conn, psn)


def add_child_unit(
    conn: sqlite3.Connection, psn: str, ppn: str, csn: str, cpn: str, check_pn: str = "", check_rev: str = ""
) -> None:
    """Attach unit (csn, cpn) to parent (psn, ppn); raises ProductionInputError (400/404)."""
    parent = _unit(conn, psn, ppn, "parentSerialNumber")
    child = _unit(conn, csn, cpn, "childSerialNumber")
    if child["parent_serial_number"]:
        owner_pn = child["parent_part_number"]
        raise ProductionInputError(
            f"childSerialNumber: unit {csn!r} already has parent {child['parent_serial_number']!r}"
            + (f" (part number {owner_pn!r})" if owner_pn else "")
        )
    if (csn, cpn) == (psn, ppn):
        raise ProductionInputError("childSerialNumber: a unit cannot be its own child")
    seen: set[tuple[str, str | None]] = {(psn, ppn)}
    key = _parent_key(conn, parent)
    while key is not None and key not in seen:
        if key[0] == csn and key[1] in (cpn, None):
            raise ProductionInputError(f"childSerialNumber: {csn!r} is an ancestor of {psn!r} (cycle)")
        seen.add(key)
        sql = "SELECT * FROM units WHERE serial_number=?" + (" AND part_number=?" if key[1] else "") + " LIMIT 1"
        row = conn.execute(sql, key if key[1] else key[:1]).fetchone()
        key = None if row is None else _parent_key(conn, row)
    if check_pn and check_pn != cpn:
        raise ProductionInputError(f"checkPartNumber: child part number {cpn!r} is not {check_pn!r}")
    if check_rev and not fnmatch.fnmatchcase(child["revision"] or "", check_rev.replace("%", "*")):
        raise ProductionInputError(f"checkRevision: child revision {child['revision']!r} does not match {check_rev!r}")
    if child["unit_phase_id"] != FINALIZED:
        raise ProductionInputError(
            f"childSerialNumber: unit {csn!r} must be Finalized to be added, it is "
            f"{_PHASE_NAMES.get(child['unit_phase_id'], child['unit_phase_id'])!r}"
        )
    conn.execute(
        "UPDATE units SET parent_serial_number=?, parent_part_number=? WHERE serial_number=? AND part_number=?",
        (psn, ppn, csn, cpn),
    )


def remove_child_unit(conn: sqlite3.Connection, psn: str, ppn: str, csn: str, cpn: str) -> None:
    """Detach a child; the relation (parent serial and part number) must exist."""
    _unit(conn, psn, ppn, "parentSerialNumber")
    child = _unit(conn, csn, cpn, "childSerialNumber")
    if child["parent_serial_number"] != psn or child["parent_part_number"] not in (ppn, None):
        raise ProductionInputError(
            f"childSerialNumber: unit {csn!r} is not a child of {psn!r} with part number {ppn!r}", status=404
        )
    conn.execute(
        "UPDATE units SET parent_serial_number=NULL, parent_part_number=NULL WHERE serial_number=? AND part_number=?",
        (csn, cpn),
    )


def check_child_units(conn: sqlite3.Connection, psn: str, ppn: str) -> dict[str, Any]:
    """``{ok, parentSerialNumber, parentPartNumber, children:[...], problems:[...]}``: every child Finalized."""
    _unit(conn, psn, ppn, "parentSerialNumber")
    rows = children_of(conn, psn, ppn, "part_number, serial_number")
    children, problems = [], []
    for r in rows:
        ok = r["unit_phase_id"] == FINALIZED
        phase = _PHASE_NAMES.get(r["unit_phase_id"])
        message = None if ok else f"child {r['serial_number']!r} is {phase!r}, not 'Finalized'"
        if message:
            problems.append(message)
        children.append({"serialNumber": r["serial_number"], "partNumber": r["part_number"],
                         "revision": r["revision"], "unitPhaseId": r["unit_phase_id"], "unitPhase": phase,
                         "ok": ok, "message": message})
    return {"ok": not problems, "parentSerialNumber": psn, "parentPartNumber": ppn,
            "children": children, "problems": problems}


_WORDS = {"P": "Passed", "F": "Failed", "E": "Error", "T": "Terminated", "D": "Done"}


def unit_verification(
    conn: sqlite3.Connection,
    sn: str,
    pn: str | None,
    rev: str | None,
    process_info: Callable[[int], tuple[str | None, int | None]],
) -> dict[str, Any]:
    """Grade a unit from its stored reports; ``process_info(code)`` gives (name, processIndex).

    Per test process: runs, non-passed runs, last status. Grade ``A`` all passed first run,
    ``B`` all passed last run, ``C`` otherwise; status ``Passed``/``Failed``.
    Raises ProductionInputError(404) when the unit has neither a record nor reports.
    """
    sql = "SELECT * FROM reports WHERE serial_number=?"
    args: list[Any] = [sn]
    if pn:
        sql += " AND part_number=?"
        args.append(pn)
    if rev:
        sql += " AND revision=?"
        args.append(rev)
    rows = conn.execute(sql + " ORDER BY start_utc_full, report_id", args).fetchall()
    if not rows:
        known = conn.execute(
            "SELECT 1 FROM units WHERE serial_number=?" + (" AND part_number=?" if pn else ""),
            (sn, pn) if pn else (sn,),
        ).fetchone()
        if known is None:
            raise ProductionInputError(f"serialNumber: no unit {sn!r}" + (f" with part number {pn!r}" if pn else ""),
                                       status=404)
    tests = [r for r in rows if r["report_type"] == "T"]
    repairs = [r for r in rows if r["report_type"] == "R"]
    per: dict[int, list[sqlite3.Row]] = {}
    for r in tests:
        per.setdefault(int(r["process_code"]), []).append(r)
    results = []
    first_order: list[int] = []
    for code, runs in per.items():
        name, index = process_info(code)
        last = runs[-1]
        results.append({
            "processCode": code, "processName": name or last["process_name"], "processIndex": index,
            "status": _WORDS.get(last["result"], last["result"]), "startUtc": last["start_utc"],
            "stationName": last["station_name"], "totalCount": len(runs),
            "nonPassedCount": sum(1 for r in runs if r["result"] != "P"),
            "repairCount": sum(1 for r in repairs if r["start_utc_full"] > runs[0]["start_utc_full"]
                               and r["start_utc_full"] <= last["start_utc_full"]),
        })
        first_order.append(index if index is not None else 0)
    first_pass = bool(per) and all(runs[0]["result"] == "P" for runs in per.values())
    last_pass = bool(per) and all(runs[-1]["result"] == "P" for runs in per.values())
    any_pass = bool(per) and all(any(r["result"] == "P" for r in runs) for runs in per.values())
    grade = "A" if first_pass else "B" if last_pass else "C"
    return {
        "status": "Passed" if last_pass else "Failed" if per else "Unknown",
        "grade": grade if per else None,
        "allProcessesExecutedInCorrectOrder": first_order == sorted(first_order),
        "allProcessesPassedFirstRun": first_pass,
        "allProcessesPassedAnyRun": any_pass,
        "allProcessesPassedLastRun": last_pass,
        "noRepairs": not repairs,
        "results": results,
    }
