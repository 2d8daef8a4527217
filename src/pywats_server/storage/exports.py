"""Files made by the export wizard (``/api/Export/*``), kept per user.

Single-site simplification: an export is produced at once (no background queue and no
e-mail); ``numericFormat`` and the footer tags are accepted but the certificates use the
plain layout of :mod:`pywats_server.certificate`.
"""

from __future__ import annotations

import io
import sqlite3
import zipfile
from typing import Any

from ..certificate import certificate_lines, render_pdf
from ..safe_names import safe_relative_path
from .analytics import load_reports, parse_filter
from .core import register_schema

__all__ = ["create_certificate_export", "list_exports", "get_export"]

register_schema(
    "exports",
    """
CREATE TABLE IF NOT EXISTS exports (
    file_name    TEXT NOT NULL COLLATE NOCASE,
    user_name    TEXT NOT NULL COLLATE NOCASE,
    created_utc  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    content      BLOB NOT NULL,
    PRIMARY KEY (user_name, file_name)
);
""",
)


def create_certificate_export(conn: sqlite3.Connection, user: str, body: Any, header_only: bool,
                              individual: bool) -> dict[str, Any]:
    """Certificates of the test reports matching the filter ``body``, zipped (one PDF per
    report, or one PDF of all); stored for ``user``. ``{fileName, reportCount}``."""
    headers = load_reports(conn, "T", with_body=True, filt=parse_filter(body))
    texts = []
    for h in headers:
        doc = h.get("_body") or {}
        doc.setdefault("processName", h.get("processName"))
        texts.append((h["uuid"], certificate_lines(doc, header_only)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        if individual:
            for uuid, lines in texts:
                zf.writestr(safe_relative_path(f"{uuid}.pdf"), render_pdf([lines]))
        else:
            zf.writestr("Certificates.pdf", render_pdf([lines for _, lines in texts]))
    number = int(conn.execute("SELECT COUNT(*) FROM exports WHERE user_name=?", (user,)).fetchone()[0]) + 1
    name = f"Certificates_{number:04d}.zip"
    conn.execute("INSERT OR REPLACE INTO exports(file_name, user_name, content) VALUES(?,?,?)",
                 (name, user, buf.getvalue()))
    return {"fileName": name, "reportCount": len(texts)}


def list_exports(conn: sqlite3.Connection, user: str) -> list[str]:
    """Names of ``user``'s exports, oldest first."""
    rows = conn.execute("SELECT file_name FROM exports WHERE user_name=? ORDER BY created_utc, file_name", (user,))
    return [str(r[0]) for r in rows]


def get_export(conn: sqlite3.Connection, user: str, file_name: str) -> tuple[str, bytes] | None:
    """(name, bytes) of ``user``'s export ``file_name`` (with or without extension), or None."""
    row = conn.execute(
        "SELECT file_name, content FROM exports WHERE user_name=? AND (file_name=? OR file_name LIKE ? ESCAPE '\\')",
        (user, file_name, file_name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%"),
    ).fetchone()
    return None if row is None else (str(row[0]), bytes(row[1]))


