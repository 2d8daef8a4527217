"""UURBuilder (repair reports) and builder extras (loops)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pywats.models import process_codes
from pywats.models.report import UnresolvedProcessError, UURReport, parse_report, prepare_for_submit
from pywats.tools import ReportBuilder, UURBuilder

DATA = Path(__file__).resolve().parents[2] / "data" / "reports"


@pytest.fixture(autouse=True)
def _clean_process_cache() -> Iterator[None]:
    process_codes.clear()
    yield
    process_codes.clear()


def test_uur_for_uut_matches_reference_shape() -> None:
    uut = json.loads((DATA / "sample-uut.json").read_text(encoding="utf-8"))
    builder = UURBuilder.for_uut(
        uut, operator="bob", comment="Replaced regulator U7", station_name="REPAIR-01",
        location="Building A - Repair", purpose="Repair",
    )
    builder.add_failure(category="Component", code="Defect Component", component_ref="U7",
                        comment="5V rail high", ref_step_id=3)
    builder.add_attachment("photo.jpg", b"\xff\xd8\xff\xe0")
    builder.set_dates(confirm=datetime(2026, 1, 15, 13, 20, tzinfo=timezone.utc))
    out = builder.to_dict()
    assert out["type"] == "R" and out["processCode"] == 500 and out["result"] == "P"
    assert (out["pn"], out["sn"], out["rev"]) == ("WIDGET-100", "SN-12345", "A")
    assert out["uur"] == {
        "user": "bob", "comment": "Replaced regulator U7", "processCode": 100,
        "refUUT": "7d7a5a8e-3a0b-4f2e-9a55-2c1b8f0e4d11", "confirmDate": "2026-01-15T13:20:00.000Z",
    }
    assert out["subUnits"] == [{
        "partType": "Main", "pn": "WIDGET-100", "rev": "A", "sn": "SN-12345", "idx": 0,
        "failures": [{"category": "Component", "code": "Defect Component", "comRef": "U7",
                      "comment": "5V rail high", "refStepId": 3}],
    }]
    assert out["binaryData"] == [{"name": "photo.jpg", "contentType": "image/jpeg", "data": "/9j/4A=="}]
    assert "active" not in out["uur"]  # no peer quirk
    assert prepare_for_submit(out)["subUnits"] == out["subUnits"]
    model = builder.build()
    assert isinstance(model, UURReport) and model.to_wsjf() == out
    assert parse_report(out).to_wsjf() == out


def test_uur_sub_unit_tree_and_errors() -> None:
    builder = UURBuilder(part_number="PN", serial_number="SN", test_operation="FCT")
    old = builder.add_subunit(part_number="PSU", serial_number="PSU-1", part_type="PSU")
    new = builder.add_subunit(part_number="PSU", serial_number="PSU-2", part_type="PSU", replaced_idx=old)
    builder.add_failure(category="Component", code="Dead", sub_unit_idx=old, attachments=[("scope.png", b"\x89PNG")])
    out = builder.to_dict()
    assert [u["idx"] for u in out["subUnits"]] == [0, 1, 2]
    assert out["subUnits"][2]["replacedIdx"] == old and out["subUnits"][2]["parentIdx"] == 0 and new == 2
    assert out["subUnits"][1]["failures"][0]["attachments"][0]["contentType"] == "image/png"
    assert out["uur"] == {"processName": "FCT"}
    with pytest.raises(UnresolvedProcessError) as info:
        prepare_for_submit(out)
    assert info.value.field == "uur.processName" and info.value.process_name == "FCT"
    process_codes.remember([(60, "FCT")])
    assert prepare_for_submit(out)["uur"] == {"processName": "FCT", "processCode": 60}
    assert builder.to_dict()["uur"] == {"processCode": 60}
    with pytest.raises(ValueError, match="idx 9"):
        builder.add_failure(category="c", code="x", sub_unit_idx=9)
    with pytest.raises(ValueError, match="idx 7"):
        builder.add_subunit(part_number="a", serial_number="b", parent_idx=7)
    with pytest.raises(ValueError, match="result"):
        UURBuilder(part_number="PN", serial_number="SN", result="Skipped")


def test_uur_for_builder() -> None:
    uut = ReportBuilder(part_number="PN", serial_number="SN", revision="C", process_code=70)
    uur = UURBuilder.for_uut(uut).set_operation_type(510)
    out = uur.to_dict()
    assert out["rev"] == "C" and out["processCode"] == 510 and out["uur"]["refUUT"] == uut.id
    assert out["uur"]["processCode"] == 70


def test_loop_info_uses_idx_num() -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    for i in range(3):
        builder.add_step(name="retry", value=float(i), limits=(1, 5), loop=(i, 3))
    steps = builder.to_dict()["root"]["steps"]
    assert [s["loop"] for s in steps] == [{"idx": 0, "num": 3}, {"idx": 1, "num": 3}, {"idx": 2, "num": 3}]
    assert builder.build().root.steps[2].loop.idx == 2  # type: ignore[union-attr]
    with pytest.raises(TypeError, match="loop idx"):
        builder.add_step(name="bad", value=1.0, loop=("a", 3))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="step name"):
        builder.add_step(name=None, value=1.0)  # type: ignore[arg-type]
