"""Assets and asset types (reference §2.6)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from ..errors import InputError
from ..timefmt import format_header_time, now_utc
from .core import register_schema

__all__ = ["AssetInputError", "list_assets", "get_asset", "save_asset", "list_asset_types", "save_asset_type"]

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

    Logged in ``asset_log`` (codes in :mod:`.asset_extra`): a create adds one entry of type 1
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
    from .asset_extra import LOG_CREATED, LOG_UPDATED, add_log  # asset_extra imports this module

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
