"""prepare_for_submit: defaults, status filling, process resolution, validation errors."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from pywats.exceptions import ValidationError
from pywats.models import process_codes
from pywats.models.report import (
    DEFAULT_LOCATION,
    DEFAULT_PURPOSE,
    UnresolvedProcessError,
    parse_report,
    prepare_for_submit,
)
from pywats.models.report.submit import default_machine_name
from pywats.models.report.timestamps import format_utc, parse_timestamp, start_pair
from pywats.tools import ReportBuilder

DATA = Path(__file__).resolve().parents[2] / "data" / "reports"


@pytest.fixture(autouse=True)
def _clean_process_cache() -> Iterator[None]:
    process_codes.clear()
    yield
    process_codes.clear()


def load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def minimal(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "pn": "PN",
        "sn": "SN",
        "rev": "A",
        "processCode": 100,
        "root": {
            "stepType": "SequenceCall",
            "name": "Main",
            "steps": [
                {"stepType": "ET_NLT", "name": "v", "numericMeas": [{"value": 3.3, "compOp": "GELE", "lowLimit": 3.2, "highLimit": 3.4}]},
            ],
        },
    }
    data.update(over)
    return data


@pytest.mark.parametrize("name", ["sample-uut.json", "sample-uur.json", "sample-uut-peer.json"])
def test_samples_pass_and_are_not_modified(name: str) -> None:
    data = load(name)
    before = copy.deepcopy(data)
    out = prepare_for_submit(data)
    assert data == before  # input untouched
    assert out["id"] == data["id"] and out["result"] == data["result"]
    assert "startUTC" in out
    for key, value in before.items():
        if key not in ("subUnits", "root"):
            assert out[key] == value, key
    if "id" in before.get("root", {}):
        assert out["root"] == before["root"]


def test_peer_sample_gets_start_utc() -> None:
    out = prepare_for_submit(load("sample-uut-peer.json"))
    assert out["start"] == "2026-01-15T10:30:00Z"
    assert out["startUTC"] == "2026-01-15T10:30:00.000Z"


def test_defaults_filled() -> None:
    out = prepare_for_submit(minimal())
    assert out["type"] == "T"
    uuid.UUID(out["id"])
    assert out["machineName"] == default_machine_name()
    assert out["location"] == DEFAULT_LOCATION == "Unknown"
    assert out["purpose"] == DEFAULT_PURPOSE == "Development"
    assert out["uut"] == {}
    start = parse_timestamp(out["start"])
    assert start.utcoffset() is not None and out["start"][-6] in "+-"
    assert parse_timestamp(out["startUTC"]) == start and out["startUTC"].endswith("Z")
    assert abs(start - datetime.now(timezone.utc)) < timedelta(minutes=1)
    # statuses computed: measurement, step, root, result
    step = out["root"]["steps"][0]
    assert step["numericMeas"][0]["status"] == "P" and step["status"] == "P"
    assert out["root"]["status"] == "P" and out["result"] == "P"


def test_station_fields_kept_when_given() -> None:
    out = prepare_for_submit(minimal(machineName="FCT-1", location="Line 1", purpose="Production"))
    assert (out["machineName"], out["location"], out["purpose"]) == ("FCT-1", "Line 1", "Production")


def test_step_ids_filled_and_checked() -> None:
    out = prepare_for_submit(load("sample-uut-peer.json"))  # no step has an id
    ids = []
    stack = [out["root"]]
    while stack:
        node = stack.pop(0)
        ids.append(node["id"])
        stack = list(node.get("steps", [])) + stack
    assert ids == list(range(1, 8))
    data = minimal()
    data["root"]["id"] = 10
    data["root"]["steps"].append({"stepType": "Action", "name": "a", "id": 10})
    with pytest.raises(ValidationError) as info:
        prepare_for_submit(data)
    assert info.value.field == "root.steps[1].id"
    data["root"]["steps"][1]["id"] = 12
    out = prepare_for_submit(data)
    assert [s["id"] for s in out["root"]["steps"]] == [13, 12]


def test_empty_station_fields_get_defaults() -> None:
    out = prepare_for_submit(minimal(machineName="", location="", purpose=""))
    assert (out["machineName"], out["location"], out["purpose"]) == (default_machine_name(), "Unknown", "Development")


def test_failed_measurement_rolls_up_through_sequences() -> None:
    data = minimal()
    data["root"]["steps"].append(
        {"stepType": "SequenceCall", "name": "Inner", "steps": [
            {"stepType": "ET_NLT", "name": "lt", "numericMeas": [{"value": 0.7, "compOp": "LT", "lowLimit": 0.5}]},
            {"stepType": "Action", "name": "note"},
        ]}
    )
    out = prepare_for_submit(data)
    inner = out["root"]["steps"][1]
    assert inner["steps"][0]["numericMeas"][0]["status"] == "F"
    assert inner["steps"][0]["status"] == "F"
    assert inner["steps"][1]["status"] == "D"
    assert inner["status"] == "F" and out["root"]["status"] == "F" and out["result"] == "F"
    assert "status" not in data["root"]["steps"][1]  # input not modified


def test_given_status_wins_over_limits() -> None:
    data = minimal()
    data["root"]["steps"][0]["status"] = "P"
    data["root"]["steps"][0]["numericMeas"][0].update(value=99.0, status="P")
    out = prepare_for_submit(data)
    assert out["root"]["steps"][0]["status"] == "P" and out["result"] == "P"


def test_error_and_terminated_roll_up() -> None:
    data = minimal()
    data["root"]["steps"] += [{"stepType": "Action", "name": "t", "status": "T"}, {"stepType": "Action", "name": "e", "status": "E"}]
    assert prepare_for_submit(data)["result"] == "E"
    data["root"]["steps"].pop()
    assert prepare_for_submit(data)["result"] == "T"


def test_given_result_kept() -> None:
    assert prepare_for_submit(minimal(result="F"))["result"] == "F"


def test_start_without_offset_gets_local_offset() -> None:
    out = prepare_for_submit(minimal(start="2026-01-15T10:30:00"))
    local = datetime(2026, 1, 15, 10, 30).astimezone()
    assert parse_timestamp(out["start"]) == local
    assert out["start"].endswith(local.isoformat()[-6:])
    assert out["startUTC"] == format_utc(local)


def test_start_from_datetime_and_start_from_start_utc() -> None:
    dt = datetime(2026, 1, 15, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    out = prepare_for_submit(minimal(start=dt))
    assert out["start"] == "2026-01-15T10:30:00.000+02:00" and out["startUTC"] == "2026-01-15T08:30:00.000Z"
    out = prepare_for_submit(minimal(startUTC="2026-01-15T08:30:00Z"))
    assert parse_timestamp(out["start"]) == dt and out["startUTC"] == "2026-01-15T08:30:00Z"


def test_timestamps_seven_digits_and_z() -> None:
    value = parse_timestamp("2026-01-30T22:01:41.4707353+01:00")
    assert value.microsecond == 470735 and value.utcoffset() == timedelta(hours=1)
    assert start_pair("2026-01-30T22:01:41.4707353+01:00") == (
        "2026-01-30T22:01:41.4707353+01:00",
        "2026-01-30T21:01:41.470Z",
    )
    with pytest.raises(ValueError):
        parse_timestamp("30/01/2026")


def test_process_name_resolved_through_cache() -> None:
    data = minimal(processName="FCT")
    del data["processCode"]
    with pytest.raises(UnresolvedProcessError) as info:
        prepare_for_submit(data)
    assert info.value.process_name == "FCT" and info.value.field == "processName"
    assert isinstance(info.value, ValidationError)
    process_codes.remember([(60, "FCT")])
    out = prepare_for_submit(data)
    assert out["processCode"] == 60 and out["processName"] == "FCT"
    process_codes.clear()
    process_codes.remember([(61, "Functional Test")])
    data["processName"] = "functional test"
    out = prepare_for_submit(data)
    assert out["processCode"] == 61 and "processName" not in out  # case differs from the server's name


def test_uur_defaults_main_sub_unit() -> None:
    out = prepare_for_submit({"type": "R", "pn": "PN", "sn": "SN", "rev": "A", "processCode": 500, "uur": {"processCode": 100}})
    assert out["result"] == "P"
    assert out["subUnits"][0] == {"partType": "Main", "pn": "PN", "rev": "A", "sn": "SN", "idx": 0}
    assert "root" not in out


def test_builder_and_model_accepted() -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    builder.add_step(name="v", value=1.0, limits=(0, 2))
    assert prepare_for_submit(builder)["id"] == builder.id
    model = parse_report(load("sample-uut.json"))
    assert prepare_for_submit(model)["id"] == "7d7a5a8e-3a0b-4f2e-9a55-2c1b8f0e4d11"
    with pytest.raises(TypeError):
        prepare_for_submit(42)


def _steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data["root"]["steps"]


INVALID = [
    (lambda d: d.update(type="X"), "type"),
    (lambda d: d.update(id="not-a-guid"), "id"),
    (lambda d: d.pop("pn"), "pn"),
    (lambda d: d.update(sn=""), "sn"),
    (lambda d: d.update(rev=5), "rev"),
    (lambda d: d.update(pn="x" * 101), "pn"),
    (lambda d: d.pop("processCode"), "processCode"),
    (lambda d: d.update(processCode="abc"), "processCode"),
    (lambda d: d.update(result="D"), "result"),
    (lambda d: d.update(result="Passed"), "result"),
    (lambda d: d.update(start="yesterday"), "start"),
    (lambda d: d.update(startUTC="never"), "startUTC"),
    (lambda d: d.update(machineName=7), "machineName"),
    (lambda d: d.pop("root"), "root"),
    (lambda d: d.update(uut="alice"), "uut"),
    (lambda d: d.update(miscInfos=[{"text": "x"}]), "miscInfos[0].description"),
    (lambda d: d.update(miscInfos=[{"description": "d"}]), "miscInfos[0].text"),
    (lambda d: d.update(subUnits=[{"pn": "p", "sn": "s"}]), "subUnits[0].partType"),
    (lambda d: d.update(assets=[{"usageCount": 1}]), "assets[0].assetSN"),
    (lambda d: _steps(d)[0].update(status="X"), "root.steps[0].status"),
    (lambda d: _steps(d)[0].update(group="Z"), "root.steps[0].group"),
    (lambda d: _steps(d)[0].pop("stepType"), "root.steps[0].stepType"),
    (lambda d: _steps(d)[0]["numericMeas"][0].update(compOp="BETWEEN"), "root.steps[0].numericMeas[0].compOp"),
    (lambda d: _steps(d)[0]["numericMeas"][0].update(compOp="LT", lowLimit=None, highLimit=5), "root.steps[0].numericMeas[0].lowLimit"),
    (lambda d: _steps(d)[0]["numericMeas"][0].pop("highLimit"), "root.steps[0].numericMeas[0].highLimit"),
    (lambda d: _steps(d)[0]["numericMeas"][0].update(value="3.3"), "root.steps[0].numericMeas[0].value"),
    (lambda d: _steps(d)[0]["numericMeas"][0].update(value=True), "root.steps[0].numericMeas[0].value"),
    (lambda d: _steps(d)[0]["numericMeas"][0].pop("value"), "root.steps[0].numericMeas[0].value"),
    (lambda d: _steps(d)[0]["numericMeas"][0].update(status="D"), "root.steps[0].numericMeas[0].status"),
    (lambda d: _steps(d).append({"stepType": "ET_SVT", "name": "s", "stringMeas": [{"value": "a", "compOp": "GT", "limit": "a"}]}), "root.steps[1].stringMeas[0].compOp"),
    (lambda d: _steps(d).append({"stepType": "ET_SVT", "name": "s", "stringMeas": [{"value": "a", "compOp": "EQ"}]}), "root.steps[1].stringMeas[0].limit"),
    (lambda d: _steps(d).append({"stepType": "ET_PFT", "name": "b", "booleanMeas": [{}]}), "root.steps[1].booleanMeas[0].status"),
    (lambda d: _steps(d).append({"stepType": "ET_NLT", "name": "l", "loop": {"idx": "one"}}), "root.steps[1].loop.idx"),
    (lambda d: _steps(d).append({"stepType": "Action", "name": "a", "attachment": {"name": "x"}}), "root.steps[1].attachment.data"),
    (lambda d: _steps(d).append({"stepType": "SequenceCall", "name": "s", "steps": [{"stepType": "Action", "name": 5}]}), "root.steps[1].steps[0].name"),
    (lambda d: _steps(d).append("not a step"), "root.steps[1]"),
]


@pytest.mark.parametrize(("mutate", "field"), INVALID, ids=[f for _, f in INVALID])
def test_validation_errors_name_the_field(mutate: Any, field: str) -> None:
    data = minimal()
    mutate(data)
    with pytest.raises(ValidationError) as info:
        prepare_for_submit(data)
    assert info.value.field == field
    assert field in str(info.value)
    assert info.value.status_code is None


def test_repair_report_validation() -> None:
    base = {"type": "R", "pn": "PN", "sn": "SN", "rev": "A", "processCode": 500}
    with pytest.raises(ValidationError) as info:
        prepare_for_submit({**base, "uur": {"refUUT": "nope"}})
    assert info.value.field == "uur.refUUT"
    with pytest.raises(ValidationError) as info:
        prepare_for_submit({**base, "subUnits": [{"partType": "Main", "pn": "p", "sn": "s", "idx": 0, "failures": [{"refStepId": "3"}]}]})
    assert info.value.field == "subUnits[0].failures[0].refStepId"
    with pytest.raises(ValidationError) as info:
        prepare_for_submit({**base, "subUnits": [{"partType": "Main", "pn": "p", "sn": "s", "idx": 0}, {"partType": "X", "pn": "p", "sn": "s"}]})
    assert info.value.field == "subUnits[1].idx"


def test_nan_value_becomes_string_and_fails() -> None:
    data = minimal()
    _steps(data)[0]["numericMeas"][0]["value"] = float("nan")
    out = prepare_for_submit(data)
    meas = out["root"]["steps"][0]["numericMeas"][0]
    assert meas["value"] == "NaN" and meas["status"] == "F" and out["result"] == "F"
    json.dumps(out, allow_nan=False)
