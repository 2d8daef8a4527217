"""Built-in ATML (IEEE 1636.1 TestResults) converter on its sample files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pywats_client.converters import ContextData, convert_in_process

DATA = Path(__file__).resolve().parents[2] / "data" / "converters" / "atml"
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
    assert report["machineName"] == "FCT-RACK-07"  # the file's TestStation wins

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
        ("<TestResults><UUT>", "invalid XML at line 1"),
        ("<Other/>", "not an ATML TestResults document (IEEE 1636.1) (root element is 'Other')"),
        (
            '<TestResults xmlns="urn:IEEE-1636.1:2011:01:TestResults"><ResultSet/></TestResults>',
            "no UUT element",
        ),
        (
            (
                '<TestResults xmlns="urn:IEEE-1636.1:2011:01:TestResults" xmlns:c="urn:IEEE-1671:2010:Common">'
                "<UUT><c:SerialNumber>S</c:SerialNumber></UUT><ResultSet/></TestResults>"
            ),
            "set the converter parameter 'part_number'",
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


# ---------------------------------------------------------------------------------------
# TestStand's ATML output (2.02 / 5.00 / 2013 batch), written for this suite
TS_CONTEXT = ContextData(station_name="CTX", arguments={"operation_type": "100", "part_number": "PARAM-PN"})


def _one(name: str, context: ContextData = TS_CONTEXT) -> dict[str, Any]:
    outcome = convert_in_process("atml", DATA / name, context=context)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    return report


def _flat(step: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {step["name"]: step}
    for child in step.get("steps") or []:
        found.update(_flat(child))
    return found


def test_teststand_202_header_and_groups() -> None:
    report = _one("teststand_atml202_pump.xml")
    assert (report["pn"], report["rev"], report["sn"]) == ("PUMPCTRL-7", "C", "PC7-000451")  # the file wins
    assert report["id"] == "6a1f0c7e-2b3d-11ee-9a41-0a0b0c0d0e0f"
    assert (report["result"], report["machineName"], report["processCode"]) == ("F", "PUMP-FCT-02", 100)
    assert report["uut"] == {"user": "op7", "execTime": pytest.approx(12.5)}
    assert report["start"].startswith("2026-02-10T09:00:00.1")
    root = report["root"]
    assert (root["name"], root["stepType"], root["status"]) == ("MainSequence Callback", "SequenceCall", "F")
    assert root["seqCall"] == {"path": "D:\\Tests\\Pump\\PumpCtrl FCT.seq", "name": "PumpCtrl FCT.seq", "version": "3.1.0.7"}
    steps = _flat(root)
    assert steps["Power on fixture"]["group"] == "S" and steps["Power off fixture"]["group"] == "C"
    assert steps["Motor spins"]["group"] == "M"
    rails = steps["Rails"]
    assert rails["seqCall"] == {"path": "D:\\Tests\\Pump\\Common\\Rails.seq", "name": "Rails.seq"}
    assert rails["causedSeqFailure"] is True and rails["tsGuid"] == "ID#:SeqCallGuid00000000000"
    assert steps["24V rail"]["totTime"] == pytest.approx(0.08)
    assert steps["24V rail"]["start"].startswith("2026-02-10T09:00:02.1")


def test_teststand_202_statuses_and_text() -> None:
    steps = _flat(_one("teststand_atml202_pump.xml")["root"])
    assert steps["Calibration"]["status"] == "S"  # Aborted + qualifier Skipped
    assert steps["Valve check"]["status"] == "U"  # a user-defined status TestStand knows, WATS does not
    assert steps["Valve check"]["numericMeas"][0]["status"] == "F"  # evaluated: 1.5 EQ 2
    assert steps["Abort button"]["status"] == "T"  # Aborted without qualifier: terminated
    assert steps["If"]["reportText"] == "{True}" and "numericMeas" not in steps["If"]
    assert steps["Soak"]["reportText"] == "third pass" and steps["Soak"]["loop"] == {"idx": 2}
    assert steps["Run flasher"]["callExe"] == {"exitCode": 3.0}
    assert steps["Ask operator"]["messagePopup"] == {"button": 1, "response": "looks fine"}
    assert steps["Motor spins"]["booleanMeas"] == [{"status": "P"}]


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("24V rail", ("GELE", 23.5, 24.5, "P")),
        ("Ripple", ("LT", 0.2, None, "F")),
        ("Flow nominal", ("GELE", 19.0, 21.0, "P")),  # 20 ± 5 %: the real bounds, not the raw 5/5
        ("Pressure delta", ("GELE", 2.5, 3.25, "P")),  # 3 − 0.5 … 3 + 0.25
        ("Leak outside band", ("LTGE", 1.0, 10.0, "P")),
        ("Soak", ("NE", 0.0, None, "P")),
    ],
)
def test_teststand_202_numeric_limits(step: str, expected: tuple[Any, ...]) -> None:
    meas = _flat(_one("teststand_atml202_pump.xml")["root"])[step]["numericMeas"][0]
    assert (meas["compOp"], meas["lowLimit"], meas.get("highLimit"), meas["status"]) == expected


def test_teststand_202_string_and_multi() -> None:
    steps = _flat(_one("teststand_atml202_pump.xml")["root"])
    assert steps["Firmware id"]["stringMeas"] == [
        {"value": "PUMP-FW-4.2", "compOp": "CASESENSIT", "limit": "PUMP-FW-4.2", "status": "P"}]
    assert steps["Board variant"]["stringMeas"][0]["compOp"] == "IGNORECASE"  # CIEQ
    assert steps["Not factory mode"]["stringMeas"][0]["compOp"] == "NE"  # CINE
    multi = steps["Sensor currents"]
    assert multi["stepType"] == "NI_MultipleNumericLimitTest" and multi["status"] == "F"
    assert [(m["name"], m["compOp"], m["status"]) for m in multi["numericMeas"]] == [
        ("Inlet", "GTLE", "P"), ("Outlet", "GELT", "F"), ("Logged", "LOG", "P")]
    assert multi["numericMeas"][1]["value"] == "NaN"
    assert multi["numericMeas"][0]["unit"] == "mA"


def test_teststand_5_without_part_number_uses_parameter() -> None:
    report = _one("teststand_atml5_valve.xml")
    assert (report["pn"], report["sn"], report["rev"]) == ("PARAM-PN", "V-88120", "R2")
    assert report["uut"]["fixtureId"] == "NEST-4"  # the WATS add-on's UUT container
    assert report["miscInfos"] == [{"description": "Coil lot", "text": "L-5521"}]
    assert report["uut"]["execTime"] == pytest.approx(4.75)  # ts:TotalTime
    steps = _flat(report["root"])
    coil = steps["Coil resistance"]["numericMeas"][0]
    assert (coil["compOp"], coil["lowLimit"], coil["highLimit"]) == ("GELE", 98.0, 102.0)  # ThresholdLow/High
    lot = steps["Lot code"]["stringMeas"][0]
    assert (lot["value"], lot["limit"]) == ("0042", "0042")  # TS_string stays a string
    assert steps["Seal check"]["status"] == "S"  # UserDefined + qualifier Skipped
    assert steps["Leak flag"]["booleanMeas"] == [{"status": "P"}]
    assert steps["Coil resistance"]["tsGuid"] == "ID#:CoilGuid00000000000000"
    outcome = convert_in_process("atml", DATA / "teststand_atml5_valve.xml",
                                 context=ContextData(arguments={"operation_type": "100"}))
    assert not outcome.ok and "'part_number'" in (outcome.error or "")
    assert (outcome.error or "").startswith("teststand_atml5_valve.xml")


def test_teststand_batch_one_report_per_socket() -> None:
    outcome = convert_in_process("atml", DATA / "teststand_atml6_batch.xml", context=TS_CONTEXT)
    assert outcome.ok, outcome.error
    assert [(r["sn"], r["result"], r["uut"]["testSocketIndex"], r["uut"]["batchSN"], r["machineName"])
            for r in outcome.reports] == [
        ("B-0001", "P", 0, "LOT-2026-17", "BATCH-RIG-3"),
        ("B-0002", "F", 1, "LOT-2026-17", "BATCH-RIG-3"),
    ]
    failed = outcome.reports[1]["root"]["steps"][0]
    assert failed["numericMeas"][0]["status"] == "F"
    assert failed["causedUUTFailure"] is True  # TestStand's critical failure stack names it
    assert "causedUUTFailure" not in outcome.reports[0]["root"]["steps"][0]


def test_teststand_refuses_other_formats_and_unknown_operation() -> None:
    other = DATA.parent / "teststand-xml" / "sensor_board_batch.xml"
    outcome = convert_in_process("atml", other, context=TS_CONTEXT)
    assert not outcome.ok and "sensor_board_batch.xml: not an ATML" in (outcome.error or "")
    outcome = convert_in_process("atml", DATA / "teststand_atml202_pump.xml",
                                 context=ContextData(arguments={"operation_type": "Nonexistent"}))
    assert (outcome.error or "").startswith("teststand_atml202_pump.xml: parameter 'operation_type'")
    # no operation parameter at all: WATS' conventional test operation 100
    assert _one("teststand_atml202_pump.xml", ContextData())["processCode"] == 100


def test_teststand_202_additional_results() -> None:
    steps = _flat(_one("teststand_atml202_pump.xml")["root"])
    torque = steps["Seal torque"]
    assert [m["value"] for m in torque["numericMeas"]] == [2.2]  # only the result with limits is measured
    extra = {entry["name"]: entry["props"] for entry in torque["additionalResults"]}
    assert extra["Tool"] == [{"name": "Id", "type": "String", "value": "TQ-9"},
                             {"name": "Calibrated", "type": "Boolean", "value": "true"}]
    assert extra["Angle"] == [{"name": "Angle", "type": "Number", "value": "33.5"}]
    curve = extra["Torque curve"][0]["array"]
    assert curve["dimension"] == 2
    assert [(i["indexes"], i["value"]["value"]) for i in curve["indexes"]][:2] == [([0, 0], "0.5"), ([1, 0], "1.5")]
    fixture = {entry["name"]: entry["props"] for entry in steps["Log fixture"]["additionalResults"]}
    assert fixture["Fixture"] == [{"name": "Id", "type": "String", "value": "FX-PUMP-3"}]


def test_teststand_202_wats_multi_steps_and_test_calling_sequence() -> None:
    steps = _flat(_one("teststand_atml202_pump.xml")["root"])
    assert steps["Status words"]["stringMeas"] == [
        {"name": "Pump state", "value": "RUN", "compOp": "CASESENSIT", "limit": "RUN", "status": "P"},
        {"name": "Fault text", "value": "none", "compOp": "LOG", "status": "P"},
    ]
    assert steps["Interlocks"]["booleanMeas"] == [{"name": "Door", "status": "P"}, {"name": "E-stop", "status": "F"}]
    prime = next(s for s in _one("teststand_atml202_pump.xml")["root"]["steps"] if s["name"] == "Prime pump")
    assert prime["stepType"] == "NumericLimitTest"
    assert prime["numericMeas"] == [{"value": 1.1, "compOp": "LE", "lowLimit": 2.0, "unit": "s", "status": "P"}]
    (post,) = prime["steps"]
    assert post["stepType"] == "SequenceCall" and [s["name"] for s in post["steps"]] == ["Open vent"]


@pytest.mark.parametrize(
    ("value", "qualifier", "letter"),
    [
        ("Passed", None, "P"), ("Failed", None, "F"), ("Done", None, "D"), ("Errored", None, "E"),
        ("Aborted", None, "T"), ("NotStarted", None, "S"), ("UserDefined", None, "U"),
        ("Aborted", "Skipped", "S"), ("UserDefined", "Skipped", "S"), ("UserDefined", "Terminated", "T"),
        ("UserDefined", "Error", "E"), ("Aborted", "Rework", "U"), ("Timeout", None, "E"),
    ],
)
def test_outcome_and_qualifier(value: str, qualifier: str | None, letter: str) -> None:
    from pywats_client.converters.builtin._teststand import status_letter

    assert status_letter(value, qualifier) == letter


def test_teststand_number_and_time_forms() -> None:
    import math
    from datetime import timedelta

    from pywats_client.converters.builtin._teststand import parse_float, parse_iso

    assert [parse_float(t) for t in ("1.5", "-INF", "1.#INF", "-1.#INF", "0x1F")] == [1.5, -math.inf, math.inf, -math.inf, 31.0]
    assert all(math.isnan(parse_float(t) or 0.0) for t in ("NaN", "1.#QNAN", "-1.#IND", "IND"))
    seven = parse_iso("2026-02-10T09:00:00.1234567")  # 7 fraction digits, no offset: local time
    assert seven is not None and seven.microsecond == 123456 and seven.utcoffset() is not None
    zulu = parse_iso("2026-02-10T09:00:00Z")
    assert zulu is not None and zulu.utcoffset() == timedelta(0)
    offset = parse_iso("2026-02-10T09:00:00.5-05:00")
    assert offset is not None and offset.utcoffset() == timedelta(hours=-5)
    assert parse_iso("10/02/2026 09:00") is None


def test_unreadable_start_refuses(tmp_path: Path) -> None:
    text = (DATA / "teststand_atml202_pump.xml").read_text(encoding="iso-8859-1")
    bad = tmp_path / "bad_start.xml"
    bad.write_text(text.replace('startDateTime = "2026-02-10T09:00:00.100" endDateTime', 'startDateTime = "Tuesday" endDateTime'),
                   encoding="iso-8859-1")
    outcome = convert_in_process("atml", bad, context=TS_CONTEXT)
    assert not outcome.ok
    assert "bad_start.xml: ResultSet startDateTime 'Tuesday' is not an ISO 8601 date-time" in (outcome.error or "")


def test_odd_limit_forms_log_instead_of_refusing(tmp_path: Path) -> None:
    """Forms WSJF cannot hold never refuse the file: the value is logged with TestStand's status."""
    head = (
        '<tr:TestResults xmlns:tr="urn:IEEE-1636.1:2011:01:TestResults" xmlns:c="urn:IEEE-1671:2010:Common" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><tr:ResultSet ID="1" name="X.seq#MainSequence" '
        'startDateTime="2026-01-01T08:00:00"><tr:Outcome value="Passed"/>'
    )

    def test(name: str, datum: str, limits: str) -> str:
        return (f'<tr:Test ID="{name}" name="{name}"><tr:Outcome value="Passed"/><tr:TestResult ID="{name}-r">'
                f"<tr:TestData>{datum}</tr:TestData><tr:TestLimits><tr:Limits>{limits}</tr:Limits></tr:TestLimits>"
                "</tr:TestResult></tr:Test>")

    body = "".join([
        test("pair", '<c:Datum value="5" xsi:type="c:double"/>',
             '<c:LimitPair operator="AND"><c:Limit comparator="GE"><c:Datum value="1" xsi:type="c:double"/></c:Limit>'
             '<c:Limit comparator="GE"><c:Datum value="2" xsi:type="c:double"/></c:Limit></c:LimitPair>'),
        test("mask", '<c:Datum value="5" xsi:type="c:double"/>',
             '<c:SingleLimit comparator="BITMASK"><c:Datum value="3" xsi:type="c:double"/></c:SingleLimit>'),
        test("strsingle", '<c:Datum xsi:type="c:string"><c:Value>ok</c:Value></c:Datum>',
             '<c:SingleLimit comparator="CIEQ"><c:Datum xsi:type="c:string"><c:Value>OK</c:Value></c:Datum></c:SingleLimit>'),
        test("comma", '<c:Datum value="2,5" xsi:type="ts:TS_double"/>',
             '<c:SingleLimit comparator="GE"><c:Datum value="1,25" xsi:type="ts:TS_double"/></c:SingleLimit>'),
        test("empty", '<c:Datum value="" xsi:type="c:double"/>',
             '<c:SingleLimit comparator="GE"><c:Datum value="1" xsi:type="c:double"/></c:SingleLimit>'),
    ])
    body += (
        '<tr:SessionAction ID="err" name="err"><tr:Data><c:Collection><c:Item name="Error"><c:Collection>'
        '<c:Item name="Code"><c:Datum value="-17502" xsi:type="c:double"/></c:Item>'
        '<c:Item name="Msg"><c:Datum xsi:type="c:string"><c:Value>Timeout reading DMM</c:Value></c:Datum></c:Item>'
        '<c:Item name="Occurred"><c:Datum value="true" xsi:type="c:boolean"/></c:Item>'
        '</c:Collection></c:Item></c:Collection></tr:Data><tr:ActionOutcome value="Errored"/></tr:SessionAction>'
    )
    tail = ('</tr:ResultSet><tr:UUT><c:SerialNumber>S1</c:SerialNumber></tr:UUT></tr:TestResults>')
    path = tmp_path / "odd.xml"
    path.write_text(head + body + tail)
    outcome = convert_in_process("atml", path, context=TS_CONTEXT)
    assert outcome.ok, outcome.error
    steps = _flat(outcome.reports[0]["root"])
    assert steps["pair"]["numericMeas"] == [{"value": 5.0, "compOp": "LOG", "status": "P"}]
    assert steps["mask"]["numericMeas"] == [{"value": 5.0, "compOp": "LOG", "status": "P"}]
    assert steps["strsingle"]["stringMeas"] == [{"value": "ok", "compOp": "IGNORECASE", "limit": "OK", "status": "P"}]
    assert steps["empty"]["numericMeas"][0]["value"] == "NaN"
    assert steps["comma"]["numericMeas"] == [{"value": 2.5, "compOp": "GE", "lowLimit": 1.25, "status": "P"}]
    assert (steps["err"]["status"], steps["err"]["errorCode"], steps["err"]["errorMessage"]) == (
        "E", -17502, "Timeout reading DMM")
    assert any("LimitPair AND GE/GE" in text for level, text in outcome.logs), outcome.logs
