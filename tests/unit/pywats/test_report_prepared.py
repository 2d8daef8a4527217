"""A report is validated once: ``prepare_for_submit`` returns a marked ``PreparedReport``,
which ``submit_report`` sends as it is; the quick checks of complete measurements agree
with the full ones."""

from __future__ import annotations

import json
import pickle
from typing import Any

import httpx
import pytest

from pywats import pyWATS
from pywats.core import codec
from pywats.exceptions import ValidationError
from pywats.models.report import PreparedReport, is_prepared, mark_prepared, prepare_for_submit
from pywats.models.report import submit as submit_module


def report(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "pn": "PN-1", "sn": "SN-1", "rev": "A", "processCode": 100,
        "root": {"stepType": "SequenceCall", "name": "Main", "steps": [
            {"stepType": "ET_NLT", "name": "v", "status": "P",
             "numericMeas": [{"value": 3.3, "status": "P", "compOp": "GELE", "lowLimit": 3.2, "highLimit": 3.4}]},
            {"stepType": "ET_SVT", "name": "fw", "status": "P",
             "stringMeas": [{"value": "1.2", "status": "P", "compOp": "CASESENSIT", "limit": "1.2"}]},
            {"stepType": "ET_PFT", "name": "ok", "status": "P", "booleanMeas": [{"status": "P"}]},
        ]},
    }
    data.update(over)
    return data


def test_prepare_returns_a_marked_dict_that_is_not_prepared_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    prepared = prepare_for_submit(report())
    assert isinstance(prepared, PreparedReport) and isinstance(prepared, dict)
    assert is_prepared(prepared)
    walks = []
    real = submit_module._check_step
    monkeypatch.setattr(submit_module, "_check_step", lambda *a: walks.append(1) or real(*a))
    assert prepare_for_submit(prepared) is prepared
    assert walks == []


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.__setitem__("sn", "OTHER"),
        lambda r: r.pop("processCode"),
        lambda r: r.update(processName="ICT"),
        lambda r: r.setdefault("comment", "x"),
        lambda r: r.__delitem__("rev"),
        lambda r: r.__ior__({"sn": ""}),
        lambda r: r.clear(),
    ],
)
def test_a_top_level_change_drops_the_mark(change: Any) -> None:
    prepared = prepare_for_submit(report())
    change(prepared)
    assert not is_prepared(prepared)


def test_a_changed_report_is_validated_again() -> None:
    prepared = prepare_for_submit(report())
    prepared["sn"] = ""
    with pytest.raises(ValidationError) as caught:
        prepare_for_submit(prepared)
    assert caught.value.field == "sn"


def test_the_mark_survives_pickle_and_is_restored_after_json() -> None:
    prepared = prepare_for_submit(report())
    copied = pickle.loads(pickle.dumps(prepared))
    assert is_prepared(copied) and copied == prepared
    prepared["sn"] = "X"
    assert not is_prepared(pickle.loads(pickle.dumps(prepared)))
    stored = json.loads(codec.encode_json(prepare_for_submit(report())))
    assert not is_prepared(stored)
    assert is_prepared(mark_prepared(stored)) and mark_prepared(stored) == stored


def test_encoders_see_a_plain_dict() -> None:
    prepared = prepare_for_submit(report())
    plain = dict(prepared)
    assert codec.encode_json(prepared) == codec.encode_json(plain)
    assert codec.encode_msgpack(prepared) == codec.encode_msgpack(plain)


def _client(seen: list[dict[str, Any]]) -> pyWATS:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        return httpx.Response(200, json={"ID": body["id"]})

    return pyWATS("http://wats.test", "t", transport=httpx.MockTransport(handler), throttle=False)


def test_submit_report_sends_a_prepared_report_without_validating_it_again() -> None:
    seen: list[dict[str, Any]] = []
    with _client(seen) as api:
        # a marked report is trusted: even a field the check would reject is sent as it is
        trusted = mark_prepared({**prepare_for_submit(report()), "sn": ""})
        api.report.submit_report(trusted)
        assert seen[-1]["sn"] == ""
        with pytest.raises(ValidationError):
            api.report.submit_report({**trusted})  # a plain dict is validated
        assert len(seen) == 1


def test_submit_report_validates_a_plain_report_once(monkeypatch: pytest.MonkeyPatch) -> None:
    prepares = []
    real = submit_module._check_step

    def counting(step: Any, ref: Any, ids: Any) -> Any:
        if ref == "root":
            prepares.append(1)
        return real(step, ref, ids)

    monkeypatch.setattr(submit_module, "_check_step", counting)
    seen: list[dict[str, Any]] = []
    with _client(seen) as api:
        api.report.submit_report(report())
    assert len(prepares) == 1 and seen[0]["result"] == "P"


COMPLETE = [
    {"value": 3.3, "status": "P", "compOp": "GELE", "lowLimit": 3.2, "highLimit": 3.4},
    {"value": 3, "status": "F", "compOp": "GT", "lowLimit": 4},
    {"value": None, "status": "S", "compOp": "LOG"},
    {"value": 2.0, "status": "P", "compOp": "LTGT", "lowLimit": 3, "highLimit": 1.0},
]
NOT_PLAIN = [
    {"value": float("nan"), "status": "F", "compOp": "GELE", "lowLimit": 1.0, "highLimit": 2.0},
    {"value": float("inf"), "status": "P", "compOp": "LOG"},
    {"value": 1.0, "status": "P", "compOp": "gele", "lowLimit": 0.0, "highLimit": 2.0},
    {"value": 1.0, "status": "P", "lowLimit": 0.0, "highLimit": 2.0},
    {"value": "1.5", "status": "P", "compOp": "GELE", "lowLimit": 0.0, "highLimit": 2.0},
    {"value": 1.0, "status": "P", "compOp": "GELE", "lowLimit": "NaN", "highLimit": 2.0},
    {"value": True, "status": "P", "compOp": "LOG"},
    {"value": 1.0, "compOp": "GELE", "lowLimit": 0.0, "highLimit": 2.0},
    {"value": 1.0, "status": "P", "compOp": "GELE", "lowLimit": 0.0},
    {"value": 1.0, "status": "P", "compOp": "GT", "lowLimit": True},
]


@pytest.mark.parametrize("meas", COMPLETE)
def test_quick_numeric_check_passes_what_the_full_one_passes_unchanged(meas: dict[str, Any]) -> None:
    quick = submit_module._quick_numeric(meas)
    full = submit_module._numeric(meas, "m")
    assert quick is not None and quick == full and quick[0] is meas


@pytest.mark.parametrize("meas", NOT_PLAIN)
def test_quick_numeric_check_leaves_everything_else_to_the_full_one(meas: dict[str, Any]) -> None:
    assert submit_module._quick_numeric(meas) is None


def test_error_paths_are_still_exact() -> None:
    data = report()
    data["root"]["steps"][1]["stringMeas"][0]["limit"] = 5
    with pytest.raises(ValidationError) as caught:
        prepare_for_submit(data)
    assert caught.value.field == "root.steps[1].stringMeas[0].limit"
    data = report()
    data["root"]["steps"][0]["numericMeas"][0]["status"] = ["P"]  # unhashable: the full check names it
    with pytest.raises(ValidationError) as caught:
        prepare_for_submit(data)
    assert caught.value.field == "root.steps[0].numericMeas[0].status"
    data = report()
    data["root"]["steps"].append({"stepType": "SequenceCall", "steps": [{"stepType": ""}]})
    with pytest.raises(ValidationError) as caught:
        prepare_for_submit(data)
    assert caught.value.field == "root.steps[3].steps[0].stepType"
