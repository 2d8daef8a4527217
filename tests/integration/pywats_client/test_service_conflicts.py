"""The service refuses to start when its folders conflict (loop or a running instance)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pywats_client.service.testing import ServiceProcess, write_config


def _converter(watch: Path, **over: Any) -> dict[str, Any]:
    return {"name": "csv", "module_path": "csv", "watch_folder": str(watch), "file_stable_seconds": 0.1, **over}


def _config(home: Path, iid: str, server: Any, **over: Any) -> None:
    write_config(home, iid, service_address=server.base_url, api_token=server.token, process_sync_enabled=False,
                 health_check_interval=0.5, **over)


def test_a_done_folder_that_is_watched_stops_the_start(tmp_path: Path, wats_server: Any) -> None:
    home = tmp_path / "home"
    incoming = tmp_path / "incoming"
    _config(home, "loop", wats_server, converters=[_converter(incoming, done_folder=str(incoming))])
    out = ServiceProcess(home, "loop").run_to_exit(timeout=60)
    assert out.returncode == 1, out.stdout + out.stderr
    text = out.stdout + out.stderr
    assert "config_loop.json" in text and str(incoming.resolve()) in text and "not starting" in text


def test_a_shared_watch_folder_stops_the_second_instance_while_the_first_runs(
    tmp_path: Path, wats_server: Any
) -> None:
    home = tmp_path / "home"
    shared = tmp_path / "shared"
    _config(home, "first", wats_server, converters=[_converter(shared)])
    _config(home, "second", wats_server, converters=[_converter(shared)])

    first = ServiceProcess(home, "first").start()
    try:
        first.wait_for(lambda s: s["state"] == "ONLINE", 30)
        out = ServiceProcess(home, "second").run_to_exit(timeout=60)
        assert out.returncode == 1, out.stdout + out.stderr
        text = out.stdout + out.stderr
        assert "'first'" in text and "'second'" in text and str(shared.resolve()) in text and "is running" in text
        assert first.stop()[0] == 0
    finally:
        first.kill()

    # with 'first' stopped, 'second' starts (and warns about the configured 'first')
    second = ServiceProcess(home, "second").start()
    try:
        second.wait_for(lambda s: s["state"] == "ONLINE", 30)
        assert second.stop()[0] == 0
    finally:
        second.kill()
    assert "is not running now" in second.output()
