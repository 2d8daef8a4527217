"""Property tests: the builder's evaluation agrees with the submit path's, and its output
round-trips through the model."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pywats.models.report import parse_report, prepare_for_submit
from pywats.tools import ReportBuilder

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
maybe_limit = st.one_of(st.none(), finite, st.integers(-1000, 1000))
numeric_ops = st.sampled_from(
    [None, "EQ", "NE", "GT", "GE", "LT", "LE", "GTLT", "GELE", "GELT", "GTLE", "LTGT", "LEGE", "LEGT", "LTGE", "LOG"]
)

step_spec = st.one_of(
    st.tuples(st.just("num"), st.one_of(finite, st.integers(-1000, 1000)), maybe_limit, maybe_limit, numeric_ops),
    st.tuples(st.just("bool"), st.booleans()),
    st.tuples(st.just("str"), st.text(max_size=5), st.one_of(st.none(), st.text(max_size=5)),
              st.sampled_from([None, "IGNORECASE", "NE", "LOG"])),
    st.tuples(st.just("status"), st.sampled_from(["Passed", "Failed", "Done", "Skipped", "Error", "Terminated"])),
    st.tuples(st.just("open"), st.text(min_size=1, max_size=5)),
    st.tuples(st.just("close")),
)


def _strip_statuses(node: dict[str, Any], keep: set[int]) -> None:
    if node.get("id") not in keep:
        node.pop("status", None)
    for key in ("numericMeas", "stringMeas"):
        for meas in node.get(key, []):
            meas.pop("status", None)
    for child in node.get("steps", []):
        _strip_statuses(child, keep)


@settings(max_examples=150, deadline=None)
@given(st.lists(step_spec, max_size=25))
def test_builder_matches_submit_evaluation(specs: list[tuple[Any, ...]]) -> None:
    builder = ReportBuilder(part_number="PN", serial_number="SN")
    stack: list[Any] = []
    explicit: set[int] = set()
    counter = 0
    for spec in specs:
        kind = spec[0]
        counter += 1
        name = f"s{counter}"
        try:
            if kind == "num":
                _, value, low, high, op = spec
                builder.add_step(name=name, value=value, limits=(low, high), comp_op=op)
            elif kind == "bool":
                builder.add_step(name=name, value=spec[1])
            elif kind == "str":
                _, value, limit, op = spec
                builder.add_step(name=name, value=value, limit=limit, comp_op=op)
            elif kind == "status":
                builder.add_step(name=name, status=spec[1])
                explicit.add(builder._state.next_id - 1)
            elif kind == "open":
                cm = builder.sequence(spec[1])
                cm.__enter__()
                stack.append(cm)
            elif stack:
                stack.pop().__exit__(None, None, None)
        except ValueError:
            continue  # e.g. a dual-limit operator without both limits: rejected up front
    while stack:
        stack.pop().__exit__(None, None, None)

    out = builder.to_dict()
    text = json.dumps(out, allow_nan=False)
    # round trip through the model
    assert parse_report(json.loads(text)).to_wsjf() == json.loads(text)
    # the submit path accepts it unchanged (besides the station defaults) and is idempotent
    prepared = prepare_for_submit(out)
    assert prepared["root"] == out["root"] and prepared["result"] == out["result"]
    assert prepare_for_submit(prepared) == prepared
    # statuses re-derived by the submit path from the limits agree with the builder's
    stripped = json.loads(text)
    _strip_statuses(stripped["root"], explicit | {None})  # type: ignore[arg-type]
    stripped["root"].pop("status", None)
    del stripped["result"]
    again = prepare_for_submit(stripped)
    assert again["root"] == out["root"]
    assert again["result"] == out["result"]
