"""Server storage of the software and rootcause areas on a bare SQLite connection with the
registered schemas (as ``Storage`` creates them when the database opens): the area rules,
and a rolled-back write leaves nothing behind."""

from __future__ import annotations

import io
import sqlite3
import zipfile

import pytest

from pywats_server.storage import rootcause as rc
from pywats_server.storage import software as sw
from pywats_server.storage.core import registered_schemas


@pytest.fixture()
def conn() -> sqlite3.Connection:
    c = sqlite3.connect(":memory:", isolation_level=None)
    c.row_factory = sqlite3.Row
    for part in registered_schemas():
        c.executescript(part.ddl)
    return c


def test_reads_of_an_empty_database(conn: sqlite3.Connection) -> None:
    assert sw.list_packages(conn) == [] and sw.get_package(conn, "x") is None
    assert sw.get_package_by_name(conn, "x", None, None) is None and sw.list_virtual_folders(conn) == []
    assert sw.list_files(conn, "x") is None
    assert rc.get_ticket(conn, "x") is None and rc.list_tickets(conn, 63, 2, None, "u") == []
    assert rc.get_attachment(conn, "x") is None


def test_rolled_back_write_leaves_nothing(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    with pytest.raises(sw.SoftwareInputError, match="name"):
        sw.create_package(conn, {"name": ""}, "u")
    conn.execute("ROLLBACK")
    assert sw.list_packages(conn) == []
    conn.execute("BEGIN IMMEDIATE")
    doc = sw.create_package(conn, {"name": "P", "tags": [{"key": "k", "value": 1}]}, "u")
    conn.execute("COMMIT")
    assert sw.get_package(conn, doc["packageId"])["tags"] == [{"key": "k", "value": "1"}]


def test_software_rules(conn: sqlite3.Connection) -> None:
    doc = sw.create_package(conn, {"name": "P"}, "u")
    pid = doc["packageId"]
    assert sw.create_package(conn, {"name": "p"}, "u")["version"] == 2  # names compare case-insensitively
    with pytest.raises(sw.SoftwareInputError, match="Draft to Released"):
        sw.set_status(conn, pid, "Released", "u")
    sw.set_status(conn, pid, "1", "u")  # numeric status 1 = Pending
    assert sw.get_package(conn, pid)["status"] == "Pending"
    with pytest.raises(sw.SoftwareInputError) as conflict:
        sw.delete_package(conn, pid)
    assert conflict.value.status == 409  # only a Draft package can be deleted
    with pytest.raises(sw.SoftwareInputError, match="tags"):
        sw.create_package(conn, {"name": "Q", "tags": "a"}, "u")
    other = sw.create_package(conn, {"name": "Z"}, "u")["packageId"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("dir/", b"")
        zf.writestr("dir/a.txt", b"abc")
    files = sw.upload_zip(conn, other, buf.getvalue(), False)
    assert [(f["name"], f["packageFolderName"], f["size"]) for f in files] == [("a.txt", "dir", 3)]
    with pytest.raises(sw.SoftwareInputError, match="attribute"):
        sw.set_file_attribute(conn, files[0]["packageFileId"], 64)


def test_rootcause_rules(conn: sqlite3.Connection) -> None:
    t = rc.create_ticket(conn, {"subject": "S", "update": {"content": "first"}}, "ann")
    assert t["owner"] == "ann" and t["ticketNumber"] == 1 and t["history"][0]["updateUser"] == "ann"
    with pytest.raises(rc.TicketInputError, match="priority"):
        rc.update_ticket(conn, {"ticketId": t["ticketId"], "priority": 5}, "ann")
    with pytest.raises(rc.TicketInputError, match="updateType"):
        rc.update_ticket(conn, {"ticketId": t["ticketId"], "update": {"content": "x", "updateType": 9}}, "ann")
    empty = rc.update_ticket(conn, {"ticketId": t["ticketId"], "update": {"content": ""}}, "ann")
    assert len(empty["history"]) == 1  # an empty update adds nothing
    with pytest.raises(rc.TicketInputError, match="only Solved"):
        rc.archive_tickets(conn, [t["ticketId"]], "ann")
    with pytest.raises(rc.TicketInputError, match="not found"):
        rc.archive_tickets(conn, ["nope"], "ann")
    rc.update_ticket(conn, {"ticketId": t["ticketId"], "status": 8}, "ann")
    assert rc.archive_tickets(conn, [t["ticketId"]], "ann")[0]["status"] == 32
    with pytest.raises(rc.TicketInputError, match="archived"):
        rc.update_ticket(conn, {"ticketId": t["ticketId"], "subject": "again"}, "ann")
