"""Built-in OpenHTF converter on its sample records."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from pywats_client.converters import BUILTIN_CONVERTERS, ContextData, ConversionOutcome, convert_in_process
from pywats_client.converters.builtin.openhtf import parse_validator

DATA = Path(__file__).resolve().parents[2] / "data" / "converters" / "openhtf"


def _convert(path: Path, **parameters: Any) -> ConversionOutcome:
    context = ContextData(station_name="HTF-STATION", location="Lab", purpose="Dev", arguments=parameters)
    return convert_in_process("openhtf", path, context=context)


def _seq(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in report["root"]["steps"] if s["name"] == name)


def _step(seq: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in seq["steps"] if s["name"] == name)


def test_registered_as_builtin() -> None:
    assert BUILTIN_CONVERTERS["openhtf"] == "pywats_client.converters.builtin.openhtf.OpenHTFConverter"
    from pywats_client.converters.builtin import OpenHTFConverter

    assert OpenHTFConverter().file_patterns == ["*.json"]


def test_minimal_record() -> None:
    outcome = _convert(DATA / "hello_minimal.json", part_number="GREET-1")
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert (report["sn"], report["pn"], report["rev"], report["result"]) == ("A-7731", "GREET-1", "A", "P")
    assert report["machineName"] == "bench-3.lab.example"  # the record's station wins
    assert report["start"].startswith("2024-06-03T")
    assert report["startUTC"].startswith("2024-06-03T07:33:20")
    assert report["uut"]["execTime"] == 1.5
    assert report["root"]["name"] == "Greeting Test"
    greet = _seq(report, "greet")
    assert greet["stepType"] == "SequenceCall" and greet["status"] == "P" and greet["totTime"] == 0.125
    step = _step(greet, "greeting")
    assert step["stringMeas"][0]["value"] == "Howdy" and step["status"] == "P"
    log = report["root"]["steps"][-1]
    assert log["name"] == "openhtf-log.txt"
    text = base64.b64decode(log["attachment"]["data"]).decode()
    assert "INFO greeting_test.py:12 Saying hello" in text
    assert "miscInfos" not in report  # the config is dropped, test_name is the sequence name


def test_full_record_maps_every_field() -> None:
    outcome = _convert(DATA / "power_board_fail.json", part_number="IGNORED")
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert (report["pn"], report["rev"], report["sn"], report["result"]) == ("PWR-220", "B", "SN-9001", "F")
    assert report["uut"]["user"] == "kim"
    assert report["uut"]["errorCode"] == 17
    assert report["uut"]["errorMessage"] == "17: 5 V rail out of range"
    assert report["uut"]["execTime"] == 12.5
    assert (report["root"]["name"], report["root"]["seqCall"]["version"]) == ("Power Board FCT", "2.3.0")
    misc = {(m["description"], m.get("text", m.get("numeric"))) for m in report["miscInfos"]}
    assert ("fixture", "FX-2") in misc and ("Diagnosis", "RAIL_HIGH | U7 | HIGH | regulator drifts") in misc
    assert any(d == "slot" for d, _ in misc)

    power = _seq(report, "power_on")
    vcc = _step(power, "vcc")["numericMeas"][0]
    assert (vcc["value"], vcc["unit"], vcc["lowLimit"], vcc["highLimit"], vcc["compOp"]) == (3.31, "V", 3.2, 3.4, "GELE")
    cur = _step(power, "idle_current")["numericMeas"][0]
    assert (cur["compOp"], cur["lowLimit"], cur["unit"]) == ("LE", 0.5, "A")
    temp = _step(power, "board_temp")
    assert (temp["numericMeas"][0]["lowLimit"], temp["numericMeas"][0]["highLimit"]) == (20, 40)
    assert temp["reportText"] == "marginal low 22, marginal high 38"
    leds = _step(power, "led_count")["numericMeas"][0]
    assert (leds["compOp"], leds["lowLimit"]) == ("EQ", 5)
    ref = _step(power, "ref_voltage")["numericMeas"][0]
    assert ref["lowLimit"] == pytest.approx(2.45) and ref["highLimit"] == pytest.approx(2.55)
    assert power["totTime"] == 1.5

    fw = _seq(report, "firmware")
    version = _step(fw, "fw_version")
    assert version["stringMeas"][0]["limit"] == "1.4.2" and version["status"] == "P"
    assert _step(fw, "boot_mode")["stringMeas"][0]["limit"] == "normal"
    assert _step(fw, "self_test")["stepType"] == "ET_PFT"
    echo = _step(fw, "serial_echo")
    assert echo["stringMeas"][0]["compOp"] == "LOG" and echo["reportText"] == "'x' matches /^SN-\\d+:OK$/"

    gain = _step(_seq(report, "sweep"), "gain")
    assert gain["stepType"] == "ET_MNLT"
    assert [(m["name"], m["value"], m["unit"], m["lowLimit"], m["highLimit"]) for m in gain["numericMeas"]] == [
        ("100", 0.5, "dB", -1, 1), ("1000", 0.1, "dB", -1, 1), ("10000", -0.25, "dB", -1, 1),
    ]

    rail = _seq(report, "rail_5v")
    assert rail["status"] == "F" and _step(rail, "v5")["status"] == "F"
    scope = _step(rail, "scope.png")
    assert scope["attachment"]["contentType"] == "image/png"
    assert base64.b64decode(scope["attachment"]["data"]).startswith(b"\x89PNG")

    skipped = _seq(report, "optional_check")
    assert skipped["status"] == "S" and skipped["reportText"] == "phase result: SKIP"
    assert _step(skipped, "aux")["status"] == "S"


def test_error_outcome_and_phase_exception() -> None:
    outcome = _convert(DATA / "instrument_error.json")
    assert outcome.ok, outcome.error
    report = outcome.reports[0]
    assert report["result"] == "E"
    assert report["uut"]["errorMessage"] == "RuntimeError: instrument did not answer"
    assert "errorCode" not in report["uut"]
    phase = _seq(report, "power_on")
    assert phase["status"] == "E" and "instrument did not answer" in phase["reportText"]


@pytest.mark.parametrize(
    ("outcome_text", "result"), [("PASS", "P"), ("FAIL", "F"), ("ERROR", "E"), ("TIMEOUT", "E"), ("ABORTED", "T")]
)
def test_outcomes(tmp_path: Path, outcome_text: str, result: str) -> None:
    record = json.loads((DATA / "hello_minimal.json").read_text(encoding="utf-8"))
    record["outcome"] = outcome_text
    path = tmp_path / "r.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    outcome = _convert(path, part_number="P")
    assert outcome.ok, outcome.error
    assert outcome.reports[0]["result"] == result


def test_parameters_fill_only_what_the_record_lacks(tmp_path: Path) -> None:
    outcome = _convert(DATA / "hello_minimal.json", part_number="P-9", revision="C", operator="lee",
                       sequence_name="ignored", include_log=False)
    assert outcome.ok, outcome.error
    report = outcome.reports[0]
    assert (report["pn"], report["rev"], report["uut"]["user"]) == ("P-9", "C", "lee")
    assert report["root"]["name"] == "Greeting Test"
    assert all(s["name"] != "openhtf-log.txt" for s in report["root"]["steps"])


def test_refuses_json_that_is_not_an_openhtf_record() -> None:
    outcome = _convert(DATA / "not_openhtf.json", part_number="P")
    assert not outcome.ok
    assert outcome.error == (
        "not_openhtf.json: not an OpenHTF test record (expected a JSON object with dut_id, phases, "
        "start_time_millis and outcome; found an object with keys name, outcome, values)"
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{not json", "bad.json: not valid JSON"),
        ("[1, 2]", "not an OpenHTF test record"),
        ('{"dut_id": "X", "phases": [], "outcome": "MAYBE"}', "outcome 'MAYBE' is not PASS/FAIL"),
        ('{"dut_id": "", "phases": [], "outcome": "PASS"}', "dut_id is empty"),
        ('{"dut_id": "X", "phases": [], "start_time_millis": "soon"}', "start_time_millis must be milliseconds"),
        ('{"dut_id": "X", "phases": [7], "outcome": "PASS"}', "phases[0] is not an object"),
    ],
)
def test_bad_records_name_the_problem(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    outcome = _convert(path, part_number="P")
    assert not outcome.ok
    assert fragment in (outcome.error or ""), outcome.error


def test_missing_part_number_names_the_parameter() -> None:
    outcome = _convert(DATA / "hello_minimal.json")
    assert not outcome.ok
    assert "set the converter's 'part_number' parameter" in (outcome.error or "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 <= x <= 5", {"kind": "range", "low": 3.0, "high": 5.0, "note": None}),
        ("x <= 5", {"kind": "range", "low": None, "high": 5.0, "note": None}),
        ("-1.5e-3 <= x", {"kind": "range", "low": -0.0015, "high": None, "note": None}),
        ("x == 5", {"kind": "equals", "low": 5.0, "high": None, "comp_op": "EQ"}),
        ("x == 'a'", {"kind": "text", "expected": "a"}),
        ("'x' is equal to 'abc'", {"kind": "text", "expected": "abc"}),
        ("'x' matches /^a\\.b$/", {"kind": "text", "expected": "a.b"}),
        ("'x' matches /^a.b$/", {"kind": "other", "note": "'x' matches /^a.b$/"}),
        ("x > 2", {"kind": "range", "low": 2.0, "high": None, "comp_op": "GT"}),
        ("custom check", {"kind": "other", "note": "custom check"}),
    ],
)
def test_parse_validator(text: str, expected: dict[str, Any]) -> None:
    assert parse_validator(text) == expected
