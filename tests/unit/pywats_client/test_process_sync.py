"""ProcessSyncService against a fake api object: caching, persistence, the thread's lifetime."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pywats.models import process_codes
from pywats.models.app import Level, ProductGroup
from pywats.models.process import Process
from pywats_client.service.process_sync import ProcessSyncService, default_cache_path

PROCESSES = [
    {"code": 10, "name": "ICT", "isTestOperation": True, "state": 1},
    {"code": 100, "name": "FCT", "isTestOperation": True, "state": 1},
    {"code": 500, "name": "Repair", "isRepairOperation": True, "state": 1},
]


class FakeApp:
    """Stands in for ``pyWATS.app``; counts calls and can be told to fail."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail: Exception | None = None
        self.processes: list[Any] = [Process.model_validate(p) for p in PROCESSES]
        self.called = threading.Event()

    def _check(self) -> None:
        self.calls += 1
        self.called.set()
        if self.fail is not None:
            raise self.fail

    def get_processes(self) -> list[Any]:
        self._check()
        return list(self.processes)

    def get_levels(self) -> list[Any]:
        self._check()
        return [Level(level_id=1, level_name="Site A")]

    def get_product_groups(self) -> list[Any]:
        self._check()
        return [{"productGroupId": 7, "productGroupName": "Widgets"}]  # plain dicts work too


class FakeApi:
    base_url = "http://127.0.0.1:1"

    def __init__(self) -> None:
        self.app = FakeApp()


@pytest.fixture(autouse=True)
def _clean_codes() -> Any:
    process_codes.clear()
    yield
    process_codes.clear()


def wait_for(condition: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        threading.Event().wait(0.005)
    return condition()


def test_refresh_caches_in_memory_on_disk_and_in_process_codes(tmp_path: Path) -> None:
    api = FakeApi()
    cache = tmp_path / "sub" / "cache.json"
    sync = ProcessSyncService(api, cache_path=cache)
    assert sync.get_processes() == [] and sync.synced_at is None
    assert sync.refresh() is True
    assert [(p.code, p.name) for p in sync.get_processes()] == [(10, "ICT"), (100, "FCT"), (500, "Repair")]
    assert isinstance(sync.get_levels()[0], Level) and sync.get_levels()[0].level_name == "Site A"
    assert isinstance(sync.get_product_groups()[0], ProductGroup)
    assert sync.get_product_groups()[0].product_group_name == "Widgets"
    assert process_codes.code_for("fct") == 100 and sync.get_process_code("repair") == 500
    doc = json.loads(cache.read_text("utf-8"))
    assert doc["server"] == FakeApi.base_url and doc["processes"][1]["name"] == "FCT"
    assert doc["processes"][1]["isTestOperation"] is True  # wire names on disk
    assert [p.name for p in cache.parent.iterdir()] == ["cache.json"]  # no temp file left
    calls = api.app.calls
    sync.get_processes(), sync.get_levels(), sync.get_product_groups()
    assert api.app.calls == calls  # reading the cache makes no call


def test_offline_restart_uses_the_file_and_fills_process_codes(tmp_path: Path) -> None:
    cache = tmp_path / "cache.json"
    ProcessSyncService(FakeApi(), cache_path=cache).refresh()
    process_codes.clear()
    offline = FakeApi()
    offline.app.fail = ConnectionError("server unreachable")
    sync = ProcessSyncService(offline, cache_path=cache)
    assert [p.name for p in sync.get_processes()] == ["ICT", "FCT", "Repair"]
    assert process_codes.code_for("ICT") == 10
    assert sync.refresh() is False
    assert "server unreachable" in (sync.last_error or "")
    assert len(sync.get_processes()) == 3  # the old lists stay
    assert json.loads(cache.read_text("utf-8"))["processes"][0]["name"] == "ICT"


def test_partial_failure_updates_what_arrived(tmp_path: Path) -> None:
    api = FakeApi()
    sync = ProcessSyncService(api, cache_path=tmp_path / "c.json")
    sync.refresh()

    def broken() -> list[Any]:
        raise RuntimeError("levels endpoint down")

    api.app.get_levels = broken  # type: ignore[method-assign]
    api.app.processes = api.app.processes[:1]
    assert sync.refresh() is False
    assert [p.name for p in sync.get_processes()] == ["ICT"]
    assert sync.get_levels()[0].level_name == "Site A"
    assert "api.app.get_levels(): RuntimeError: levels endpoint down" in (sync.last_error or "")


def test_unusable_cache_files_are_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = tmp_path / "c.json"
    cache.write_text("{not json", "utf-8")
    assert ProcessSyncService(FakeApi(), cache_path=cache).get_processes() == []
    assert "unusable" in caplog.text
    cache.write_text(json.dumps({"format": 1, "server": "http://other:1", "processes": PROCESSES}), "utf-8")
    assert ProcessSyncService(FakeApi(), cache_path=cache).get_processes() == []
    cache.write_text(json.dumps({"format": 1, "server": FakeApi.base_url, "processes": PROCESSES}), "utf-8")
    assert len(ProcessSyncService(FakeApi(), cache_path=cache).get_processes()) == 3


def test_default_cache_path_is_in_the_client_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(tmp_path / "home"))
    assert default_cache_path() == tmp_path / "home" / "process_cache.json"
    sync = ProcessSyncService(FakeApi())
    assert sync.refresh() and (tmp_path / "home" / "process_cache.json").is_file()


def test_guide_snippet_start_then_read(tmp_path: Path) -> None:
    api_client = FakeApi()
    from pywats_client.service.process_sync import ProcessSyncService as Service

    sync = Service(api_client, cache_path=tmp_path / "c.json")
    sync.start()
    processes = sync.get_processes()  # waits for the first refresh when nothing is cached
    levels = sync.get_levels()
    product_groups = sync.get_product_groups()
    assert {p.name for p in processes} == {"ICT", "FCT", "Repair"} and levels and product_groups
    assert sync.is_running
    assert sync.stop() is True and not sync.is_running


def test_thread_survives_failures_and_refreshes_every_interval(tmp_path: Path) -> None:
    api = FakeApi()
    api.app.fail = RuntimeError("boom")
    sync = ProcessSyncService(api, cache_path=tmp_path / "c.json", interval_seconds=0.01)
    sync.start()
    try:
        assert wait_for(lambda: api.app.calls >= 9)  # three failed rounds, thread still alive
        assert sync.is_running and sync.get_processes() == []
        api.app.fail = None
        assert wait_for(lambda: len(sync.get_processes()) == 3)
        assert sync.last_error is None
    finally:
        assert sync.stop() is True


def test_stop_does_not_wait_for_the_interval(tmp_path: Path) -> None:
    api = FakeApi()
    sync = ProcessSyncService(api, cache_path=tmp_path / "c.json", interval_seconds=3600)
    sync.start()
    sync.start()  # second start is a no-op
    assert api.app.called.wait(10)
    assert sync.stop(timeout=5) is True  # an Event wait, so the hour-long interval is cut short
    assert sync.stop() is True


def test_bad_arguments_and_async_results_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="interval_seconds"):
        ProcessSyncService(FakeApi(), interval_seconds=0)

    class AsyncApp(FakeApp):
        def get_processes(self) -> Any:  # type: ignore[override]
            async def coro() -> list[Any]:
                return []

            return coro()

    api = FakeApi()
    api.app = AsyncApp()
    sync = ProcessSyncService(api, cache_path=tmp_path / "c.json")
    assert sync.refresh() is False
    assert "needs a sync pyWATS client" in (sync.last_error or "")


def test_an_async_client_gets_a_sync_twin(tmp_path: Path) -> None:
    from pywats import AsyncWATS, pyWATS

    async_api = AsyncWATS(base_url="http://127.0.0.1:9", token="dGVzdDp0ZXN0")
    sync = ProcessSyncService(async_api, cache_path=tmp_path / "c.json")
    twin = sync._api
    assert isinstance(twin, pyWATS) and twin.base_url == async_api.base_url
    assert sync.stop() is True


def test_readers_in_an_event_loop_never_wait_for_the_first_refresh(tmp_path: Path) -> None:
    import asyncio

    api = FakeApi()
    gate = threading.Event()
    real = api.app.get_processes

    def slow() -> list[Any]:
        gate.wait(10)
        return real()

    api.app.get_processes = slow  # type: ignore[method-assign]
    sync = ProcessSyncService(api, cache_path=tmp_path / "c.json", first_sync_timeout=30)
    sync.start()

    async def read() -> list[Any]:
        return sync.get_processes()

    try:
        assert asyncio.run(read()) == []  # returned without waiting for the blocked refresh
        gate.set()
        assert len(sync.get_processes()) == 3  # a thread caller waits for the first refresh
    finally:
        gate.set()
        assert sync.stop() is True
