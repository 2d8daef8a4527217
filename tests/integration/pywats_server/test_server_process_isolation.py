"""Two local servers in one process: one server's process list never names the other's codes.

Server A has ``Final`` = 300 and ``Rework`` = 310; server B has ``Final`` = 310 and
``OnlyB`` = 320. Both clients read their lists (B last, so a process-global cache would say
``Final`` = 310), then submit reports naming ``Final``: each server must store its own code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pywats import AsyncWATS, pyWATS
from pywats.exceptions import ValidationError
from pywats.models import process_codes
from pywats.tools import ReportBuilder
from pywats_server.testing import RunningServer, start_server


def _process(code: int, name: str) -> dict[str, Any]:
    return {"code": code, "name": name, "description": name, "isTestOperation": True,
            "isRepairOperation": False, "isWipOperation": False}


def _server(tmp: Path, name: str, processes: list[dict[str, Any]], token: str) -> RunningServer:
    seed = tmp / f"{name}-seed.json"
    seed.write_text(json.dumps({"processes": processes, "levels": [], "productGroups": []}), encoding="utf-8")
    return start_server(tmp / f"{name}.db", tokens=[token], seed=seed)


@pytest.fixture()
def two_servers(tmp_path: Path, server_token: str) -> Iterator[tuple[RunningServer, RunningServer]]:
    process_codes.clear()
    with _server(tmp_path, "a", [_process(300, "Final"), _process(310, "Rework")], server_token) as a, \
            _server(tmp_path, "b", [_process(310, "Final"), _process(320, "OnlyB")], server_token) as b:
        yield a, b
    process_codes.clear()


def _builder(serial: str) -> ReportBuilder:
    builder = ReportBuilder(part_number="ISO-PN", serial_number=serial)
    builder.set_operation_type("Final")
    builder.add_step(name="Check", status="Passed")
    return builder


def _dict(serial: str, name: str) -> dict[str, Any]:
    return {"type": "T", "pn": "ISO-PN", "sn": serial, "rev": "A", "processName": name,
            "root": {"stepType": "SequenceCall", "name": "Main",
                     "steps": [{"stepType": "ET_PFT", "name": "Check", "status": "P"}]}}


def test_each_server_resolves_names_from_its_own_list(two_servers: tuple[RunningServer, RunningServer]) -> None:
    a, b = two_servers
    with pyWATS(base_url=a.url, token=a.token) as api_a, pyWATS(base_url=b.url, token=b.token) as api_b:
        assert api_a.process.get_process_by_name("Final").code == 300  # type: ignore[union-attr]
        assert api_b.process.get_process_by_name("Final").code == 310  # type: ignore[union-attr]
        # every server's list is kept apart ...
        assert process_codes.code_for("Final", server=a.url) == 300
        assert process_codes.code_for("Final", server=b.url + "/api/") == 310
        assert process_codes.code_for("OnlyB", server=a.url) is None
        # ... and a look-up that names no server does not guess between them
        assert process_codes.code_for("Final") is None
        assert process_codes.code_for("OnlyB") == 320

        for api, serial in ((api_a, "ISO-A-1"), (api_b, "ISO-B-1")):
            api.report.submit_report(_builder(serial))  # the builder is resolved for the server it goes to
        for api, serial in ((api_a, "ISO-A-2"), (api_b, "ISO-B-2")):
            api.report.submit_report(_dict(serial, "Final"))

        codes_a = {h.serial_number: (h.process_code, h.process_name) for h in api_a.report.get_reports(part_number="ISO-PN")}
        codes_b = {h.serial_number: (h.process_code, h.process_name) for h in api_b.report.get_reports(part_number="ISO-PN")}
    assert codes_a == {"ISO-A-1": (300, "Final"), "ISO-A-2": (300, "Final")}
    assert codes_b == {"ISO-B-1": (310, "Final"), "ISO-B-2": (310, "Final")}


def test_a_name_only_the_other_server_knows_is_refused_without_a_post(
    two_servers: tuple[RunningServer, RunningServer],
) -> None:
    a, b = two_servers
    with pyWATS(base_url=a.url, token=a.token) as api_a, pyWATS(base_url=b.url, token=b.token) as api_b:
        api_b.process.get_processes()
        api_a.process.get_processes()
        with pytest.raises(ValidationError) as info:
            api_a.report.submit_report(_dict("ISO-A-3", "OnlyB"))
        assert info.value.field == "processName" and "OnlyB" in str(info.value)
        assert api_a.report.get_reports(serial_number="ISO-A-3") == []
        assert api_b.report.submit_report(_dict("ISO-B-3", "OnlyB"))
        (header,) = api_b.report.get_reports(serial_number="ISO-B-3")
    assert header.process_code == 320


@pytest.mark.anyio
async def test_async_clients_submitting_concurrently_keep_their_lists_apart(
    two_servers: tuple[RunningServer, RunningServer], anyio_backend: str,
) -> None:
    import asyncio

    a, b = two_servers
    async with AsyncWATS(base_url=a.url, token=a.token) as api_a, AsyncWATS(base_url=b.url, token=b.token) as api_b:
        await asyncio.gather(
            *(api_a.report.submit_report(_builder(f"ISO-AA-{i}")) for i in range(4)),
            *(api_b.report.submit_report(_builder(f"ISO-AB-{i}")) for i in range(4)),
        )
        headers_a = await api_a.report.get_reports(part_number="ISO-PN")
        headers_b = await api_b.report.get_reports(part_number="ISO-PN")
    assert sorted({h.process_code for h in headers_a}) == [300] and len(headers_a) == 4
    assert sorted({h.process_code for h in headers_b}) == [310] and len(headers_b) == 4
