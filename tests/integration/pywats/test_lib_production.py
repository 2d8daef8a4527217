"""``api.production`` against the real local server (sync and async): units, phases,
verification, box build and serial numbers (incl. concurrent takes from many clients)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from typing import Any

import httpx
import pytest
from _lib_clients import Clients, clients  # noqa: F401  (the fixture)

from pywats import AsyncWATS, pyWATS
from pywats.domains.production import SerialNumberTypeNotConfiguredError
from pywats.exceptions import NotFoundError, ValidationError
from pywats.models.production import SerialNumberType, Unit, UnitPhase, UnitVerification


@pytest.fixture()
def anyio_backend() -> str:
    """Async tests run on asyncio."""
    return "asyncio"


def _uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


def test_units_create_get_update(clients: Clients) -> None:
    sn, pn = _uid("SN"), _uid("PN")
    result = clients.run(lambda api: api.production.create_units(
        [Unit(serial_number=sn, part_number=pn, revision="A", batch_number="B1")]))
    assert result.ok and result.insert_count == 1
    unit = clients.run(lambda api: api.production.get_unit(sn, pn))
    assert isinstance(unit, Unit) and unit.serial_number == sn and unit.revision == "A"
    assert unit.unit_phase_id == 2 and unit.product is not None and unit.product.part_number == pn
    unit.current_location = "Line 2"
    upd = clients.run(lambda api: api.production.update_unit(unit))
    assert upd.update_count == 1
    assert clients.run(lambda api: api.production.get_unit(sn, pn)).current_location == "Line 2"
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.production.get_unit(_uid("NOSN"), pn))
    assert clients.run(lambda api: api.production.find_unit(_uid("NOSN"), pn)) is None
    with pytest.raises(ValidationError) as info:
        clients.run(lambda api: api.production.create_units([{"serialNumber": sn, "partNumber": pn,
                                                               "unitPhaseId": 3}]))
    assert "unitPhaseId" in str(info.value)


def test_phases_and_set_unit_phase(clients: Clients) -> None:
    phases = clients.run(lambda api: api.production.get_phases())
    assert all(isinstance(p, UnitPhase) for p in phases)
    assert {(p.unit_phase_id, p.code) for p in phases} >= {(16, "Finalized"), (32, "Scrapped")}
    assert clients.api.state.cache_get("production:phases", 300) is not None
    sn, pn = _uid("SN"), _uid("PN")
    clients.run(lambda api: api.production.create_units([{"serialNumber": sn, "partNumber": pn}]))
    clients.run(lambda api: api.production.set_unit_phase(sn, pn, "Finalized", comment="done"))
    assert clients.run(lambda api: api.production.get_unit(sn, pn)).unit_phase_id == 16
    clients.run(lambda api: api.production.set_unit_phase(sn, pn, 32))
    assert clients.run(lambda api: api.production.get_unit(sn, pn)).unit_phase == "Scrapped"
    assert clients.run(lambda api: api.production.get_phase_id("in storage")) == 1024
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.production.set_unit_phase(sn, pn, "No such phase"))
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.production.set_unit_phase(_uid("NOSN"), pn, 16))


def test_phases_need_referer(wats_server: Any) -> None:
    seen: list[httpx.Request] = []

    class Recording(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return super().handle_request(request)

    api = pyWATS(base_url=wats_server.base_url, token=wats_server.token, transport=Recording())
    try:
        api.production.get_phases(refresh=True)
    finally:
        api.close()
    assert seen and seen[-1].headers["Referer"] == wats_server.base_url


def _report(make_uut: Any, sn: str, pn: str, code: int, result: str, minute: int) -> dict[str, Any]:
    stamp = f"2026-02-01T10:{minute:02d}:00.000Z"
    return make_uut(sn=sn, pn=pn, processCode=code, result=result, start=stamp, startUTC=stamp)


def test_verify_unit(clients: Clients, make_uut: Any) -> None:
    sn, pn = _uid("VER"), _uid("PN")
    api_sync = pyWATS(base_url=clients.api.base_url, token=clients.api.settings.token)
    try:
        api_sync.report.submit_report(_report(make_uut, sn, pn, 100, "F", 1))
        api_sync.report.submit_report(_report(make_uut, sn, pn, 100, "P", 2))
        fct = api_sync.process.get_process_by_code(100)
    finally:
        api_sync.close()
    result = clients.run(lambda api: api.production.verify_unit(sn, pn))
    assert isinstance(result, UnitVerification)
    assert result.grade == "B" and result.status == "Passed" and result.all_processes_passed_last_run
    assert not result.all_processes_passed_first_run and result.no_repairs
    (proc,) = result.results
    assert (proc.process_code, proc.total_count, proc.non_passed_count, proc.status) == (100, 2, 1, "Passed")
    assert fct is not None and proc.process_name == fct.name
    assert clients.run(lambda api: api.production.is_unit_passing(sn, pn)) is True
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.production.verify_unit(_uid("NOSN")))


def test_child_units(clients: Clients) -> None:
    parent, child, other = _uid("BOX"), _uid("PCB"), _uid("PSU")
    clients.run(lambda api: api.production.create_units([
        {"serialNumber": parent, "partNumber": "BOX-ASSEMBLY", "revision": "A"},
        {"serialNumber": child, "partNumber": "PCB-MAIN", "revision": "B"},
        {"serialNumber": other, "partNumber": "POWER-SUPPLY", "revision": "A"},
    ]))
    with pytest.raises(ValidationError) as info:  # child must be Finalized
        clients.run(lambda api: api.production.add_child_unit(parent, "BOX-ASSEMBLY", child, "PCB-MAIN"))
    assert "Finalized" in str(info.value)
    for sn, pn in ((child, "PCB-MAIN"), (other, "POWER-SUPPLY")):
        clients.run(lambda api, sn=sn, pn=pn: api.production.set_unit_phase(sn, pn, "Finalized"))
    with pytest.raises(ValidationError):  # check_part_number must match the child
        clients.run(lambda api: api.production.add_child_unit(parent, "BOX-ASSEMBLY", child, "PCB-MAIN",
                                                               check_part_number="OTHER"))
    clients.run(lambda api: api.production.add_child_unit(parent, "BOX-ASSEMBLY", child, "PCB-MAIN",
                                                           check_part_number="PCB-MAIN", check_revision="B"))
    clients.run(lambda api: api.production.add_child_unit(parent, "BOX-ASSEMBLY", other, "POWER-SUPPLY"))
    unit = clients.run(lambda api: api.production.get_unit(parent, "BOX-ASSEMBLY"))
    assert sorted(u.serial_number for u in unit.sub_units) == sorted([child, other])
    check = clients.run(lambda api: api.production.check_child_units(parent, "BOX-ASSEMBLY"))
    assert check.ok and len(check.children) == 2
    with pytest.raises(ValidationError):  # already has a parent
        clients.run(lambda api: api.production.add_child_unit(parent, "BOX-ASSEMBLY", child, "PCB-MAIN"))
    with pytest.raises(ValidationError):  # cycle
        clients.run(lambda api: api.production.add_child_unit(child, "PCB-MAIN", parent, "BOX-ASSEMBLY"))
    clients.run(lambda api: api.production.set_unit_phase(other, "POWER-SUPPLY", "Production repair"))
    check = clients.run(lambda api: api.production.check_child_units(parent, "BOX-ASSEMBLY"))
    assert not check.ok and other in check.problems[0]
    clients.run(lambda api: api.production.remove_child_unit(parent, "BOX-ASSEMBLY", child, "PCB-MAIN"))
    unit = clients.run(lambda api: api.production.get_unit(parent, "BOX-ASSEMBLY"))
    assert [u.serial_number for u in unit.sub_units] == [other]
    with pytest.raises(NotFoundError):  # relation no longer exists
        clients.run(lambda api: api.production.remove_child_unit(parent, "BOX-ASSEMBLY", child, "PCB-MAIN"))
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.production.check_child_units(_uid("NOSN"), "BOX-ASSEMBLY"))


def test_serial_number_types_and_take(clients: Clients) -> None:
    name = _uid("TYPE")
    created = clients.run(lambda api: api.production.create_serial_number_type(
        name, "MAC-{index:04}", start_index=7, description="test pool"))
    assert isinstance(created, SerialNumberType) and created.format == "MAC-{index:04}"
    types = clients.run(lambda api: api.production.get_serial_number_types())
    assert name in {t.name for t in types}
    first = clients.run(lambda api: api.production.take_serial_numbers(name, 3, ref_pn="WIDGET-100",
                                                                       station_name="ST-1"))
    assert first == ["MAC-0007", "MAC-0008", "MAC-0009"]
    second = clients.run(lambda api: api.production.take_serial_numbers(name, 1, only_in_sequence=True))
    assert second == ["MAC-0010"]
    # create again: the existing pool is kept
    clients.run(lambda api: api.production.create_serial_number_type(name, "OTHER-{index}", start_index=1))
    assert clients.run(lambda api: api.production.take_serial_numbers(name, 1)) == ["MAC-0011"]
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.production.take_serial_numbers(_uid("NOTYPE"), 1))
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.production.take_serial_numbers(name, 0))


def test_allocate_serial_numbers_guide_call(fresh_server: Any) -> None:
    api = pyWATS(base_url=fresh_server.base_url, token=fresh_server.token)
    try:
        sns = api.production.allocate_serial_numbers(
            product_name="WIDGET-100", product_revision="A", quantity=100, prefix="WGT-", start_index=1000)
        assert sns == [f"WGT-{n}" for n in range(1000, 1100)]
        again = api.production.allocate_serial_numbers(
            product_name="WIDGET-100", product_revision="A", quantity=2, prefix="WGT-", start_index=1000)
        assert again == ["WGT-1100", "WGT-1101"]
        other = api.production.allocate_serial_numbers(quantity=2, prefix="ABC", start_index=5)
        assert other == ["ABC5", "ABC6"]
        assert {"WGT-{index}", "ABC{index}"} <= {t.format for t in api.production.get_serial_number_types()}
        with pytest.raises(SerialNumberTypeNotConfiguredError) as info:
            api.production.allocate_serial_numbers(quantity=1, prefix="NEW-", create_type=False)
        assert isinstance(info.value, NotFoundError) and "'NEW-{index}'" in str(info.value)
    finally:
        api.close()


def test_allocate_on_server_that_cannot_create_types(wats_server: Any) -> None:
    """A real WATS server has no PUT .../SerialNumbers/Types: the error names the type to configure."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.lower().endswith("/serialnumbers/types") and request.method == "GET":
            return httpx.Response(200, json=[{"name": "Other", "format": "X{index}"}])
        return httpx.Response(405, json={"Message": "The requested resource does not support http method 'PUT'."})

    api = pyWATS(base_url=wats_server.base_url, token=wats_server.token, transport=httpx.MockTransport(handler))
    try:
        with pytest.raises(SerialNumberTypeNotConfiguredError) as info:
            api.production.allocate_serial_numbers(product_name="WIDGET-100", quantity=5, prefix="WGT-")
    finally:
        api.close()
    err = info.value
    assert err.type_name == "WGT-{index}" and err.status_code == 405
    assert "configure a serial-number type named 'WGT-{index}'" in str(err)


_CHILD = """
import json, sys
from pywats import pyWATS
api = pyWATS(base_url=sys.argv[1], token=sys.argv[2])
out = []
for _ in range(5):
    out += api.production.allocate_serial_numbers(product_name="WIDGET-100", quantity=7, prefix="CC-",
                                                  start_index=1, station_name=sys.argv[3])
api.close()
print(json.dumps(out))
"""


def test_concurrent_allocation_never_repeats(fresh_server: Any) -> None:
    results: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def station(idx: int) -> None:
        api = pyWATS(base_url=fresh_server.base_url, token=fresh_server.token)
        try:
            got: list[str] = []
            for _ in range(5):
                got += api.production.allocate_serial_numbers(
                    product_name="WIDGET-100", quantity=7, prefix="CC-", start_index=1, station_name=f"T{idx}")
            results[f"T{idx}"] = got
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            api.close()

    procs = [
        subprocess.Popen([sys.executable, "-c", _CHILD, fresh_server.base_url, fresh_server.token, f"P{i}"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(2)
    ]
    threads = [threading.Thread(target=station, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for i, p in enumerate(procs):
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results[f"P{i}"] = json.loads(out)
    assert not errors, errors
    assert all(len(v) == 35 for v in results.values())
    every = [sn for v in results.values() for sn in v]
    assert len(every) == len(set(every)) == 8 * 35
    assert sorted(every, key=lambda s: int(s[3:])) == [f"CC-{n}" for n in range(1, 8 * 35 + 1)]


@pytest.mark.anyio
async def test_async_production_calls(fresh_server: Any) -> None:
    async with AsyncWATS(base_url=fresh_server.base_url, token=fresh_server.token) as api:
        sns = await api.production.allocate_serial_numbers(
            product_name="WIDGET-100", product_revision="A", quantity=3, prefix="AS-", start_index=10)
        assert sns == ["AS-10", "AS-11", "AS-12"]
        await api.production.create_units([{"serialNumber": sns[0], "partNumber": "WIDGET-100", "revision": "A"}])
        await api.production.set_unit_phase(sns[0], "WIDGET-100", "Finalized")
        unit = await api.production.get_unit(sns[0], "WIDGET-100")
        assert unit.unit_phase_id == 16
        assert len(await api.production.get_phases()) >= 10
