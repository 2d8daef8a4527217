"""Unit tests (no sockets) for the product, production and asset models and parsing helpers."""

from __future__ import annotations

import json

import httpx
import pytest

from pywats import pyWATS
from pywats.domains.asset import asset_key_params
from pywats.domains.production import (
    SerialNumberTypeNotConfiguredError,
    parse_serial_numbers,
    serial_number_format,
)
from pywats.exceptions import NotFoundError, ValidationError
from pywats.models.asset import Asset, AssetStatus
from pywats.models.product import Bom, BomComponent, Product, ProductRevision
from pywats.models.production import Unit, UnitPhase, UnitVerification
from pywats_server.storage.products import BomInputError, parse_wsbf


def test_product_aliases_and_revision_capital_p() -> None:
    p = Product.model_validate({"partNumber": "X", "nonSerial": True, "revisions": [
        {"revision": "A", "PartNumber": "X", "productRevisionId": "r1"}], "extraField": 5})
    assert p.part_number == "X" and p.non_serial is True and p.revisions[0].part_number == "X"
    assert p.model_extra == {"extraField": 5}
    wire = p.to_wire()
    assert wire["partNumber"] == "X" and wire["revisions"][0]["PartNumber"] == "X"
    assert "partNumber" not in wire["revisions"][0]
    assert ProductRevision(revision="B", part_number="Y").to_wire() == {"revision": "B", "PartNumber": "Y", "tags": []}
    assert json.loads(json.dumps(p.model_dump()))["part_number"] == "X"


def test_bom_wsbf_round_trip() -> None:
    bom = Bom(part_number="PCB-1", revision="C", description="Main & <board>", components=[
        BomComponent(number="R1", revision="2", quantity=4, reference="R1;R2", description="res"),
        BomComponent(number="U1", quantity=0.25, function_block="MCU"),
    ])
    xml = bom.to_wsbf()
    assert 'xmlns="http://wats.virinco.com/schemas/WATS/wsbf"' in xml and 'Partnumber="PCB-1"' in xml
    parsed = parse_wsbf(xml)
    assert Bom.model_validate(parsed) == bom


@pytest.mark.parametrize("xml, field", [
    ("<Nope/>", "root element"), ("<BOM Revision='A'/>", "Partnumber"), ("<BOM Partnumber='X'/>", "Revision"),
    ("<BOM Partnumber='X' Revision='A'><Component Qty='1'/></BOM>", "Component[0]/@Number"),
    ("<BOM Partnumber='X' Revision='A'><Component Number='a' Qty='many'/></BOM>", "@Qty"),
    ("<BOM", "well-formed"),
])
def test_wsbf_errors_name_the_field(xml: str, field: str) -> None:
    with pytest.raises(BomInputError, match=field.replace("[", r"\[").replace("]", r"\]")):
        parse_wsbf(xml)


def test_unit_and_phase_models() -> None:
    u = Unit.model_validate({"serialNumber": "S", "partNumber": "P", "unitPhaseId": 16, "unitPhase": "Finalized",
                             "subUnits": [{"serialNumber": "C", "partNumber": "Q"}], "product": {"partNumber": "P"}})
    assert u.sub_units[0].serial_number == "C" and u.product is not None
    assert u.to_wire() == {"serialNumber": "S", "partNumber": "P", "unitPhaseId": 16, "tags": []}
    phase = UnitPhase.model_validate({"UnitPhaseId": 16, "Code": "Finalized", "Name": "Finalized",
                                      "Description": "d"})
    assert (phase.unit_phase_id, phase.code) == (16, "Finalized")
    assert phase.to_wire()["UnitPhaseId"] == 16
    v = UnitVerification.model_validate({"allProcessesPassedLastRun": True, "results": [{"processCode": 100}]})
    assert v.is_passing and not UnitVerification().is_passing


@pytest.mark.parametrize("payload, expected", [
    ('<?xml version="1.0"?><SerialNumbers requestType="Take"><SN id="A-1" refPN="X"/><SN id="A-2"/></SerialNumbers>',
     ["A-1", "A-2"]),
    ('<SerialNumbers xmlns="urn:x"><SN id="N1"/></SerialNumbers>', ["N1"]),
    ("A-1\r\nA-2\r\n", ["A-1", "A-2"]),
    ("SN\nA-1\n", ["A-1"]),
    ('["A-1", {"id": "A-2"}, {"serialNumber": "A-3"}]', ["A-1", "A-2", "A-3"]),
    (["X"], ["X"]), ({"serialNumbers": ["Y"]}, ["Y"]), ("", []), (None, []), (b"\xef\xbb\xbfB-1\n", ["B-1"]),
])
def test_parse_serial_numbers(payload: object, expected: list[str]) -> None:
    assert parse_serial_numbers(payload) == expected


def test_parse_serial_numbers_errors() -> None:
    with pytest.raises(ValidationError, match="XML"):
        parse_serial_numbers("<SerialNumbers><SN id='x'>")
    with pytest.raises(ValidationError):
        parse_serial_numbers([{"taken": True}])


def test_serial_number_format_and_error_class() -> None:
    assert serial_number_format("WGT-") == "WGT-{index}"
    err = SerialNumberTypeNotConfiguredError("msg", type_name="T", format="T{index}")
    assert isinstance(err, NotFoundError) and err.type_name == "T"


def test_asset_key_params() -> None:
    guid = "0b7a3c1e-2f4d-4e5a-9b8c-7d6e5f4a3b2c"
    assert asset_key_params(guid) == {"id": guid}
    assert asset_key_params("FX-001") == {"serialNumber": "FX-001"}
    with pytest.raises(ValidationError):
        asset_key_params("  ")
    status = AssetStatus.model_validate({"alarmState": 2})
    assert status.is_in_alarm and not status.is_in_warning
    assert Asset(serial_number="S", type_id="t").to_wire() == {"serialNumber": "S", "typeId": "t", "tags": []}


def test_requests_sent_by_the_domains() -> None:
    """The wire shape of a few calls, checked on a mock transport (no sockets)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path = request.url.path
        if path.endswith("/Take"):
            return httpx.Response(200, text='<SerialNumbers><SN id="Q-5"/></SerialNumbers>',
                                  headers={"Content-Type": "application/xml"})
        if path.endswith("/Types"):
            return httpx.Response(200, json=[{"name": "Q pool", "format": "Q-{index}"}])
        if path.endswith("/BOM"):
            return httpx.Response(200)
        if path.endswith("/GetUnitPhases"):
            return httpx.Response(200, json=[{"UnitPhaseId": 16, "Code": "Finalized", "Name": "Finalized"}])
        return httpx.Response(204)

    api = pyWATS(base_url="http://127.0.0.1:9", token="dGVzdDp0ZXN0", transport=httpx.MockTransport(handler))
    try:
        assert api.production.allocate_serial_numbers(product_name="W", quantity=1, prefix="Q-") == ["Q-5"]
        take = seen[-1]
        assert take.method == "POST" and dict(take.url.params) == {
            "serialNumberType": "Q pool", "quantity": "1", "refPN": "W", "format": "XML"}
        api.production.set_unit_phase("S1", "P1", "finalized")
        assert seen[-2].headers["Referer"] == "http://127.0.0.1:9"
        assert dict(seen[-1].url.params) == {"serialNumber": "S1", "partNumber": "P1", "phase": "16"}
        api.production.add_child_unit("PS", "PP", "CS", "CP")
        assert dict(seen[-1].url.params) == {"parentSerialNumber": "PS", "parentPartNumber": "PP",
                                             "childSerialNumber": "CS", "childPartNumber": "CP",
                                             "checkPartNumber": "", "checkRevision": ""}
        api.product.update_bom("P", "A", [{"number": "C", "quantity": 1}])
        assert seen[-1].headers["Content-Type"].startswith("application/xml")
        assert b'<Component Number="C" Qty="1" />' in seen[-1].content
        api.asset.increment_count("FX-1", increment_by=3)
        assert dict(seen[-1].url.params) == {"serialNumber": "FX-1", "incrementBy": "3",
                                             "incrementChildren": "false"}
    finally:
        api.close()
