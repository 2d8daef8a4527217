"""Uploader decisions against a real PersistentQueue and a scripted fake API (no sockets)."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pywats.exceptions import (
    AuthenticationError,
    ConnectionError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from pywats_client.queue import PersistentQueue
from pywats_client.service.stats import ServiceStats, States
from pywats_client.service.uploader import Uploader, backoff_delay


class FakeAPI:
    """``api.report.submit_report`` / ``api.app.get_version`` answering from scripts."""

    def __init__(self, outcomes: list[Any] | None = None, health: list[Any] | None = None) -> None:
        self.outcomes = list(outcomes or [])
        self.health = list(health or [])
        self.submitted: list[str] = []
        self.report = SimpleNamespace(submit_report=self._submit)
        self.app = SimpleNamespace(get_version=self._version)

    async def _submit(self, report: dict[str, Any]) -> Any:
        self.submitted.append(report["id"])
        out = self.outcomes.pop(0) if self.outcomes else "ok"
        if isinstance(out, BaseException):
            raise out
        return SimpleNamespace(id=report["id"])

    async def _version(self) -> str:
        out = self.health.pop(0) if self.health else "2026.1"
        if isinstance(out, BaseException):
            raise out
        return str(out)

    async def aclose(self) -> None:
        return None


def _config(**over: Any) -> SimpleNamespace:
    base = {
        "upload_concurrency": 1, "max_retry_attempts": 3, "retry_interval_seconds": 0.0, "auto_reconnect": True,
        "health_check_interval": 3600.0, "service_address": "http://127.0.0.1:1", "api_token": "t",
    }
    base.update(over)
    return SimpleNamespace(**base)


def _report(sn: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": "T", "sn": sn, "pn": "P", "rev": "A", "processCode": 10,
            "result": "P", "machineName": "M", "start": "2026-01-01T00:00:00Z", "root": {"stepType": "SequenceCall", "status": "P", "name": "MainSequence"}}


async def _until(cond: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


@pytest.fixture()
def queue(tmp_path: Path) -> Any:
    q = PersistentQueue(tmp_path / "q", min_free_bytes=0)
    yield q
    q.close()


def test_backoff_grows_and_is_capped() -> None:
    assert backoff_delay(1, 60, rand=lambda: 1.0) == 1.0
    assert backoff_delay(4, 60, rand=lambda: 1.0) == 8.0
    assert backoff_delay(20, 60, rand=lambda: 1.0) == 60.0
    assert backoff_delay(3, 60, rand=lambda: 0.0) == 2.0  # jitter: half at least


async def _run(up: Uploader, body: Any) -> None:
    task = asyncio.create_task(up.run())
    try:
        await body()
    finally:
        await up.stop(grace=1.0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.anyio
async def test_transport_errors_go_offline_without_counting_attempts(queue: Any) -> None:
    stats = ServiceStats("t", "0")
    items = [queue.add(_report(f"SN{i}")) for i in range(3)]
    api = FakeAPI([ConnectionError("refused")] * 10)
    up = Uploader(queue=queue, api_factory=lambda: api, config=_config(), stats=stats)

    async def body() -> None:
        await _until(lambda: stats.state == States.OFFLINE)
        await _until(lambda: queue.counts()["processing"] == 0)
        assert queue.counts()["pending"] == 3 and queue.counts()["failed"] == 0
        assert all(queue.get(i.id).attempts == 0 for i in items)  # type: ignore[union-attr]
        n = len(api.submitted)
        await asyncio.sleep(0.1)  # the observation window: nothing is attempted while OFFLINE
        assert len(api.submitted) == n
        api.outcomes.clear()
        await up.check_health()  # the server is back
        assert stats.state == States.ONLINE
        await _until(lambda: queue.counts()["completed"] == 3)
        assert api.submitted[-3:] == [i.id for i in items]  # oldest first

    await _run(up, body)


@pytest.mark.anyio
async def test_auth_failure_pauses_until_the_token_changes(queue: Any) -> None:
    stats = ServiceStats("t", "0")
    queue.add(_report("SN"))
    api = FakeAPI([AuthenticationError("401 Unauthorized")])
    cfg = _config()
    up = Uploader(queue=queue, api_factory=lambda: api, config=cfg, stats=stats)

    async def body() -> None:
        await _until(lambda: stats.state == States.AUTH_FAILED)
        await _until(lambda: queue.counts()["pending"] == 1)
        await up.check_health()
        assert stats.state == States.AUTH_FAILED  # a health check does not clear it
        assert len(api.submitted) == 1
        await up.replace_api(_config(api_token="new"))
        await up.check_health()
        await _until(lambda: queue.counts()["completed"] == 1)
        assert stats.state == States.ONLINE

    await _run(up, body)


@pytest.mark.anyio
async def test_validation_error_fails_at_once_server_errors_after_max_attempts(queue: Any) -> None:
    stats = ServiceStats("t", "0")
    bad = queue.add(_report("BAD"))
    flaky = queue.add(_report("FLAKY"))
    api = FakeAPI([ValidationError("serialNumber missing"), ServerError("500"), ServerError("502"), ServerError("503")])
    up = Uploader(queue=queue, api_factory=lambda: api, config=_config(max_retry_attempts=3), stats=stats)

    async def body() -> None:
        await _until(lambda: queue.counts()["failed"] == 2)
        b, f = queue.get(bad.id), queue.get(flaky.id)
        assert "serialNumber missing" in b.error and b.attempts == 1
        assert f.attempts == 3 and "503" in f.error
        assert stats.uploads_failed == 2 and stats.state != States.OFFLINE

    await _run(up, body)


@pytest.mark.anyio
async def test_rate_limit_obeys_retry_after_without_counting(queue: Any) -> None:
    stats = ServiceStats("t", "0")
    item = queue.add(_report("RL"))
    api = FakeAPI([RateLimitError("429", retry_after=30)])
    up = Uploader(queue=queue, api_factory=lambda: api, config=_config(), stats=stats)

    async def body() -> None:
        await _until(lambda: queue.get(item.id).state == "pending" and len(api.submitted) == 1)
        got = queue.get(item.id)
        assert got.attempts == 0 and got.next_attempt_at is not None
        assert got.next_attempt_at - time.time() > 25
        assert 25 < (queue.next_due_in() or 0) <= 30

    await _run(up, body)


class _GatedAPI(FakeAPI):
    """Holds every submission until ``gate`` opens, so acknowledgements arrive together."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def _submit(self, report: dict[str, Any]) -> Any:
        await self.gate.wait()
        return await super()._submit(report)


@pytest.mark.anyio
async def test_acknowledgements_arriving_together_are_completed_in_one_batch(queue: Any) -> None:
    stats = ServiceStats("t", "0")
    items = queue.add_many([_report(f"B{i}") for i in range(6)])
    batches: list[list[str]] = []
    real = queue.complete_many

    def spy(acks: Any) -> Any:
        acks = list(acks)
        batches.append([a for a, _ in acks])
        return real(acks)

    queue.complete_many = spy
    api = _GatedAPI()
    up = Uploader(queue=queue, api_factory=lambda: api, config=_config(upload_concurrency=6), stats=stats)

    async def body() -> None:
        await _until(lambda: queue.counts()["processing"] == 6)
        assert queue.counts()["completed"] == 0  # nothing completes before its ack
        api.gate.set()
        await _until(lambda: queue.counts()["completed"] == 6)
        assert sorted(a for b in batches for a in b) == sorted(i.id for i in items)
        assert max(len(b) for b in batches) > 1  # several acks, one transaction
        assert all(queue.get(i.id).server_id == i.id for i in items)  # type: ignore[union-attr]

    await _run(up, body)


@pytest.mark.anyio
async def test_a_failed_batch_completion_falls_back_to_one_by_one(queue: Any) -> None:
    stats = ServiceStats("t", "0")
    items = queue.add_many([_report(f"F{i}") for i in range(4)])

    def broken(acks: Any) -> Any:
        raise RuntimeError("simulated batch failure")

    queue.complete_many = broken
    api = _GatedAPI()
    up = Uploader(queue=queue, api_factory=lambda: api, config=_config(upload_concurrency=4), stats=stats)

    async def body() -> None:
        await _until(lambda: queue.counts()["processing"] == 4)
        api.gate.set()
        await _until(lambda: queue.counts()["completed"] == 4)
        assert queue.counts()["failed"] == 0 and queue.counts()["pending"] == 0
        assert {queue.get(i.id).state for i in items} == {"completed"}  # type: ignore[union-attr]

    await _run(up, body)


@pytest.mark.anyio
async def test_auth_failed_survives_a_network_blip_and_a_good_health_check(queue: Any) -> None:
    stats = ServiceStats("t", "0")
    queue.add(_report("SN"))
    api = FakeAPI([AuthenticationError("401 Unauthorized")], health=[ConnectionError("refused"), "2026.1"])
    up = Uploader(queue=queue, api_factory=lambda: api, config=_config(), stats=stats)

    async def body() -> None:
        await _until(lambda: stats.state == States.AUTH_FAILED and queue.counts()["pending"] == 1)
        await up.check_health()  # the network blips: still AUTH_FAILED, not OFFLINE
        assert stats.state == States.AUTH_FAILED
        await up.check_health()  # and the server answers again: the token is still the bad one
        assert stats.state == States.AUTH_FAILED
        assert len(api.submitted) == 1 and queue.counts()["pending"] == 1

    await _run(up, body)


@pytest.mark.anyio
async def test_a_429_pauses_every_upload_of_the_instance(queue: Any) -> None:
    stats = ServiceStats("t", "0")
    items = [queue.add(_report(f"RL{i}")) for i in range(3)]
    api = FakeAPI([RateLimitError("429 Too Many Requests", retry_after=30)])
    up = Uploader(queue=queue, api_factory=lambda: api, config=_config(upload_concurrency=1), stats=stats)

    async def body() -> None:
        await _until(lambda: queue.get(items[0].id).state == "pending" and len(api.submitted) == 1)
        await asyncio.sleep(0.1)  # the observation window: the other due reports wait too
        assert api.submitted == [items[0].id]
        assert stats.snapshot()["rate_limited_until"] - time.time() > 25
        assert all(queue.get(i.id).attempts == 0 for i in items)
        up._paused_until = 0.0  # the pause is over (without waiting 30 s
        up.wake()
        await _until(lambda: queue.counts()["completed"] == 2)  # the two that were never tried
        assert queue.get(items[0].id).state == "pending"  # the refused one keeps its Retry-After

    await _run(up, body)


@pytest.mark.anyio
async def test_a_local_fault_while_sending_is_not_an_attempt(queue: Any) -> None:
    from pywats.exceptions import ConfigurationError

    stats = ServiceStats("t", "0")
    item = queue.add(_report("LOCAL"))
    api = FakeAPI([TypeError("boom"), ConfigurationError("the client is closed")])
    up = Uploader(queue=queue, api_factory=lambda: api, config=_config(max_retry_attempts=1), stats=stats)

    async def body() -> None:
        await _until(lambda: queue.counts()["completed"] == 1, timeout=10)
        assert queue.counts()["failed"] == 0  # with max_retry_attempts=1, one counted attempt would fail it
        assert len(api.submitted) == 3
        assert stats.upload_errors == 2 and "closed" in (stats.last_error or "")

    await _run(up, body)
    assert queue.get(item.id).attempts == 0  # type: ignore[union-attr]


class _FlakyQueue:
    """A queue whose first ``n`` claims fail like a locked database."""

    def __init__(self, inner: Any, n: int) -> None:
        self.inner, self.n = inner, n

    def claim_next(self, limit: int) -> Any:
        import sqlite3

        if self.n > 0:
            self.n -= 1
            raise sqlite3.OperationalError("database is locked")
        return self.inner.claim_next(limit)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.anyio
async def test_the_upload_loop_survives_a_queue_fault(queue: Any) -> None:
    stats = ServiceStats("t", "0")
    queue.add(_report("AFTER-FAULT"))
    api = FakeAPI()
    up = Uploader(queue=_FlakyQueue(queue, 2), api_factory=lambda: api, config=_config(), stats=stats)

    async def body() -> None:
        await _until(lambda: queue.counts()["completed"] == 1, timeout=10)
        assert "database is locked" in (stats.last_error or "")

    await _run(up, body)


class _ClosableAPI(_GatedAPI):
    """Refuses submissions once closed, like a closed httpx client."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = False

    async def _submit(self, report: dict[str, Any]) -> Any:
        await self.gate.wait()
        if self.closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        return await FakeAPI._submit(self, report)

    async def aclose(self) -> None:
        self.closed = True


@pytest.mark.anyio
async def test_a_reload_does_not_close_the_client_under_uploads_in_flight(queue: Any) -> None:
    stats = ServiceStats("t", "0")
    item = queue.add(_report("INFLIGHT"))
    old, new = _ClosableAPI(), FakeAPI()
    apis = iter([old, new])
    up = Uploader(queue=queue, api_factory=lambda: next(apis), config=_config(), stats=stats)

    async def body() -> None:
        await _until(lambda: queue.get(item.id).state == "processing")
        await up.replace_api(_config(api_token="rotated"))  # a new token while the upload waits
        assert not old.closed
        old.gate.set()
        await _until(lambda: queue.counts()["completed"] == 1)
        await _until(lambda: old.closed)  # closed once its upload finished
        assert stats.upload_errors == 0 and old.submitted == [item.id]

    await _run(up, body)


@pytest.mark.anyio
async def test_server_errors_back_off_the_instance_not_each_report(queue: Any) -> None:
    stats = ServiceStats("t", "0")
    items = [queue.add(_report(f"HOLD{i}")) for i in range(3)]
    api = FakeAPI([ServerError("500")])
    up = Uploader(queue=queue, api_factory=lambda: api, config=_config(retry_interval_seconds=30.0), stats=stats)

    async def body() -> None:
        await _until(lambda: len(api.submitted) == 1 and queue.get(items[0].id).state == "pending")
        await asyncio.sleep(0.1)  # observation window: the instance waits, every report with it
        assert api.submitted == [items[0].id]
        first = queue.get(items[0].id)
        assert first.attempts == 1 and first.next_attempt_at is None  # the back-off is the instance's
        assert 0.3 <= up._hold_left() <= 1.0
        # the server is back (a health check after OFFLINE): every back-off is cut short
        stats.set_state(States.OFFLINE, "connection refused")
        up._set_state(States.ONLINE, None)
        await _until(lambda: queue.counts()["completed"] == 3, timeout=2.0)

    await _run(up, body)


@pytest.mark.anyio
async def test_recovery_makes_reports_waiting_for_a_retry_time_due(queue: Any) -> None:
    stats = ServiceStats("t", "0")
    item = queue.add(_report("LATER"))
    [claimed] = queue.claim_next(1)
    queue.release(claimed.id, error="timeout", retry_at=time.time() + 600, count_attempt=False)
    api = FakeAPI()
    up = Uploader(queue=queue, api_factory=lambda: api, config=_config(), stats=stats)

    async def body() -> None:
        await asyncio.sleep(0.1)
        assert api.submitted == []  # waiting for its retry time (10 minutes away)
        stats.set_state(States.OFFLINE, "connection refused")
        up._set_state(States.ONLINE, None)
        await _until(lambda: queue.get(item.id).state == "completed", timeout=2.0)

    await _run(up, body)
