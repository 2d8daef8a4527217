"""pywats-server follow-ups: parent keys of unit relations, serial-number pool exhaustion,
asset log on save, tables created at open, header query by misc info."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from pywats_server.testing import ServerInfo


@pytest.fixture()
def client(wats_server: ServerInfo) -> Iterator[httpx.Client]:
    """An authorised HTTP client on the shared test server."""
    with httpx.Client(base_url=wats_server.base_url, headers=wats_server.auth_headers, timeout=30) as c:
        yield c


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
