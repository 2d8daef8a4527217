"""Wire contract: what ``prepare_for_submit`` puts on the wire for WSJF.

Peer-package spellings that real WATS does not read must not reach the server: loop
``{i, n}`` → ``{idx, num}``, no ``booleanMeas[].value``, no ``uur.active``.
"""

from __future__ import annotations

from typing import Any

from pywats.models.report.submit import prepare_for_submit


def _uut(step: dict[str, Any]) -> dict[str, Any]:
    return {
        "pn": "PN-1", "sn": "SN-1", "rev": "A", "processCode": 100,
        "start": "2026-01-15T10:30:00+01:00",
        "root": {"stepType": "SequenceCall", "name": "Main", "steps": [step]},
    }


def test_loop_i_n_sent_as_idx_num() -> None:
    out = prepare_for_submit(_uut({"stepType": "ET_A", "name": "x", "status": "D", "loop": {"i": 2, "n": 5}}))
    assert out["root"]["steps"][0]["loop"] == {"idx": 2, "num": 5}


def test_loop_idx_num_kept_and_wins_over_i_n() -> None:
    out = prepare_for_submit(
        _uut({"stepType": "ET_A", "name": "x", "status": "D", "loop": {"idx": 1, "num": 3, "i": 9, "n": 9}})
    )
    assert out["root"]["steps"][0]["loop"] == {"idx": 1, "num": 3}


def test_boolean_value_not_sent_but_decides_missing_status() -> None:
    step = {"stepType": "ET_PFT", "name": "b", "booleanMeas": [{"value": False}]}
    out = prepare_for_submit(_uut(step))
    meas = out["root"]["steps"][0]["booleanMeas"][0]
    assert meas == {"status": "F"}
    assert out["result"] == "F"


def test_boolean_value_dropped_when_status_given() -> None:
    step = {"stepType": "ET_PFT", "name": "b", "booleanMeas": [{"status": "P", "value": True, "name": "m"}]}
    out = prepare_for_submit(_uut(step))
    assert out["root"]["steps"][0]["booleanMeas"][0] == {"status": "P", "name": "m"}
    assert "value" in step["booleanMeas"][0]  # the input is not modified


def test_uur_active_not_sent() -> None:
    report = {"type": "R", "pn": "PN-1", "sn": "SN-1", "rev": "A", "processCode": 500,
              "start": "2026-01-15T10:30:00+01:00", "uur": {"active": True, "processCode": 100}}
    out = prepare_for_submit(report)
    assert "active" not in out["uur"]
    assert out["uur"]["processCode"] == 100
    assert report["uur"]["active"] is True


def test_start_has_offset_and_start_utc_is_sent() -> None:
    out = prepare_for_submit(_uut({"stepType": "ET_A", "name": "x", "status": "D"}))
    assert out["start"].endswith("+01:00")
    assert out["startUTC"] == "2026-01-15T09:30:00.000Z"
