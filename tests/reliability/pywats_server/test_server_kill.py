"""SIGKILL the server in the middle of 200 concurrent submissions: nothing acknowledged is lost."""

from __future__ import annotations

import concurrent.futures
import copy
import json
import sqlite3
import threading
import uuid
from pathlib import Path

import httpx
import pytest

from pywats_server.testing import start_server

DATA = Path(__file__).resolve().parents[2] / "data" / "server"


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [20, 120])
def test_sigkill_during_burst_loses_no_acknowledged_report(tmp_path: Path, kill_after: int) -> None:
    db = tmp_path / "kill.db"
    base = json.loads((DATA / "sample-uut.json").read_text())
    reports = []
    for i in range(200):
        doc = copy.deepcopy(base)
        doc["id"] = str(uuid.uuid4())
        doc["sn"] = f"KILL-{i:04d}"
        reports.append(doc)

    srv = start_server(db)
    acked: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()

    shared = httpx.Client(timeout=10, limits=httpx.Limits(max_connections=32, max_keepalive_connections=32))

    def submit(doc: dict) -> None:
        try:
            r = shared.post(srv.url + "/api/Report/WSJF", json=doc, headers=srv.auth_headers)
        except httpx.HTTPError:
            return
        if 200 <= r.status_code < 300:
            assert r.json()["ID"] == doc["id"]
            with lock:
                acked.append(doc["id"])
                if len(acked) >= kill_after:
                    enough.set()

    try:
        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            futures = [pool.submit(submit, d) for d in reports]
            assert enough.wait(60), "the server acknowledged too few reports"
            srv.kill()
            for f in futures:
                f.result(timeout=60)
    finally:
        srv.kill()
        shared.close()

    assert srv.process.returncode != 0  # it really was killed
    if kill_after == 20:
        assert len(acked) < len(reports)  # ... in the middle of the burst
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with start_server(db) as again, httpx.Client(base_url=again.url, headers=again.auth_headers, timeout=30) as c:
        missing = [rid for rid in acked if c.get(f"/api/Report/Wsjf/{rid}").status_code != 200]
        assert missing == []
        headers = c.get("/api/Report/Query/Header", params={"$top": "1000", "$filter": "startswith(serialNumber, 'KILL-')"})
        stored = {h["uuid"] for h in headers.json()}
        assert set(acked) <= stored
        assert len(stored) == len({h["serialNumber"] for h in headers.json()})  # no duplicates
        # the server keeps working on the recovered database
        late = copy.deepcopy(reports[-1])
        assert c.post("/api/Report/WSJF", json=late).status_code == 200
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
