"""Built-in 'wsxf' and 'wrml' converters on their own test files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pywats_client.converters import ContextData, convert_in_process
from pywats_client.converters.base import FileConverter
from pywats_client.converters.builtin.wrml import WRMLConverter
from pywats_client.converters.builtin.wsxf import WSXFConverter

DATA = Path(__file__).resolve().parents[2] / "data" / "converters"
CONTEXT = ContextData(station_name="XML-STATION", location="Lab", purpose="Production")


def _steps(step: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {step["name"]: step}
    for child in step.get("steps") or ():
        out.update(_steps(child))
    return out


def test_wsxf_converter_reads_a_uut_and_reads_attachment_files_next_to_it() -> None:
    outcome = convert_in_process("wsxf", DATA / "wsxf" / "uut_all_features.xml", context=CONTEXT)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert (report["id"], report["result"], report["machineName"]) == (
        "0F3A9C21-6B7D-4E58-9A10-2C4D6E8F0B13", "F", "ICT-2")  # the file's values win
    steps = _steps(report["root"])
    assert steps["Probe log"]["attachment"]["name"] == "probe_log.txt"
    assert "attachment" not in steps["Lost photo"]
    assert steps["Standby current"]["numericMeas"][0]["lowLimit"] == 0.05


def test_wsxf_converter_many_reports_and_parameters_fill_only_gaps() -> None:
    context = replace(CONTEXT, arguments={"operator": "param-op", "station": "PARAM-ST", "revision": "ZZ"})
    outcome = convert_in_process("wsxf", DATA / "wsxf" / "two_reports.xml", context=context)
    assert outcome.ok, outcome.error
    assert [r["sn"] for r in outcome.reports] == ["SN-A1", "SN-A2"]
    assert [r["result"] for r in outcome.reports] == ["P", "F"]
    first = outcome.reports[0]
    assert first["uut"]["user"] == "op1" and first["machineName"] == "FCT-1" and first["rev"] == "1"
    assert first["root"]["steps"][0]["stepType"] == "ET_NLT"  # derived: the file has no StepType
    assert first["startUTC"] == "2023-06-01T08:00:00.000Z"


def test_wsxf_converter_repair() -> None:
    outcome = convert_in_process("wsxf", DATA / "wsxf" / "uur_failures.xml", context=CONTEXT)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert report["type"] == "R" and report["result"] == "P"
    assert report["purpose"] == "Production"  # empty in the file: the station's
    assert report["uur"]["processCode"] == 50
    assert [len(u.get("failures", [])) for u in report["subUnits"]] == [1, 1]


def test_wsxf_and_wrml_refuse_each_other_and_name_the_file() -> None:
    outcome = convert_in_process("wsxf", DATA / "wrml" / "pending_uut.xml", context=CONTEXT)
    assert outcome.error == (
        "pending_uut.xml: this is WRML (the WATS .NET client's report XML), not WSXF; "
        "use the 'wrml' converter (pywats.formats.wrml)"
    )
    outcome = convert_in_process("wrml", DATA / "wsxf" / "two_reports.xml", context=CONTEXT)
    assert outcome.error == (
        "two_reports.xml: this is WSXF (WATS Standard XML Format), not WRML; "
        "use the 'wsxf' converter (pywats.formats.wsxf)"
    )
    outcome = convert_in_process("wsxf", DATA / "atml" / "fct_widget200_failed.xml", context=CONTEXT)
    assert outcome.error is not None and outcome.error.startswith("fct_widget200_failed.xml: not a WSXF document (root element <")
    outcome = convert_in_process("wsxf", DATA / "wsxf" / "bad_value.xml", context=CONTEXT)
    assert outcome.error == (
        "bad_value.xml: report 1, step 'MainSequence Callback', step 'Voltage', NumericLimit: "
        "attribute NumericValue='five': could not convert string to float: 'five'"
    )


def test_wrml_backlog_keeps_the_report_id_and_nests_flat_rows() -> None:
    outcome = convert_in_process("wrml", DATA / "wrml" / "pending_uut.xml", context=CONTEXT)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert report["id"] == "3d4e5f60-7182-4a9b-8c0d-1e2f3a4b5c6d"  # nothing duplicates on the server
    assert (report["sn"], report["pn"], report["rev"], report["result"]) == ("MTR-0815", "MOTOR-CTRL", "D", "F")
    assert (report["start"], report["startUTC"]) == ("2022-11-21T14:03:05.125+01:00", "2022-11-21T13:03:05.125Z")
    assert (report["processCode"], report["processName"]) == (150, "EOL")
    assert report["uut"] == {"user": "per", "batchSN": "B-77", "testSocketIndex": 1, "execTime": 18.25,
                             "fixtureId": "FIX-A", "errorCode": 3, "errorMessage": "Torque low",
                             "comment": "Pending since the server move"}
    assert report["miscInfos"] == [{"typedef": "", "description": "Line speed", "numeric": 42},
                                   {"typedef": "", "description": "Shift", "text": "Night & weekend"}]
    assert report["subUnits"] == [{"partType": "Driver", "pn": "DRV-3", "sn": "DRV-1001", "rev": "B"}]
    root = report["root"]
    assert [s["name"] for s in root["steps"]] == ["Clamp", "Electrical", "Functional"]
    assert root["seqCall"] == {"name": "Motor EOL", "version": "2.0.1", "path": "C:\\seq\\eol.seq"}
    steps = _steps(root)
    assert steps["Clamp"]["group"] == "S" and steps["Clamp"]["status"] == "D"
    assert [s["name"] for s in steps["Electrical"]["steps"]] == ["Supply", "Leakage", "Torque"]
    assert steps["Leakage"]["numericMeas"] == [{"value": 0.2, "unit": "mA", "compOp": "LE", "status": "P", "lowLimit": 0.5}]
    torque = steps["Torque"]
    assert (torque["stepType"], torque["status"]) == ("ET_MNLT", "F")
    assert [(m["name"], m["status"], m["lowLimit"]) for m in torque["numericMeas"]] == [("CW", "F", 2.0), ("CCW", "P", 2.0)]
    assert steps["Brake"]["loop"] == {"idx": 2, "num": 3, "passed": 3, "failed": 0, "endingIndex": 3}
    assert "loop" not in steps["Supply"]
    assert steps["Serial echo"]["stringMeas"] == [{"value": "PING", "limit": "PING", "compOp": "CASESENSIT", "status": "P"}]
    assert steps["Speed ramp"]["chart"] == {
        "chartType": "Line", "label": "Ramp", "xLabel": "t", "xUnit": "s", "yLabel": "speed", "yUnit": "krpm",
        "series": [{"dataType": "XYG", "name": "Measured", "xdata": "0;1;2;3", "ydata": "2.5;3.75;5;4.125"},
                   {"dataType": "XYG", "name": "Target", "xdata": "0;3", "ydata": "4;4"}],
    }
    assert steps["Save log"]["attachment"] == {"name": "eol.log", "contentType": "text/plain",
                                               "data": "cGVuZGluZyBiYWNrbG9nCg=="}
    assert steps["Save log"]["group"] == "C"


def test_wrml_repair_backlog() -> None:
    outcome = convert_in_process("wrml", DATA / "wrml" / "pending_uur.xml", context=CONTEXT)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert report["id"] == "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d" and report["type"] == "R"
    assert report["uur"]["refUUT"] == "3d4e5f60-7182-4a9b-8c0d-1e2f3a4b5c6d"
    driver = report["subUnits"][1]
    assert (driver["replacedIdx"], driver["failures"][0]["comRef"], driver["failures"][0]["comment"]) == (
        2, "Q4", "MOSFET shorted")


@pytest.mark.parametrize("cls", [WSXFConverter, WRMLConverter])
def test_parameter_specs_are_declared(cls: type[FileConverter]) -> None:
    names = [spec.name for spec in cls.parameter_specs]
    assert names == ["part_number", "revision", "operation_type", "operator", "station", "location", "purpose",
                     "sequence_name", "sequence_version"]


def test_short_names_and_lazy_exports() -> None:
    from pywats_client.converters import builtin
    from pywats_client.converters.loader import BUILTIN_CONVERTERS, load_converter

    for short, cls_name in (("wsxf", "WSXFConverter"), ("wstf", "WSTFConverter"), ("wrml", "WRMLConverter")):
        assert BUILTIN_CONVERTERS[short].endswith("." + cls_name)
        assert load_converter(short) is getattr(builtin, cls_name)
