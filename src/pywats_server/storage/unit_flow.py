"""Unit flow (``/api/internal/UnitFlow*``): how units moved through the operations.

Nodes are operations (processes) a matching unit visited, plus a ``Start`` node (id 0);
links are the moves between consecutive operations of a unit (its reports, UUT and UUR, in
start order); units are one ``UnitFlowUnit`` per move. ``SplitBy`` splits the operation
nodes by a report field (``stationName``, ``location``, ``purpose``, ``revision``, ...).
A unit's id is its row id in the production units (stable for the life of the database).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from ..errors import InputError
from .analytics import load_reports, parse_filter

__all__ = ["unit_flow", "serial_numbers", "unit_order", "SPLIT_FIELDS"]

#: ``splitBy`` names → report header keys.
SPLIT_FIELDS = {"stationname": "stationName", "location": "location", "purpose": "purpose",
                "revision": "revision", "partnumber": "partNumber", "operator": "userName",
                "batchnumber": "batchNumber"}


def _unit_ids(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    return {(str(r[1]).lower(), str(r[2]).lower()): int(r[0])
            for r in conn.execute("SELECT rowid, serial_number, part_number FROM units")}


def unit_flow(conn: sqlite3.Connection, body: Any, split_by: str | None = None) -> dict[str, Any]:
    """``{nodes, links, units}`` of the reports matching the filter ``body``."""
    data = dict(body or {}) if isinstance(body, dict) else body
    split_key = None
    split = split_by or (data.pop("splitBy", None) if isinstance(data, dict) else None)
    if split:
        split_key = SPLIT_FIELDS.get(str(split).lower())
        if split_key is None:
            raise InputError(f"splitBy: unknown field {split!r}; use one of {', '.join(sorted(SPLIT_FIELDS))}")
    filt = parse_filter(data)
    ids = _unit_ids(conn)
    journeys: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for h in load_reports(conn, None, filt=filt):
        journeys[(h["serialNumber"].lower(), h["partNumber"].lower())].append(h)
    nodes: dict[tuple[Any, ...], dict[str, Any]] = {("Start",): {"id": 0, "name": "Start", "processCode": None,
                                                                 "splitValue": None, "unitCount": 0,
                                                                 "passedCount": 0, "failedCount": 0}}
    links: dict[tuple[int, int], dict[str, Any]] = {}
    units: list[dict[str, Any]] = []

    def node_for(h: dict[str, Any]) -> dict[str, Any]:
        value = h.get(split_key) if split_key else None
        key = (h["processCode"], value)
        if key not in nodes:
            nodes[key] = {"id": len(nodes), "name": h["processName"] + (f" ({value})" if split_key else ""),
                          "processCode": h["processCode"], "splitValue": value, "unitCount": 0,
                          "passedCount": 0, "failedCount": 0}
        return nodes[key]

    for key, reports in journeys.items():
        unit_id = ids.get(key, 0)
        nodes[("Start",)]["unitCount"] += 1
        previous = 0
        seen: set[int] = set()
        for i, h in enumerate(reports):
            node = node_for(h)
            if node["id"] not in seen:
                node["unitCount"] += 1
                seen.add(node["id"])
            passed = h["result"] == "Passed"
            node["passedCount" if passed else "failedCount"] += 1
            retest = node["id"] == previous
            link = links.setdefault((previous, node["id"]), {"source": previous, "target": node["id"], "unitCount": 0})
            link["unitCount"] += 1
            last = i == len(reports) - 1
            units.append({"source": previous, "target": node["id"], "unitId": unit_id, "isOld": False,
                          "isLast": last, "isLastPassed": last and passed, "hasPassed": passed,
                          "hasFailed": not passed, "hasRetest": retest, "orders": [],
                          "resultHistories": [h["result"]]})
            previous = node["id"]
    return {"nodes": sorted(nodes.values(), key=lambda n: n["id"]), "links": list(links.values()), "units": units}


def serial_numbers(conn: sqlite3.Connection, unit_ids: Any) -> list[dict[str, Any]]:
    """``[{unitId, serialNumber, partNumber, revision}]`` of the given unit ids."""
    if not isinstance(unit_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in unit_ids):
        raise InputError("body: must be an array of unit ids (integers)")
    out = []
    for unit_id in unit_ids:
        row = conn.execute("SELECT rowid, serial_number, part_number, revision FROM units WHERE rowid=?",
                           (unit_id,)).fetchone()
        if row is not None:
            out.append({"unitId": row[0], "serialNumber": row[1], "partNumber": row[2], "revision": row[3]})
    return out


def unit_order(units: Any) -> list[dict[str, Any]]:
    """The ``UnitFlowUnit`` records in display order (by source, target, unit id), each with
    ``orders`` set to its position."""
    if not isinstance(units, list) or not all(isinstance(u, dict) for u in units):
        raise InputError("body: must be an array of UnitFlowUnit objects")
    ordered = sorted(units, key=lambda u: (u.get("source") or 0, u.get("target") or 0, u.get("unitId") or 0))
    return [{**u, "orders": [i]} for i, u in enumerate(ordered)]
