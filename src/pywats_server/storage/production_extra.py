"""Unit assembly (AddChildUnit / RemoveChildUnit / CheckChildUnits) and unit verification.

Reference §5.1 and §5.3. Units are identified by serial number + part number, and so is a
relation's parent (``parent_serial_number`` + ``parent_part_number``). Assembly rules: both
units exist, the child has no parent yet, no cycles, the child is Finalized, and ``checkPartNumber``/``checkRevision`` (when given)
match the child (``%``/``*`` wildcards allowed in the revision). There are no product-level
box-build templates on this server, so a blank check means "no part-number check".

Verification is computed from the stored test (UUT) and repair (UUR) reports of the unit.
"""

from __future__ import annotations

import fnmatch
import sqlite3
from collections.abc import Callable
from typing import Any

from .production import UNIT_PHASES, ProductionInputError, children_of, resolve_parent_part_number

__all__ = ["add_child_unit", "remove_child_unit", "check_child_units", "unit_verification", "FINALIZED"]

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
