"""Limit evaluation per compOp and status letters / roll-up."""

from __future__ import annotations

import math

import pytest

from pywats.models.report import ReportStatus, normalize_status, roll_up
from pywats.models.report.limits import (
    default_comp_op,
    evaluate_numeric,
    evaluate_string,
    json_number,
    normalize_comp_op,
)

# (compOp, value, low, high, passes)
NUMERIC_TABLE = [
    ("LOG", 123.0, None, None, True),
    ("EQ", 5, 5, None, True),
    ("EQ", 5.1, 5, None, False),
    ("NE", 5.1, 5, None, True),
    ("NE", 5, 5, None, False),
    ("GT", 5.1, 5, None, True),
    ("GT", 5, 5, None, False),
    ("GE", 5, 5, None, True),
    ("GE", 4.9, 5, None, False),
    # single-limit operators use lowLimit, LT/LE included; highLimit is ignored
    ("LT", 4.9, 5, None, True),
    ("LT", 5, 5, None, False),
    ("LT", 4.9, 5, 1, True),
    ("LE", 5, 5, None, True),
    ("LE", 5.1, 5, None, False),
    ("GTLT", 2, 1, 3, True),
    ("GTLT", 1, 1, 3, False),
    ("GTLT", 3, 1, 3, False),
    ("GELE", 1, 1, 3, True),
    ("GELE", 3, 1, 3, True),
    ("GELE", 3.01, 1, 3, False),
    ("GELE", 0.99, 1, 3, False),
    ("GELT", 1, 1, 3, True),
    ("GELT", 3, 1, 3, False),
    ("GTLE", 1, 1, 3, False),
    ("GTLE", 3, 1, 3, True),
    ("LTGT", 0.5, 1, 3, True),
    ("LTGT", 3.5, 1, 3, True),
    ("LTGT", 1, 1, 3, False),
    ("LTGT", 3, 1, 3, False),
    ("LEGE", 1, 1, 3, True),
    ("LEGE", 3, 1, 3, True),
    ("LEGE", 2, 1, 3, False),
    ("LEGT", 1, 1, 3, True),
    ("LEGT", 3, 1, 3, False),
    ("LEGT", 3.1, 1, 3, True),
    ("LTGE", 1, 1, 3, False),
    ("LTGE", 0.9, 1, 3, True),
    ("LTGE", 3, 1, 3, True),
    # missing limits and non-finite values fail (except LOG)
    ("GELE", 2, 1, None, False),
    ("GE", 2, None, None, False),
    ("GELE", math.nan, 1, 3, False),
    ("GELE", "NaN", 1, 3, False),
    ("GT", "Infinity", 1, None, True),
    ("LOG", "NaN", None, None, True),
]


@pytest.mark.parametrize(("op", "value", "low", "high", "passes"), NUMERIC_TABLE)
def test_numeric_comp_op_table(op: str, value: float, low: float | None, high: float | None, passes: bool) -> None:
    assert evaluate_numeric(op, value, low, high) is passes


STRING_TABLE = [
    ("LOG", "x", None, True),
    ("EQ", "abc", "abc", True),
    ("EQ", "abc", "ABC", False),
    ("CASESENSIT", "abc", "abc", True),
    ("CASESENSIT", "abc", "Abc", False),
    ("IGNORECASE", "abc", "ABC", True),
    ("IGNORECASE", "abd", "ABC", False),
    ("NE", "abc", "abd", True),
    ("NE", "abc", "abc", False),
    ("EQ", None, "abc", False),
]


@pytest.mark.parametrize(("op", "value", "limit", "passes"), STRING_TABLE)
def test_string_comp_op_table(op: str, value: str | None, limit: str | None, passes: bool) -> None:
    assert evaluate_string(op, value, limit) is passes


def test_normalize_comp_op_is_case_insensitive_and_rejects_unknown() -> None:
    assert normalize_comp_op("gele") == "GELE"
    assert normalize_comp_op("IgnoreCase", string=True) == "IGNORECASE"
    with pytest.raises(ValueError, match="GELE"):
        normalize_comp_op("BETWEEN")
    with pytest.raises(ValueError):
        normalize_comp_op("GELE", string=True)
    with pytest.raises(ValueError):
        normalize_comp_op("IGNORECASE")


@pytest.mark.parametrize(
    ("low", "high", "op"), [(1, 2, "GELE"), (1, None, "GE"), (None, 2, "LE"), (None, None, "LOG"), (0, 0, "GELE")]
)
def test_default_comp_op(low: float | None, high: float | None, op: str) -> None:
    assert default_comp_op(low, high) == op


def test_json_number() -> None:
    assert json_number(1.5) == 1.5 and json_number(3) == 3
    assert json_number(math.nan) == "NaN"
    assert json_number(math.inf) == "Infinity" and json_number(-math.inf) == "-Infinity"


@pytest.mark.parametrize(
    ("word", "letter"),
    [
        ("P", "P"), ("Passed", "P"), ("pass", "P"), ("OK", "P"), ("success", "P"), (True, "P"),
        ("F", "F"), ("Failed", "F"), ("fail", "F"), ("NG", "F"), ("failure", "F"), (False, "F"),
        ("Skipped", "S"), ("skip", "S"), ("Done", "D"), ("complete", "D"), ("Error", "E"), ("err", "E"),
        ("Terminated", "T"), ("aborted", "T"), ("abort", "T"), ("Unknown", "U"), (ReportStatus.ERROR, "E"),
    ],
)
def test_status_aliases(word: object, letter: str) -> None:
    assert normalize_status(word) == letter  # type: ignore[arg-type]


def test_unknown_status_rejected() -> None:
    with pytest.raises(ValueError, match="unknown status"):
        normalize_status("maybe")
    assert ReportStatus.parse("passed") is ReportStatus.PASSED


@pytest.mark.parametrize(
    ("children", "result"),
    [
        ([], "P"),
        (["P", "P"], "P"),
        (["P", "D", "S", "U"], "P"),
        (["P", "F"], "F"),
        (["F", "T"], "T"),
        (["T", "E", "F"], "E"),
        (["E", "T"], "E"),
        ([None, "P"], "P"),
    ],
)
def test_roll_up(children: list[str | None], result: str) -> None:
    assert roll_up(children) == result
