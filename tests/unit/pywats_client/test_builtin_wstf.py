"""Built-in 'wstf' converter (WATS Standard Text Format) on its own test files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from pywats_client.converters import ContextData, convert_in_process
from pywats_client.converters.builtin.wstf import WSTFConverter

DATA = Path(__file__).resolve().parents[2] / "data" / "converters" / "wstf"
CONTEXT = ContextData(station_name="TXT-STATION", location="Lab", purpose="Production",
                      processes=[{"code": 100, "name": "FCT"}])


def _steps(step: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {step["name"]: step}
    for child in step.get("steps") or ():
        out.update(_steps(child))
    return out


def test_two_reports_header_fields() -> None:
    outcome = convert_in_process("wstf", DATA / "two_reports.txt", context=CONTEXT)
    assert outcome.ok, outcome.error
    first, second = outcome.reports
    assert (first["sn"], first["pn"], first["rev"], first["processCode"]) == ("GW-1001", "GATEWAY-5", "R3", 100)
    assert first["result"] == "F"  # the footer's UUTStatus wins over the header's
    assert first["start"].startswith("2024-02-14T09:30:00.000")  # local time of the station
    assert first["startUTC"] == "2024-02-14T08:30:00.000Z"  # UTCStartDateTime has no offset: UTC
    assert first["machineName"] == "GW-TEST-3"
    assert first["uut"] == {"execTime": 34.0, "batchSN": "BATCH-14", "fixtureId": "FX-9", "testSocketIndex": 1,
                            "user": "Ingrid", "comment": "Night shift run"}
    assert first["subUnits"] == [{"partType": "Radio", "pn": "RAD-2", "sn": "RAD-7001", "rev": "A"},
                                 {"partType": "Modem", "pn": "MOD-8", "sn": "MOD-3302"}]
    assert first["miscInfos"] == [{"description": "BootloaderVer", "text": "1.9"}]
    assert first["root"]["seqCall"] == {"name": "gateway_fct.seq", "version": "5.0.2"}
    assert (second["sn"], second["processName"], second["processCode"]) == ("GW-1002", "FCT", 100)
    assert second["machineName"] == "TXT-STATION"
    assert second["startUTC"] == "2024-02-14T08:40:00.000Z"
    assert first["id"] != second["id"]


def test_step_statuses_values_limits_and_types() -> None:
    outcome = convert_in_process("wstf", DATA / "two_reports.txt", context=CONTEXT)
    first, second = outcome.reports
    steps = _steps(first["root"])
    power = steps["Power"]
    assert (power["stepType"], power["status"], power["totTime"], power["reportText"]) == (
        "SequenceCall", "P", 4.5, "Power checks")  # EndSequenceCall's time overrides
    assert steps["Input current"]["numericMeas"] == [
        {"compOp": "GELE", "value": 0.42, "lowLimit": 0.1, "highLimit": 0.5, "unit": "A", "status": "P"}]
    assert steps["Input current"]["stepType"] == "ET_NLT" and steps["Input current"]["totTime"] == 1.5
    assert steps["Inrush"]["numericMeas"] == [{"compOp": "LOG", "value": 12.5, "unit": "A", "status": "P"}]
    assert steps["Standby"]["numericMeas"][0] == {"compOp": "LT", "value": 0.009, "lowLimit": 0.01, "unit": "A", "status": "P"}
    levels = steps["Levels"]
    assert levels["stepType"] == "ET_MNLT" and levels["status"] == "F"
    # status from the file where given (RSSI), else from the limits (SNR 18 < 20)
    assert [(m["name"], m["status"]) for m in levels["numericMeas"]] == [("RSSI", "P"), ("SNR", "F")]
    assert steps["Link up"] == {"name": "Link up", "group": "M", "booleanMeas": [{"status": "P"}],
                                "stepType": "ET_PFT", "status": "P", "id": 8}
    ports = steps["Ports"]
    assert (ports["stepType"], ports["status"]) == ("ET_MPFT", "F")
    assert ports["booleanMeas"] == [{"name": "eth0", "status": "P"}, {"name": "eth1", "status": "F"}]
    assert steps["Firmware"]["stringMeas"] == [{"compOp": "EQ", "value": "5.0.2", "limit": "5.0.2", "status": "P"}]
    assert steps["Region"]["stringMeas"][0]["compOp"] == "IGNORECASE" and steps["Region"]["status"] == "P"
    assert steps["Comms"]["status"] == "F"  # rolled up from its children
    assert steps["Log results"] == {"stepType": "Action", "name": "Log results", "group": "M", "status": "D",
                                    "totTime": 0.25, "reportText": "Saved to share", "errorCode": 0, "id": 12}
    retry = steps["Retry tuner"]
    assert (retry["status"], retry["errorCode"], retry["errorMessage"], retry["causedSeqFailure"]) == (
        "E", 42, "Tuner timeout", True)
    temperature = steps["Temperature"]
    assert temperature["stepType"] == "WATS_XYGMNLT"
    assert temperature["numericMeas"][0] == {"compOp": "LE", "value": 41.5, "lowLimit": 60.0, "unit": "C", "status": "P"}
    assert temperature["chart"] == {
        "chartType": "Line", "label": "Warm-up", "yUnit": "C", "yLabel": "Temp", "xUnit": "s", "xLabel": "Time",
        "series": [{"dataType": "XYG", "name": "Board", "xdata": "0;60;120", "ydata": "30;35.5;41.5"},
                   {"dataType": "XYG", "name": "Limit", "xdata": "0;1", "ydata": "60;60"}]}
    assert first["root"]["status"] == "E"
    # second report: EndSequenceCall without a name closes the open sequence and sets its status
    comms = _steps(second["root"])["Comms"]
    assert comms["status"] == "T" and second["result"] == "T"


def test_decimal_comma_and_culture_date_from_parameters() -> None:
    context = replace(CONTEXT, arguments={"culture": "de-DE", "encoding": "cp1252"})
    outcome = convert_in_process("wstf", DATA / "decimal_comma.txt", context=context)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert report["start"].startswith("2024-02-14T10:15:00.000")
    assert report["uut"]["execTime"] == 2.75
    offset, gain = report["root"]["steps"]
    assert offset["numericMeas"][0] == {"compOp": "GELE", "value": 0.125, "lowLimit": -0.5, "highLimit": 0.5,
                                        "unit": "mV", "status": "P"}
    assert gain["numericMeas"][0] == {"compOp": "GE", "value": 1.75, "lowLimit": 1.5, "status": "P"}
    outcome = convert_in_process("wstf", DATA / "decimal_comma.txt", context=replace(CONTEXT, arguments={"encoding": "cp1252"}))
    assert outcome.error == "decimal_comma.txt: line 6: date-time '14.02.2024 10:15:00' is not ISO 8601 (set the 'date_format' parameter)"


def test_errors_name_file_and_line_and_missing_end_is_tolerated() -> None:
    outcome = convert_in_process("wstf", DATA / "bad_value.txt", context=CONTEXT)
    assert outcome.error == "bad_value.txt: line 7: Value 'abc' is not a number"
    outcome = convert_in_process("wstf", DATA / "missing_end.txt", context=CONTEXT)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert report["sn"] == "X-2" and report["result"] == "P"


def test_other_formats_are_refused(tmp_path: Path) -> None:
    outcome = convert_in_process("wstf", DATA.parent / "wsxf" / "two_reports.xml", context=CONTEXT)
    assert outcome.error == ("two_reports.xml: not a WATS Standard Text Format file (the first line must be "
                             "--Header-Start--, found '<?xml version=\"1.0\" encoding=\"utf-8\"?>')")
    path = tmp_path / "odd.txt"
    path.write_text("--Header-Start--\nSerialNumber\t1\n--Step-Data-Start--\nBogusTest\tx\n", encoding="utf-8")
    outcome = convert_in_process("wstf", path, context=CONTEXT)
    assert outcome.error == "odd.txt: line 4: unknown StepType 'BogusTest'"


def test_import_mode_and_parameter_defaults(tmp_path: Path) -> None:
    path = tmp_path / "import.txt"
    path.write_text(
        "--Header-Start--\nSerialNumber\tI-1\nConverterMode\tImport\n--Step-Data-Start--\n"
        "NumericLimitTest\tV\t\t9\t1\t2\tGELE\tV\n--Step-Data-End--\n--UUT-End--\n", encoding="utf-8")
    context = replace(CONTEXT, arguments={"part_number": "PN-P", "revision": "R-P", "operation_type": "FCT",
                                          "sequence_name": "From parameter"})
    outcome = convert_in_process("wstf", path, context=context)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert (report["pn"], report["rev"], report["processCode"]) == ("PN-P", "R-P", 100)
    assert report["root"]["seqCall"]["name"] == "From parameter"
    assert report["root"]["steps"][0]["numericMeas"][0]["status"] == "P"  # Import trusts the file


def test_parameter_specs() -> None:
    names = {spec.name for spec in WSTFConverter.parameter_specs}
    assert {"culture", "decimal_separator", "date_format", "encoding", "part_number"} <= names


def test_decimal_comma_without_culture_says_which_parameter(tmp_path: Path) -> None:
    path = tmp_path / "comma.txt"
    path.write_text("--Header-Start--\nSerialNumber\tC-1\n--Step-Data-Start--\n"
                    "NumericLimitTest\tV\t\t1,5\t1\t2\tGELE\tV\n", encoding="utf-8")
    outcome = convert_in_process("wstf", path, context=CONTEXT)
    assert outcome.error == ("comma.txt: line 4: Value '1,5' is not a number "
                             "(for a decimal comma set the 'culture' or 'decimal_separator' parameter)")


def test_unknown_footer_line_is_ignored_with_a_warning(tmp_path: Path) -> None:
    from pywats_client.converters.builtin.wstf import WSTFConverter as Converter
    from pywats_client.converters.context import ConverterContext
    from pywats_client.converters.source import ConverterSource

    path = tmp_path / "footer.txt"
    path.write_text("--Header-Start--\nSerialNumber\tF-1\n--Step-Data-Start--\n--Step-Data-End--\n"
                    "Signature\tabc\nUUTStatus\tPassed\n--UUT-End--\n", encoding="utf-8")
    context = ConverterContext(CONTEXT)
    result = Converter().convert(ConverterSource(path), context)
    assert result.success and result.data["result"] == "P"
    assert result.warnings == [
        "line 5: footer line 'Signature' ignored (UUTStatus, ErrorCode, ErrorMessage, ExecutionTime are read)"
    ]
    assert context.logs == []  # the runner logs a result's warnings, once (test_converter_runner)
