"""Internal ``/api/internal/App/*`` lists (MeasurementList, StepStatusList), alarm and
notification logs, and repair operations.

Step filters: WATS hands the web application an XML step filter taken from a TopFailed
answer. This server reads the step paths out of it: every ``path``/``stepPath``
attribute or ``StepPath`` element text (``¶`` or ``/`` between step names); plain text is
taken as ``;``-separated paths. Sequence filters narrow to steps below the given paths.

Alarms and notifications (single-site simplification, no trigger editor): a *yield* alarm
(type 1) for each product whose first-pass yield in the filter window is below 90 %, and an
*asset* alarm (type 2) or notification for each asset whose counts or due dates are past
their warning (notification) or alarm limits.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any
from xml.etree import ElementTree as ET

from ..errors import InputError
from .analytics import PATH_SEP, apply_run, dynamic_yield, iter_steps, load_reports, measurements, parse_filter
from .assets import list_assets
from .assets import status as asset_status

__all__ = ["step_paths", "measurement_list", "step_status_list", "alarm_logs", "ALARM_TYPES", "YIELD_ALARM_LIMIT"]

ALARM_TYPES = {1: "Yield", 2: "Asset"}
YIELD_ALARM_LIMIT = 90.0
_STATUS = {"P": "Passed", "F": "Failed", "E": "Error", "T": "Terminated", "S": "Skipped", "D": "Done"}


def step_paths(text: str | None) -> list[str]:
    """Step paths named by a step or sequence filter (XML or ``;``-separated text)."""
    if text is None or not text.strip():
        return []
    raw = text.strip()
    paths: list[str] = []
    if raw.startswith("<"):
        try:
            root = ET.fromstring(raw)
        except ET.ParseError as exc:
            raise InputError(f"stepFilters: not valid XML ({exc})") from None
        for el in root.iter():
            for key, value in el.attrib.items():
                if key.lower() in ("path", "steppath", "measurementpath") and value:
                    paths.append(value)
            if el.tag.rsplit("}", 1)[-1].lower() == "steppath" and (el.text or "").strip():
                paths.append((el.text or "").strip())
    else:
        paths = [p.strip() for p in raw.split(";") if p.strip()]
    return [re.sub(r"\s*/\s*", PATH_SEP, p) if PATH_SEP not in p else p for p in paths]


def _under(path: str, sequences: list[str]) -> bool:
    return not sequences or any(path == s or path.startswith(s + PATH_SEP) for s in sequences)


def measurement_list(conn: sqlite3.Connection, body: Any, step_filters: str | None,
                     sequence_filters: str | None) -> list[dict[str, Any]]:
    """Measured values of the filtered steps (every numeric step without a step filter)."""
    steps = step_paths(step_filters)
    sequences = step_paths(sequence_filters)
    rows = measurements(conn, body, ";".join(steps) if steps else None)
    return [r for r in rows if _under(r["measurementPath"].split(PATH_SEP + PATH_SEP)[0], sequences)]


def step_status_list(conn: sqlite3.Connection, body: Any, step_filters: str | None,
                     sequence_filters: str | None) -> list[dict[str, Any]]:
    """One row per execution of the filtered steps: report, unit, step and its status."""
    filt = parse_filter(body)
    steps = {p.lower() for p in step_paths(step_filters)}
    sequences = step_paths(sequence_filters)
    out = []
    for h in apply_run(load_reports(conn, "T", with_body=True, filt=filt), filt.run):
        for step, path in iter_steps(h.get("_body") or {}):
            if (steps and path.lower() not in steps) or not _under(path, sequences):
                continue
            out.append({"reportId": h["uuid"], "serialNumber": h["serialNumber"], "partNumber": h["partNumber"],
                        "revision": h["revision"], "start": h["start"], "stationName": h["stationName"],
                        "testOperation": h["processName"], "stepName": step.get("name"), "stepPath": path,
                        "stepType": step.get("stepType"),
                        "status": _STATUS.get(str(step.get("status")), step.get("status"))})
    limit = filt.max_count or filt.top_count
    return out if limit is None else out[:limit]


def alarm_logs(conn: sqlite3.Connection, body: Any, include_types: set[int] | None,
               include_calculation: bool) -> list[dict[str, Any]]:
    """Alarm and notification log entries, newest first, ``topCount`` at most."""
    filt = parse_filter(body)
    out: list[dict[str, Any]] = []
    if include_types is None or 1 in include_types:
        for row in dynamic_yield(conn, {k: v for k, v in (body or {}).items() if k.lower() != "topcount"},
                                 "partNumber"):
            if row["fpy"] is None or row["fpy"] >= YIELD_ALARM_LIMIT:
                continue
            entry = {"typeId": 1, "type": "Yield", "isAlarm": True, "name": f"Yield {row['partNumber']}",
                     "message": f"First-pass yield of {row['partNumber']} is {row['fpy']} % "
                                f"(limit {YIELD_ALARM_LIMIT} %, {row['unitCount']} units)",
                     "partNumber": row["partNumber"], "value": row["fpy"], "date": None}
            if include_calculation:
                entry["calculation"] = f"fpCount / unitCount = {row['fpCount']} / {row['unitCount']}"
            out.append(entry)
    if include_types is None or 2 in include_types:
        for asset in list_assets(conn):
            state = asset_status(conn, asset["assetId"], None)
            if not state["alarmState"]:
                continue
            entry = {"typeId": 2, "type": "Asset", "isAlarm": state["alarmState"] == 2,
                     "name": f"Asset {asset['serialNumber']}", "message": "; ".join(state["messages"]),
                     "assetId": asset["assetId"], "serialNumber": asset["serialNumber"], "date": asset.get("lastSeenDate")}
            if include_calculation:
                entry["calculation"] = f"runningCount {state['runningCount']} of {state['runningCountLimit']}"
            out.append(entry)
    for i, entry in enumerate(out, start=1):
        entry["logId"] = i
    return out if filt.top_count is None else out[:filt.top_count]
