"""ReportBuilder: the integration guide's calls, step kinds, limits, roll-up, output shape."""

from __future__ import annotations

import base64
import csv
import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pywats.models import process_codes
from pywats.models.report import UUTReport, parse_report, prepare_for_submit
from pywats.models.report.timestamps import parse_timestamp
from pywats.tools import ReportBuilder, SequenceBuilder


@pytest.fixture(autouse=True)
def _clean_process_cache() -> Iterator[None]:
    process_codes.clear()
    yield
    process_codes.clear()


def all_steps(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for step in node.get("steps", []):
        yield step
        yield from all_steps(step)


# --- the guide's snippets, as written there ----------------------------------------------

CSV_TEXT = """PartNumber,SerialNumber,TestName,Value,Unit,LowLimit,HighLimit
WIDGET-100,SN-0001,,,,,
WIDGET-100,SN-0001,3V3 rail,3.31,V,3.2,3.4
WIDGET-100,SN-0001,Idle current,0.12,A,,0.5
WIDGET-100,SN-0001,Temperature,41.5,C,,
WIDGET-100,SN-0001,5V rail,5.31,V,4.95,5.05
"""


def test_guide_csv_converter_snippet() -> None:
    # Parse CSV
    data = list(csv.DictReader(CSV_TEXT.splitlines()))

    # Extract header info (first row)
    header = data[0]

    # Create report
    builder = ReportBuilder(
        part_number=header["PartNumber"],
        serial_number=header["SerialNumber"]
    )

    # Add test steps
    for row in data[1:]:  # Skip header row
        builder.add_step(
            name=row["TestName"],
            value=float(row["Value"]),
            unit=row.get("Unit"),
            limits=(
                float(row["LowLimit"]) if row.get("LowLimit") else None,
                float(row["HighLimit"]) if row.get("HighLimit") else None
            )
        )

    report = builder.to_dict()
    steps = report["root"]["steps"]
    assert [s["name"] for s in steps] == ["3V3 rail", "Idle current", "Temperature", "5V rail"]
    meas = [s["numericMeas"][0] for s in steps]
    assert meas[0] == {"status": "P", "value": 3.31, "unit": "V", "compOp": "GELE", "lowLimit": 3.2, "highLimit": 3.4}
    assert meas[1] == {"status": "P", "value": 0.12, "unit": "A", "compOp": "LE", "lowLimit": 0.5}
    assert meas[2] == {"status": "P", "value": 41.5, "unit": "C", "compOp": "LOG"}
    assert meas[3]["status"] == "F" and steps[3]["status"] == "F"
    assert report["result"] == "F" and report["root"]["status"] == "F"
    assert report["pn"] == "WIDGET-100" and report["sn"] == "SN-0001" and report["rev"] == "A"
    assert prepare_for_submit(report)["result"] == "F"


def test_guide_set_operation_type_snippet() -> None:
    data = {"part_number": "WIDGET-100", "serial_number": "SN-12345"}
    builder = ReportBuilder(
        part_number=data["part_number"],
        serial_number=data["serial_number"]
    )

    # Set operation type (test_operation in WATS)
    builder.set_operation_type("FCT")  # or "Functional Test"

    out = builder.to_dict()
    # unknown name: processName only, resolved on the submit path
    assert out["processName"] == "FCT" and "processCode" not in out
    process_codes.remember([(60, "FCT")])
    out = builder.to_dict()
    assert out["processCode"] == 60 and "processName" not in out


def test_guide_box_build_snippet() -> None:
    # Main unit report
    builder = ReportBuilder(
        part_number="BOX-ASSEMBLY",
        serial_number="BOX-SN-001"
    )

    # Add subunits
    builder.add_subunit(
        part_number="PCB-MAIN",
        serial_number="PCB-001"
    )
    builder.add_subunit(
        part_number="POWER-SUPPLY",
        serial_number="PSU-001"
    )

    # Add assembly tests
    builder.add_step(
        name="Power-On Test",
        status="Passed"
    )

    report_data = builder.to_dict()
    assert report_data["subUnits"] == [
        {"partType": "Unknown", "pn": "PCB-MAIN", "sn": "PCB-001"},
        {"partType": "Unknown", "pn": "POWER-SUPPLY", "sn": "PSU-001"},
    ]
    step = report_data["root"]["steps"][0]
    assert step == {"id": 2, "stepType": "Action", "name": "Power-On Test", "group": "M", "status": "P"}
    assert report_data["result"] == "P"
    prepare_for_submit(report_data)


def test_guide_large_report_snippet() -> None:
    builder = ReportBuilder(part_number="WIDGET-100", serial_number="SN-1")
    for i in range(10000):
        builder.add_step(name=f"Step {i}", value=float(i), limits=(0, 20000))
    report = builder.to_dict()
    assert len(report["root"]["steps"]) == 10000
    ids = [s["id"] for s in all_steps(report["root"])]
    assert len(set(ids)) == 10000 and min(ids) == 2
    assert prepare_for_submit(report)["result"] == "P"


# --- header ---------------------------------------------------------------------------------


def test_header_fields_and_defaults() -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    out = builder.to_dict()
    assert out["type"] == "T"
    assert uuid.UUID(out["id"]).version == 4
    assert out["processCode"] == 100
    assert out["uut"] == {}
    for key in ("machineName", "location", "purpose"):
        assert key not in out  # the station client fills them
    assert out["root"] == {
        "id": 1, "stepType": "SequenceCall", "name": "MainSequence Callback", "group": "M", "status": "P",
        "seqCall": {"path": "ReportBuilder.seq", "name": "MainSequence Callback", "version": "1.0.0"}, "steps": [],
    }
    assert out["result"] == "P"
    assert builder.to_dict()["id"] == out["id"]  # fixed per builder (idempotent submit)
    assert ReportBuilder(part_number="PN", serial_number="SN").id != out["id"]


def test_header_all_arguments() -> None:
    start = datetime(2026, 1, 15, 10, 30, tzinfo=timezone(timedelta(hours=1)))
    builder = ReportBuilder(
        part_number="PN", serial_number="SN", revision="B", operator="alice", station_name="FCT-1",
        location="Line 1", purpose="Production", process_code=50, start=start,
        comment="c", fixture_id="FX", batch_serial_number="B1", exec_time=1.5, test_socket_index=0,
        error_code=0, error_message="none",
    )
    out = builder.to_dict()
    assert out["rev"] == "B" and out["processCode"] == 50
    assert (out["machineName"], out["location"], out["purpose"]) == ("FCT-1", "Line 1", "Production")
    assert out["start"] == "2026-01-15T10:30:00.000+01:00"
    assert out["startUTC"] == "2026-01-15T09:30:00.000Z"
    assert out["uut"] == {"user": "alice", "comment": "c", "execTime": 1.5, "fixtureId": "FX",
                          "testSocketIndex": 0, "batchSN": "B1", "errorCode": 0, "errorMessage": "none"}


def test_start_defaults_to_now_with_local_offset() -> None:
    out = ReportBuilder(part_number="PN", serial_number="SN").to_dict()
    start = parse_timestamp(out["start"])
    local_offset = datetime.now().astimezone().utcoffset()
    assert start.utcoffset() == local_offset
    assert parse_timestamp(out["startUTC"]) == start and out["startUTC"].endswith("Z")
    assert abs(datetime.now(timezone.utc) - start) < timedelta(minutes=1)
    naive = ReportBuilder(part_number="PN", serial_number="SN", start=datetime(2026, 3, 1, 8, 0)).to_dict()
    assert parse_timestamp(naive["start"]) == datetime(2026, 3, 1, 8, 0).astimezone()


@pytest.mark.parametrize(("operation", "code"), [(60, 60), ("60", 60), (" 70 ", 70)])
def test_set_operation_type_codes(operation: Any, code: int) -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN").set_operation_type(operation)
    assert builder.to_dict()["processCode"] == code


def test_set_operation_type_name_resolves_ignoring_case() -> None:
    process_codes.remember([(80, "Functional Test")])
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    builder.set_operation_type("functional test")
    assert builder.to_dict()["processCode"] == 80
    with pytest.raises(ValueError):
        builder.set_operation_type("")
    with pytest.raises(TypeError):
        builder.set_operation_type(True)


def test_misc_info_assets_subunit_details() -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    builder.add_misc_info("Firmware build", "2026.01.15").add_misc_info("Line", 3)
    builder.add_subunit(part_number="PCB", serial_number="P1", revision="B", part_type="PCBA", position=1)
    builder.add_asset("DMM-7", usage_count=12)
    out = builder.to_dict()
    assert out["miscInfos"] == [{"description": "Firmware build", "text": "2026.01.15"}, {"description": "Line", "numeric": 3}]
    assert out["subUnits"] == [{"partType": "PCBA", "pn": "PCB", "rev": "B", "sn": "P1", "position": 1}]
    assert out["assets"] == [{"assetSN": "DMM-7", "usageCount": 12}]


def test_bad_header_input() -> None:
    with pytest.raises(ValueError, match="serial_number"):
        ReportBuilder(part_number="PN", serial_number="")
    with pytest.raises(ValueError, match="result"):
        ReportBuilder(part_number="PN", serial_number="SN", result="Done")


# --- steps ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "meas", "status"),
    [
        ({"value": 2.0, "limits": (1, 3)}, {"compOp": "GELE", "lowLimit": 1, "highLimit": 3}, "P"),
        ({"value": 2.0, "limits": (1, None)}, {"compOp": "GE", "lowLimit": 1}, "P"),
        ({"value": 2.0, "limits": (None, 1)}, {"compOp": "LE", "lowLimit": 1}, "F"),
        ({"value": 2.0}, {"compOp": "LOG"}, "P"),
        ({"value": 2.0, "limits": (None, None)}, {"compOp": "LOG"}, "P"),
        ({"value": 2, "limits": (1, 3), "comp_op": "GTLT"}, {"compOp": "GTLT", "lowLimit": 1, "highLimit": 3}, "P"),
        ({"value": 0.7, "limits": (None, 0.5), "comp_op": "LT"}, {"compOp": "LT", "lowLimit": 0.5}, "F"),
        ({"value": 0.3, "limits": (0.5, None), "comp_op": "lt"}, {"compOp": "LT", "lowLimit": 0.5}, "P"),
        ({"value": 5, "limits": (5, None), "comp_op": "EQ"}, {"compOp": "EQ", "lowLimit": 5}, "P"),
        ({"value": 2.0, "limits": (1, 3), "comp_op": "LTGT"}, {"compOp": "LTGT", "lowLimit": 1, "highLimit": 3}, "F"),
        ({"value": 2.0, "low_limit": 1, "high_limit": 3}, {"compOp": "GELE", "lowLimit": 1, "highLimit": 3}, "P"),
        ({"value": 9.0, "limits": (1, 3), "status": "Passed"}, {"compOp": "GELE", "lowLimit": 1, "highLimit": 3}, "P"),
        ({"value": float("nan"), "limits": (1, 3)}, {"compOp": "GELE", "lowLimit": 1, "highLimit": 3}, "F"),
        ({"value": 2.5, "limits": [1, 3]}, {"compOp": "GELE", "lowLimit": 1, "highLimit": 3}, "P"),
    ],
)
def test_numeric_steps(kwargs: dict[str, Any], meas: dict[str, Any], status: str) -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    builder.add_step(name="n", **kwargs)
    step = builder.to_dict()["root"]["steps"][0]
    assert step["stepType"] == "ET_NLT" and step["status"] == status
    got = step["numericMeas"][0]
    for key, value in meas.items():
        assert got[key] == value, key
    assert ("highLimit" in got) == ("highLimit" in meas)
    assert got["status"] == status


def test_value_types_kept() -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    builder.add_step(name="i", value=3, limits=(1, 5))
    builder.add_step(name="nan", value=float("nan"))
    steps = builder.to_dict()["root"]["steps"]
    assert type(steps[0]["numericMeas"][0]["value"]) is int
    assert steps[1]["numericMeas"][0]["value"] == "NaN" and steps[1]["status"] == "P"  # LOG only


def test_bool_string_and_action_steps() -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    builder.add_step(name="LED", value=True)
    builder.add_step(name="Relay", value=False)
    builder.add_step(name="FW", value="1.2.3", limits=("1.2.3", None))
    builder.add_step(name="FW2", value="ABC", limit="abc", comp_op="IGNORECASE")
    builder.add_step(name="FW3", value="1.2.4", limit="1.2.3")
    builder.add_step(name="Log", value="free text")
    builder.add_step(name="Done")
    builder.add_step(name="Skip", status="skipped")
    builder.add_step(name="Setup", status="ok", group="S")
    steps = {s["name"]: s for s in builder.to_dict()["root"]["steps"]}
    assert steps["LED"]["stepType"] == "ET_PFT" and steps["LED"]["booleanMeas"] == [{"status": "P"}]
    assert steps["Relay"]["status"] == "F" and steps["Relay"]["booleanMeas"] == [{"status": "F"}]
    assert "value" not in steps["LED"]["booleanMeas"][0]  # no peer quirk
    assert steps["FW"]["stringMeas"] == [{"status": "P", "value": "1.2.3", "compOp": "CASESENSIT", "limit": "1.2.3"}]
    assert steps["FW2"]["stringMeas"][0]["status"] == "P" and steps["FW2"]["stringMeas"][0]["compOp"] == "IGNORECASE"
    assert steps["FW3"]["status"] == "F"
    assert steps["Log"]["stringMeas"] == [{"status": "P", "value": "free text", "compOp": "LOG"}]
    assert steps["Done"]["stepType"] == "Action" and steps["Done"]["status"] == "D"
    assert steps["Skip"]["status"] == "S"
    assert steps["Setup"]["status"] == "P" and steps["Setup"]["group"] == "S"


@pytest.mark.parametrize("word", ["Failed", "fail", "F", "ng", False])
def test_status_words_fail_the_report(word: Any) -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    builder.add_step(name="x", status=word)
    assert builder.to_dict()["result"] == "F"


def test_status_error_and_terminated_roll_up() -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    builder.add_step(name="a", value=1.0, limits=(2, 3))
    assert builder.to_dict()["result"] == "F"
    builder.add_step(name="b", status="Terminated")
    assert builder.to_dict()["result"] == "T"
    builder.add_step(name="c", status="Error")
    assert builder.to_dict()["result"] == "E"
    forced = ReportBuilder(part_number="PN", serial_number="SN", result="Passed")
    forced.add_step(name="a", value=1.0, limits=(2, 3))
    assert forced.to_dict()["result"] == "P"


def test_bad_step_input_names_the_step() -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    with pytest.raises(ValueError, match="'x'.*maybe"):
        builder.add_step(name="x", value=1.0, status="maybe")
    with pytest.raises(ValueError, match="'y'.*BETWEEN"):
        builder.add_step(name="y", value=1.0, limits=(0, 1), comp_op="BETWEEN")
    with pytest.raises(ValueError, match="'z'.*both"):
        builder.add_step(name="z", value=1.0, limits=(0, None), comp_op="GELE")
    with pytest.raises(TypeError, match="'w'"):
        builder.add_step(name="w", value=[1, 2])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'v'"):
        builder.add_step(name="v", value="a", comp_op="EQ")
    with pytest.raises(ValueError, match="group"):
        builder.add_step(name="g", value=1.0, group="X")


def test_multi_steps() -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    builder.add_multi_step("Channels", measurements=[
        {"name": "CH1", "value": 1.01, "unit": "V", "limits": (0.9, 1.1)},
        {"name": "CH2", "value": 2.02, "unit": "V"},
        {"name": "CH3", "value": 0.7, "limits": (None, 0.5), "comp_op": "LT"},
    ])
    builder.add_multi_step("Flags", measurements=[{"name": "a", "value": True}, {"name": "b", "value": True}])
    builder.add_multi_step("Texts", measurements=[{"name": "a", "value": "x", "limit": "x"}, {"name": "b", "value": "y"}])
    steps = builder.to_dict()["root"]["steps"]
    assert steps[0]["stepType"] == "ET_MNLT" and steps[0]["status"] == "F"
    assert [m["status"] for m in steps[0]["numericMeas"]] == ["P", "P", "F"]
    assert steps[0]["numericMeas"][2] == {"name": "CH3", "status": "F", "value": 0.7, "compOp": "LT", "lowLimit": 0.5}
    assert steps[1]["stepType"] == "ET_MPFT" and steps[1]["booleanMeas"] == [{"name": "a", "status": "P"}, {"name": "b", "status": "P"}]
    assert steps[2]["stepType"] == "ET_MSVT" and steps[2]["status"] == "P"
    with pytest.raises(TypeError, match="one kind"):
        builder.add_multi_step("Mixed", measurements=[{"name": "a", "value": 1.0}, {"name": "b", "value": "x"}])
    with pytest.raises(ValueError, match="duplicate"):
        builder.add_multi_step("Dup", measurements=[{"name": "a", "value": 1.0}, {"name": "a", "value": 2.0}])
    with pytest.raises(ValueError, match="at least one"):
        builder.add_multi_step("Empty", measurements=[])


def test_nested_sequences_context_manager_and_sub_builder() -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    builder.add_step(name="first", value=1.0, limits=(0, 2))
    with builder.sequence("Power") as power:
        assert isinstance(power, SequenceBuilder) and power.name == "Power"
        builder.add_step(name="3V3", value=3.3, limits=(3.2, 3.4))
        with builder.sequence("Rails"):
            builder.add_step(name="5V", value=5.5, limits=(4.95, 5.05))
        power.add_step(name="after", value=True)
    builder.add_step(name="last", status="P")
    radio = builder.add_sequence("Radio")
    radio.add_step(name="rssi", value=-40, limits=(-60, -30))
    deeper = radio.add_sequence("Deeper", status="Skipped")
    deeper.add_step(name="ignored", value=False)
    out = builder.to_dict()
    root = out["root"]
    assert [s["name"] for s in root["steps"]] == ["first", "Power", "last", "Radio"]
    power_node = root["steps"][1]
    assert power_node["stepType"] == "SequenceCall" and power_node["seqCall"]["name"] == "Power"
    assert [s["name"] for s in power_node["steps"]] == ["3V3", "Rails", "after"]
    assert power_node["steps"][1]["status"] == "F" and power_node["status"] == "F"
    radio_node = root["steps"][3]
    assert radio_node["status"] == "P"  # the skipped sub-sequence does not fail it
    assert radio_node["steps"][1]["status"] == "S"
    assert root["status"] == "F" and out["result"] == "F"
    ids = [s["id"] for s in all_steps(root)]
    assert len(ids) == len(set(ids)) == 11 and 1 not in ids


def test_sequence_context_restored_after_exception() -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    with pytest.raises(RuntimeError), builder.sequence("S"):
        raise RuntimeError("boom")
    builder.add_step(name="top", value=True)
    assert builder.to_dict()["root"]["steps"][1]["name"] == "top"


def test_attachments() -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    builder.add_attachment("run.log", b"hello world\n", description="Test log")
    builder.add_attachment("photo.jpg", b"\xff\xd8\xff")
    builder.add_attachment("blob.zzz", b"\x00", content_type="application/x-custom")
    steps = builder.to_dict()["root"]["steps"]
    assert steps[0] == {
        "id": 2, "stepType": "Action", "name": "run.log", "group": "M", "status": "D", "reportText": "Test log",
        "attachment": {"name": "run.log", "contentType": "text/plain", "data": "aGVsbG8gd29ybGQK"},
    }
    assert steps[1]["attachment"]["contentType"] == "image/jpeg"
    assert base64.b64decode(steps[1]["attachment"]["data"]) == b"\xff\xd8\xff"
    assert "reportText" not in steps[1]
    assert steps[2]["attachment"]["contentType"] == "application/x-custom"
    assert builder.to_dict()["result"] == "P"
    with pytest.raises(TypeError):
        builder.add_attachment("x", "text")  # type: ignore[arg-type]
    report = builder.build()
    assert report.root.steps[0].attachment.data == "aGVsbG8gd29ybGQK"  # type: ignore[union-attr]


def test_raw_steps_of_other_types() -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    builder.add_raw_step({"stepType": "MessagePopup", "name": "Ask", "status": "P",
                          "messagePopup": {"response": "Yes", "button": 1}})
    builder.add_raw_step({"stepType": "CallExecutable", "name": "Flash", "status": "F", "callExe": {"exitCode": 3}})
    out = builder.to_dict()
    assert out["root"]["steps"][0]["id"] == 2 and out["result"] == "F"
    report = builder.build()
    assert type(report.root.steps[0]).__name__ == "MessagePopupStep"  # type: ignore[union-attr]


def test_build_returns_model_that_round_trips() -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN", operator="op", station_name="st")
    builder.add_step(name="a", value=1.5, unit="V", limits=(1, 2))
    with builder.sequence("S"):
        builder.add_step(name="b", value="x", limit="x")
    builder.add_subunit(part_number="P", serial_number="S")
    builder.add_misc_info("k", "v")
    report = builder.build()
    assert isinstance(report, UUTReport)
    assert report.uut.user == "op" and report.machine_name == "st"  # type: ignore[union-attr]
    out = builder.to_dict()
    assert report.to_wsjf() == json.loads(json.dumps(out))
    assert parse_report(out).to_wsjf() == out
    assert prepare_for_submit(report)["root"] == prepare_for_submit(out)["root"]
