"""WSJF model: round trips of the sample reports, every step type, unknown fields kept."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pywats.exceptions import ValidationError
from pywats.models.report import (
    ActionStep,
    Asset,
    CallExeStep,
    ChartStep,
    GenericStep,
    MessagePopupStep,
    NumericLimitStep,
    PassFailStep,
    SequenceCallStep,
    StringValueStep,
    UURReport,
    UUTReport,
    parse_report,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "reports"
SAMPLES = ["sample-uut.json", "sample-uur.json", "sample-uut-peer.json"]


def load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_round_trip_is_exact(name: str) -> None:
    original = (DATA / name).read_text(encoding="utf-8")
    report = parse_report(json.loads(original))
    assert json.loads(original) == report.to_wsjf()
    # and through JSON text as well
    assert json.loads(report.to_json()) == json.loads(original)


def test_sample_types() -> None:
    assert isinstance(parse_report(load("sample-uut.json")), UUTReport)
    assert isinstance(parse_report(load("sample-uur.json")), UURReport)
    uur_without_type = load("sample-uur.json")
    del uur_without_type["type"]
    assert isinstance(parse_report(uur_without_type), UURReport)


def test_numbers_kept_as_given() -> None:
    data = load("sample-uur.json")
    out = parse_report(data).to_wsjf()
    assert out["uur"]["execTime"] == 1500.0 and isinstance(out["uur"]["execTime"], float)
    assert isinstance(out["processCode"], int)
    uut = load("sample-uut.json")
    uut["root"]["steps"][0]["numericMeas"][0]["value"] = 3
    out = parse_report(uut).to_wsjf()
    assert type(out["root"]["steps"][0]["numericMeas"][0]["value"]) is int
    assert json.dumps(out).count("null") == 0


def test_sample_uut_step_classes_and_fields() -> None:
    report = parse_report(load("sample-uut.json"))
    assert isinstance(report, UUTReport)
    steps = list(report.root.iter_steps())  # type: ignore[union-attr]
    kinds = [type(s) for s in steps]
    assert kinds == [
        NumericLimitStep,
        NumericLimitStep,
        NumericLimitStep,
        NumericLimitStep,
        PassFailStep,
        StringValueStep,
        ActionStep,
    ]
    single, failed, lt, multi = steps[0], steps[1], steps[2], steps[3]
    assert not single.is_multi and multi.is_multi  # type: ignore[union-attr]
    assert failed.caused_uut_failure is True
    assert lt.numeric_meas[0].comp_op == "LT" and lt.numeric_meas[0].low_limit == 0.5  # type: ignore[union-attr]
    assert steps[6].attachment is not None and steps[6].attachment.content_type == "text/plain"
    assert report.uut is not None and report.uut.batch_sn == "BATCH-2026-001"
    assert report.start_utc == "2026-01-15T09:30:00.000Z"
    assert report.computed_result() == "F"


def test_uur_sample_fields() -> None:
    report = parse_report(load("sample-uur.json"))
    assert isinstance(report, UURReport)
    assert report.uur is not None and report.uur.ref_uut == "7d7a5a8e-3a0b-4f2e-9a55-2c1b8f0e4d11"
    assert report.uur.process_code == 100 and report.process_code == 500
    main = report.sub_units[0]  # type: ignore[index]
    assert main.idx == 0 and main.failures[0].com_ref == "U7"  # type: ignore[index]
    assert report.binary_data[0].content_type == "image/jpeg"  # type: ignore[index]


def _uut(steps: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "type": "T",
        "id": "7d7a5a8e-3a0b-4f2e-9a55-2c1b8f0e4d11",
        "pn": "PN",
        "sn": "SN",
        "rev": "A",
        "processCode": 100,
        "result": "P",
        "start": "2026-01-15T10:30:00.000+01:00",
        "uut": {"user": "u"},
        "root": {"id": 1, "stepType": "SequenceCall", "name": "Main", "status": "P", "steps": steps},
        **extra,
    }


EVERY_STEP = [
    {"id": 2, "stepType": "WATS_SeqCall", "name": "Sub", "status": "P",
     "seqCall": {"path": "a.seq", "name": "Sub", "version": "2"},
     "steps": [{"id": 3, "stepType": "NumericLimitTest", "name": "n", "status": "P",
                "numericMeas": [{"status": "P", "value": 1, "compOp": "GE", "lowLimit": 0}]}]},
    {"id": 4, "stepType": "ET_MNLT", "name": "mn", "status": "P",
     "numericMeas": [{"name": "a", "status": "P", "value": 1.5, "compOp": "LOG"},
                     {"name": "b", "status": "P", "value": 2.5, "compOp": "GTLT", "lowLimit": 2, "highLimit": 3}]},
    {"id": 5, "stepType": "ET_PFT", "name": "pf", "status": "F", "booleanMeas": [{"status": "F"}]},
    {"id": 6, "stepType": "ET_MPFT", "name": "mpf", "status": "P",
     "booleanMeas": [{"name": "x", "status": "P"}, {"name": "y", "status": "P"}]},
    {"id": 7, "stepType": "ET_SVT", "name": "sv", "status": "P",
     "stringMeas": [{"status": "P", "value": "abc", "compOp": "IgnoreCase", "limit": "ABC"}]},
    {"id": 8, "stepType": "ET_MSVT", "name": "msv", "status": "P",
     "stringMeas": [{"name": "a", "status": "P", "value": "1", "compOp": "EQ", "limit": "1"},
                    {"name": "b", "status": "P", "value": "x", "compOp": "LOG"}]},
    {"id": 9, "stepType": "Action", "name": "act", "status": "D", "group": "S"},
    {"id": 10, "stepType": "ET_A", "name": "act2", "status": "D"},
    {"id": 11, "stepType": "Chart", "name": "chart", "status": "P",
     "chart": {"chartType": "Line", "label": "IV", "xLabel": "V", "xUnit": "V", "yLabel": "I", "yUnit": "A",
               "series": [{"dataType": "XYG", "name": "s1", "xdata": "0;1;2", "ydata": "0;1;1"}]}},
    {"id": 12, "stepType": "WATS_XYGMNLT", "name": "xy", "status": "P",
     "numericMeas": [{"status": "P", "value": 1.0, "compOp": "LOG", "unit": None, "lowLimit": None, "highLimit": None}],
     "chart": {"chartType": "LineLogX", "series": []}},
    {"id": 13, "stepType": "CallExecutable", "name": "exe", "status": "P", "callExe": {"exitCode": 0, "exitCodeFormat": "%d"}},
    {"id": 14, "stepType": "MessagePopup", "name": "pop", "status": "P",
     "messagePopup": {"response": "OK", "button": 1, "buttonFormat": "%d"}},
    {"id": 15, "stepType": "GenericTest", "name": "gen", "status": "P", "totTime": 0.5, "tsGuid": "ID#:abc"},
    {"id": 16, "stepType": "NI_Wait", "name": "wait", "status": "D", "someTestStandThing": {"a": [1, 2]}},
    {"id": 17, "stepType": "ET_NLT", "name": "looped", "status": "P",
     "loop": {"idx": 2, "num": 5, "endingIndex": 4, "passed": 5, "failed": 0},
     "numericMeas": [{"status": "P", "value": 1, "compOp": "LE", "lowLimit": 2}]},
    {"id": 18, "stepType": "ET_NLT", "name": "nan", "status": "F",
     "numericMeas": [{"status": "F", "value": "NaN", "compOp": "GELE", "lowLimit": 1, "highLimit": 2}]},
    {"id": 19, "stepType": "Action", "name": "extra-results", "status": "D",
     "additionalResults": [{"name": "AR", "props": [{"name": "p", "type": "Number", "value": 1.5,
                                                     "props": [{"name": "q", "value": "z"}]}]}]},
]


def test_every_step_type_round_trips_and_maps_to_its_class() -> None:
    data = _uut(copy.deepcopy(EVERY_STEP))
    report = parse_report(data)
    assert report.to_wsjf() == data
    steps = report.root.steps  # type: ignore[union-attr]
    assert [type(s) for s in steps] == [
        SequenceCallStep, NumericLimitStep, PassFailStep, PassFailStep, StringValueStep,
        StringValueStep, ActionStep, ActionStep, ChartStep, ChartStep, CallExeStep,
        MessagePopupStep, GenericStep, GenericStep, NumericLimitStep, NumericLimitStep, ActionStep,
    ]
    assert steps[0].seq_call.version == "2"  # type: ignore[union-attr]
    assert isinstance(steps[0].steps[0], NumericLimitStep)  # type: ignore[union-attr,index]
    assert steps[8].chart.series[0].xdata == "0;1;2"  # type: ignore[union-attr]
    assert steps[10].call_exe.exit_code == 0  # type: ignore[union-attr]
    assert steps[11].message_popup.button == 1  # type: ignore[union-attr]
    assert steps[14].loop.num == 5 and steps[14].loop.ending_index == 4  # type: ignore[union-attr]
    assert steps[13].model_extra == {"someTestStandThing": {"a": [1, 2]}}
    assert steps[12].ts_guid == "ID#:abc"


def test_unknown_fields_kept_everywhere() -> None:
    data = _uut(
        [{"id": 2, "stepType": "ET_NLT", "name": "n", "status": "P", "futureStepField": 7,
          "numericMeas": [{"status": "P", "value": 1, "compOp": "LOG", "futureMeasField": "x"}]}],
        futureRootField={"nested": True},
        assets=[{"assetSN": "DMM-1", "usageCount": 3, "usageCountFormat": "%d", "vendorNote": "n"}],
        assetStats=[{"assetSN": "DMM-1", "runningCount": 10, "isDaysSinceCalibrationUnknown": False}],
        additionalData=[{"name": "Env", "props": [{"name": "T", "value": 21.5, "array": {"dimension": 1}}]}],
        miscInfos=[{"description": "Line", "text": None, "numeric": 100, "typedef": "t"}],
        subUnits=[{"partType": "PCBA", "pn": "p", "sn": "s", "position": 2, "unknownSub": 1}],
    )
    data["uut"]["futureUutField"] = "y"
    data["root"]["seqCall"] = {"path": "p", "name": "n", "version": "1", "extraSeq": 1}
    report = parse_report(data)
    assert report.to_wsjf() == data
    assert report.model_extra == {"futureRootField": {"nested": True}}
    assert isinstance(report.assets[0], Asset) and report.assets[0].usage_count == 3  # type: ignore[index]


def test_server_export_nulls_round_trip() -> None:
    data = _uut([], origin="AA:BB", productName="Widget", processName="FCT", processCodeFormat=None)
    data["uut"] = {"user": None, "comment": None, "refUURs": [{"id": "x", "start": "2026-01-15T10:30:00Z"}]}
    report = parse_report(data)
    assert report.to_wsjf() == data


def test_model_built_in_python_serialises_with_wsjf_names() -> None:
    report = UUTReport(
        pn="PN", sn="SN", rev="A", process_code=100, machine_name="st", start_utc="2026-01-15T09:30:00Z",
        root=SequenceCallStep(name="Main", steps=[NumericLimitStep(name="n", step_type="ET_NLT", status="P")]),
    )
    out = report.to_wsjf()
    assert out["type"] == "T"
    assert out["machineName"] == "st" and out["startUTC"] == "2026-01-15T09:30:00Z"
    assert out["root"]["steps"][0]["stepType"] == "ET_NLT"
    assert "id" not in out  # only what was set


def test_parse_errors_name_the_field() -> None:
    data = _uut([{"id": 2, "stepType": "ET_NLT", "name": "n", "numericMeas": [{"value": {"not": "a number"}}]}])
    with pytest.raises(ValidationError) as info:
        parse_report(data)
    assert info.value.field == "root.steps[0].numericMeas[0].value"
    bad_start = _uut([], start="yesterday")
    with pytest.raises(ValidationError) as info:
        parse_report(bad_start)
    assert info.value.field == "start"
    with pytest.raises(ValidationError) as info:
        parse_report({"type": "X"})
    assert info.value.field == "type"


def test_effective_status_and_result_from_tree() -> None:
    data = _uut([
        {"stepType": "ET_NLT", "name": "a", "numericMeas": [{"value": 5, "compOp": "LT", "lowLimit": 3}]},
        {"stepType": "ET_SVT", "name": "b", "stringMeas": [{"value": "x", "compOp": "EQ", "limit": "x"}]},
    ])
    del data["root"]["status"]
    report = parse_report(data)
    a, b = report.root.steps  # type: ignore[union-attr,misc]
    assert a.effective_status() == "F" and b.effective_status() == "P"
    assert report.computed_result() == "F"


def test_dumps_is_compact_json_with_wsjf_non_finite_strings() -> None:
    from pywats.models.report import dumps

    data = {"value": float("nan"), "high": float("inf"), "n": 1.0, "text": "Ω"}
    raw = dumps(data)
    assert isinstance(raw, bytes)
    assert json.loads(raw) == {"value": "NaN", "high": "Infinity", "n": 1.0, "text": "Ω"}
    sample = load("sample-uut.json")
    assert json.loads(dumps(sample)) == sample


def test_steps_built_in_python_get_their_step_type() -> None:
    from pywats.models.report import BooleanMeasurement, NumericMeasurement, StringMeasurement, prepare_for_submit

    report = UUTReport(
        pn="PN", sn="SN", rev="A", process_code=100,
        root=SequenceCallStep(name="Main", steps=[
            NumericLimitStep(name="a", numeric_meas=[NumericMeasurement(value=1, comp_op="GE", low_limit=2)]),
            NumericLimitStep(name="m", numeric_meas=[NumericMeasurement(name="x", value=1, comp_op="LOG"),
                                                     NumericMeasurement(name="y", value=2, comp_op="LOG")]),
            PassFailStep(name="pf", boolean_meas=[BooleanMeasurement(status="P")]),
            StringValueStep(name="s", string_meas=[StringMeasurement(value="a", comp_op="EQ", limit="a")]),
            ActionStep(name="act"),
            ChartStep(name="c"), CallExeStep(name="e"), MessagePopupStep(name="p"), GenericStep(name="g"),
        ]),
    )
    out = report.to_wsjf()
    assert out["root"]["stepType"] == "SequenceCall"
    assert [s["stepType"] for s in out["root"]["steps"]] == [
        "ET_NLT", "ET_MNLT", "ET_PFT", "ET_SVT", "Action", "Chart", "CallExecutable", "MessagePopup", "GenericTest",
    ]
    assert parse_report(out).to_wsjf() == out
    prepared = prepare_for_submit(report)
    assert prepared["root"]["steps"][0]["status"] == "F" and prepared["result"] == "F"
    assert [s["id"] for s in prepared["root"]["steps"]] == list(range(2, 11))



def test_random_unknown_fields_round_trip() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    leaves = st.one_of(
        st.none(), st.booleans(), st.integers(-10**6, 10**6),
        st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
    )
    values = st.recursive(
        leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=8,
    )
    extras = st.dictionaries(st.from_regex(r"zz[A-Za-z]{1,6}", fullmatch=True), values, max_size=3)

    @settings(max_examples=60, deadline=None)
    @given(extras, extras, extras, extras, st.sampled_from(["ET_NLT", "MessagePopup", "NI_Flow_If", "SequenceCall", "XYZ"]))
    def check(root_x: dict[str, Any], uut_x: dict[str, Any], step_x: dict[str, Any], meas_x: dict[str, Any], step_type: str) -> None:
        step: dict[str, Any] = {"id": 2, "stepType": step_type, "name": "s", "status": "P", **step_x}
        step["numericMeas"] = [{"status": "P", "value": 1, "compOp": "LOG", **meas_x}]
        data = _uut([step], **root_x)
        data["uut"].update(uut_x)
        assert parse_report(json.loads(json.dumps(data))).to_wsjf() == data

    check()
