"""The control API's read-only queue views (GET /queue, GET /uploads) on a real queue."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywats_client.queue import PersistentQueue
from pywats_client.service.control_views import QueryError, queue_entries, recent_uploads


def _report(sn: str, result: str = "P") -> dict[str, object]:
    return {"type": "T", "pn": "PN-1", "sn": sn, "rev": "A", "processCode": 100, "result": result}


def test_failed_entries_and_latest_uploads(tmp_path: Path) -> None:
    with PersistentQueue(tmp_path / "q") as queue:
        ids = [queue.add(_report(f"SN-{n}", "F" if n == 2 else "P")).id for n in range(1, 4)]
        queue.mark_failed(ids[0], "rejected by the server: bad")
        queue.mark_completed(ids[1], server_id="a")
        queue.mark_completed(ids[2], server_id="b")

        failed = queue_entries(queue, {"state": "failed"})["entries"]
        assert [(e["id"], e["serial_number"], e["error"]) for e in failed] == [(ids[0], "SN-1", "rejected by the server: bad")]
        uploads = recent_uploads(queue, {"limit": "5"})["uploads"]
        assert [(u["serial_number"], u["result"]) for u in uploads] == [("SN-3", "P"), ("SN-2", "F")]
        assert len(recent_uploads(queue, {"limit": "1"})["uploads"]) == 1


@pytest.mark.parametrize(("params", "named"), [({"state": "lost"}, "state"), ({"limit": "x"}, "limit"), ({"limit": "0"}, "limit")])
def test_bad_parameters_are_named(tmp_path: Path, params: dict[str, str], named: str) -> None:
    with PersistentQueue(tmp_path / "q") as queue, pytest.raises(QueryError, match=named):
        queue_entries(queue, params)
