"""``api.app`` and the client basics against the real local server, sync and async."""

from __future__ import annotations

from typing import Any

import pytest

from pywats import AsyncWATS, pyWATS
from pywats.models.app import Level, ProductGroup
from pywats.models.process import Process

from _lib_clients import Clients, clients  # noqa: F401  (the fixture)



def test_get_version(clients: Clients) -> None:
    version = clients.run(lambda api: api.app.get_version())
    assert isinstance(version, str) and version
    assert clients.run(lambda api: api.get_version()) == version
    assert clients.run(lambda api: api.test_connection()) is True


def test_get_processes(clients: Clients) -> None:
    processes = clients.run(lambda api: api.app.get_processes())
    assert processes and all(isinstance(p, Process) for p in processes)
    assert {"ICT", "FCT", "EOL", "Repair"} <= {p.name for p in processes}
    tests = clients.run(lambda api: api.app.get_processes(include_test_operations=True,
                                                           include_repair_operations=False,
                                                           include_wip_operations=False))
    assert tests and all(p.is_test_operation for p in tests)


def test_get_levels_and_product_groups(clients: Clients) -> None:
    levels = clients.run(lambda api: api.app.get_levels())
    assert levels and all(isinstance(level, Level) and level.level_name for level in levels)
    groups = clients.run(lambda api: api.app.get_product_groups())
    assert groups and all(isinstance(g, ProductGroup) and g.product_group_name for g in groups)
    assert clients.run(lambda api: api.app.get_product_groups(include_filters=True))


def test_same_methods_on_both_clients() -> None:
    for domain in ("app", "process", "report"):
        sync_api = pyWATS("http://127.0.0.1:1", "t")
        async_api = AsyncWATS("http://127.0.0.1:1", "t")
        sync_names = {n for n in dir(getattr(sync_api, domain)) if not n.startswith("_")}
        async_names = {n for n in dir(getattr(async_api, domain)) if not n.startswith("_")}
        assert sync_names == async_names
        sync_api.close()
        async_api.close()


def test_context_managers_close_the_pool(wats_server: Any) -> None:
    import asyncio

    with pyWATS(base_url=wats_server.base_url + "/api/", token=wats_server.token) as api:
        assert api.app.get_version()
    assert api.is_closed

    async def use() -> bool:
        async with AsyncWATS(base_url=wats_server.base_url, token=wats_server.token) as aapi:
            assert await aapi.app.get_version()
        return aapi.is_closed

    assert asyncio.run(use())


def test_env_vars_configure_the_client(wats_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATS_BASE_URL", wats_server.base_url)
    monkeypatch.setenv("WATS_AUTH_TOKEN", wats_server.token)
    with pyWATS() as api:
        assert api.test_connection()
