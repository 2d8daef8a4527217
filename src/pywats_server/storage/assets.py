"""Assets and asset types; their usage, state, calibration, maintenance, status, log and
sub-assets.

Asset documents live in ``assets``; changes are logged in ``asset_log``. Log ``type``
codes (AssetLog ``type`` 0–8): 0 message, 1 created (registered by
``PUT /api/Asset``), 2 updated (one entry per changed property on ``PUT /api/Asset``),
3 reset running count, 4 calibration, 5 maintenance, 6 state change, 7 count, 8 delete.

WATS 25.3 added setting the running or total count to a value and calibration/maintenance
managed by an external system (both the last and the next date given): :func:`set_count`,
:func:`record_external_service`.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from ..errors import InputError
from ..odata_sql import SqlColumn, SqlSchema, SqlWhere
from ..timefmt import format_header_time, now_utc
from .core import register_schema

__all__ = ["AssetInputError", "list_assets", "get_asset", "save_asset", "list_asset_types", "save_asset_type", "add_log", "LOG_MESSAGE", "LOG_CREATED", "LOG_UPDATED", "LOG_RESET", "LOG_CALIBRATION", "LOG_MAINTENANCE", "LOG_STATE", "LOG_COUNT", "LOG_DELETED", "set_state", "count", "reset_running_count", "record_service", "status", "list_log", "sub_assets", "set_count", "record_external_service", "post_message", "delete_asset"]

register_schema(
    "assets",
    """
CREATE TABLE IF NOT EXISTS asset_types (
    type_id     TEXT PRIMARY KEY,
    type_name   TEXT NOT NULL UNIQUE,
    doc         TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS assets (
    asset_id        TEXT PRIMARY KEY,
    serial_number   TEXT NOT NULL UNIQUE,
    type_id         TEXT NOT NULL REFERENCES asset_types(type_id),
    doc             TEXT NOT NULL
);
INSERT OR IGNORE INTO asset_types(type_id, type_name, doc) VALUES
 ('00000000-0000-0000-0000-000000000001', 'Fixture',
  '{"typeId": "00000000-0000-0000-0000-000000000001", "typeName": "Fixture", "parentTypeId": null, "runningCountLimit": 10000, "totalCountLimit": null, "maintenanceInterval": null, "calibrationInterval": null, "warningThreshold": 0.8, "alarmThreshold": 1.0, "isReadOnly": false}'),
 ('00000000-0000-0000-0000-000000000002', 'Instrument',
  '{"typeId": "00000000-0000-0000-0000-000000000002", "typeName": "Instrument", "parentTypeId": null, "runningCountLimit": null, "totalCountLimit": null, "maintenanceInterval": null, "calibrationInterval": 365, "warningThreshold": 0.8, "alarmThreshold": 1.0, "isReadOnly": false}');
""",
)

_ASSET_DEFAULTS: dict[str, Any] = {
    "assetId": None, "serialNumber": None, "parentAssetId": None, "parentSerialNumber": None,
    "assetName": None, "partNumber": None, "revision": None, "typeId": None, "state": 1,
    "description": None, "location": None, "firstSeenDate": None, "lastSeenDate": None,
    "lastMaintenanceDate": None, "nextMaintenanceDate": None, "lastCalibrationDate": None,
    "nextCalibrationDate": None, "totalCount": 0, "runningCount": 0, "tags": [],
}
_SERVER_OWNED = ("totalCount", "runningCount", "lastMaintenanceDate", "nextMaintenanceDate",
                 "lastCalibrationDate", "nextCalibrationDate", "firstSeenDate")
#: Changed on every save, so not logged as a property change.
_LOG_QUIET = frozenset({"lastSeenDate"})
_TYPE_DEFAULTS: dict[str, Any] = {
    "typeId": None, "typeName": None, "parentTypeId": None, "runningCountLimit": None,
    "totalCountLimit": None, "maintenanceInterval": None, "calibrationInterval": None,
    "warningThreshold": None, "alarmThreshold": None, "isReadOnly": False,
}


AssetInputError = InputError  # the one input-error type (errors.InputError); name kept for callers


def list_assets(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """All assets ordered by assetId."""
    return [json.loads(r[0]) for r in conn.execute("SELECT doc FROM assets ORDER BY asset_id").fetchall()]


def get_asset(conn: sqlite3.Connection, key: str) -> dict[str, Any] | None:
    """An asset by assetId (GUID) or serial number."""
    row = conn.execute(
        "SELECT doc FROM assets WHERE lower(asset_id)=lower(?) OR serial_number=? LIMIT 1", (key, key)
    ).fetchone()
    return None if row is None else json.loads(row[0])


def save_asset(conn: sqlite3.Connection, body: Any, user: str | None = None) -> dict[str, Any]:
    """Create (empty ``assetId``, unknown serial) or update an asset; counts and dates are kept.

    Logged in ``asset_log`` (codes below): a create adds one entry of type 1
    (created); an update adds one entry of type 2 (updated) per changed property, with the
    property name and its new value (one entry without a property when nothing changed).
    ``user`` is recorded as the entry's user.
    """
    if not isinstance(body, dict):
        raise AssetInputError("body: must be one Asset object")
    sn = body.get("serialNumber")
    if not isinstance(sn, str) or not sn.strip():
        raise AssetInputError("serialNumber: is required")
    type_id = body.get("typeId")
    if not isinstance(type_id, str) or not type_id:
        raise AssetInputError("typeId: is required")
    trow = conn.execute("SELECT type_id FROM asset_types WHERE lower(type_id)=lower(?)", (type_id,)).fetchone()
    if trow is None:
        raise AssetInputError(f"typeId: unknown asset type {type_id!r}")
    aid = body.get("assetId") or None
    existing = None
    if aid:
        existing = conn.execute("SELECT asset_id, doc FROM assets WHERE lower(asset_id)=lower(?)", (aid,)).fetchone()
    if existing is None:
        existing = conn.execute("SELECT asset_id, doc FROM assets WHERE serial_number=?", (sn,)).fetchone()
    now = format_header_time(now_utc())
    if existing is None:
        doc = {**_ASSET_DEFAULTS, **body}
        doc["assetId"] = aid or str(uuid.uuid4())
        for key in _SERVER_OWNED:
            doc[key] = _ASSET_DEFAULTS[key]
        doc["firstSeenDate"] = now
    else:
        old = json.loads(existing[1])
        doc = {**old, **body, "assetId": existing[0]}
        for key in _SERVER_OWNED:
            doc[key] = old.get(key)
        if doc["serialNumber"] != old["serialNumber"] and conn.execute(
            "SELECT 1 FROM assets WHERE serial_number=?", (sn,)
        ).fetchone():
            raise AssetInputError(f"serialNumber: {sn!r} is already used by another asset")
    doc["typeId"] = trow[0]
    doc["lastSeenDate"] = now
    parent = doc.get("parentSerialNumber") or doc.get("parentAssetId")
    if parent:
        prow = get_asset(conn, parent)
        if prow is None:
            raise AssetInputError(f"parentAssetId: unknown parent asset {parent!r}")
        doc["parentAssetId"], doc["parentSerialNumber"] = prow["assetId"], prow["serialNumber"]
    conn.execute(
        "INSERT INTO assets(asset_id, serial_number, type_id, doc) VALUES(?,?,?,?)"
        " ON CONFLICT(asset_id) DO UPDATE SET serial_number=excluded.serial_number,"
        " type_id=excluded.type_id, doc=excluded.doc",
        (doc["assetId"], sn, doc["typeId"], json.dumps(doc)),
    )
    _log_save(conn, doc, None if existing is None else json.loads(existing[1]), user)
    return doc


def _log_save(conn: sqlite3.Connection, doc: dict[str, Any], old: dict[str, Any] | None, user: str | None) -> None:
    if old is None:
        add_log(conn, doc, LOG_CREATED, None, None, "asset created", user)
        return
    changed = [k for k in doc if k not in _LOG_QUIET and doc.get(k) != old.get(k)]
    for key in changed:
        add_log(conn, doc, LOG_UPDATED, key, doc.get(key), f"{key} changed", user)
    if not changed:
        add_log(conn, doc, LOG_UPDATED, None, None, "asset saved without changes", user)


def list_asset_types(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """All asset types ordered by name."""
    return [json.loads(r[0]) for r in conn.execute("SELECT doc FROM asset_types ORDER BY type_name").fetchall()]


def save_asset_type(conn: sqlite3.Connection, body: Any) -> dict[str, Any]:
    """Create (empty ``typeId``) or update an asset type; ``typeName`` is required."""
    if not isinstance(body, dict):
        raise AssetInputError("body: must be one AssetType object")
    name = body.get("typeName")
    if not isinstance(name, str) or not name.strip():
        raise AssetInputError("typeName: is required")
    tid = body.get("typeId") or None
    existing = None
    if tid:
        existing = conn.execute("SELECT type_id, doc FROM asset_types WHERE lower(type_id)=lower(?)", (tid,)).fetchone()
    if existing is None:
        existing = conn.execute("SELECT type_id, doc FROM asset_types WHERE type_name=?", (name,)).fetchone()
    if existing is None:
        doc = {**_TYPE_DEFAULTS, **body, "typeId": tid or str(uuid.uuid4())}
    else:
        doc = {**json.loads(existing[1]), **body, "typeId": existing[0]}
        clash = conn.execute(
            "SELECT 1 FROM asset_types WHERE type_name=? AND type_id<>?", (name, existing[0])
        ).fetchone()
        if clash:
            raise AssetInputError(f"typeName: {name!r} is already used by another asset type")
    conn.execute(
        "INSERT INTO asset_types(type_id, type_name, doc) VALUES(?,?,?)"
        " ON CONFLICT(type_id) DO UPDATE SET type_name=excluded.type_name, doc=excluded.doc",
        (doc["typeId"], name, json.dumps(doc)),
    )
    return doc

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


#: Where each AssetLog property is stored, for ``$filter`` compiled to SQL (a property the
#: log does not have is null, as when the filter is evaluated on the records).
LOG_SCHEMA = SqlSchema(
    columns={
        "logId": SqlColumn("log_id", "number", False),
        "assetId": SqlColumn("asset_id", "text", False),
        "serialNumber": SqlColumn("serial_number", "text"),
        "date": SqlColumn("date", "start", False, start_full="date"),
        "user": SqlColumn("user", "text"),
        "type": SqlColumn("type", "number", False),
        "property": SqlColumn("property", "text"),
        "value": SqlColumn("value", "text"),
        "comment": SqlColumn("comment", "text"),
    },
    unknown_is_null=True,
)


def list_log(
    conn: sqlite3.Connection, where: SqlWhere | None = None, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """The log entries (AssetLog records) matching ``where`` (see :data:`LOG_SCHEMA`) in log
    order, after ``offset``, at most ``limit`` — selected by the database."""
    sql = "SELECT * FROM asset_log"
    params: list[Any] = []
    if where is not None:
        sql += f" WHERE {where.sql}"
        params.extend(where.params)
    sql += " ORDER BY log_id"
    if limit is not None or offset:
        sql += " LIMIT ? OFFSET ?"
        params.extend((-1 if limit is None else limit, offset))
    return [
        {"logId": r["log_id"], "assetId": r["asset_id"], "serialNumber": r["serial_number"], "date": r["date"],
         "user": r["user"], "type": r["type"], "property": r["property"], "value": r["value"],
         "comment": r["comment"]}
        for r in conn.execute(sql, params).fetchall()
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


def set_count(conn: sqlite3.Connection, asset_id: str | None, serial: str | None, field: str, value: int | None,
              user: str | None) -> None:
    """Set ``runningCount`` or ``totalCount`` to ``value`` (logged as a count change; WATS 25.3)."""
    if value is None or value < 0:
        raise AssetInputError(f"{field}: a non-negative integer is required")
    doc = _find(conn, asset_id, serial)
    old = doc.get(field)
    doc[field] = value
    _store(conn, doc)
    add_log(conn, doc, LOG_COUNT, field, value, f"{field} set from {old} to {value}", user)


def _date(text: str | None, name: str) -> str | None:
    if text is None or not text.strip():
        return None
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise AssetInputError(f"{name}: not an ISO 8601 date-time: {text!r}") from None
    return format_header_time(dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc))


def record_external_service(conn: sqlite3.Connection, kind: str, asset_id: str | None, serial: str | None,
                            from_text: str | None, to_text: str | None, comment: str | None,
                            user: str | None) -> dict[str, Any]:
    """Calibration or maintenance (``kind``) done by an external system (WATS 25.3): ``fromDate``
    becomes the last date, ``toDate`` the next one (both as given, no interval applied)."""
    doc = _find(conn, asset_id, serial)
    last, due = _date(from_text, "fromDate"), _date(to_text, "toDate")
    if last is None or due is None:
        raise AssetInputError(f"{'fromDate' if last is None else 'toDate'}: is required")
    cap = "Calibration" if kind == "calibration" else "Maintenance"
    doc[f"last{cap}Date"], doc[f"next{cap}Date"] = last, due
    _store(conn, doc)
    add_log(conn, doc, LOG_CALIBRATION if kind == "calibration" else LOG_MAINTENANCE, f"next{cap}Date", due,
            comment or f"external {kind}: {last} to {due}", user)
    return doc


def post_message(conn: sqlite3.Connection, asset_id: str | None, serial: str | None, content: str,
                 user: str | None) -> None:
    """Add a message (comment) to the asset's log (400 without id/serial number, 404 unknown asset)."""
    add_log(conn, _find(conn, asset_id, serial), LOG_MESSAGE, None, None, content, user)


def delete_asset(conn: sqlite3.Connection, key: str) -> bool:
    """Delete the asset with id or serial number ``key`` and its log; its children move to its
    parent. False when there is no such asset."""
    doc = get_asset(conn, key)
    if doc is None:
        return False
    for child in _children(conn, doc["assetId"]):
        child.update(parentAssetId=doc.get("parentAssetId"), parentSerialNumber=doc.get("parentSerialNumber"))
        _store(conn, child)
    conn.execute("DELETE FROM asset_log WHERE asset_id=?", (doc["assetId"],))
    conn.execute("DELETE FROM assets WHERE asset_id=?", (doc["assetId"],))
    return True
