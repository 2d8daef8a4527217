"""Built-in ``teststand-xml`` converter (TestStand's own XML report) on its sample file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pywats_client.converters import ContextData, convert_in_process
from pywats_client.converters.loader import load_converter

DATA = Path(__file__).resolve().parents[2] / "data" / "converters" / "teststand-xml"
CONTEXT = ContextData(station_name="CTX", arguments={"operation_type": "100", "part_number": "PARAM-PN"})


def _flat(step: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {step["name"]: step}
    for child in step.get("steps") or []:
        found.update(_flat(child))
    return found


def _reports() -> list[dict[str, Any]]:
    outcome = convert_in_process("teststand-xml", DATA / "sensor_board_batch.xml", context=CONTEXT)
    assert outcome.ok, outcome.error
    return outcome.reports


def test_registered_short_name() -> None:
    assert load_converter("teststand-xml").__name__ == "TestStandXMLConverter"


def test_header_per_uut() -> None:
    first, second = _reports()
    assert (first["sn"], first["pn"], first["rev"], first["result"]) == ("SB-1001", "SENSOR-BOARD-4", "A", "F")
    assert (second["sn"], second["pn"], second["result"]) == ("SB-1002", "PARAM-PN", "P")  # empty PartNumber
    assert first["machineName"] == "TS-LINE-4" and first["processCode"] == 100
    assert first["uut"] == {"user": "ingrid", "execTime": 3.5, "testSocketIndex": 0, "batchSN": "BATCH-77"}
    assert second["uut"]["testSocketIndex"] == 1
    assert first["start"].startswith("2026-05-12T08:05:10.25")
    assert first["id"] != second["id"]
    again = _reports()
    assert [r["id"] for r in again] == [first["id"], second["id"]]  # the same file gives the same ids


def test_steps() -> None:
    root = _reports()[0]["root"]
    assert (root["name"], root["stepType"], root["status"]) == ("MainSequence Callback", "SequenceCall", "F")
    assert root["seqCall"] == {"path": "E:\\TestStand\\Seq\\Sensor Board.seq", "name": "Sensor Board.seq",
                               "version": "2.4.0.11"}
    steps = _flat(root)
    assert steps["Warm up"]["group"] == "S" and steps["Power down"]["group"] == "C"
    assert steps["Warm up"]["start"].startswith("2026-05-12T08:05:10.35")  # 50.1 s − 50.0 s after the start
    assert steps["Warm up"]["totTime"] == 0.5 and steps["Warm up"]["tsGuid"] == "ID#:WarmUpStepId0000000"
    assert steps["Self test"]["booleanMeas"] == [{"status": "P"}]
    assert steps["Gain"]["causedUUTFailure"] is True  # UUT.CriticalFailureStack names its result id
    assert [name for name, s in steps.items() if s.get("causedUUTFailure")] == ["Gain"]
    assert steps["Optional RF"]["status"] == "S" and "booleanMeas" not in steps["Optional RF"]
    eeprom = steps["Read EEPROM"]
    assert (eeprom["status"], eeprom["errorCode"], eeprom["errorMessage"]) == ("E", -17, "Instrument timeout")
    assert steps["If"]["reportText"] == "{True}"
    thermal = steps["Thermal check"]
    assert thermal["seqCall"]["name"] == "Thermal.seq" and thermal["seqCall"]["version"] == "1.2.0.0"
    assert [s["name"] for s in thermal["steps"]] == ["Board temp"]


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("3V3 supply", ("GELE", 3.29, 3.2, 3.4, "V", "P")),
        ("Gain", ("GE", 7.0, 10.0, None, None, "F")),
        ("Load current", ("GELE", 0.98, 0.95, 1.05, "A", "P")),  # EQT: 1 ± 5 %
        ("Board temp", ("LOG", 21.5, None, None, "degC", "P")),
    ],
)
def test_numeric(step: str, expected: tuple[Any, ...]) -> None:
    meas = _flat(_reports()[0]["root"])[step]["numericMeas"][0]
    got = (meas["compOp"], meas["value"], meas.get("lowLimit"), meas.get("highLimit"), meas.get("unit"), meas["status"])
    assert got == expected


def test_string_and_multi() -> None:
    steps = _flat(_reports()[0]["root"])
    assert steps["Bootloader"]["stringMeas"] == [{"value": "1.0.7", "compOp": "CASESENSIT", "limit": "1.0.7", "status": "P"}]
    assert steps["Region code"]["stringMeas"][0]["compOp"] == "IGNORECASE"
    accel = steps["Accelerometer"]
    assert [(m["name"], m["value"], m["status"]) for m in accel["numericMeas"]] == [
        ("X axis", 0.5, "P"), ("Y axis", 1.5, "F")]


def test_refuses_other_formats(tmp_path: Path) -> None:
    atml = DATA.parent / "atml" / "teststand_atml5_valve.xml"
    outcome = convert_in_process("teststand-xml", atml, context=CONTEXT)
    assert not outcome.ok
    assert (outcome.error or "").startswith("teststand_atml5_valve.xml: not a TestStand XML report")
    broken = tmp_path / "cut.xml"
    broken.write_text("<Reports><Report Type='UUT'>")
    outcome = convert_in_process("teststand-xml", broken, context=CONTEXT)
    assert not outcome.ok and "cut.xml: invalid XML" in (outcome.error or "")
    outcome = convert_in_process("teststand-xml", DATA / "sensor_board_batch.xml",
                                 context=ContextData(arguments={"operation_type": "100"}))
    assert not outcome.ok and "Report 2" in (outcome.error or "") and "'part_number'" in (outcome.error or "")


def test_additional_results_and_data() -> None:
    report = _reports()[0]
    assert report["additionalData"] == [{"name": "UUT.AdditionalData", "props": [
        {"name": "Fixture", "type": "String", "flags": 0, "value": "FX-12"},
        {"name": "Cycles", "type": "Number", "flags": 0, "value": "1412"}]}]
    gain = _flat(report["root"])["Gain"]
    curve, amplifier = gain["additionalResults"]
    assert curve["name"] == "Gain curve"
    array = curve["props"][0]["array"]
    assert (array["dimension"], [i["value"]["value"] for i in array["indexes"]]) == (1, ["6.5", "6.9", "7"])
    assert amplifier == {"name": "Amplifier", "props": [
        {"name": "Channel", "type": "Number", "flags": 0, "value": "2"},
        {"name": "Mode", "type": "String", "flags": 0, "value": "hi-z"}]}
    assert "additionalResults" not in _flat(report["root"])["3V3 supply"]


def test_report_without_step_results(tmp_path: Path) -> None:
    """IncludeStepResults off: TestStand writes the UUT, no result tree; the report keeps the UUT result."""
    path = tmp_path / "bare.xml"
    path.write_text(
        "<Reports><Report Type='UUT' UUTResult='Failed'>"
        "<Prop Name='UUT' Type='Obj'><Prop Name='SerialNumber' Type='String'><Value>SN-9</Value></Prop>"
        "<Prop Name='PartNumber' Type='String'><Value>PN-9</Value></Prop></Prop>"
        "</Report></Reports>"
    )
    outcome = convert_in_process("teststand-xml", path, context=CONTEXT)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert (report["sn"], report["pn"], report["result"]) == ("SN-9", "PN-9", "F")
    assert report["root"]["steps"] == [] and report["root"]["name"] == "MainSequence Callback"


def test_wats_addon_tsreport() -> None:
    """The WATS TestStand add-on's TSReport: ReportInfo header entries and WATS' UUT fields."""
    outcome = convert_in_process("teststand-xml", DATA / "wats_addon_tsreport.xml",
                                 context=ContextData(arguments={"operation_type": "100"}))
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert report["id"] == "3f0c9e2a-6b1d-4c7e-9a55-7d2e1f4b8c60"
    assert (report["sn"], report["pn"], report["rev"]) == ("MC-20417", "MOTORCTRL-3", "D")
    assert report["processCode"] == 70  # the file's operation wins over the parameter
    assert (report["start"], report["startUTC"]) == ("2026-06-02T14:10:00.250000+02:00", "2026-06-02T12:10:00.250Z")
    assert (report["machineName"], report["location"], report["purpose"]) == ("MC-EOL-5", "Hall B", "End of line")
    assert report["uut"] == {"comment": "rework after ICT", "fixtureId": "FIX-MC-2", "batchLoopIndex": 0,
                             "batchFailCount": 0, "user": "sigrid", "execTime": 1.5}
    assert report["miscInfos"] == [{"description": "Firmware", "text": "mc-3.8.1"},
                                   {"description": "Flash cycles", "numeric": 12}]
    assert report["subUnits"] == [{"partType": "Driver board", "pn": "DRV-11", "sn": "DRV-0042", "rev": "B"}]
    assert report["assets"] == [{"assetSN": "DMM-7781", "usageCount": 3}]
    steps = _flat(report["root"])
    # TS.StartTime counts from EngineStarted: 11:53:20Z + 1000.5 s
    assert steps["Brake release"]["start"].startswith("2026-06-02T14:10:00.5")
    assert steps["Drive state"]["stringMeas"] == [
        {"value": "AUTO", "compOp": "CASESENSIT", "limit": "AUTO", "name": "Mode", "status": "P"},
        {"value": "E12", "compOp": "CASESENSIT", "limit": "NONE", "name": "Fault", "status": "F"},
    ]
    assert steps["Hall sensors"]["booleanMeas"] == [{"name": "Hall A", "status": "P"}, {"name": "Hall B", "status": "P"}]


def test_main_sequence_error_is_the_uut_error(tmp_path: Path) -> None:
    path = tmp_path / "error.xml"
    path.write_text(
        "<Reports><Report Type='UUT' UUTResult='Error'>"
        "<Prop Name='UUT' Type='Obj'><Prop Name='SerialNumber' Type='String'><Value>SN-7</Value></Prop>"
        "<Prop Name='PartNumber' Type='String'><Value>PN-7</Value></Prop></Prop>"
        "<Prop Type='TEResult'><Prop Name='Error' Type='Obj'><Prop Name='Code' Type='Number'><Value>-18</Value></Prop>"
        "<Prop Name='Msg' Type='String'><Value>Instrument lost</Value></Prop>"
        "<Prop Name='Occurred' Type='Boolean'><Value>True</Value></Prop></Prop>"
        "<Prop Name='Status' Type='String'><Value>Error</Value></Prop>"
        "<Prop Name='TS' Type='Obj'><Prop Name='StepName' Type='String'><Value>MainSequence Callback</Value></Prop>"
        "<Prop Name='SequenceCall' Type='Obj'><Prop Name='ResultList' Type='Array'></Prop></Prop></Prop>"
        "</Prop></Report></Reports>"
    )
    outcome = convert_in_process("teststand-xml", path, context=CONTEXT)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert report["result"] == "E" and report["root"]["status"] == "E"
    assert (report["uut"]["errorCode"], report["uut"]["errorMessage"]) == (-18, "Instrument lost")


def test_localized_decimal_comma(tmp_path: Path) -> None:
    path = tmp_path / "comma.xml"
    path.write_text(
        "<Reports><Report Type='UUT' UUTResult='Passed'>"
        "<Prop Name='UUT' Type='Obj'><Prop Name='SerialNumber' Type='String'><Value>SN-8</Value></Prop>"
        "<Prop Name='PartNumber' Type='String'><Value>PN-8</Value></Prop></Prop>"
        "<Prop Type='TEResult'><Prop Name='Status' Type='String'><Value>Passed</Value></Prop>"
        "<Prop Name='TS' Type='Obj'><Prop Name='StepName' Type='String'><Value>MainSequence Callback</Value></Prop>"
        "<Prop Name='SequenceCall' Type='Obj'><Prop Name='ResultList' Type='Array'><Value ID='[0]'>"
        "<Prop Type='TEResult'><Prop Name='Status' Type='String'><Value>Passed</Value></Prop>"
        "<Prop Name='Numeric' Type='Number'><Value>3,29</Value></Prop>"
        "<Prop Name='Limits' Type='Obj'><Prop Name='Low' Type='Number'><Value>3,2</Value></Prop>"
        "<Prop Name='High' Type='Number'><Value>3,4</Value></Prop></Prop>"
        "<Prop Name='Comp' Type='String'><Value>GELE</Value></Prop>"
        "<Prop Name='TS' Type='Obj'><Prop Name='StepName' Type='String'><Value>Rail</Value></Prop>"
        "<Prop Name='StepType' Type='String'><Value>NumericLimitTest</Value></Prop></Prop></Prop>"
        "</Value></Prop></Prop></Prop></Prop></Report></Reports>"
    )
    outcome = convert_in_process("teststand-xml", path, context=CONTEXT)
    assert outcome.ok, outcome.error
    meas = outcome.reports[0]["root"]["steps"][0]["numericMeas"][0]
    assert (meas["value"], meas["lowLimit"], meas["highLimit"], meas["compOp"]) == (3.29, 3.2, 3.4, "GELE")


def test_call_executable_and_message_popup() -> None:
    steps = _flat(_reports()[0]["root"])
    assert steps["Run programmer"]["callExe"] == {"exitCode": 2.0}
    assert steps["Confirm seal"]["messagePopup"] == {"response": "seal ok", "button": 1}
    assert "additionalResults" not in steps["Confirm seal"]
