"""pywats-server: products, revisions, units, phases, serial-number pools, assets."""

from __future__ import annotations

import concurrent.futures
import uuid
import xml.etree.ElementTree as ET

import httpx

from pywats_server.testing import ServerInfo


def _uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


# -- products ---------------------------------------------------------------------------
def test_create_update_and_read_product(client: httpx.Client) -> None:
    pn = _uid("PROD")
    created = client.put("/api/Product", json={"productId": "", "partNumber": pn, "name": "Widget",
                                               "description": "d", "nonSerial": False, "state": 1})
    assert created.status_code == 200, created.text
    prod = created.json()
    assert prod["productId"] and prod["partNumber"] == pn and prod["revisions"] == []
    updated = client.put("/api/Product", json={**prod, "name": "Widget 2", "productCategoryName": "PCB"}).json()
    assert updated["productId"] == prod["productId"] and updated["name"] == "Widget 2"
    assert client.get(f"/api/Product/{pn}").json()["name"] == "Widget 2"
    rev = client.put("/api/Product/Revision", json={"productRevisionId": "", "PartNumber": pn, "revision": "B",
                                                    "name": "Rev B"})
    assert rev.status_code == 200, rev.text
    assert rev.json()["PartNumber"] == pn and rev.json()["productId"] == prod["productId"]
    got = client.get(f"/api/Product/{pn}/B").json()
    assert got["name"] == "Rev B" and got["productRevisionId"] == rev.json()["productRevisionId"]
    assert [r["revision"] for r in client.get(f"/api/Product/{pn}").json()["revisions"]] == ["B"]


def test_product_errors(client: httpx.Client) -> None:
    assert client.get(f"/api/Product/{_uid('NOPE')}").status_code == 404
    assert client.get(f"/api/Product/{_uid('NOPE')}/A").status_code == 404
    r = client.put("/api/Product", json={"name": "no pn"})
    assert r.status_code == 400 and r.json()["Message"].startswith("partNumber:")
    r = client.put("/api/Product/Revision", json={"PartNumber": _uid("NOPE"), "revision": "A"})
    assert r.status_code == 400 and "productId" in r.json()["Message"]


def test_product_query(client: httpx.Client) -> None:
    pn = _uid("QRY")
    client.put("/api/Product", json={"partNumber": pn, "name": "Queried", "productCategoryName": "Cables"})
    rows = client.get("/api/Product/Query", params={"$filter": f"PartNumber eq '{pn}'"}).json()
    assert rows == [{"partNumber": pn, "name": "Queried", "category": "Cables", "nonSerial": False, "state": 1}]
    everything = client.get("/api/Product/Query").json()
    assert pn in {r["partNumber"] for r in everything}
    bad = client.get("/api/Product/Query", params={"$filter": "partNumber eq"})
    assert bad.status_code == 400


# -- units and phases ----------------------------------------------------------------------
def test_units_put_get_and_phase(client: httpx.Client) -> None:
    sn, pn = _uid("UNIT"), _uid("UPN")
    r = client.put("/api/Production/Units", json=[
        {"serialNumber": sn, "partNumber": pn, "revision": "A", "batchNumber": "B1"},
        {"serialNumber": sn + "-C", "partNumber": pn, "revision": "A", "parentSerialNumber": sn},
        {"partNumber": pn},
    ])
    assert r.status_code == 200
    result = r.json()
    assert result["errorCount"] == 1 and "serialNumber" in result["errors"][0]["message"]
    unit = client.get(f"/api/Production/Unit/{sn}/{pn}").json()
    assert unit["batchNumber"] == "B1" and unit["unitPhaseId"] == 2
    assert [c["serialNumber"] for c in unit["subUnits"]] == [sn + "-C"]
    assert unit["product"]["partNumber"] == pn and unit["productRevision"]["revision"] == "A"
    ok = client.put("/api/Production/SetUnitPhase", params={"serialNumber": sn, "partNumber": pn, "phase": 16})
    assert ok.status_code in (200, 204)
    assert client.get(f"/api/Production/Unit/{sn}/{pn}").json()["unitPhase"] == "Finalized"
    bad = client.put("/api/Production/SetUnitPhase", params={"serialNumber": sn, "partNumber": pn, "phase": 3})
    assert bad.status_code == 400 and "phase" in bad.json()["Message"]
    missing = client.put("/api/Production/SetUnitPhase", params={"serialNumber": "x", "partNumber": pn, "phase": 16})
    assert missing.status_code == 404
    assert client.get(f"/api/Production/Unit/nope/{pn}").status_code == 404


def test_report_registers_unit(client: httpx.Client, make_uut) -> None:
    sn = _uid("RUNIT")
    client.post("/api/Report/WSJF", json=make_uut(sn=sn))
    unit = client.get(f"/api/Production/Unit/{sn}/WIDGET-100").json()
    assert unit["serialNumber"] == sn and unit["revision"] == "A"


def test_unit_phase_table(client: httpx.Client) -> None:
    phases = client.get("/api/internal/Mes/GetUnitPhases", headers={"Referer": str(client.base_url)}).json()
    by_id = {p["UnitPhaseId"]: p for p in phases}
    assert by_id[16]["Name"] == "Finalized" and by_id[2]["Name"] == "Under production"
    assert {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4098, 4100, 4104} == set(by_id)


# -- serial numbers ---------------------------------------------------------------------------
def _take_xml(client: httpx.Client, type_name: str, qty: int, **extra: str) -> list[str]:
    r = client.post("/api/Production/SerialNumbers/Take",
                    params={"serialNumberType": type_name, "quantity": qty, "format": "XML", **extra})
    assert r.status_code == 200, r.text
    root = ET.fromstring(r.text)
    assert root.tag == "SerialNumbers"
    return [sn.attrib["id"] for sn in root.findall("SN")]


def test_serial_number_type_create_and_take(client: httpx.Client) -> None:
    name = _uid("WGT")
    body = {"name": name, "description": "widgets", "format": "WGT-{index}", "startIndex": 1000}
    created = client.put("/api/Production/SerialNumbers/Types", json=body)
    assert created.status_code == 201
    assert created.json()["format"] == "WGT-{index}"
    assert client.put("/api/Production/SerialNumbers/Types", json=body).status_code == 200  # idempotent
    types = {t["name"]: t for t in client.get("/api/Production/SerialNumbers/Types").json()}
    assert {"name", "description", "format", "regEx", "identifier", "identifierName"} <= set(types[name])
    first = _take_xml(client, name, 100, refPN="WIDGET-100", stationName="ST1")
    assert first == [f"WGT-{i}" for i in range(1000, 1100)]
    second = _take_xml(client, name, 3)
    assert second == ["WGT-1100", "WGT-1101", "WGT-1102"]
    csv = client.post("/api/Production/SerialNumbers/Take",
                      params={"serialNumberType": name, "quantity": 2, "format": "CSV"})
    assert csv.status_code == 200 and csv.text.split() == ["WGT-1103", "WGT-1104"]


def test_serial_number_errors(client: httpx.Client) -> None:
    r = client.post("/api/Production/SerialNumbers/Take", params={"serialNumberType": "NO-SUCH", "quantity": 1})
    assert r.status_code == 404 and "NO-SUCH" in r.json()["Message"]
    r = client.post("/api/Production/SerialNumbers/Take", params={"serialNumberType": "X"})
    assert r.status_code == 400 and "quantity" in r.json()["Message"]
    r = client.put("/api/Production/SerialNumbers/Types", json={"format": "A{index}"})
    assert r.status_code == 400 and r.json()["Message"].startswith("name:")


def test_bounded_pool_and_in_sequence(client: httpx.Client) -> None:
    name = _uid("BND")
    client.put("/api/Production/SerialNumbers/Types",
               json={"name": name, "format": "B{index:04}", "startIndex": 1, "endIndex": 5})
    assert _take_xml(client, name, 3) == ["B0001", "B0002", "B0003"]
    r = client.post("/api/Production/SerialNumbers/Take",
                    params={"serialNumberType": name, "quantity": 5, "onlyInSequence": "true"})
    assert r.status_code == 409  # not enough left in sequence: nothing taken
    assert _take_xml(client, name, 5) == ["B0004", "B0005"]  # takes what is left


def test_concurrent_takes_never_duplicate(wats_server: ServerInfo) -> None:
    name = _uid("CONC")
    with httpx.Client(base_url=wats_server.base_url, headers=wats_server.auth_headers, timeout=60) as c:
        c.put("/api/Production/SerialNumbers/Types", json={"name": name, "format": "C-{index}", "startIndex": 0})

        def take(_: int) -> list[str]:
            return _take_xml(c, name, 7)

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            batches = list(pool.map(take, range(40)))
    numbers = [n for b in batches for n in b]
    assert len(numbers) == 280
    assert len(set(numbers)) == 280
    assert set(numbers) == {f"C-{i}" for i in range(280)}


# -- assets ---------------------------------------------------------------------------------
def test_asset_types_and_assets(client: httpx.Client) -> None:
    tname = _uid("Probe")
    atype = client.put("/api/Asset/Types", json={"typeName": tname, "runningCountLimit": 500})
    assert atype.status_code == 200
    type_id = atype.json()["typeId"]
    assert tname in {t["typeName"] for t in client.get("/api/Asset/Types").json()}
    sn = _uid("ASSET")
    a = client.put("/api/Asset", json={"serialNumber": sn, "typeId": type_id, "assetName": "Probe 1",
                                       "runningCount": 99})
    assert a.status_code == 200, a.text
    asset = a.json()
    assert asset["assetId"] and asset["runningCount"] == 0  # counts are ignored by PUT
    assert client.get(f"/api/Asset/{sn}").json()["assetId"] == asset["assetId"]
    assert client.get(f"/api/Asset/{asset['assetId']}").json()["serialNumber"] == sn
    client.put("/api/Asset", json={**asset, "assetName": "Probe 1b"})
    assert client.get(f"/api/Asset/{sn}").json()["assetName"] == "Probe 1b"
    rows = client.get("/api/Asset", params={"$filter": f"serialNumber eq '{sn}'"}).json()
    assert [r["assetName"] for r in rows] == ["Probe 1b"]
    ids = [r["assetId"] for r in client.get("/api/Asset").json()]
    assert ids == sorted(ids)


def test_asset_errors(client: httpx.Client) -> None:
    assert client.get(f"/api/Asset/{_uid('NONE')}").status_code == 404
    r = client.put("/api/Asset", json={"typeId": "00000000-0000-0000-0000-000000000001"})
    assert r.status_code == 400 and r.json()["Message"].startswith("serialNumber:")
    r = client.put("/api/Asset", json={"serialNumber": "x"})
    assert r.status_code == 400 and r.json()["Message"].startswith("typeId:")
    r = client.put("/api/Asset", json={"serialNumber": "x", "typeId": str(uuid.uuid4())})
    assert r.status_code == 400 and r.json()["Message"].startswith("typeId:")
    r = client.put("/api/Asset/Types", json={})
    assert r.status_code == 400 and r.json()["Message"].startswith("typeName:")
