"""Built-in WSJF (JSON passthrough) converter on its sample files."""

from __future__ import annotations

import json
from pathlib import Path

from pywats_client.converters import ContextData, convert_in_process

DATA = Path(__file__).resolve().parents[2] / "data" / "converters" / "wsjf"
CONTEXT = ContextData(station_name="JSON-STATION", location="Lab", purpose="Production")


def test_single_report_passes_through_unchanged_in_substance() -> None:
    outcome = convert_in_process("wsjf", DATA / "single_uut.json", context=CONTEXT)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    source = json.loads((DATA / "single_uut.json").read_text())
    for key in ("id", "pn", "sn", "rev", "processCode", "result", "machineName", "location", "purpose"):
        assert report[key] == source[key]  # the file's own station identity is kept
    assert [s["name"] for s in report["root"]["steps"]] == ["3V3 rail", "5V rail"]


def test_list_gives_several_reports_with_station_and_default_code() -> None:
    context = ContextData(
        station_name="JSON-STATION", location="Lab", purpose="Production",
        processes=[{"code": 50, "name": "PCBA Test"}], arguments={"default_process_code": "PCBA Test"},
    )
    outcome = convert_in_process("wsjf", DATA / "two_reports_no_station.json", context=context)
    assert outcome.ok, outcome.error
    assert [r["sn"] for r in outcome.reports] == ["SN-50001", "SN-50002"]
    assert [r["result"] for r in outcome.reports] == ["P", "F"]
    for report in outcome.reports:
        assert (report["machineName"], report["location"], report["purpose"]) == ("JSON-STATION", "Lab", "Production")
        assert report["processCode"] == 50
        assert report["id"]  # filled in
    assert outcome.reports[0]["id"] != outcome.reports[1]["id"]


def test_invalid_report_fails_with_field() -> None:
    outcome = convert_in_process("wsjf", DATA / "invalid_no_serial.json", context=CONTEXT)
    assert not outcome.ok
    assert outcome.error == "invalid report: sn: is required"


def test_broken_json_names_line_and_column() -> None:
    outcome = convert_in_process("wsjf", DATA / "broken_syntax.json", context=CONTEXT)
    assert not outcome.ok
    assert outcome.error == "broken_syntax.json: invalid JSON at line 2, column 16: Expecting ',' delimiter"


def test_non_object_items_and_empty_list(tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    path.write_text('[{"pn": "P"}, 42]')
    outcome = convert_in_process("wsjf", path, context=CONTEXT)
    assert outcome.error == "odd.json item 2: expected a report object, found int"
    path.write_text("[]")
    outcome = convert_in_process("wsjf", path, context=CONTEXT)
    assert outcome.error == "odd.json: the JSON list holds no reports"


def test_virinco_style_timestamps_are_read_and_sent_canonical() -> None:
    outcome = convert_in_process("wsjf", DATA / "liberal_times_uut.json", context=CONTEXT)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert report["start"] == "2021-03-04T10:15:30+02:00"  # canonical: kept as given
    assert report["startUTC"] == "2021-03-04T08:15:30.000Z"  # "…:30.Z" rewritten
    first, second = report["root"]["steps"]
    assert first["start"] == "2021-03-04T10:15:31.500+02:00"
    assert second["start"] == "2021-03-04T10:15:32.000+00:00"
    assert first["numericMeas"][0]["lowLimit"] == 5.0 and first["numericMeas"][0]["compOp"] == "LE"
    assert report["result"] == "F"


def test_virinco_style_repair_imports() -> None:
    outcome = convert_in_process("wsjf", DATA / "liberal_times_uur.json", context=CONTEXT)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert report["type"] == "R" and report["startUTC"] == "2021-03-05T12:00:00.000Z"
    assert report["uur"]["finalizeDate"] == "2021-03-05T12:25:00.1234567Z"
    assert report["uur"]["confirmDate"].startswith("2021-03-05T14:20:10.000")
    failure = report["subUnits"][0]["failures"][0]
    assert (failure["comRef"], failure["refStepId"]) == ("C12", 2)


def test_xml_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text('<?xml version="1.0"?><Reports/>')
    outcome = convert_in_process("wsjf", path, context=CONTEXT)
    assert outcome.error == "report.json: not a WSJF file (it is XML; use the 'wsxf' or 'wrml' converter)"
