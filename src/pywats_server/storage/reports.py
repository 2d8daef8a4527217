"""Stored WSJF reports: the raw JSON as sent, derived header columns, attachments."""

from __future__ import annotations

import functools
import json
import sqlite3
from typing import TYPE_CHECKING, Any

from ..odata_sql import SqlCollection, SqlColumn, SqlSchema, SqlWhere, install_functions
from ..timefmt import format_header_time, format_utc_full
from .core import register_connection_setup, register_schema, table_columns
from .production import ensure_unit
from .products import ensure_product_revision

if TYPE_CHECKING:
    from ..validation import ReportFacts

__all__ = [
    "store_report",
    "load_report_body",
    "header_from_row",
    "iter_header_rows",
    "query_headers",
    "latest_reports",
    "get_attachment",
    "list_attachments",
    "query_by_misc_info",
    "RESULT_WORDS",
    "HEADER_SCHEMA",
]


def _migrate(conn: sqlite3.Connection) -> None:
    """Databases of older builds: add the case-folded serial number column and its index,
    replace the part-number index by one that also orders by start time."""
    if "serial_folded" not in table_columns(conn, "reports"):
        conn.execute("ALTER TABLE reports ADD COLUMN serial_folded TEXT NOT NULL DEFAULT ''")
        rows = conn.execute("SELECT report_id, serial_number FROM reports").fetchall()
        conn.executemany(
            "UPDATE reports SET serial_folded=? WHERE report_id=?",
            [(str(r[1]).casefold(), r[0]) for r in rows],
        )
    conn.execute("CREATE INDEX IF NOT EXISTS reports_sn_folded ON reports(serial_folded, start_utc_full)")
    conn.execute("DROP INDEX IF EXISTS reports_pn")
    if conn.execute("SELECT 1 FROM meta WHERE key='reports.misc_info_indexed'").fetchone() is None:
        # reports stored before the misc info index existed: index their entries once
        conn.execute("DELETE FROM report_misc_info")
        for row in conn.execute("SELECT report_id, collections FROM reports").fetchall():
            coll = json.loads(row[1])
            _index_misc_info(conn, int(row[0]), (coll.get("miscInfo") or []) + (coll.get("uurMiscInfo") or []))
        conn.execute("INSERT INTO meta(key, value) VALUES('reports.misc_info_indexed', '1')")


def _fold(value: Any) -> str | None:
    return None if value is None else str(value).casefold()


def _index_misc_info(conn: sqlite3.Connection, report_id: int, entries: list[dict[str, Any]]) -> None:
    """Record a report's misc info entries, case-folded, for HeaderByMiscInfo."""
    if entries:
        conn.executemany(
            "INSERT INTO report_misc_info(report_id, seq, description_folded, value_folded) VALUES(?,?,?,?)",
            [(report_id, i, _fold(m.get("description")), _fold(m.get("value"))) for i, m in enumerate(entries)],
        )


register_schema(
    "reports",
    """
CREATE TABLE IF NOT EXISTS reports (
    report_id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                TEXT NOT NULL UNIQUE,
    report_type         TEXT NOT NULL,
    part_number         TEXT NOT NULL,
    serial_number       TEXT NOT NULL,
    serial_folded       TEXT NOT NULL DEFAULT '',
    revision            TEXT NOT NULL,
    process_code        INTEGER NOT NULL,
    process_name        TEXT,
    result              TEXT NOT NULL,
    start_utc           TEXT NOT NULL,
    start_utc_full      TEXT NOT NULL,
    station_name        TEXT,
    location            TEXT,
    purpose             TEXT,
    user_name           TEXT,
    batch_number        TEXT,
    comment             TEXT,
    execution_time      REAL,
    fixture_id          TEXT,
    test_socket_index   INTEGER,
    error_code          INTEGER,
    error_message       TEXT,
    run                 INTEGER NOT NULL DEFAULT 1,
    receive_count       INTEGER NOT NULL DEFAULT 1,
    referenced_uut      TEXT,
    time_stamp          INTEGER NOT NULL,
    received_utc        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    report_size         INTEGER NOT NULL DEFAULT 0,
    collections         TEXT NOT NULL DEFAULT '{}',
    body                TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_start ON reports(start_utc_full);
CREATE INDEX IF NOT EXISTS reports_ts ON reports(time_stamp);
CREATE INDEX IF NOT EXISTS reports_sn_pn_process ON reports(serial_number, part_number, process_code);
CREATE INDEX IF NOT EXISTS reports_pn_start ON reports(part_number, start_utc_full);
CREATE INDEX IF NOT EXISTS reports_process_start ON reports(process_code, start_utc_full);
CREATE TABLE IF NOT EXISTS report_attachments (
    report_uuid     TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    step_id         INTEGER,
    attachment_id   TEXT,
    name            TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    data            BLOB NOT NULL,
    PRIMARY KEY (report_uuid, seq)
);
CREATE TABLE IF NOT EXISTS report_misc_info (
    report_id           INTEGER NOT NULL,
    seq                 INTEGER NOT NULL,
    description_folded  TEXT,
    value_folded        TEXT,
    PRIMARY KEY (report_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS report_misc_info_desc ON report_misc_info(description_folded, value_folded);
CREATE INDEX IF NOT EXISTS report_misc_info_value ON report_misc_info(value_folded);
""",
    _migrate,
)
register_connection_setup(install_functions)

RESULT_WORDS = {"P": "Passed", "F": "Failed", "E": "Error", "T": "Terminated", "D": "Done"}


def _collections(doc: dict[str, Any], facts: ReportFacts) -> dict[str, list[dict[str, Any]]]:
    """The expandable header collections of a report."""
    misc = [
        {"description": m.get("description"), "value": m.get("text") if m.get("text") is not None
         else (None if m.get("numeric") is None else str(m.get("numeric")))}
        for m in doc.get("miscInfos") or []
    ]
    assets = [
        {"serialNumber": a.get("assetSN") or a.get("sn"), "runningCount": a.get("usageCount"),
         "runningCountExceeded": None, "totalCount": None, "totalCountExceeded": None,
         "daysSinceMaintenance": None, "maintenanceDaysOverdue": None,
         "daysSinceCalibration": None, "calibrationDaysOverdue": None}
        for a in doc.get("assets") or []
    ]
    if facts.type == "T":
        subs = [
            {"partType": s.get("partType"), "serialNumber": s.get("sn"), "partNumber": s.get("pn"),
             "revision": s.get("rev")}
            for s in doc.get("subUnits") or []
        ]
        atts = [{"stepId": a.step_id, "filename": a.name} for a in facts.attachments if a.kind == "step"]
        return {"subUnits": subs, "miscInfo": misc, "assets": assets, "attachments": atts,
                "uurSubUnits": [], "uurMiscInfo": [], "uurAttachments": []}
    subs = [
        {"serialNumber": s.get("sn"), "partNumber": s.get("pn"), "revision": s.get("rev")}
        for s in doc.get("subUnits") or []
    ]
    atts = [{"id": a.attachment_id, "filename": a.name} for a in facts.attachments if a.kind == "binary"]
    return {"subUnits": [], "miscInfo": [], "assets": assets, "attachments": [],
            "uurSubUnits": subs, "uurMiscInfo": misc, "uurAttachments": atts}


_NEXT_TIME_STAMP = "(SELECT COALESCE(MAX(time_stamp), 0) + 1 FROM reports)"
_NEXT_RUN = "(SELECT COUNT(*) + 1 FROM reports WHERE serial_number=? AND part_number=? AND process_code=?)"


@functools.lru_cache(maxsize=8)
def _insert_sql(columns: tuple[str, ...]) -> str:
    """INSERT of ``columns`` (bound in order), then run and time_stamp (subqueries; run binds sn, pn, code)."""
    marks = ", ".join("?" for _ in columns)
    return (f"INSERT INTO reports({', '.join(columns)}, run, time_stamp) "
            f"VALUES({marks}, {_NEXT_RUN}, {_NEXT_TIME_STAMP})")


@functools.lru_cache(maxsize=8)
def _update_sql(columns: tuple[str, ...]) -> str:
    """UPDATE of ``columns`` and a new time_stamp (run is kept) for one report_id."""
    sets = ", ".join(f"{k}=?" for k in columns)
    return f"UPDATE reports SET {sets}, time_stamp={_NEXT_TIME_STAMP} WHERE report_id=?"


def store_report(conn: sqlite3.Connection, doc: dict[str, Any], facts: ReportFacts, body_text: str) -> int:
    """Insert or replace (same report id) a validated report; returns its ``Report_ID``.

    Also registers the product/revision and the unit when they are unknown. Call inside
    one write transaction.
    """
    info = doc.get("uut") if facts.type == "T" else doc.get("uur")
    info = info if isinstance(info, dict) else {}
    existing = conn.execute(
        "SELECT report_id, receive_count, run FROM reports WHERE uuid=?", (facts.uuid,)
    ).fetchone()
    receive_count = 1 if existing is None else existing["receive_count"] + 1
    exec_time = info.get("execTime")
    collections = _collections(doc, facts)
    values = {
        "uuid": facts.uuid,
        "report_type": facts.type,
        "part_number": facts.pn,
        "serial_number": facts.sn,
        "serial_folded": facts.sn.casefold(),
        "revision": facts.rev,
        "process_code": facts.process_code,
        "process_name": facts.process_name,
        "result": facts.result,
        "start_utc": format_header_time(facts.start),
        "start_utc_full": format_utc_full(facts.start),
        "station_name": facts.machine_name,
        "location": facts.location,
        "purpose": facts.purpose,
        "user_name": info.get("user"),
        "batch_number": info.get("batchSN"),
        "comment": info.get("comment"),
        "execution_time": exec_time if isinstance(exec_time, (int, float)) else None,
        "fixture_id": info.get("fixtureId"),
        "test_socket_index": info.get("testSocketIndex"),
        "error_code": info.get("errorCode"),
        "error_message": info.get("errorMessage"),
        "receive_count": receive_count,
        "referenced_uut": info.get("refUUT") if facts.type == "R" else None,
        "report_size": max(1, len(body_text) // 1024),
        "collections": json.dumps(collections),
        "body": body_text,
    }
    # time_stamp (the next number) and run (1 + earlier runs of this unit and process) are
    # computed inside the INSERT/UPDATE: fewer statements on the writer thread per report.
    if existing is None:
        cur = conn.execute(
            _insert_sql(tuple(values)), (*values.values(), facts.sn, facts.pn, facts.process_code)
        )
        report_id = int(cur.lastrowid or 0)
    else:
        report_id = int(existing["report_id"])
        conn.execute(_update_sql(tuple(values)), (*values.values(), report_id))
        conn.execute("DELETE FROM report_attachments WHERE report_uuid=?", (facts.uuid,))
        conn.execute("DELETE FROM report_misc_info WHERE report_id=?", (report_id,))
    _index_misc_info(conn, report_id, collections["miscInfo"] + collections["uurMiscInfo"])
    if facts.attachments:
        conn.executemany(
            "INSERT INTO report_attachments(report_uuid, seq, kind, step_id, attachment_id, name, content_type, data)"
            " VALUES(?,?,?,?,?,?,?,?)",
            [
                (facts.uuid, i, a.kind, a.step_id, a.attachment_id, a.name, a.content_type, a.data)
                for i, a in enumerate(facts.attachments)
            ],
        )
    ensure_product_revision(conn, facts.pn, facts.rev)
    ensure_unit(conn, facts.sn, facts.pn, facts.rev)
    return report_id


def load_report_body(conn: sqlite3.Connection, uuid: str) -> tuple[str, str, str] | None:
    """(raw body, process name, full UTC start) of a report, or None."""
    row = conn.execute(
        "SELECT body, process_name, start_utc_full FROM reports WHERE uuid=?", (uuid.strip("{}").lower(),)
    ).fetchone()
    return None if row is None else (row[0], row[1], row[2])


def header_from_row(row: sqlite3.Row) -> dict[str, Any]:
    """The ReportHeader record of a row, plus all collections under their names."""
    header: dict[str, Any] = {
        "uuid": row["uuid"],
        "serialNumber": row["serial_number"],
        "partNumber": row["part_number"],
        "reportType": row["report_type"],
        "start": row["start_utc"],
        "startUtc": row["start_utc"],
        "revision": row["revision"],
        "result": RESULT_WORDS.get(row["result"], row["result"]),
        "batchNumber": row["batch_number"],
        "userName": row["user_name"],
        "operator": row["user_name"],
        "stationName": row["station_name"],
        "location": row["location"],
        "purpose": row["purpose"],
        "measuresDeleted": False,
        "timeStamp": row["time_stamp"],
        "processCode": row["process_code"],
        "processName": row["process_name"],
        "comment": row["comment"],
        "executionTime": row["execution_time"],
        "swFilename": None,
        "swVersion": None,
        "testSocketIndex": row["test_socket_index"],
        "fixtureId": row["fixture_id"],
        "errorCode": row["error_code"],
        "errorMessage": row["error_message"],
        "run": row["run"],
        "receiveCount": row["receive_count"],
        "reportSize": row["report_size"],
        "causedUutFailure": None,
        "causedUutFailurePath": None,
        "passedInRun": None,
        "referencedUut": row["referenced_uut"],
    }
    header.update(json.loads(row["collections"]))
    return header


_RESULT_WORD_SQL = "(CASE result " + " ".join(
    f"WHEN '{k}' THEN '{v}'" for k, v in RESULT_WORDS.items()) + " ELSE result END)"


def _text(column: str, nullable: bool = True) -> SqlColumn:
    return SqlColumn(column, "text", nullable)


def _number(column: str, nullable: bool = True) -> SqlColumn:
    return SqlColumn(column, "number", nullable)


_START = SqlColumn("start_utc", "start", False, start_full="start_utc_full")
_NONE = SqlColumn("NULL", "const", True, None)

#: What a ``$filter`` on report headers may name, and where each property is stored.
HEADER_SCHEMA = SqlSchema(
    columns={
        "uuid": SqlColumn("uuid", "uuid", False),
        "serialNumber": _text("serial_number", False),
        "partNumber": _text("part_number", False),
        "reportType": _text("report_type", False),
        "start": _START,
        "startUtc": _START,
        "revision": _text("revision", False),
        "result": _text(_RESULT_WORD_SQL, False),
        "batchNumber": _text("batch_number"),
        "userName": _text("user_name"),
        "operator": _text("user_name"),
        "stationName": _text("station_name"),
        "location": _text("location"),
        "purpose": _text("purpose"),
        "measuresDeleted": SqlColumn("0", "const", False, False),
        "timeStamp": _number("time_stamp", False),
        "processCode": _number("process_code", False),
        "processName": _text("process_name"),
        "comment": _text("comment"),
        "executionTime": _number("execution_time"),
        "swFilename": _NONE,
        "swVersion": _NONE,
        "testSocketIndex": _number("test_socket_index"),
        "fixtureId": _text("fixture_id"),
        "errorCode": _number("error_code"),
        "errorMessage": _text("error_message"),
        "run": _number("run", False),
        "receiveCount": _number("receive_count", False),
        "reportSize": _number("report_size", False),
        "causedUutFailure": _NONE,
        "causedUutFailurePath": _NONE,
        "passedInRun": _NONE,
        "referencedUut": _text("referenced_uut"),
    },
    collections={
        "subUnits": SqlCollection("collections", "$.subUnits", ("partType", "serialNumber", "partNumber", "revision")),
        "miscInfo": SqlCollection("collections", "$.miscInfo", ("description", "value")),
        "assets": SqlCollection("collections", "$.assets", (
            "serialNumber", "runningCount", "runningCountExceeded", "totalCount", "totalCountExceeded",
            "daysSinceMaintenance", "maintenanceDaysOverdue", "daysSinceCalibration", "calibrationDaysOverdue")),
        "attachments": SqlCollection("collections", "$.attachments", ("stepId", "filename")),
        "uurSubUnits": SqlCollection("collections", "$.uurSubUnits", ("serialNumber", "partNumber", "revision")),
        "uurMiscInfo": SqlCollection("collections", "$.uurMiscInfo", ("description", "value")),
        "uurAttachments": SqlCollection("collections", "$.uurAttachments", ("id", "filename")),
    },
)

_ORDER_COLUMNS = {
    "start": "start_utc_full",
    "uuid": "uuid",
    "serialnumber": "serial_number",
    "timestamp": "time_stamp",
}

_HEADER_SELECT = (
    "SELECT report_id, uuid, report_type, part_number, serial_number, revision, process_code, process_name,"
    " result, start_utc, start_utc_full, station_name, location, purpose, user_name, batch_number, comment,"
    " execution_time, fixture_id, test_socket_index, error_code, error_message, run, receive_count,"
    " referenced_uut, time_stamp, report_size, collections FROM reports"
)


def iter_header_rows(
    conn: sqlite3.Connection,
    order: list[tuple[str, bool]],
    report_type: str | None = None,
    where: SqlWhere | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> sqlite3.Cursor:
    """A cursor over the report header rows matching ``where`` (and ``report_type``) in the
    requested order (names as in $orderby), after ``offset`` rows, at most ``limit``."""
    clauses = []
    for name, desc in order or [("start", True)]:
        col = _ORDER_COLUMNS[name.lower()]
        clauses.append(f"{col} {'DESC' if desc else 'ASC'}")
    clauses.append("time_stamp DESC")
    conditions: list[str] = []
    params: list[Any] = []
    if report_type:
        conditions.append("report_type=?")
        params.append(report_type)
    if where is not None:
        conditions.append(where.sql)
        params.extend(where.params)
    sql = _HEADER_SELECT
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    sql += f" ORDER BY {', '.join(clauses)}"
    if limit is not None or offset:
        sql += " LIMIT ? OFFSET ?"
        params.extend((-1 if limit is None else limit, offset))
    return conn.execute(sql, params)


def query_headers(
    conn: sqlite3.Connection,
    order: list[tuple[str, bool]],
    report_type: str | None,
    where: SqlWhere | None,
    top: int,
    skip: int,
) -> list[dict[str, Any]]:
    """Headers matching ``where`` (see :data:`HEADER_SCHEMA`) in ``order``, after skipping
    ``skip``, at most ``top`` — all selected by the database."""
    if top <= 0:
        return []
    return [header_from_row(row) for row in iter_header_rows(conn, order, report_type, where, top, skip)]


def latest_reports(conn: sqlite3.Connection, limit: int = 50) -> list[sqlite3.Row]:
    """The most recently received reports."""
    return conn.execute(
        "SELECT uuid, serial_number, part_number, process_name, process_code, result, start_utc, received_utc"
        " FROM reports ORDER BY time_stamp DESC LIMIT ?",
        (limit,),
    ).fetchall()


def get_attachment(
    conn: sqlite3.Connection, report_uuid: str | None, attachment_id: str | None, step_id: int | None
) -> sqlite3.Row | None:
    """One attachment by UUR ``attachmentId`` or UUT ``stepId`` (report id optional for the former)."""
    if attachment_id:
        if report_uuid:
            return conn.execute(
                "SELECT * FROM report_attachments WHERE report_uuid=? AND lower(attachment_id)=lower(?)",
                (report_uuid, attachment_id),
            ).fetchone()
        return conn.execute(
            "SELECT * FROM report_attachments WHERE lower(attachment_id)=lower(?) LIMIT 1", (attachment_id,)
        ).fetchone()
    if step_id is not None and report_uuid:
        return conn.execute(
            "SELECT * FROM report_attachments WHERE report_uuid=? AND kind='step' AND step_id=?",
            (report_uuid, step_id),
        ).fetchone()
    return None


def list_attachments(conn: sqlite3.Connection, report_uuid: str) -> list[sqlite3.Row]:
    """Every attachment of a report in submission order."""
    return conn.execute(
        "SELECT * FROM report_attachments WHERE report_uuid=? ORDER BY seq", (report_uuid,)
    ).fetchall()


def query_by_misc_info(
    conn: sqlite3.Connection,
    description: str | None,
    data: str | None,
    serial_number: str | None,
    process_code: int | None,
    top: int | None = None,
) -> list[dict[str, Any]]:
    """Reports with a misc info entry matching ``description`` and/or ``data``, newest first.

    Text comparisons are exact but case-insensitive (as SQL Server's default collation);
    ``data`` matches the entry's text, or its numeric value written as text. Every given
    criterion must hold (``serial_number``, ``process_code`` narrow the reports). Each result
    is ``{miscData:[{description, data}] (all the report's entries), serialNumber, partNumber,
    start, result, uuid, processCode, processName}``; at most ``top`` results when given.
    """
    where: list[str] = []
    params: list[Any] = []
    if serial_number is not None:
        where.append("serial_folded = ?")
        params.append(serial_number.casefold())
    if process_code is not None:
        where.append("process_code = ?")
        params.append(process_code)
    wanted: list[str] = []
    for column, needle in (("description_folded", description), ("value_folded", data)):
        if needle is not None:
            wanted.append(f"{column} = ?")
            params.append(_fold(needle))
    if wanted and serial_number is not None:
        # the serial number index finds the few reports; each is checked by its own entries
        # (primary key; '+' keeps SQLite from using the description index here instead)
        where.append("EXISTS (SELECT 1 FROM report_misc_info m WHERE m.report_id = reports.report_id AND "
                     + " AND ".join("+m." + w for w in wanted) + ")")
    elif wanted:  # the indexed, case-folded entries (report_misc_info) select the reports
        where.append("report_id IN (SELECT report_id FROM report_misc_info WHERE " + " AND ".join(wanted) + ")")
    sql = (
        "SELECT uuid, serial_number, part_number, start_utc, result, process_code, process_name, collections"
        " FROM reports" + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY start_utc_full DESC, time_stamp DESC"
    )
    if top is not None:
        if top <= 0:
            return []
        sql += " LIMIT ?"
        params.append(top)
    out: list[dict[str, Any]] = []
    for row in conn.execute(sql, params):
        coll = json.loads(row["collections"])
        entries = [
            {"description": m.get("description"), "data": m.get("value")}
            for m in (coll.get("miscInfo") or []) + (coll.get("uurMiscInfo") or [])
        ]
        out.append({
            "miscData": entries,
            "serialNumber": row["serial_number"],
            "partNumber": row["part_number"],
            "start": row["start_utc"],
            "result": RESULT_WORDS.get(row["result"], row["result"]),
            "uuid": row["uuid"],
            "processCode": row["process_code"],
            "processName": row["process_name"],
        })
    return out
