"""Built-in ATML (IEEE 1636.1 TestResults) converter on its sample files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pywats_client.converters import ContextData, convert_in_process

DATA = Path(__file__).resolve().parents[1] / "data" / "converters" / "atml"
CONTEXT = ContextData(
    station_name="ATML-STATION", location="Line 3", purpose="Production",
    processes=[{"code": 100, "name": "FCT"}], arguments={"operation": "FCT"},
)


def _by_name(steps: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in steps}


def test_failed_fct_sample() -> None:
    outcome = convert_in_process("atml", DATA / "fct_widget200_failed.xml", context=CONTEXT)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert (report["pn"], report["sn"], report["rev"]) == ("WIDGET-200", "W200-000123", "B")
    assert report["id"] == "0f6d2b8e-5a41-4c7b-9a0e-1b2c3d4e5f60"
    assert report["result"] == "F"
    assert report["processCode"] == 100
    assert report["uut"]["user"] == "alice"
    assert report["uut"]["execTime"] == pytest.approx(27.5)
    assert report["start"].startswith("2026-03-02T08:15:04.25")
    assert report["machineName"] == "ATML-STATION"
    assert {"description": "ATML Test Station", "text": "FCT-RACK-07"} in report["miscInfos"]

    top = _by_name(report["root"]["steps"])
    assert set(top) == {"Power rails", "Digital I/O", "Save station log"}
    power = top["Power rails"]
    assert power["stepType"] == "SequenceCall" and power["status"] == "F"
    rails = _by_name(power["steps"])
    v33 = rails["3V3 rail"]["numericMeas"][0]
    assert (v33["value"], v33["unit"], v33["compOp"], v33["lowLimit"], v33["highLimit"], v33["status"]) == (
        3.312, "V", "GELE", 3.2, 3.4, "P",
    )
    assert rails["5V rail"]["status"] == "F"
    idle = rails["Idle current"]["numericMeas"][0]
    assert (idle["compOp"], idle["lowLimit"], idle["unit"]) == ("LT", 0.25, "A")
    assert "highLimit" not in idle or idle["highLimit"] is None

    io = _by_name(top["Digital I/O"]["steps"])
    assert top["Digital I/O"]["status"] == "P"
    channels = io["Channel voltages"]
    assert channels["stepType"] == "ET_MNLT"
    assert [(m["name"], m["compOp"]) for m in channels["numericMeas"]] == [("CH1", "GELE"), ("CH2", "GTLT")]
    assert io["LED check"]["stepType"] == "ET_PFT" and io["LED check"]["status"] == "P"
    fw = io["FW version"]["stringMeas"][0]
    assert (fw["value"], fw["limit"], fw["status"]) == ("1.2.3", "1.2.3", "P")
    assert io["Relay K1 self-test"]["status"] == "S"
    assert top["Save station log"]["stepType"] == "Action" and top["Save station log"]["status"] == "D"


def test_collection_gives_one_report_per_uut() -> None:
    outcome = convert_in_process("atml", DATA / "batch_two_uuts_passed.xml", context=CONTEXT)
    assert outcome.ok, outcome.error
    assert [(r["sn"], r["pn"], r["rev"], r["result"]) for r in outcome.reports] == [
        ("S10-0001", "SENSOR-10", "C", "P"),
        ("S10-0002", "SENSOR-10", "C", "P"),
    ]
    assert [r["uut"]["user"] for r in outcome.reports] == ["bob", "bob"]


@pytest.mark.parametrize(
    ("xml", "fragment"),
    [
        ("<not-closed>", "invalid XML at line 1"),
        ("<Other/>", "no ATML TestResults element (root element is 'Other')"),
        (
            '<TestResults xmlns="urn:IEEE-1636.1:2011:01:TestResults"><ResultSet/></TestResults>',
            "no UUT element",
        ),
        (
            ('<TestResults xmlns="urn:IEEE-1636.1:2011:01:TestResults" xmlns:c="urn:IEEE-1671:2010:Common">'
            "<UUT><c:SerialNumber>S</c:SerialNumber></UUT><ResultSet/></TestResults>"),
            "UUT has no part number",
        ),
        (
            ('<TestResults xmlns="urn:IEEE-1636.1:2011:01:TestResults" xmlns:c="urn:IEEE-1671:2010:Common" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<UUT><c:Definition><c:Identification><c:ModelName>M</c:ModelName></c:Identification></c:Definition>'
            "<c:SerialNumber>S</c:SerialNumber></UUT><ResultSet>"
            '<Test name="T1"><TestResult name="R"><TestData><c:Datum xsi:type="c:double" value="abc"/></TestData>'
            "</TestResult></Test></ResultSet></TestResults>"),
            "Test 'T1' TestResult 'R': Datum value 'abc' is not a number",
        ),
    ],
)
def test_bad_documents(tmp_path: Path, xml: str, fragment: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(xml)
    outcome = convert_in_process("atml", path, context=CONTEXT)
    assert not outcome.ok
    assert fragment in (outcome.error or ""), outcome.error
    assert (outcome.error or "").startswith("bad.xml")
