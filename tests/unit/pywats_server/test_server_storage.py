"""Server storage opened in-process (no sockets): schema created at open, migrations of
databases written by older builds."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from pywats_server.storage import Storage, assets, products, rootcause, software
from pywats_server.storage import production as prod

#: ``units`` as an older build created it: the parent is known by serial number only.
_OLD_UNITS = """
CREATE TABLE units (
    serial_number           TEXT NOT NULL,
    part_number             TEXT NOT NULL,
    revision                TEXT,
    parent_serial_number    TEXT,
    batch_number            TEXT,
    serial_date             TEXT,
    current_location        TEXT,
    xml_data                TEXT,
    unit_phase_id           INTEGER NOT NULL DEFAULT 2,
    process_code            TEXT,
    tags                    TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (serial_number, part_number)
);
CREATE INDEX units_parent ON units(parent_serial_number);
INSERT INTO units(serial_number, part_number, parent_serial_number, unit_phase_id) VALUES
  ('UP', 'PN-U', NULL, 2), ('C1', 'PCB', 'UP', 16),
  ('AP', 'PN-1', NULL, 2), ('AP', 'PN-2', NULL, 2), ('C2', 'PCB', 'AP', 16);
"""


def _old_db(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(_OLD_UNITS)
    conn.close()
    return path


def _subunits(store: Storage, sn: str, pn: str) -> list[str]:
    unit = store.read_sync(prod.get_unit, sn, pn)
    assert unit is not None
    return [u["serialNumber"] for u in unit["subUnits"]]


def test_old_units_table_gets_parent_part_number(tmp_path: Path) -> None:
    db = _old_db(tmp_path / "old.db")
    store = Storage(db)
    try:
        cols = store.read_sync(lambda c: {r[1] for r in c.execute("PRAGMA table_info(units)")})
        assert "parent_part_number" in cols
        rows = dict(store.read_sync(lambda c: c.execute(
            "SELECT serial_number, parent_part_number FROM units WHERE parent_serial_number IS NOT NULL").fetchall()))
        assert rows == {"C1": "PN-U", "C2": None}  # unique parent filled in, ambiguous one left open
        assert _subunits(store, "UP", "PN-U") == ["C1"]
        # an ambiguous old relation stays visible under both parents (as before the migration)
        assert _subunits(store, "AP", "PN-1") == ["C2"] and _subunits(store, "AP", "PN-2") == ["C2"]
        # it can be removed through either parent; new relations are exact
        store.write_sync(prod.remove_child_unit, "AP", "PN-2", "C2", "PCB")
        store.write_sync(prod.add_child_unit, "AP", "PN-1", "C2", "PCB")
        assert _subunits(store, "AP", "PN-1") == ["C2"] and _subunits(store, "AP", "PN-2") == []
    finally:
        store.close()
    again = Storage(db)  # opening a migrated database again changes nothing
    try:
        assert _subunits(again, "AP", "PN-1") == ["C2"] and _subunits(again, "UP", "PN-U") == ["C1"]
    finally:
        again.close()


def test_put_units_parent_resolved_by_unique_serial_or_given_part_number(tmp_path: Path) -> None:
    store = Storage(tmp_path / "new.db")
    try:
        res = store.write_sync(prod.save_units, [
            {"serialNumber": "P", "partNumber": "A"}, {"serialNumber": "K1", "partNumber": "X", "parentSerialNumber": "P"},
        ])
        assert res["errorCount"] == 0
        store.write_sync(prod.save_units, [
            {"serialNumber": "P", "partNumber": "B"},
            {"serialNumber": "K2", "partNumber": "X", "parentSerialNumber": "P", "parentPartNumber": "B"},
        ])
        assert _subunits(store, "P", "A") == ["K1"] and _subunits(store, "P", "B") == ["K2"]
    finally:
        store.close()


def test_opening_creates_every_area_table_in_a_clean_interpreter(tmp_path: Path) -> None:
    """Only ``pywats_server.storage`` imported (no routes): every area's tables exist at open."""
    code = (
        "import sys, sqlite3\n"
        "from pywats_server.storage import Storage\n"
        "s = Storage(sys.argv[1]); s.close()\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "print(' '.join(sorted(r[0] for r in c.execute(\"SELECT name FROM sqlite_master WHERE type='table'\"))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "fresh.db")], capture_output=True,
                         text=True, timeout=60, check=True).stdout.split()
    expected = {"meta", "reports", "report_attachments", "products", "product_revisions", "product_boms", "units",
                "sn_types", "sn_taken", "assets", "asset_types", "asset_log", "processes", "sw_packages",
                "sw_package_files", "sw_virtual_folders", "rc_tickets", "rc_attachments"}
    assert expected <= set(out), sorted(expected - set(out))


def test_reads_on_a_fresh_database(tmp_path: Path) -> None:
    store = Storage(tmp_path / "fresh.db")
    try:
        assert store.read_sync(assets.list_log) == []
        assert store.read_sync(products.get_bom, "PN", "A") is None
        assert store.read_sync(software.list_packages) == [] and store.read_sync(rootcause.get_ticket, "x") is None
    finally:
        store.close()


def test_concurrent_writes_share_commits_and_fail_alone(tmp_path: Path) -> None:
    """Writes that wait together are committed together (group commit); one that raises is
    rolled back alone and its caller gets the exception; every answer comes after COMMIT."""
    store = Storage(tmp_path / "group.db")
    store.write_sync(lambda c: c.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)"))
    statements: list[str] = []
    store._conn.set_trace_callback(statements.append)
    started, gate = threading.Event(), threading.Event()

    def first(conn: sqlite3.Connection) -> str:
        started.set()
        assert gate.wait(10)
        conn.execute("INSERT INTO t VALUES(0)")
        return "first"

    def insert(conn: sqlite3.Connection, k: int) -> int:
        conn.execute("INSERT INTO t VALUES(?)", (k,))
        if k == 13:
            raise ValueError("unlucky")
        return k

    async def main() -> list[object]:
        head = asyncio.create_task(store.write(first))
        assert await asyncio.to_thread(started.wait, 10)  # the writer is busy with `first`
        rest = [asyncio.create_task(store.write(insert, k)) for k in range(1, 50)]
        for _ in range(5):
            await asyncio.sleep(0)  # let every task hand its job over
        gate.set()
        return await asyncio.gather(head, *rest, return_exceptions=True)

    try:
        results = asyncio.run(main())
        assert results[0] == "first" and isinstance(results[13], ValueError)
        assert [r for i, r in enumerate(results) if i not in (0, 13)] == [k for k in range(1, 50) if k != 13]
        stored = store.read_sync(lambda c: [r[0] for r in c.execute("SELECT k FROM t ORDER BY k")])
        assert stored == [k for k in range(50) if k != 13]
        commits = [s for s in statements if s.strip().upper() == "COMMIT"]
        assert 1 <= len(commits) <= 3, f"{len(commits)} commits for 50 writes"
    finally:
        store.close()
