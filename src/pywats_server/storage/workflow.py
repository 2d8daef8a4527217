"""Workflow test activities (``GET /api/Workflow/StartTest`` / ``EndTest``).

Single-site simplification: there are no workflow definitions to design; every unit may
start a test activity. StartTest opens an activity for the unit (false when one is already
open), EndTest closes the open one with its result (false when none is open).
"""

from __future__ import annotations

import sqlite3

from .core import register_schema

__all__ = ["start_test", "end_test"]

register_schema(
    "workflow",
    """
CREATE TABLE IF NOT EXISTS workflow_activities (
    activity_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    serial_number  TEXT NOT NULL COLLATE NOCASE,
    part_number    TEXT NOT NULL COLLATE NOCASE,
    status         INTEGER NOT NULL,
    operator_name  TEXT,
    station_name   TEXT,
    started_utc    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    ended_utc      TEXT,
    passed         INTEGER
);
CREATE INDEX IF NOT EXISTS workflow_open ON workflow_activities(serial_number, part_number, ended_utc);
""",
)


def _open_activity(conn: sqlite3.Connection, serial_number: str, part_number: str) -> int | None:
    row = conn.execute(
        "SELECT activity_id FROM workflow_activities WHERE serial_number=? AND part_number=? AND ended_utc IS NULL",
        (serial_number, part_number),
    ).fetchone()
    return None if row is None else int(row[0])


def start_test(conn: sqlite3.Connection, serial_number: str, part_number: str, status: int,
               operator_name: str | None, station_name: str | None) -> bool:
    """Open a test activity for the unit; False when one is open already."""
    if _open_activity(conn, serial_number, part_number) is not None:
        return False
    conn.execute(
        "INSERT INTO workflow_activities(serial_number, part_number, status, operator_name, station_name)"
        " VALUES(?,?,?,?,?)", (serial_number, part_number, status, operator_name, station_name),
    )
    return True


def end_test(conn: sqlite3.Connection, serial_number: str, part_number: str, passed: bool,
             operator_name: str | None, station_name: str | None) -> bool:
    """Close the unit's open test activity with its result; False when none is open."""
    activity = _open_activity(conn, serial_number, part_number)
    if activity is None:
        return False
    conn.execute(
        "UPDATE workflow_activities SET ended_utc=strftime('%Y-%m-%dT%H:%M:%fZ','now'), passed=?,"
        " operator_name=COALESCE(?, operator_name), station_name=COALESCE(?, station_name) WHERE activity_id=?",
        (int(passed), operator_name, station_name, activity),
    )
    return True
