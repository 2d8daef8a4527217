"""Asset calls added in WATS 25.3: setting the running or total count to a value, and
calibration/maintenance managed by an external system (both the last and the next date given),
plus the asset-log message of ``POST /api/Asset/Message``."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any

from ..timefmt import format_header_time
from .asset_extra import LOG_CALIBRATION, LOG_COUNT, LOG_MAINTENANCE, LOG_MESSAGE, AssetNotFound, add_log
from .assets import AssetInputError, get_asset

__all__ = ["find_asset", "set_count", "record_external_service", "post_message"]


def find_asset(conn: sqlite3.Connection, asset_id: str | None, serial: str | None) -> dict[str, Any]:
    """The asset by id or serial number (400 without either, 404 when unknown)."""
    key = asset_id or serial
    if not key:
        raise AssetInputError("id, serialNumber: give the asset id or its serial number")
    doc = get_asset(conn, key)
    if doc is None:
        raise AssetNotFound(f"Asset {key!r} was not found.")
    return doc


def _store(conn: sqlite3.Connection, doc: dict[str, Any]) -> None:
    conn.execute("UPDATE assets SET doc=? WHERE asset_id=?", (json.dumps(doc), doc["assetId"]))


def set_count(conn: sqlite3.Connection, asset_id: str | None, serial: str | None, field: str, value: int | None,
              user: str | None) -> None:
    """Set ``runningCount`` or ``totalCount`` to ``value`` (logged as a count change)."""
    if value is None or value < 0:
        raise AssetInputError(f"{field}: a non-negative integer is required")
    doc = find_asset(conn, asset_id, serial)
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
    """Calibration or maintenance (``kind``) done by an external system: ``fromDate`` becomes the
    last date, ``toDate`` the next one (both as given, no interval applied)."""
    doc = find_asset(conn, asset_id, serial)
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
    """Add a message (comment) to the asset's log."""
    add_log(conn, find_asset(conn, asset_id, serial), LOG_MESSAGE, None, None, content, user)
