"""pywats.formats.wsxf: WSXF <-> WSJF, read incrementally, written canonically, round trips."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from pywats.formats import WATSFormatError
from pywats.formats.wsxf import WSXF_NAMESPACE, iter_wsxf, parse_wsxf, to_wsxf
from pywats.models.report.submit import prepare_for_submit

DATA = Path(__file__).resolve().parents[2] / "data"
WSXF = DATA / "converters" / "wsxf"


def _steps(step: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {step["name"]: step}
    for child in step.get("steps") or ():
        out.update(_steps(child))
    return out


def test_uut_header_and_every_step_kind() -> None:
    drops: list[str] = []
    (report,) = list(iter_wsxf(WSXF / "uut_all_features.xml", attachment_dir=WSXF, on_drop=drops.append))
    assert report["type"] == "T" and report["id"] == "0F3A9C21-6B7D-4E58-9A10-2C4D6E8F0B13"
    assert (report["sn"], report["pn"], report["rev"], report["result"]) == ("PSU-7731", "PSU-400W", "B2", "F")
    assert (report["start"], report["startUTC"]) == ("2023-05-09T08:41:12.250+02:00", "2023-05-09T06:41:12.250Z")
    assert (report["processCode"], report["processName"]) == (50, "ICT")
    assert (report["machineName"], report["location"], report["purpose"]) == ("ICT-2", "Hall 3", "Production")
    assert report["uut"] == {
        "user": "kari", "batchSN": "LOT-0907", "testSocketIndex": 2, "execTime": 41.5, "fixtureId": "FX-12",
        "errorCode": 17, "errorMessage": "Ripple too high", "batchFailCount": 1, "batchLoopIndex": 3,
        "comment": "Second pass after rework",
    }
    assert report["miscInfos"] == [
        {"typedef": "", "description": "Firmware", "text": "4.2.0"},
        {"typedef": "int", "description": "Cycles", "numeric": 12},
    ]
    assert report["subUnits"][0] == {"partType": "Controller", "pn": "CTL-9", "sn": "CTL-0042", "rev": "C", "position": 0}
    assert report["subUnits"][1]["partType"] == "Unknown"  # WSJF needs one; the file gave none
    assert report["assets"] == [{"assetSN": "DMM-0007", "usageCount": 3}]

    steps = _steps(report["root"])
    root = report["root"]
    assert root["seqCall"] == {"name": "PSU Main", "version": "3.1.4", "path": "D:\\seq\\psu_main.seq"}
    assert (root["stepType"], root["status"], root["totTime"]) == ("SequenceCall", "F", 41.5)
    assert steps["Power on"]["group"] == "S" and steps["Power on"]["status"] == "D"
    assert steps["Power on"]["reportText"] == "Relays K1 and K2 closed"
    assert steps["12V rail"]["numericMeas"] == [
        {"value": 12.04, "lowLimit": 11.4, "highLimit": 12.6, "unit": "V", "compOp": "GELE", "status": "P"}
    ]
    assert steps["12V rail"]["tsGuid"] == "ID#:aB3dE5fG7hI9" and steps["12V rail"]["start"].startswith("2023-05-09T08:41:13")
    # the single limit of LE/LT sits in HighLimit in XML, in lowLimit in WSJF
    assert steps["Standby current"]["numericMeas"][0] == {"value": 0.021, "unit": "A", "compOp": "LE", "status": "P", "lowLimit": 0.05}
    ripple = steps["Ripple"]
    assert ripple["numericMeas"][0]["lowLimit"] == 50.0 and "highLimit" not in ripple["numericMeas"][0]
    assert (ripple["status"], ripple["causedUUTFailure"], ripple["errorCode"], ripple["errorMessage"]) == (
        "F", True, 17, "Ripple too high")
    channels = steps["Channels"]
    assert channels["stepType"] == "ET_MNLT"
    assert [m["value"] for m in channels["numericMeas"]] == [3.3, "NaN", "Infinity"]
    assert [m["status"] for m in channels["numericMeas"]] == ["P", "P", "F"]
    assert steps["LEDs"]["booleanMeas"] == [{"name": "Green", "status": "P"}, {"name": "Amber", "status": "S"}]
    assert steps["Firmware version"]["stringMeas"] == [
        {"value": "V4.2.0", "limit": "v4.2.0", "compOp": "IGNORECASE", "status": "P"}
    ]
    assert steps["Label"]["stringMeas"][1] == {"name": "Note", "value": "hand written", "compOp": "LOG", "status": "P"}
    assert steps["Ask operator"]["messagePopup"] == {"response": "Cable fitted", "button": 2}
    assert steps["Flash tool"]["callExe"] == {"exitCode": 0.0}
    sweep = steps["Burn-in sweep"]
    assert sweep["loop"] == {"num": 4, "passed": 4, "failed": 0, "endingIndex": 4}
    assert sweep["chart"] == {
        "chartType": "Line", "label": "Temperature", "xLabel": "Time", "xUnit": "min", "yLabel": "Temp", "yUnit": "C",
        "series": [{"name": "Heatsink", "dataType": "XYG", "ydata": "40.5;55;68.25;71.5", "xdata": "0;5;10;15"}],
    }
    assert steps["Scope shot"]["attachment"] == {"name": "scope.bin", "contentType": "application/octet-stream", "data": "AAECAwQF"}
    # no data in the file: the Name is a file next to the WSXF file, read as the .NET client does
    probe = steps["Probe log"]["attachment"]
    assert probe["name"] == "probe_log.txt" and probe["data"] == "Y2FsaWJyYXRpb24gbG9nOiBwcm9iZSAzIG9rCg=="
    assert "attachment" not in steps["Lost photo"]
    assert any("no_such_photo.png" in d for d in drops)
    prepare_for_submit(report)  # valid WSJF


def test_uur_failures_binaries_and_sub_units() -> None:
    drops: list[str] = []
    (report,) = parse_wsxf((WSXF / "uur_failures.xml").read_bytes(), on_drop=drops.append)
    assert report["type"] == "R" and "result" not in report
    assert (report["processCode"], report["processName"]) == (500, "Repair")
    assert report["uur"] == {
        "user": "ola", "confirmDate": "2023-05-10T11:20:00.500", "finalizeDate": "2023-05-10T11:31:10.000",
        "execTime": 900.0, "refUUT": "0F3A9C21-6B7D-4E58-9A10-2C4D6E8F0B13", "comment": "Ripple fixed by new capacitor",
        "processCode": 50, "processName": "ICT",
    }
    main, controller = report["subUnits"]
    assert (main["idx"], main["partType"]) == (0, "Main")
    assert controller == {
        "partType": "Controller", "pn": "CTL-9", "sn": "CTL-0042", "rev": "C", "idx": 1, "parentIdx": 0, "position": 1,
        "failures": [{"category": "Solder", "code": "Cold joint", "comRef": "U3", "refStepId": 7, "comment": "Reflowed"}],
    }
    (failure,) = main["failures"]
    assert failure == {
        "category": "Component", "code": "Wrong value", "comRef": "C14", "funcBlock": "Output filter",
        "artNumber": "CAP-470U", "artRev": "2", "artVendor": "Capco", "refStepId": 6, "comment": "Electrolytic dried out",
        "attachments": [{"name": "c14.jpg", "contentType": "image/jpeg",
                         "id": "0D1E2F30-4152-4637-8899-AABBCCDDEE01", "data": "/9j/4A=="}],
    }
    assert report["binaryData"] == [{"name": "repair-notes.txt", "contentType": "text/plain", "data": "bm90ZXM="}]
    assert report["miscInfos"] == [{"id": "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF", "description": "Work order", "text": "WO-5521"}]
    assert sorted(d.split(": ", 1)[1] for d in drops) == ["Failures Failcode dropped (no WSJF field)", "UUR Active dropped (no WSJF field)"]
    prepared = prepare_for_submit(report)
    assert prepared["result"] == "P"


@pytest.mark.parametrize("name", ["uut_all_features.xml", "uur_failures.xml", "two_reports.xml"])
def test_wsxf_round_trip(name: str) -> None:
    first = list(iter_wsxf(WSXF / name, attachment_dir=WSXF))
    text = to_wsxf(first)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<Reports xmlns="' + WSXF_NAMESPACE + '">')
    again = parse_wsxf(text)
    assert again == first
    assert to_wsxf(again) == text  # canonical: writing is a fixed point


def test_wsjf_to_wsxf_and_back_keeps_every_field_wsxf_has() -> None:
    source = json.loads((DATA / "reports" / "sample-uut.json").read_text(encoding="utf-8"))
    back = parse_wsxf(to_wsxf(source))[0]

    def strip(value: Any) -> Any:  # nulls and empty lists are "absent" in XML
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if v is not None and v != []}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    assert strip(back) == strip(source)


def test_writer_places_single_limits_like_wats() -> None:
    report = {
        "type": "T", "id": "2f7e9c1a-0b3d-4e5f-8a6b-7c8d9e0f1a2b", "pn": "P", "sn": "S", "rev": "1", "processCode": 10,
        "start": "2024-01-01T00:00:00Z", "result": "P",
        "root": {"stepType": "SequenceCall", "name": "Main", "group": "M", "status": "P", "steps": [
            {"stepType": "ET_NLT", "name": "le", "group": "M", "status": "P",
             "numericMeas": [{"compOp": "LE", "value": 1, "lowLimit": 2, "status": "P"}]},
            {"stepType": "ET_NLT", "name": "ge", "group": "M", "status": "P",
             "numericMeas": [{"compOp": "GE", "value": 3.5, "lowLimit": 2, "status": "P"}]},
            {"stepType": "ET_NLT", "name": "nan", "group": "M", "status": "P",
             "numericMeas": [{"compOp": "LOG", "value": "-Infinity", "status": "P"}]},
        ]},
    }
    text = to_wsxf(report)
    assert '<NumericLimit NumericValue="1" HighLimit="2" CompOperator="LE" Status="Passed" />' in text
    assert '<NumericLimit NumericValue="3.5" LowLimit="2" CompOperator="GE" Status="Passed" />' in text
    assert 'NumericValue="-INF"' in text
    assert parse_wsxf(text)[0]["root"]["steps"][2]["numericMeas"][0]["value"] == "-Infinity"


def test_other_documents_are_refused_with_a_reason() -> None:
    wrml = b'<Reports xmlns="http://wats.virinco.com/schemas/WATS/Report"><Report type="UUT"/></Reports>'
    with pytest.raises(WATSFormatError, match="this is WRML"):
        parse_wsxf(wrml)
    with pytest.raises(WATSFormatError, match=r"root element <TestResults>"):
        parse_wsxf("<TestResults/>")
    with pytest.raises(WATSFormatError, match="not well-formed XML"):
        parse_wsxf(b"<Reports><Report type='UUT'>")
    with pytest.raises(WATSFormatError, match="holds no Report"):
        parse_wsxf(f'<Reports xmlns="{WSXF_NAMESPACE}"/>')
    with pytest.raises(WATSFormatError, match=r"report 1, step 'MainSequence Callback', step 'Voltage', NumericLimit: "
                                              r"attribute NumericValue='five'"):
        parse_wsxf((WSXF / "bad_value.xml").read_bytes())


def test_text_input_with_a_foreign_declared_encoding_and_no_namespace() -> None:
    text = ('<?xml version="1.0" encoding="windows-1252"?>\n<Report type="UUT" ID="x" SN="Søren-1" PN="P" Rev="1">'
            '<UUT/><Process Code="10"/></Report>')
    (report,) = parse_wsxf(text)
    assert report["sn"] == "Søren-1" and report["uut"] == {} and "root" not in report


def test_reading_releases_finished_elements() -> None:
    """Many reports in one document: each is yielded as soon as it ends (streaming)."""
    one = (WSXF / "two_reports.xml").read_text(encoding="utf-8").split("<Report ", 1)[1].split("</Report>", 1)[0]
    body = "".join(f"<Report {one}</Report>" for _ in range(300))
    doc = f'<Reports xmlns="{WSXF_NAMESPACE}">{body}</Reports>'.encode()
    stream = io.BytesIO(doc)
    reports = iter_wsxf(stream)
    first = next(reports)
    assert first["sn"] == "SN-A1"
    assert stream.tell() < len(doc)  # the rest is not read yet
    assert sum(1 for _ in reports) == 299


def test_report_without_type_is_typed_by_its_uur_element() -> None:
    doc = (f'<Reports xmlns="{WSXF_NAMESPACE}"><Report ID="x" SN="S" PN="P" Rev="1">'
           '<UUR UserLoginName="u"><Process Code="100"/></UUR><Process Code="500"/></Report></Reports>')
    (report,) = parse_wsxf(doc)
    assert report["type"] == "R" and report["uur"] == {"user": "u", "processCode": 100}
