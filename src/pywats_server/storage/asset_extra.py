"""Asset usage, state, calibration, maintenance, status, log and sub-assets (reference §2.6).

Works on the asset documents of :mod:`.assets`; keeps an ``asset_log`` table (created when
the database opens). Log ``type``
codes (AssetLog ``type`` 0–8, reference §2.6): 0 message, 1 created (registered by
``PUT /api/Asset``), 2 updated (one entry per changed property on ``PUT /api/Asset``),
3 reset running count, 4 calibration, 5 maintenance, 6 state change, 7 count, 8 delete.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from typing import Any

from ..errors import InputError
from ..timefmt import format_header_time, now_utc
from .assets import AssetInputError, get_asset
from .core import register_schema

__all__ = [
    "add_log", "LOG_MESSAGE", "LOG_CREATED", "LOG_UPDATED", "LOG_RESET",
    "LOG_CALIBRATION", "LOG_MAINTENANCE", "LOG_STATE", "LOG_COUNT", "LOG_DELETED", "set_state", "count", "reset_running_count", "record_service",
    "status", "list_log", "sub_assets",
]

_DDL = """CREATE TABLE IF NOT EXISTS asset_log (
    log_id          INTEGER PRIMARY KEY AUTOINCREMENT,
    asset_id        TEXT NOT NULL,
    serial_number   TEXT,
    date            TEXT NOT NULL,
    user            TEXT,
    type            INTEGER NOT NULL,
    property        TEXT,
    value           TEXT,
    comment         TEXT
)"""
register_schema("asset_log", _DDL + ";")

LOG_MESSAGE, LOG_CREATED, LOG_UPDATED, LOG_RESET, LOG_CALIBRATION = 0, 1, 2, 3, 4
LOG_MAINTENANCE, LOG_STATE, LOG_COUNT, LOG_DELETED = 5, 6, 7, 8


def _find(conn: sqlite3.Connection, asset_id: str | None, serial: str | None) -> dict[str, Any]:
    key = asset_id or serial
    if not key:
        raise AssetInputError("id, serialNumber: give the asset id or its serial number")
    doc = get_asset(conn, key)
    if doc is None:
        raise InputError(f"Asset {key!r} was not found.", status=404)
    return doc


def _store(conn: sqlite3.Connection, doc: dict[str, Any]) -> None:
    conn.execute("UPDATE assets SET doc=? WHERE asset_id=?", (json.dumps(doc), doc["assetId"]))


def add_log(conn: sqlite3.Connection, doc: dict[str, Any], kind: int, prop: str | None, value: Any,
            comment: str | None, user: str | None, when: str | None = None) -> None:
    """Append one AssetLog entry for asset ``doc`` (``kind`` is a ``LOG_*`` type code; lists
    and objects in ``value`` are stored as JSON text). Call inside the write transaction."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    conn.execute(
        "INSERT INTO asset_log(asset_id, serial_number, date, user, type, property, value, comment)"
        " VALUES(?,?,?,?,?,?,?,?)",
        (doc["assetId"], doc["serialNumber"], when or format_header_time(now_utc()), user, kind, prop,
         None if value is None else str(value), comment),
    )


def _type_doc(conn: sqlite3.Connection, type_id: str | None) -> dict[str, Any]:
    row = conn.execute("SELECT doc FROM asset_types WHERE type_id=?", (type_id,)).fetchone()
    return {} if row is None else json.loads(row[0])


def set_state(conn: sqlite3.Connection, asset_id: str | None, serial: str | None, state: int, user: str | None) -> None:
    """Set the asset's state (0–6) and log the change."""
    if not 0 <= state <= 6:
        raise AssetInputError(f"state: must be 0-6, not {state}")
    doc = _find(conn, asset_id, serial)
    old = doc.get("state")
    doc["state"] = state
    _store(conn, doc)
    add_log(conn, doc, LOG_STATE, "state", state, f"state {old} -> {state}", user)


def _children(conn: sqlite3.Connection, asset_id: str) -> list[dict[str, Any]]:
    return [d for d in (json.loads(r[0]) for r in conn.execute("SELECT doc FROM assets").fetchall())
            if d.get("parentAssetId") == asset_id]


def count(conn: sqlite3.Connection, asset_id: str | None, serial: str | None, total: int | None,
          increment_by: int | None, children: bool) -> None:
    """Add uses: ``increment_by`` (default 1) to running and total count, or set ``total`` (the
    running count grows by the same difference). ``children`` applies it to every sub-asset too."""
    doc = _find(conn, asset_id, serial)
    todo, seen = [doc], set()
    while todo:
        d = todo.pop()
        if d["assetId"] in seen:
            continue
        seen.add(d["assetId"])
        old_total = int(d.get("totalCount") or 0)
        step = (total - old_total) if total is not None and d is doc else (1 if increment_by is None else increment_by)
        if step < 0 and total is None:
            raise AssetInputError("incrementBy: must not be negative")
        d["totalCount"] = old_total + step
        d["runningCount"] = max(0, int(d.get("runningCount") or 0) + max(step, 0))
        _store(conn, d)
        if children:
            todo.extend(_children(conn, d["assetId"]))


def reset_running_count(conn: sqlite3.Connection, asset_id: str | None, serial: str | None,
                        comment: str | None, user: str | None) -> None:
    """Running count back to 0, logged."""
    doc = _find(conn, asset_id, serial)
    old = doc.get("runningCount")
    doc["runningCount"] = 0
    _store(conn, doc)
    add_log(conn, doc, LOG_RESET, "runningCount", 0, comment or f"running count {old} reset", user)


def _parse_when(text: str | None) -> datetime:
    if not text:
        return now_utc()
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise AssetInputError(f"dateTime: not an ISO 8601 date-time: {text!r}") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def record_service(conn: sqlite3.Connection, kind: str, asset_id: str | None, serial: str | None,
                   when_text: str | None, comment: str | None, user: str | None) -> dict[str, Any]:
    """Record a calibration or maintenance (``kind``): last date, next date from the type's interval (days)."""
    doc = _find(conn, asset_id, serial)
    when = _parse_when(when_text)
    cap = "Calibration" if kind == "calibration" else "Maintenance"
    interval = _type_doc(conn, doc.get("typeId")).get(f"{kind}Interval")
    doc[f"last{cap}Date"] = format_header_time(when)
    doc[f"next{cap}Date"] = format_header_time(when + timedelta(days=float(interval))) if interval else None
    _store(conn, doc)
    add_log(conn, doc, LOG_CALIBRATION if kind == "calibration" else LOG_MAINTENANCE, f"last{cap}Date",
         doc[f"last{cap}Date"], comment, user)
    return doc


def _level(value: float, limit: float | None, warn: float, alarm: float) -> int:
    if not limit:
        return 0
    ratio = value / limit
    return 2 if ratio >= alarm else 1 if ratio >= warn else 0


def status(conn: sqlite3.Connection, asset_id: str | None, serial: str | None) -> dict[str, Any]:
    """Alarm state 0 ok / 1 warning / 2 alarm from count limits and due dates, with messages."""
    doc = _find(conn, asset_id, serial)
    typ = _type_doc(conn, doc.get("typeId"))
    warn = float(typ.get("warningThreshold") or 0.8)
    alarm = float(typ.get("alarmThreshold") or 1.0)
    messages: list[str] = []
    state = 0
    for label, value, limit in (("running count", doc.get("runningCount") or 0, typ.get("runningCountLimit")),
                                ("total count", doc.get("totalCount") or 0, typ.get("totalCountLimit"))):
        lvl = _level(float(value), limit, warn, alarm)
        if lvl:
            messages.append(f"{label} {value} of limit {limit} ({'alarm' if lvl == 2 else 'warning'})")
        state = max(state, lvl)
    now = now_utc()
    for cap, key in (("Calibration", "calibrationInterval"), ("Maintenance", "maintenanceInterval")):
        due = doc.get(f"next{cap}Date")
        if not due:
            continue
        remaining = (_parse_when(due) - now).total_seconds() / 86400.0
        interval = float(typ.get(key) or 0)
        lvl = 2 if remaining <= 0 else 1 if interval and remaining <= (1 - warn) * interval else 0
        if lvl:
            messages.append(f"{cap.lower()} {'overdue' if lvl == 2 else 'due soon'} ({due})")
        state = max(state, lvl)
    return {
        "assetId": doc["assetId"], "serialNumber": doc["serialNumber"], "alarmState": state, "messages": messages,
        "runningCount": doc.get("runningCount"), "runningCountLimit": typ.get("runningCountLimit"),
        "totalCount": doc.get("totalCount"), "totalCountLimit": typ.get("totalCountLimit"),
        "nextCalibrationDate": doc.get("nextCalibrationDate"), "nextMaintenanceDate": doc.get("nextMaintenanceDate"),
    }


def list_log(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every log entry (AssetLog records) in log order."""
    return [
        {"logId": r["log_id"], "assetId": r["asset_id"], "serialNumber": r["serial_number"], "date": r["date"],
         "user": r["user"], "type": r["type"], "property": r["property"], "value": r["value"],
         "comment": r["comment"]}
        for r in conn.execute("SELECT * FROM asset_log ORDER BY log_id").fetchall()
    ]


def sub_assets(conn: sqlite3.Connection, asset_id: str | None, serial: str | None, level: int | None) -> list[dict[str, Any]]:
    """Descendants of an asset, breadth first; ``level`` limits the depth (None = all)."""
    doc = _find(conn, asset_id, serial)
    out: list[dict[str, Any]] = []
    frontier, depth, seen = [doc], 0, {doc["assetId"]}
    while frontier and (level is None or depth < level):
        nxt = []
        for d in frontier:
            for child in _children(conn, d["assetId"]):
                if child["assetId"] not in seen:
                    seen.add(child["assetId"])
                    nxt.append(child)
        out.extend(sorted(nxt, key=lambda d: d["serialNumber"]))
        frontier, depth = nxt, depth + 1
    return out
