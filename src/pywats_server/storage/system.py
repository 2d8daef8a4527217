"""System manager: the clients (test stations) known to the server and the level hierarchy.

Single-site simplifications: a client is registered the first time a report names its
station (``machineName``) or when it is looked up through the system manager; its
identifier (MAC address in WATS) defaults to its name. Levels form a tree through
``level_parents`` (a level without an entry is a top level).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..errors import InputError
from .core import register_schema

__all__ = [
    "CLIENT_TYPES", "sync_clients", "list_clients", "find_client",
    "update_client", "level_by_hierarchy", "create_level_hierarchy", "system_status",
]

#: ``type`` values of a client (ClientDto), as WATS numbers them.
CLIENT_TYPES = {1: "LocalServer", 2: "MasterServer", 5: "Client", 6: "WebClient"}

register_schema(
    "system",
    """
CREATE TABLE IF NOT EXISTS sm_clients (
    client_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT NOT NULL UNIQUE COLLATE NOCASE,
    identifier       TEXT NOT NULL COLLATE NOCASE,
    display_name     TEXT,
    location         TEXT,
    purpose          TEXT,
    type             INTEGER NOT NULL DEFAULT 5,
    client_group_id  INTEGER
);
CREATE TABLE IF NOT EXISTS level_parents (
    level_id   INTEGER PRIMARY KEY,
    parent_id  INTEGER
);
""",
)




def sync_clients(conn: sqlite3.Connection) -> None:
    """Register every station that submitted reports and is not a client yet."""
    conn.execute(
        "INSERT OR IGNORE INTO sm_clients(name, identifier, location, purpose)"
        " SELECT station_name, station_name, MAX(location), MAX(purpose) FROM reports"
        " WHERE station_name IS NOT NULL AND station_name <> '' GROUP BY station_name COLLATE NOCASE"
    )


def _client(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    stats = conn.execute(
        "SELECT COUNT(*), MAX(start_utc_full) FROM reports WHERE station_name=? COLLATE NOCASE", (row["name"],)
    ).fetchone()
    return {
        "clientId": row["client_id"], "name": row["name"], "identifier": row["identifier"],
        "displayName": row["display_name"] or row["name"], "location": row["location"], "purpose": row["purpose"],
        "type": row["type"], "typeName": CLIENT_TYPES.get(row["type"]), "clientGroupId": row["client_group_id"],
        "reportCount": stats[0], "lastReport": stats[1], "pendingCount": 0,
    }


def list_clients(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every client with its report count and last report time (UTC)."""
    return [_client(conn, r) for r in conn.execute("SELECT * FROM sm_clients ORDER BY name").fetchall()]


def find_client(conn: sqlite3.Connection, name: str | None, identifier: str | None) -> dict[str, Any]:
    """The client by name or by identifier (``InputError`` 404 when unknown)."""
    if not name and not identifier:
        raise InputError("name: give a client name or identifier")
    column, value = ("name", name) if name else ("identifier", identifier)
    row = conn.execute(f"SELECT * FROM sm_clients WHERE {column}=?", (value,)).fetchone()
    if row is None:
        raise InputError(f"Client '{value}' not found.", status=404)
    return _client(conn, row)


def update_client(conn: sqlite3.Connection, body: Any, move_with_history: bool) -> dict[str, Any]:
    """Change ``displayName``, ``location``, ``purpose`` and ``clientGroupId`` of the client
    ``clientId`` (name and type stay). ``moveWithHistory`` is accepted; reports keep the level
    they were submitted with either way (this server derives a report's level from the report)."""
    if not isinstance(body, dict):
        raise InputError("body: must be a client object")
    client_id = body.get("clientId")
    if not isinstance(client_id, int) or isinstance(client_id, bool):
        raise InputError("clientId: an integer clientId of an existing client is required")
    row = conn.execute("SELECT * FROM sm_clients WHERE client_id=?", (client_id,)).fetchone()
    if row is None:
        raise InputError(f"Client {client_id} not found.", status=404)
    values: dict[str, Any] = {}
    for key, column in (("displayName", "display_name"), ("location", "location"), ("purpose", "purpose")):
        if key in body:
            if body[key] is not None and not isinstance(body[key], str):
                raise InputError(f"{key}: must be a string")
            values[column] = body[key]
    if body.get("clientGroupId") is not None:
        group = body["clientGroupId"]
        if not isinstance(group, int) or not conn.execute("SELECT 1 FROM levels WHERE level_id=?", (group,)).fetchone():
            raise InputError(f"clientGroupId: no level {group!r}")
        values["client_group_id"] = group
    if values:
        sets = ", ".join(f"{c}=?" for c in values)
        conn.execute(f"UPDATE sm_clients SET {sets} WHERE client_id=?", (*values.values(), client_id))
    return _client(conn, conn.execute("SELECT * FROM sm_clients WHERE client_id=?", (client_id,)).fetchone())


def _child(conn: sqlite3.Connection, parent: int | None, name: str) -> int | None:
    row = conn.execute(
        "SELECT l.level_id FROM levels l LEFT JOIN level_parents p ON p.level_id=l.level_id"
        " WHERE l.level_name=? COLLATE NOCASE AND p.parent_id IS ?", (name, parent)
    ).fetchone()
    return None if row is None else int(row[0])


def _names(hierarchy: list[str]) -> list[str]:
    if any(h is not None and not isinstance(h, str) for h in hierarchy):
        raise InputError("hierarchy: a non-empty list of level names (strings) is required")
    names = [h.strip() for h in hierarchy if h is not None]
    if not names or any(not h for h in names):
        raise InputError("hierarchy: a non-empty list of level names is required")
    return names


def level_by_hierarchy(conn: sqlite3.Connection, hierarchy: list[str]) -> int | None:
    """The id of the leaf level of ``hierarchy`` (top level first), or None when a level is missing."""
    parent: int | None = None
    for name in _names(hierarchy):
        parent = _child(conn, parent, name)
        if parent is None:
            return None
    return parent


def create_level_hierarchy(conn: sqlite3.Connection, hierarchy: Any) -> int:
    """Create the levels of ``hierarchy`` that do not exist yet; the leaf level's id."""
    if not isinstance(hierarchy, list):
        raise InputError("hierarchy: the body must be an array of level names")
    parent: int | None = None
    for name in _names(hierarchy):
        found = _child(conn, parent, name)
        if found is None:
            found = int(conn.execute("SELECT COALESCE(MAX(level_id), 0) + 1 FROM levels").fetchone()[0])
            conn.execute("INSERT INTO levels(level_id, level_name) VALUES(?, ?)", (found, name))
            if parent is not None:
                conn.execute("INSERT INTO level_parents(level_id, parent_id) VALUES(?, ?)", (found, parent))
        parent = found
    assert parent is not None
    return parent


def system_status(conn: sqlite3.Connection) -> dict[str, Any]:
    """Counts describing the server's state."""
    def count(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    return {
        "reportCount": count("SELECT COUNT(*) FROM reports"),
        "uutReportCount": count("SELECT COUNT(*) FROM reports WHERE report_type='T'"),
        "uurReportCount": count("SELECT COUNT(*) FROM reports WHERE report_type='R'"),
        "clientCount": count("SELECT COUNT(*) FROM sm_clients"),
        "productCount": count("SELECT COUNT(*) FROM products"),
        "unitCount": count("SELECT COUNT(*) FROM units"),
    }
