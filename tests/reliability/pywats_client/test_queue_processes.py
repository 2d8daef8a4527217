"""Several processes on one PersistentQueue: no entry is claimed twice, none is stolen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pywats_client.queue import PersistentQueue

SRC = str(Path(__file__).resolve().parents[3] / "src")

WORKER = r"""
import sys
from pywats_client.queue import PersistentQueue
with PersistentQueue(sys.argv[1]) as q:
    while True:
        batch = q.claim_next(int(sys.argv[2]))
        if not batch:
            break
        for item in batch:
            print(item.id, flush=True)
            q.mark_completed(item.id)
"""

RETRIER = r"""
import sys
from pywats_client.queue import PersistentQueue
total = 0
for _ in range(int(sys.argv[2])):
    with PersistentQueue(sys.argv[1]) as q:   # each open runs start-up recovery
        total += q.retry_all_failed()
print(total, flush=True)
"""


def run(code: str, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )


def test_two_processes_claim_disjoint_sets(tmp_path: Path) -> None:
    path = tmp_path / "q"
    with PersistentQueue(path) as q:
        ids = {i.id for i in q.add_many([{"sn": f"SN-{n}", "pn": "PN"} for n in range(400)])}
    procs = [run(WORKER, str(path), str(n)) for n in (1, 3, 7)]
    outputs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        outputs.append(out.split())
    claimed = [i for out in outputs for i in out]
    assert len(claimed) == len(set(claimed)) == 400
    assert set(claimed) == ids
    with PersistentQueue(path) as q:
        assert q.counts() == {"pending": 0, "processing": 0, "completed": 400, "failed": 0}
        assert q.check_integrity() == []


def test_cli_process_opening_the_queue_does_not_steal_in_flight_entries(tmp_path: Path) -> None:
    path = tmp_path / "q"
    with PersistentQueue(path) as service:
        items = service.add_many([{"sn": f"SN-{n}", "pn": "PN"} for n in range(6)])
        in_flight = service.claim_next(3)
        for item in service.claim_next(3):
            service.mark_failed(item.id, "HTTP 400")
        retrier = run(RETRIER, str(path), "5")
        out, err = retrier.communicate(timeout=120)
        assert retrier.returncode == 0, err
        assert out.strip() == "3"  # the failed ones came back to pending ...
        for item in in_flight:  # ... and the service's uploads were left alone
            assert service.get(item.id).state == "processing"
            assert service.mark_completed(item.id).state == "completed"
        assert service.counts() == {"pending": 3, "processing": 0, "completed": 3, "failed": 0}
        assert {i.id for i in service.list()} == {i.id for i in items}
    assert list((path / "owners").iterdir()) == []  # every session removed its lock file
