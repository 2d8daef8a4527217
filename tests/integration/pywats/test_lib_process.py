"""``api.process`` against the real local server, sync and async."""

from __future__ import annotations

import json

from _lib_clients import Clients, clients  # noqa: F401  (the fixture)

from pywats.models import process_codes
from pywats.models.process import Process


def test_get_processes_typed_cached_and_remembered(clients: Clients) -> None:
    process_codes.clear()
    processes = clients.run(lambda api: api.process.get_processes())
    assert processes and all(isinstance(p, Process) for p in processes)
    names = {p.name for p in processes}
    assert {"ICT", "FCT", "EOL", "Repair"} <= names
    fct = next(p for p in processes if p.name == "FCT")
    assert fct.is_test_operation and not fct.is_repair_operation and isinstance(fct.code, int)
    assert process_codes.code_for("FCT") == fct.code  # the fetch filled the name->code cache
    # the guide caches them as JSON
    dumped = json.loads(json.dumps([p.model_dump() for p in processes]))
    assert {d["name"] for d in dumped} == names
    assert {"code", "name", "description", "is_test_operation", "is_repair_operation", "is_wip_operation",
            "process_index", "state"} <= set(dumped[0])
    again = clients.run(lambda api: api.process.get_processes())
    assert again == processes
    assert clients.api.state.cache_get("process:all", 300) is not None


def test_cache_is_reused_and_refreshable(clients: Clients) -> None:
    first = clients.run(lambda api: api.process.get_processes())
    cached = clients.api.state.cache_get("process:all", 300)
    second = clients.run(lambda api: api.process.get_processes())
    assert clients.api.state.cache_get("process:all", 300) is cached  # no refetch
    assert second == first
    clients.run(lambda api: api.process.get_processes(refresh=True))
    assert clients.api.state.cache_get("process:all", 300) is not cached
    clients.api.process.clear_cache()
    assert clients.api.state.cache_get("process:all", 300) is None


def test_lookups(clients: Clients) -> None:
    fct = clients.run(lambda api: api.process.get_process_by_name("FCT"))
    assert fct is not None and fct.name == "FCT"
    assert clients.run(lambda api: api.process.get_process_by_name("fct")) == fct
    assert clients.run(lambda api: api.process.get_process_by_code(fct.code)) == fct
    assert clients.run(lambda api: api.process.get_process_by_name("No Such Process")) is None
    assert clients.run(lambda api: api.process.get_process_by_code(987654)) is None
    tests = clients.run(lambda api: api.process.get_test_operations())
    repairs = clients.run(lambda api: api.process.get_repair_operations())
    wips = clients.run(lambda api: api.process.get_wip_operations())
    assert tests and all(p.is_test_operation for p in tests) and "FCT" in {p.name for p in tests}
    assert repairs and all(p.is_repair_operation for p in repairs) and "Repair" in {p.name for p in repairs}
    assert all(p.is_wip_operation for p in wips)
    assert not {p.code for p in tests} & {p.code for p in repairs}


def test_filtered(clients: Clients) -> None:
    repairs = clients.run(lambda api: api.process.get_processes_filtered(
        include_test_operations=False, include_repair_operations=True, include_wip_operations=False))
    assert repairs and all(p.is_repair_operation for p in repairs)
