"""ProcessSyncService against the real local server over HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pywats import AsyncWATS, pyWATS
from pywats.models import process_codes
from pywats_client.service.process_sync import ProcessSyncService


def test_sync_reads_the_servers_lists_and_survives_an_offline_restart(wats_server: Any, tmp_path: Path) -> None:
    cache = tmp_path / "process_cache.json"
    process_codes.clear()
    with pyWATS(base_url=wats_server.base_url, token=wats_server.token) as api:
        server_names = {p.name for p in api.app.get_processes()}
        sync = ProcessSyncService(api, cache_path=cache)
        sync.start()
        try:
            processes = sync.get_processes()
            levels = sync.get_levels()
            product_groups = sync.get_product_groups()
        finally:
            assert sync.stop() is True
    assert {p.name for p in processes} == server_names and {"ICT", "FCT", "EOL"} <= server_names
    assert levels and product_groups
    fct = next(p for p in processes if p.name == "FCT")
    assert json.loads(cache.read_text("utf-8"))["server"] == wats_server.base_url

    # restart with the server unreachable for this client (wrong port on loopback)
    process_codes.clear()
    port = int(wats_server.base_url.rsplit(":", 1)[1])
    dead_url = f"http://127.0.0.1:{port}"
    with pyWATS(base_url=dead_url, token="bm9wZTpub3Bl", timeout=5) as wrong_token:
        offline = ProcessSyncService(wrong_token, cache_path=cache)
        assert {p.name for p in offline.get_processes()} == server_names
        assert process_codes.code_for("FCT") == fct.code
        assert offline.refresh() is False  # 401: the old lists stay
        assert offline.last_error and len(offline.get_processes()) == len(processes)


def test_sync_with_the_services_async_client(wats_server: Any, tmp_path: Path) -> None:
    async_api = AsyncWATS(base_url=wats_server.base_url, token=wats_server.token)
    sync = ProcessSyncService(async_api, cache_path=tmp_path / "c.json")
    try:
        assert sync.refresh() is True
        assert any(p.name == "EOL" for p in sync.get_processes())
    finally:
        assert sync.stop() is True
