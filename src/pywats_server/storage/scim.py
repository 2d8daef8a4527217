"""SCIM 2.0 users (``/api/SCIM/v2/*``): the user accounts an identity provider provisions.

A single-site simplification: users are kept in one table and are not tied to the tokens the
server accepts (those come from its configuration). A user resource has the SCIM core fields
WATS reads and writes: ``userName``, ``active``, ``displayName``, ``name.givenName``,
``name.familyName``, ``emails`` and ``externalId``.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from datetime import datetime, timezone
from typing import Any

from ..errors import InputError
from .core import register_schema

__all__ = [
    "USER_SCHEMA", "LIST_SCHEMA", "PATCH_SCHEMA",
    "create_user", "get_user", "find_user", "list_users", "delete_user", "patch_user",
]

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

register_schema(
    "scim",
    """
CREATE TABLE IF NOT EXISTS scim_users (
    id           TEXT PRIMARY KEY,
    user_name    TEXT NOT NULL UNIQUE COLLATE NOCASE,
    active       INTEGER NOT NULL DEFAULT 1,
    display_name TEXT,
    given_name   TEXT,
    family_name  TEXT,
    email        TEXT,
    external_id  TEXT,
    created      TEXT NOT NULL,
    modified     TEXT NOT NULL
);
""",
)




def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _resource(row: sqlite3.Row) -> dict[str, Any]:
    name = {k: v for k, v in (("givenName", row["given_name"]), ("familyName", row["family_name"])) if v}
    if name:
        name["formatted"] = " ".join(name[k] for k in ("givenName", "familyName") if k in name)
    doc: dict[str, Any] = {
        "schemas": [USER_SCHEMA],
        "id": row["id"],
        "userName": row["user_name"],
        "active": bool(row["active"]),
        "displayName": row["display_name"],
        "name": name,
        "emails": [{"value": row["email"], "type": "work", "primary": True}] if row["email"] else [],
        "meta": {"resourceType": "User", "created": row["created"], "lastModified": row["modified"],
                 "location": f"/api/SCIM/v2/Users/{row['id']}"},
    }
    if row["external_id"]:
        doc["externalId"] = row["external_id"]
    return doc


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{key}: must be a string")
    return value


def _email(body: dict[str, Any]) -> str | None:
    emails = body.get("emails")
    if emails is None:
        return None
    if not isinstance(emails, list) or not all(isinstance(e, dict) for e in emails):
        raise InputError("emails: must be an array of {value, type, primary}")
    chosen = next((e for e in emails if e.get("primary")), emails[0] if emails else None)
    return None if chosen is None else str(chosen.get("value") or "") or None


def _name_part(body: dict[str, Any], key: str) -> str | None:
    name = body.get("name")
    if name is None:
        return None
    if not isinstance(name, dict):
        raise InputError("name: must be an object {givenName, familyName}")
    return _text(name, key)


def create_user(conn: sqlite3.Connection, body: Any) -> dict[str, Any]:
    """Store a new user from a SCIM user resource; 400 without ``userName`` or when it is taken."""
    if not isinstance(body, dict):
        raise InputError("body: must be a SCIM user object")
    user_name = _text(body, "userName")
    if not user_name or not user_name.strip():
        raise InputError("userName: is required")
    if conn.execute("SELECT 1 FROM scim_users WHERE user_name=?", (user_name,)).fetchone():
        raise InputError(f"userName: '{user_name}' already exists")
    active = body.get("active", True)
    if not isinstance(active, bool):
        raise InputError("active: must be true or false")
    now = _now()
    user_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO scim_users VALUES(?,?,?,?,?,?,?,?,?,?)",
        (user_id, user_name, int(active), _text(body, "displayName"), _name_part(body, "givenName"),
         _name_part(body, "familyName"), _email(body), _text(body, "externalId"), now, now),
    )
    return get_user(conn, user_id)


def get_user(conn: sqlite3.Connection, user_id: str) -> dict[str, Any]:
    """The user resource with ``id`` (``InputError`` 404 otherwise)."""
    row = conn.execute("SELECT * FROM scim_users WHERE id=?", (user_id,)).fetchone()
    if row is None:
        raise InputError(f"User '{user_id}' not found.", status=404)
    return _resource(row)


def find_user(conn: sqlite3.Connection, user_name: str) -> dict[str, Any]:
    """The user resource whose ``userName`` is ``user_name`` (case-insensitive)."""
    row = conn.execute("SELECT * FROM scim_users WHERE user_name=?", (user_name,)).fetchone()
    if row is None:
        raise InputError(f"User '{user_name}' not found.", status=404)
    return _resource(row)


_FILTER_RE = re.compile(r'^\s*(userName|externalId|displayName)\s+eq\s+"([^"]*)"\s*$', re.IGNORECASE)
_FILTER_COLUMNS = {"username": "user_name", "externalid": "external_id", "displayname": "display_name"}


def list_users(conn: sqlite3.Connection, filter_text: str | None, start_index: int | None,
               count: int | None) -> dict[str, Any]:
    """A SCIM list response; ``filter`` supports ``<attr> eq "value"`` for userName, externalId
    and displayName; ``startIndex`` is 1-based."""
    where, params = "", []
    if filter_text and filter_text.strip():
        match = _FILTER_RE.match(filter_text)
        if match is None:
            raise InputError(f'filter: only \'userName|externalId|displayName eq "value"\' is supported, not {filter_text!r}')
        where = f" WHERE {_FILTER_COLUMNS[match.group(1).lower()]}=? COLLATE NOCASE"
        params.append(match.group(2))
    rows = conn.execute(f"SELECT * FROM scim_users{where} ORDER BY user_name", params).fetchall()
    start = max(1, start_index or 1)
    page = rows[start - 1:] if count is None else rows[start - 1:start - 1 + max(0, count)]
    return {"schemas": [LIST_SCHEMA], "totalResults": len(rows), "itemsPerPage": len(page),
            "startIndex": start, "Resources": [_resource(r) for r in page]}


def delete_user(conn: sqlite3.Connection, user_id: str) -> None:
    """Remove the user with ``id`` (``InputError`` 404 when there is none)."""
    if conn.execute("DELETE FROM scim_users WHERE id=?", (user_id,)).rowcount == 0:
        raise InputError(f"User '{user_id}' not found.", status=404)


_PATCH_COLUMNS = {
    "active": "active", "displayname": "display_name", "username": "user_name", "externalid": "external_id",
    "name.givenname": "given_name", "name.familyname": "family_name", "emails": "email",
    'emails[type eq "work"].value': "email",
}


def patch_user(conn: sqlite3.Connection, user_id: str, body: Any) -> dict[str, Any]:
    """Apply a SCIM PatchOp; like WATS only ``replace`` is supported, with a string or boolean
    value per path (or, without a path, an object of attributes)."""
    get_user(conn, user_id)
    if not isinstance(body, dict) or not isinstance(body.get("Operations"), list):
        raise InputError("Operations: a PatchOp body needs an Operations array")
    changes: dict[str, Any] = {}
    for i, op in enumerate(body["Operations"]):
        where = f"Operations[{i}]"
        if not isinstance(op, dict) or str(op.get("op", "")).lower() != "replace":
            raise InputError(f"{where}.op: only 'replace' is supported")
        path, value = op.get("path"), op.get("value")
        items = value.items() if path is None and isinstance(value, dict) else [(path, value)]
        for key, val in items:
            column = _PATCH_COLUMNS.get(str(key).lower())
            if column is None:
                raise InputError(f"{where}.path: unsupported attribute {key!r}")
            if column == "active":
                if isinstance(val, str) and val.lower() in ("true", "false"):
                    val = val.lower() == "true"
                if not isinstance(val, bool):
                    raise InputError(f"{where}.value: active must be true or false")
                val = int(val)
            elif column == "email" and isinstance(val, list):
                val = _email({"emails": val})
            elif not isinstance(val, str):
                raise InputError(f"{where}.value: {key} must be a string")
            changes[column] = val
    if changes:
        sets = ", ".join(f"{c}=?" for c in changes)
        try:
            conn.execute(f"UPDATE scim_users SET {sets}, modified=? WHERE id=?", (*changes.values(), _now(), user_id))
        except sqlite3.IntegrityError:
            raise InputError("userName: already exists") from None
    return get_user(conn, user_id)
