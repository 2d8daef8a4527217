"""pywats-server: parent keys of unit relations, serial-number pool exhaustion,
asset log on save, tables created at open, header query by misc info."""

from __future__ import annotations

import sqlite3
import uuid

import httpx
import pytest
from _lib_clients import Clients, clients  # noqa: F401  (the fixture)

from pywats import AsyncWATS, pyWATS
from pywats.exceptions import ConflictError
from pywats.models.report_header import ReportHeader
from pywats_server.testing import ServerInfo


def _uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


# -- 1. unit relations are keyed by the parent's serial AND part number ---------------------
def test_same_serial_parents_keep_their_own_children(client: httpx.Client) -> None:
    psn = _uid("BOX")
    pn_a, pn_b = _uid("PA"), _uid("PB")
    kid_a, kid_b = _uid("KA"), _uid("KB")
    r = client.put("/api/Production/Units", json=[
        {"serialNumber": psn, "partNumber": pn_a}, {"serialNumber": psn, "partNumber": pn_b},
        {"serialNumber": kid_a, "partNumber": "PCB", "unitPhaseId": 16},
        {"serialNumber": kid_b, "partNumber": "PCB", "unitPhaseId": 16},
    ])
    assert r.status_code == 200 and r.json()["errorCount"] == 0, r.text
    for parent_pn, kid in ((pn_a, kid_a), (pn_b, kid_b)):
        r = client.post("/api/Production/AddChildUnit", params={
            "parentSerialNumber": psn, "parentPartNumber": parent_pn,
            "childSerialNumber": kid, "childPartNumber": "PCB"})
        assert r.status_code == 204, r.text
    for parent_pn, kid in ((pn_a, kid_a), (pn_b, kid_b)):
        unit = client.get(f"/api/Production/Unit/{psn}/{parent_pn}").json()
        assert [u["serialNumber"] for u in unit["subUnits"]] == [kid]
        check = client.get("/api/Production/CheckChildUnits",
                           params={"parentSerialNumber": psn, "parentPartNumber": parent_pn}).json()
        assert [c["serialNumber"] for c in check["children"]] == [kid]
    # the relation belongs to (psn, pn_a): removing it "from" (psn, pn_b) is refused
    r = client.post("/api/Production/RemoveChildUnit", params={
        "parentSerialNumber": psn, "parentPartNumber": pn_b, "childSerialNumber": kid_a, "childPartNumber": "PCB"})
    assert r.status_code == 404 and pn_b in r.json()["Message"]
    r = client.post("/api/Production/RemoveChildUnit", params={
        "parentSerialNumber": psn, "parentPartNumber": pn_a, "childSerialNumber": kid_a, "childPartNumber": "PCB"})
    assert r.status_code == 204
    assert client.get(f"/api/Production/Unit/{psn}/{pn_a}").json()["subUnits"] == []
    assert [u["serialNumber"] for u in client.get(f"/api/Production/Unit/{psn}/{pn_b}").json()["subUnits"]] == [kid_b]


def test_unit_may_hold_a_child_with_its_own_serial_number(client: httpx.Client) -> None:
    """Same serial, other part number is another unit: not "its own child", and no false cycle."""
    sn = _uid("SAME")
    client.put("/api/Production/Units", json=[{"serialNumber": sn, "partNumber": "BOX"},
                                              {"serialNumber": sn, "partNumber": "BOARD", "unitPhaseId": 16}])
    r = client.post("/api/Production/AddChildUnit", params={
        "parentSerialNumber": sn, "parentPartNumber": "BOX", "childSerialNumber": sn, "childPartNumber": "BOARD"})
    assert r.status_code == 204, r.text
    assert [u["partNumber"] for u in client.get(f"/api/Production/Unit/{sn}/BOX").json()["subUnits"]] == ["BOARD"]
    assert client.get(f"/api/Production/Unit/{sn}/BOARD").json()["subUnits"] == []


# -- 2. serial-number pool exhaustion ---------------------------------------------------------
def _take(client: httpx.Client, name: str, quantity: int, **params: object) -> httpx.Response:
    return client.post("/api/Production/SerialNumbers/Take",
                       params={"serialNumberType": name, "quantity": quantity, "format": "CSV", **params})


def test_take_from_exhausted_pool_is_409(client: httpx.Client) -> None:
    name = _uid("EXH")
    client.put("/api/Production/SerialNumbers/Types",
               json={"name": name, "format": "E{index}", "startIndex": 1, "endIndex": 4})
    r = _take(client, name, 3, onlyInSequence="true")
    assert r.status_code == 200 and r.text.split() == ["E1", "E2", "E3"]
    r = _take(client, name, 2, onlyInSequence="true")  # one left: nothing taken
    assert r.status_code == 409 and name in r.json()["Message"] and "onlyInSequence" in r.json()["Message"]
    r = _take(client, name, 5)  # fewer left than asked: takes what is left
    assert r.status_code == 200 and r.text.split() == ["E4"]
    for in_seq in ("false", "true"):
        r = _take(client, name, 1, onlyInSequence=in_seq)
        assert r.status_code == 409
        assert r.json()["Message"] == f"no free numbers left in serial-number type '{name}'"


# -- 2b. the library surfaces an exhausted pool as ConflictError -------------------------------
def test_library_take_from_exhausted_pool_raises_conflict(wats_server: ServerInfo) -> None:
    name = _uid("LEX")
    with pyWATS(base_url=wats_server.base_url, token=wats_server.token) as api:
        api.production.create_serial_number_type(name, name + "-{index}", start_index=1, end_index=3)
        assert api.production.take_serial_numbers(name, 2) == [f"{name}-1", f"{name}-2"]
        with pytest.raises(ConflictError, match="onlyInSequence") as info:
            api.production.take_serial_numbers(name, 2, only_in_sequence=True)
        assert info.value.status_code == 409
        assert api.production.take_serial_numbers(name, 5) == [f"{name}-3"]
        with pytest.raises(ConflictError) as info:
            api.production.take_serial_numbers(name, 1)
        assert f"no free numbers left in serial-number type '{name}'" in str(info.value)
        with pytest.raises(ConflictError, match=name):
            api.production.allocate_serial_numbers(quantity=1, prefix=name + "-")


@pytest.mark.anyio
async def test_async_library_take_from_exhausted_pool_raises_conflict(wats_server: ServerInfo) -> None:
    name = _uid("AEX")
    async with AsyncWATS(base_url=wats_server.base_url, token=wats_server.token) as api:
        await api.production.create_serial_number_type(name, "Q{index}", start_index=7, end_index=7)
        assert await api.production.take_serial_numbers(name, 1) == ["Q7"]
        with pytest.raises(ConflictError, match="no free numbers left"):
            await api.production.take_serial_numbers(name, 1)


# -- 3. PUT /api/Asset writes the asset log -------------------------------------------------------
FIXTURE_TYPE = "00000000-0000-0000-0000-000000000001"


def test_asset_create_and_update_are_logged(client: httpx.Client) -> None:
    sn = _uid("AST")
    created = client.put("/api/Asset", json={"serialNumber": sn, "typeId": FIXTURE_TYPE, "location": "Line 1"})
    assert created.status_code == 200, created.text
    asset = created.json()
    updated = client.put("/api/Asset", json={**asset, "location": "Line 2", "assetName": "Jig"})
    assert updated.status_code == 200, updated.text
    client.put("/api/Asset", json=updated.json())  # no change
    log = client.get("/api/Asset/Log", params={"$filter": f"serialNumber eq '{sn}'"}).json()
    rows = [(e["type"], e["property"], e["value"]) for e in log]
    assert rows == [(1, None, None), (2, "assetName", "Jig"), (2, "location", "Line 2"), (2, None, None)]
    assert {e["assetId"] for e in log} == {asset["assetId"]} and {e["user"] for e in log} == {"test"}
    assert all(e["date"] for e in log) and log[0]["comment"] == "asset created"


# -- 4. every area's tables exist as soon as the server has opened its database ------------------
AREA_TABLES = {"reports", "units", "sn_types", "assets", "asset_log", "product_boms", "sw_packages",
               "sw_package_files", "sw_virtual_folders", "rc_tickets", "rc_attachments"}


def test_fresh_database_has_every_table_before_any_request(fresh_server: ServerInfo) -> None:
    conn = sqlite3.connect(f"file:{fresh_server.db_path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    assert AREA_TABLES <= tables, sorted(AREA_TABLES - tables)
    with httpx.Client(base_url=fresh_server.base_url, headers=fresh_server.auth_headers, timeout=30) as c:
        assert c.get("/api/Asset/Log").json() == []
        assert c.get("/api/Product/BOM", params={"partNumber": "NONE", "revision": "A"}).status_code == 204


# -- 5. GET /api/Report/Query/HeaderByMiscInfo and api.report.query_headers_by_misc_info -------------
@pytest.fixture()
def misc_reports(client: httpx.Client, make_uut) -> dict[str, object]:
    """Three reports sharing a unique misc-info description; ids and serials by key."""
    desc = _uid("Slot")
    sn1, sn2 = _uid("MSN"), _uid("MSN")
    docs = {
        "a": make_uut(sn=sn1, start="2026-02-01T10:00:00.000+00:00", result="P",
                      miscInfos=[{"description": desc, "text": "Left"}, {"description": "Operator note", "text": "ok"}]),
        "b": make_uut(sn=sn2, start="2026-02-02T10:00:00.000+00:00",
                      miscInfos=[{"description": desc.lower(), "text": "RIGHT"}]),
        "c": make_uut(sn=sn1, start="2026-02-03T10:00:00.000+00:00", miscInfos=[{"description": desc, "numeric": 42}]),
        "other": make_uut(sn=sn1, miscInfos=[{"description": desc + "X", "text": "Left"}]),
    }
    for doc in docs.values():
        doc.pop("startUTC", None)
        r = client.post("/api/Report/WSJF", json=doc)
        assert r.status_code == 200, r.text
    return {"desc": desc, "sn1": sn1, "sn2": sn2, **{k: d["id"] for k, d in docs.items()}}


def test_header_by_misc_info_endpoint(client: httpx.Client, misc_reports: dict) -> None:
    m = misc_reports
    rows = client.get("/api/Report/Query/HeaderByMiscInfo", params={"description": m["desc"]}).json()
    assert [r["uuid"] for r in rows] == [m["c"], m["b"], m["a"]]  # newest first, description case-insensitive
    a = rows[2]
    assert a["miscData"] == [{"description": m["desc"], "data": "Left"}, {"description": "Operator note", "data": "ok"}]
    assert (a["serialNumber"], a["partNumber"], a["result"], a["processCode"]) == (m["sn1"], "WIDGET-100", "Passed", 100)
    assert a["processName"] and a["start"].startswith("2026-02-01T10:00:00")
    assert set(a) == {"miscData", "serialNumber", "partNumber", "start", "result", "uuid", "processCode", "processName"}

    def uuids(**params: object) -> list[str]:
        r = client.get("/api/Report/Query/HeaderByMiscInfo", params=params)
        assert r.status_code == 200, r.text
        return [x["uuid"] for x in r.json()]

    assert uuids(description=m["desc"], data="right") == [m["b"]]
    assert uuids(description=m["desc"], data="42") == [m["c"]]  # numeric value as text
    assert uuids(description=m["desc"], serialNumber=m["sn1"]) == [m["c"], m["a"]]
    assert uuids(description=m["desc"], serialNumber=m["sn1"], processCode=100) == [m["c"], m["a"]]
    assert uuids(description=m["desc"], processCode=1) == []
    assert uuids(data="Left", serialNumber=m["sn1"]) == [m["a"], m["other"]]  # any description
    r = client.get("/api/Report/Query/HeaderByMiscInfo", params={"serialNumber": m["sn1"]})
    assert r.status_code == 400 and "description" in r.json()["Message"]
    r = client.get("/api/Report/Query/HeaderByMiscInfo", params={"description": m["desc"], "processCode": "x"})
    assert r.status_code == 400 and "processCode" in r.json()["Message"]


def test_library_query_headers_by_misc_info(clients: Clients, misc_reports: dict) -> None:
    m = misc_reports
    headers = clients.run(lambda api: api.report.query_headers_by_misc_info(m["desc"]))
    assert all(isinstance(h, ReportHeader) for h in headers)
    assert [h.uuid for h in headers] == [m["c"], m["b"], m["a"]]
    a = headers[2]
    assert a.serial_number == m["sn1"] and a.part_number == "WIDGET-100" and a.result == "Passed"
    assert a.process_code == 100 and a.start is not None and a.start.day == 1
    assert a.misc_info == [{"description": m["desc"], "data": "Left"}, {"description": "Operator note", "data": "ok"}]
    got = clients.run(lambda api: api.report.query_headers_by_misc_info(
        m["desc"], data="RIGHT", serial_number=m["sn2"], process_code=100))
    assert [h.uuid for h in got] == [m["b"]]
    assert clients.run(lambda api: api.report.query_headers_by_misc_info(m["desc"], serial_number=_uid("NONE"))) == []
