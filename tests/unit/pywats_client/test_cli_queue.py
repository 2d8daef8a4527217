"""``status`` (offline) and ``queue list|retry|retry-all`` on a real queue on disk."""

from __future__ import annotations

import json
import sys
import types
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pywats_client.cli import cli
from pywats_client.config import ClientConfig
from pywats_client.queue import PersistentQueue


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(h))
    for var in ("PYWATS_API_TOKEN", "PYWATS_INSTANCE_ID", "PYWATS_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    # no service runs: the control API has nothing to say
    control = types.ModuleType("pywats_client.service.control")
    control.read_status = lambda config: None  # type: ignore[attr-defined]
    try:
        import pywats_client.service  # noqa: F401
    except ImportError:
        monkeypatch.setitem(sys.modules, "pywats_client.service", types.ModuleType("pywats_client.service"))
    monkeypatch.setitem(sys.modules, "pywats_client.service.control", control)
    return h


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="pywats-client")


def report(sn: str) -> dict[str, object]:
    return {"id": str(uuid.uuid4()), "type": "T", "pn": "WIDGET-100", "sn": sn, "rev": "A",
            "processCode": 10, "result": "P", "machineName": "ST", "start": "2026-01-01T00:00:00Z", "root": {}}


@pytest.fixture
def queue(home: Path) -> Iterator[PersistentQueue]:
    assert run("config", "init", "--instance-id", "line1").exit_code == 0
    q = PersistentQueue(ClientConfig.load_for_instance("line1").reports_folder)
    items = [q.add(report(f"SN-{i}")) for i in range(5)]
    for item in items[:2]:
        q.mark_failed(item.id, "HTTP 400: bad report")
    claimed = q.claim_next(1)
    q.mark_completed(claimed[0].id, server_id="srv-1")
    yield q
    q.close()


def test_status_counts_from_disk(queue: PersistentQueue) -> None:
    result = run("status", "--instance-id", "line1", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["running"] is False
    assert data["queue"] == {"pending": 2, "processing": 0, "failed": 2, "completed": 1}
    text = run("status", "--instance-id", "line1").stdout
    assert "pending 2  processing 0  failed 2  completed 1  (from disk)" in text


def test_queue_list_filters_and_limits(queue: PersistentQueue) -> None:
    failed = json.loads(run("queue", "list", "--instance-id", "line1", "--state", "failed", "--json").stdout)
    assert [e["state"] for e in failed] == ["failed", "failed"]
    assert all(e["error"] == "HTTP 400: bad report" for e in failed)
    limited = json.loads(run("queue", "list", "--instance-id", "line1", "--limit", "3", "--json").stdout)
    assert len(limited) == 3
    text = run("queue", "list", "--instance-id", "line1", "--state", "failed")
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert lines[0].split()[:2] == ["ID", "STATE"]
    assert len(lines) == 3 and "HTTP 400: bad report" in lines[1]
    assert run("queue", "list", "--instance-id", "line1", "--state", "bogus").exit_code == 2
    assert run("queue", "list", "--instance-id", "line1", "--state", "processing").stdout.strip() == "no entries"


def test_queue_retry_one_and_all(queue: PersistentQueue) -> None:
    failed = queue.list("failed")
    one = run("queue", "retry", "--instance-id", "line1", failed[0].id)
    assert one.exit_code == 0, one.output
    assert queue.get_failed_count() == 1
    again = run("queue", "retry", "--instance-id", "line1", failed[0].id)
    assert again.exit_code == 1 and "no failed queue entry" in again.stderr
    rest = run("queue", "retry-all", "--instance-id", "line1")
    assert rest.exit_code == 0 and rest.stdout.startswith("1 failed entry moved back to pending")
    assert (queue.get_failed_count(), queue.get_pending_count()) == (0, 4)
