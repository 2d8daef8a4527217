"""Fixtures for the Qt tests: offscreen platform, a private client home, a running service.

Every window runs on Qt's offscreen platform (``-platform offscreen`` for the test
application, so nothing leaks into the environment of other tests) and talks to real processes: the local WATS server (``wats_server``) and a station service
started by :class:`pywats_client.service.testing.ServiceProcess`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pywats_client.service.testing import ServiceProcess, write_config

INSTANCE = "line1"


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    """pytest-qt's application arguments: Qt's offscreen platform (no display needed)."""
    return ["pywats-gui-tests", "-platform", "offscreen"]


@pytest.fixture()
def client_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty client home used by the GUI (and by services started from the test)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PYWATS_CLIENT_HOME", str(home))
    monkeypatch.delenv("PYWATS_INSTANCE_ID", raising=False)
    monkeypatch.delenv("PYWATS_API_TOKEN", raising=False)
    return home


@pytest.fixture()
def watch_folder(tmp_path: Path) -> Path:
    """The folder the instance's CSV converter watches."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    return folder


def configure(home: Path, base_url: str, token: str, watch: Path, **extra: object) -> Path:
    """Write the test instance's config: the built-in CSV converter on ``watch``."""
    converter = {"name": "csv", "module_path": "csv", "watch_folder": str(watch), "file_stable_seconds": 0.2}
    converter.update(extra.pop("converter", {}) or {})  # type: ignore[arg-type]
    keys: dict[str, object] = {
        "service_address": base_url,
        "api_token": token,
        "station_name": "GUI-STATION",
        "health_check_interval": 0.5,
        "converters": [converter],
        "process_sync_enabled": False,
    }
    keys.update(extra)
    return write_config(home, INSTANCE, **keys)


@pytest.fixture()
def service(client_home: Path) -> Iterator[ServiceProcess]:
    """The test instance's service process (started by the test after writing its config)."""
    svc = ServiceProcess(client_home, INSTANCE)
    yield svc
    if svc.process is not None:
        svc.stop()
