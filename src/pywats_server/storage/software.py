"""Software packages, their files and virtual folders.

Tables are registered with :func:`register_schema`; the storage package imports this module,
so they are created when the database opens (and only then).
"""

from __future__ import annotations

import io
import json
import sqlite3
import uuid
import zipfile
from typing import Any

from ..errors import InputError
from ..safe_names import safe_relative_path
from ..timefmt import format_utc_full, now_utc
from .core import register_schema

__all__ = [
    "SoftwareInputError",
    "STATUSES",
    "list_packages",
    "get_package",
    "get_package_by_name",
    "packages_by_tag",
    "create_package",
    "update_package",
    "delete_package",
    "delete_package_by_name",
    "set_status",
    "list_files",
    "upload_zip",
    "set_file_attribute",
    "list_virtual_folders",
    "create_virtual_folder",
]

_DDL = """
CREATE TABLE IF NOT EXISTS sw_packages (
    package_id  TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    status      TEXT NOT NULL,
    doc         TEXT NOT NULL,
    UNIQUE(name, version)
);
CREATE TABLE IF NOT EXISTS sw_package_files (
    package_file_id TEXT PRIMARY KEY,
    package_id      TEXT NOT NULL,
    path            TEXT NOT NULL,
    doc             TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sw_package_files_pkg ON sw_package_files(package_id);
CREATE TABLE IF NOT EXISTS sw_virtual_folders (
    id      TEXT PRIMARY KEY,
    doc     TEXT NOT NULL
);
"""
register_schema("software", _DDL)

STATUSES = ("Draft", "Pending", "Released", "Revoked")
_TRANSITIONS = {("Draft", "Pending"), ("Pending", "Draft"), ("Pending", "Released"), ("Released", "Revoked")}
_CONFIG_FIELDS = ("installOnRoot", "description", "rootDirectory", "tags", "priority", "virtualFolderId")


SoftwareInputError = InputError  # the one input-error type (errors.InputError); name kept for callers


def _now() -> str:
    return format_utc_full(now_utc())


def _tags(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SoftwareInputError("tags: must be a list of {key, value}")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not item["key"].strip():
            raise SoftwareInputError(f"tags[{i}].key: required text")
        val = item.get("value")
        out.append({"key": item["key"], "value": None if val is None else str(val)})
    return out


def _config(body: dict[str, Any], doc: dict[str, Any]) -> None:
    for key in _CONFIG_FIELDS:
        folded = {k.lower(): k for k in body}
        real = folded.get(key.lower())
        if real is None:
            continue
        value = body[real]
        if key == "tags":
            value = _tags(value)
        elif key == "installOnRoot" and value is not None and not isinstance(value, bool):
            raise SoftwareInputError("installOnRoot: must be true or false")
        elif key == "priority" and value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise SoftwareInputError("priority: must be an integer")
        elif key in ("description", "rootDirectory", "virtualFolderId") and value is not None:
            value = str(value)
        doc[key] = value


def _load(conn: sqlite3.Connection, package_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT doc FROM sw_packages WHERE lower(package_id)=lower(?)",
                       (package_id.strip("{}"),)).fetchone()
    return None if row is None else json.loads(row[0])


def _save(conn: sqlite3.Connection, doc: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO sw_packages(package_id, name, version, status, doc) VALUES(?,?,?,?,?) "
        "ON CONFLICT(package_id) DO UPDATE SET name=excluded.name, version=excluded.version, "
        "status=excluded.status, doc=excluded.doc",
        (doc["packageId"], doc["name"], doc["version"], doc["status"], json.dumps(doc)),
    )


def _norm_status(value: str | None) -> str | None:
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if text.isdigit() and int(text) < len(STATUSES):
        return STATUSES[int(text)]
    for status in STATUSES:
        if status.lower() == text.lower():
            return status
    raise SoftwareInputError(f"status: must be one of {', '.join(STATUSES)}, not {value!r}")


def list_packages(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every package, ordered by name then version."""
    rows = conn.execute("SELECT doc FROM sw_packages ORDER BY lower(name), version").fetchall()
    return [json.loads(r[0]) for r in rows]


def get_package(conn: sqlite3.Connection, package_id: str) -> dict[str, Any] | None:
    """One package by id, or None."""
    return _load(conn, package_id)


def get_package_by_name(
    conn: sqlite3.Connection, name: str, status: str | None, version: int | None
) -> dict[str, Any] | None:
    """The highest version of ``name`` (in ``status`` / equal to ``version`` when given), or None."""
    wanted = _norm_status(status)
    sql = "SELECT doc FROM sw_packages WHERE lower(name)=lower(?)"
    params: list[Any] = [name]
    if wanted:
        sql += " AND status=?"
        params.append(wanted)
    if version is not None:
        sql += " AND version=?"
        params.append(version)
    row = conn.execute(sql + " ORDER BY version DESC LIMIT 1", params).fetchone()
    return None if row is None else json.loads(row[0])


def packages_by_tag(
    conn: sqlite3.Connection, tag: str, status: str | None, value: str | None
) -> list[dict[str, Any]]:
    """Packages with a tag named ``tag`` (and value ``value`` when given) in ``status``."""
    wanted = _norm_status(status)
    out = []
    for doc in list_packages(conn):
        if wanted and doc["status"] != wanted:
            continue
        for t in doc.get("tags") or []:
            if str(t.get("key", "")).lower() == tag.lower() and (value is None or t.get("value") == value):
                out.append(doc)
                break
    return out


def create_package(conn: sqlite3.Connection, body: Any, user: str) -> dict[str, Any]:
    """Store a new Draft package; a known name gets the next version number."""
    if not isinstance(body, dict):
        raise SoftwareInputError("body: must be a Package object")
    name = body.get("name") or body.get("Name")
    if not isinstance(name, str) or not name.strip():
        raise SoftwareInputError("name: required text")
    name = name.strip()
    version = conn.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM sw_packages WHERE lower(name)=lower(?)",
                           (name,)).fetchone()[0]
    package_id = str(body.get("packageId") or "").strip("{}").lower()
    if not package_id or _load(conn, package_id) is not None:
        package_id = str(uuid.uuid4())
    now = _now()
    doc: dict[str, Any] = {
        "packageId": package_id, "name": name, "installOnRoot": False, "version": version,
        "description": None, "rootDirectory": None, "tags": [], "modified": now, "modifiedBy": user,
        "status": "Draft", "priority": 0, "virtualFolderId": None, "created": now, "createdBy": user,
        "released": None, "releasedBy": None, "revoked": None, "revokedBy": None,
    }
    _config(body, doc)
    _save(conn, doc)
    return doc


def update_package(conn: sqlite3.Connection, package_id: str, body: Any, user: str) -> dict[str, Any] | None:
    """Overwrite the configuration of a Draft package; None when unknown."""
    if not isinstance(body, dict):
        raise SoftwareInputError("body: must be a Package object")
    doc = _load(conn, package_id)
    if doc is None:
        return None
    if doc["status"] != "Draft":
        raise InputError(f"Package {doc['name']} v{doc['version']} is {doc['status']}; only Draft "
                                    "packages can be changed.", status=409)
    _config(body, doc)
    doc["modified"], doc["modifiedBy"] = _now(), user
    _save(conn, doc)
    return doc


def _delete(conn: sqlite3.Connection, doc: dict[str, Any]) -> None:
    if doc["status"] not in ("Draft", "Revoked"):
        raise InputError(f"Package {doc['name']} v{doc['version']} is {doc['status']}; only Draft or "
                                    "Revoked packages can be deleted.", status=409)
    conn.execute("DELETE FROM sw_package_files WHERE package_id=?", (doc["packageId"],))
    conn.execute("DELETE FROM sw_packages WHERE package_id=?", (doc["packageId"],))


def delete_package(conn: sqlite3.Connection, package_id: str) -> bool:
    """Delete a Draft/Revoked package; False when unknown."""
    doc = _load(conn, package_id)
    if doc is None:
        return False
    _delete(conn, doc)
    return True


def delete_package_by_name(conn: sqlite3.Connection, name: str, version: int) -> bool:
    """Delete version ``version`` of ``name`` (Draft/Revoked only); False when unknown."""
    doc = get_package_by_name(conn, name, None, version)
    if doc is None:
        return False
    _delete(conn, doc)
    return True


def set_status(conn: sqlite3.Connection, package_id: str, status: str, user: str) -> dict[str, Any] | None:
    """Apply an allowed status transition; None when the package is unknown."""
    target = _norm_status(status)
    if target is None:
        raise SoftwareInputError("status: required")
    doc = _load(conn, package_id)
    if doc is None:
        return None
    if (doc["status"], target) not in _TRANSITIONS:
        raise SoftwareInputError(
            f"status: cannot change package {doc['name']} v{doc['version']} from {doc['status']} to {target} "
            "(allowed: Draft→Pending, Pending→Draft, Pending→Released, Released→Revoked)"
        )
    now = _now()
    doc["status"] = target
    doc["modified"], doc["modifiedBy"] = now, user
    if target == "Released":
        doc["released"], doc["releasedBy"] = now, user
    elif target == "Revoked":
        doc["revoked"], doc["revokedBy"] = now, user
    _save(conn, doc)
    return doc


def list_files(conn: sqlite3.Connection, package_id: str) -> list[dict[str, Any]] | None:
    """The files of a package ordered by path; None when the package is unknown."""
    doc = _load(conn, package_id)
    if doc is None:
        return None
    rows = conn.execute("SELECT doc FROM sw_package_files WHERE package_id=? ORDER BY path",
                        (doc["packageId"],)).fetchall()
    return [json.loads(r[0]) for r in rows]


def upload_zip(conn: sqlite3.Connection, package_id: str, data: bytes, clean_install: bool) -> list[dict[str, Any]] | None:
    """Record the files of a zip in a Draft package (replacing by path, or all when
    ``clean_install``); None when the package is unknown."""
    doc = _load(conn, package_id)
    if doc is None:
        return None
    if doc["status"] != "Draft":
        raise InputError(f"Package {doc['name']} v{doc['version']} is {doc['status']}; files can only "
                                    "be uploaded to Draft packages.", status=409)
    if not data:
        raise SoftwareInputError("body: the zip file is empty")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            entries = [(i.filename, i.file_size, i.CRC) for i in zf.infolist() if not i.is_dir()]
    except zipfile.BadZipFile as exc:
        raise SoftwareInputError(f"body: not a valid zip file ({exc})") from None
    pid = doc["packageId"]
    if clean_install:
        conn.execute("DELETE FROM sw_package_files WHERE package_id=?", (pid,))
    for entry, size, crc in entries:
        path = safe_relative_path(entry)
        if not path:
            raise SoftwareInputError(f"body: the zip entry {entry!r} names no file inside the package")
        folder, _, name = path.rpartition("/")
        conn.execute("DELETE FROM sw_package_files WHERE package_id=? AND path=?", (pid, path))
        fid = str(uuid.uuid4())
        file_doc = {"packageFileId": fid, "name": name, "packageFolderName": folder, "attributes": 0,
                    "Description": None, "size": size, "crc32": crc}
        conn.execute("INSERT INTO sw_package_files(package_file_id, package_id, path, doc) VALUES(?,?,?,?)",
                     (fid, pid, path, json.dumps(file_doc)))
    return list_files(conn, pid)


def set_file_attribute(conn: sqlite3.Connection, file_id: str, attribute: int) -> bool:
    """Set a file's attribute flags; False when the file is unknown."""
    if attribute < 0 or attribute > 63:
        raise SoftwareInputError("attribute: must be a combination of the flags 1, 2, 4, 8, 16, 32")
    row = conn.execute("SELECT doc FROM sw_package_files WHERE lower(package_file_id)=lower(?)",
                       (file_id.strip("{}"),)).fetchone()
    if row is None:
        return False
    file_doc = json.loads(row[0])
    file_doc["attributes"] = attribute
    conn.execute("UPDATE sw_package_files SET doc=? WHERE package_file_id=?",
                 (json.dumps(file_doc), file_doc["packageFileId"]))
    return True


def list_virtual_folders(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every virtual folder ordered by name."""
    docs = [json.loads(r[0]) for r in conn.execute("SELECT doc FROM sw_virtual_folders").fetchall()]
    return sorted(docs, key=lambda d: str(d.get("name", "")).lower())


def create_virtual_folder(
    conn: sqlite3.Connection, name: str | None, description: str | None, is_restricted: bool | None
) -> dict[str, Any]:
    """Store a new top-level virtual folder."""
    if not name or not name.strip():
        raise SoftwareInputError("name: required text")
    doc = {"id": str(uuid.uuid4()), "parentId": None, "name": name.strip(), "description": description,
           "isRestricted": bool(is_restricted)}
    conn.execute("INSERT INTO sw_virtual_folders(id, doc) VALUES(?,?)", (doc["id"], json.dumps(doc)))
    return doc
