"""RootCause tickets and their attachments.

Tables are registered with :func:`register_schema`; the storage package imports this module,
so they are created when the database opens (and only then).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from ..errors import InputError
from ..timefmt import format_utc_full, now_utc
from .core import register_schema

__all__ = [
    "TicketInputError",
    "STATUS_NAMES",
    "get_ticket",
    "create_ticket",
    "update_ticket",
    "list_tickets",
    "archive_tickets",
    "save_attachment",
    "get_attachment",
]

_DDL = """
CREATE TABLE IF NOT EXISTS rc_tickets (
    ticket_id       TEXT PRIMARY KEY,
    ticket_number   INTEGER NOT NULL UNIQUE,
    status          INTEGER NOT NULL,
    doc             TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rc_attachments (
    attachment_id   TEXT PRIMARY KEY,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    data            BLOB NOT NULL
);
"""
register_schema("rootcause", _DDL)

STATUS_NAMES = {1: "Open", 2: "In progress", 4: "On hold", 8: "Solved", 16: "Closed", 32: "Archived"}
PRIORITY_NAMES = {0: "Low", 1: "Medium", 2: "High"}
_EDITABLE = ("progress", "assignee", "subject", "priority", "reportUuid", "team", "origin", "tags")


TicketInputError = InputError  # the one input-error type (errors.InputError); name kept for callers


def _now() -> str:
    return format_utc_full(now_utc())


def _get(body: dict[str, Any], key: str) -> tuple[bool, Any]:
    for k, v in body.items():
        if k.lower() == key.lower():
            return True, v
    return False, None


def _check_field(key: str, value: Any) -> Any:
    if key == "priority":
        if isinstance(value, bool) or value not in PRIORITY_NAMES:
            raise TicketInputError("priority: must be 0 (low), 1 (medium) or 2 (high)")
    elif key == "tags":
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(t, dict) and isinstance(t.get("key"), str)
                                                  for t in value):
            raise TicketInputError("tags: must be a list of {key, value}")
        return [{"key": t["key"], "value": t.get("value")} for t in value]
    elif value is not None and not isinstance(value, str):
        raise TicketInputError(f"{key}: must be text")
    return value


def _status(value: Any) -> int:
    if isinstance(value, bool) or value not in STATUS_NAMES:
        raise TicketInputError("status: must be one of 1 (Open), 2 (InProgress), 4 (OnHold), 8 (Solved), "
                               "16 (Closed), 32 (Archived)")
    return int(value)


def _make_update(conn: sqlite3.Connection, raw: Any, user: str, default_type: int = 0) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise TicketInputError("update: must be an Update object")
    _, content = _get(raw, "content")
    _, utype = _get(raw, "updateType")
    _, atts = _get(raw, "attachments")
    if content is not None and not isinstance(content, str):
        raise TicketInputError("update.content: must be text")
    utype = default_type if utype is None else utype
    if isinstance(utype, bool) or utype not in (0, 1, 2, 3):
        raise TicketInputError("update.updateType: must be 0 (content), 1 (progress), 2 (properties) or "
                               "3 (notification)")
    attachments = []
    for i, a in enumerate(atts or []):
        aid = a.get("attachmentId") if isinstance(a, dict) else None
        if not isinstance(aid, str):
            raise TicketInputError(f"update.attachments[{i}].attachmentId: required")
        row = conn.execute("SELECT file_name FROM rc_attachments WHERE lower(attachment_id)=lower(?)",
                           (aid.strip("{}"),)).fetchone()
        if row is None:
            raise TicketInputError(f"update.attachments[{i}].attachmentId: unknown attachment {aid}")
        attachments.append({"attachmentId": aid.strip("{}").lower(), "filename": a.get("filename") or row[0]})
    if not content and not attachments:
        return None
    _, who = _get(raw, "updateUser")
    return {"updateId": str(uuid.uuid4()), "updateUtc": _now(), "updateUser": who or user, "content": content,
            "updateType": utype, "attachments": attachments}


def _save(conn: sqlite3.Connection, doc: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO rc_tickets(ticket_id, ticket_number, status, doc) VALUES(?,?,?,?) "
        "ON CONFLICT(ticket_id) DO UPDATE SET status=excluded.status, doc=excluded.doc",
        (doc["ticketId"], doc["ticketNumber"], doc["status"], json.dumps(doc)),
    )


def _view(doc: dict[str, Any]) -> dict[str, Any]:
    return {**doc, "update": None}


def get_ticket(conn: sqlite3.Connection, ticket_id: str) -> dict[str, Any] | None:
    """One ticket (with history), or None."""
    row = conn.execute("SELECT doc FROM rc_tickets WHERE lower(ticket_id)=lower(?)",
                       (str(ticket_id).strip().strip("{}"),)).fetchone()
    return None if row is None else _view(json.loads(row[0]))


def create_ticket(conn: sqlite3.Connection, body: Any, user: str) -> dict[str, Any]:
    """Store a new ticket (owner = the caller); its ``update`` becomes the first history entry."""
    if not isinstance(body, dict):
        raise TicketInputError("body: must be a Ticket object")
    found, subject = _get(body, "subject")
    if not isinstance(subject, str) or not subject.strip():
        raise TicketInputError("subject: required text")
    number = conn.execute("SELECT COALESCE(MAX(ticket_number), 0) + 1 FROM rc_tickets").fetchone()[0]
    now = _now()
    doc: dict[str, Any] = {
        "ticketId": str(uuid.uuid4()), "ticketNumber": number, "progress": None, "owner": user,
        "assignee": None, "subject": subject.strip(), "status": 1, "priority": 1, "reportUuid": None,
        "createdUtc": now, "updatedUtc": now, "team": None, "origin": None, "tags": [], "history": [],
    }
    for key in _EDITABLE:
        found, value = _get(body, key)
        if found and value is not None:
            doc[key] = _check_field(key, value)
    found, status = _get(body, "status")
    if found and status is not None:
        doc["status"] = _status(status)
        if doc["status"] == 32:
            raise TicketInputError("status: a new ticket cannot be Archived")
    found, owner = _get(body, "owner")
    if isinstance(owner, str) and owner.strip():
        doc["owner"] = owner
    update = _make_update(conn, _get(body, "update")[1], user)
    if update is not None:
        doc["history"].append(update)
    _save(conn, doc)
    return _view(doc)


def update_ticket(conn: sqlite3.Connection, body: Any, user: str) -> dict[str, Any] | None:
    """Apply a changed ticket: editable fields and status overwrite, ``update`` is appended;
    status and assignee changes are logged as a properties update. None when unknown."""
    if not isinstance(body, dict):
        raise TicketInputError("body: must be a Ticket object")
    _, ticket_id = _get(body, "ticketId")
    if not isinstance(ticket_id, str) or not ticket_id.strip():
        raise TicketInputError("ticketId: required")
    row = conn.execute("SELECT doc FROM rc_tickets WHERE lower(ticket_id)=lower(?)",
                       (ticket_id.strip().strip("{}"),)).fetchone()
    if row is None:
        return None
    doc = json.loads(row[0])
    if doc["status"] == 32:
        raise TicketInputError(f"status: ticket {doc['ticketNumber']} is archived and cannot be changed")
    changes = []
    for key in _EDITABLE:
        found, value = _get(body, key)
        if not found:
            continue
        value = _check_field(key, value)
        if key == "subject" and (not isinstance(value, str) or not value.strip()):
            raise TicketInputError("subject: required text")
        if key == "assignee" and value != doc.get("assignee"):
            changes.append(f"Assigned to {value}" if value else "Unassigned")
        if key == "priority" and value != doc.get("priority"):
            changes.append(f"Priority changed to {PRIORITY_NAMES[value]}")
        doc[key] = value
    found, status = _get(body, "status")
    if found and status is not None:
        new = _status(status)
        if new == 32 and doc["status"] != 32:
            raise TicketInputError("status: use ArchiveTickets to archive a (Solved) ticket")
        if new != doc["status"]:
            changes.append(f"Status changed from {STATUS_NAMES[doc['status']]} to {STATUS_NAMES[new]}")
            doc["status"] = new
    update = _make_update(conn, _get(body, "update")[1], user)
    if update is not None:
        doc["history"].append(update)
    if changes:
        doc["history"].append(_make_update(conn, {"content": "; ".join(changes), "updateType": 2}, user))
    doc["updatedUtc"] = _now()
    _save(conn, doc)
    return _view(doc)


def _matches(doc: dict[str, Any], needle: str) -> bool:
    texts = [doc.get("subject"), str(doc.get("ticketNumber")), doc.get("progress"), doc.get("team"),
             doc.get("assignee"), doc.get("owner")]
    texts += [f"{t.get('key')} {t.get('value')}" for t in doc.get("tags") or []]
    texts += [u.get("content") for u in doc.get("history") or []]
    return any(needle in str(t).lower() for t in texts if t)


def list_tickets(
    conn: sqlite3.Connection, status_flags: int, view: int, search: str | None, user: str
) -> list[dict[str, Any]]:
    """Tickets whose status is in ``status_flags`` seen through ``view`` (0 assigned to
    ``user``, 1 owned by or assigned to ``user``, 2 all), newest number first."""
    if view not in (0, 1, 2):
        raise TicketInputError("view: must be 0 (assigned), 1 (following) or 2 (all)")
    if status_flags <= 0 or status_flags > 63:
        raise TicketInputError("status: must be a combination of the flags 1, 2, 4, 8, 16, 32")
    rows = conn.execute("SELECT doc FROM rc_tickets WHERE (status & ?) != 0 ORDER BY ticket_number DESC",
                        (status_flags,)).fetchall()
    needle = (search or "").strip().lower()
    out = []
    for (text,) in rows:
        doc = json.loads(text)
        if view == 0 and doc.get("assignee") != user:
            continue
        if view == 1 and user not in (doc.get("assignee"), doc.get("owner")):
            continue
        if needle and not _matches(doc, needle):
            continue
        out.append(_view(doc))
    return out


def archive_tickets(conn: sqlite3.Connection, ids: Any, user: str) -> list[dict[str, Any]]:
    """Archive Solved tickets, all or none; returns them. Unknown id or other status → error."""
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise TicketInputError("body: must be a non-empty list of ticket ids")
    docs = []
    for i, tid in enumerate(ids):
        row = conn.execute("SELECT doc FROM rc_tickets WHERE lower(ticket_id)=lower(?)",
                           (tid.strip().strip("{}"),)).fetchone()
        if row is None:
            raise TicketInputError(f"[{i}]: ticket {tid} was not found")
        doc = json.loads(row[0])
        if doc["status"] != 8:
            raise TicketInputError(f"[{i}]: ticket {doc['ticketNumber']} is {STATUS_NAMES[doc['status']]}; "
                                   "only Solved tickets can be archived")
        docs.append(doc)
    for doc in docs:
        doc["status"] = 32
        doc["history"].append(_make_update(conn, {"content": "Status changed from Solved to Archived",
                                                  "updateType": 2}, user))
        doc["updatedUtc"] = _now()
        _save(conn, doc)
    return [_view(d) for d in docs]


def save_attachment(conn: sqlite3.Connection, file_name: str, content_type: str, data: bytes) -> str:
    """Store an attachment; returns its new id."""
    aid = str(uuid.uuid4())
    conn.execute("INSERT INTO rc_attachments(attachment_id, file_name, content_type, data) VALUES(?,?,?,?)",
                 (aid, file_name, content_type, data))
    return aid


def get_attachment(conn: sqlite3.Connection, attachment_id: str) -> tuple[str, str, bytes] | None:
    """(file name, content type, bytes) of an attachment, or None."""
    row = conn.execute("SELECT file_name, content_type, data FROM rc_attachments WHERE lower(attachment_id)=lower(?)",
                       (attachment_id.strip().strip("{}"),)).fetchone()
    return None if row is None else (row[0], row[1], bytes(row[2]))
