"""Unit tests for the server's OData subset (pywats_server.odata)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pywats_server.odata import (
    ODataError,
    compile_filter,
    parse_expand,
    parse_orderby,
    sort_rows,
)

HEADER_FIELDS = [
    "uuid",
    "serialNumber",
    "partNumber",
    "reportType",
    "start",
    "revision",
    "result",
    "batchNumber",
    "userName",
    "stationName",
    "location",
    "purpose",
    "measuresDeleted",
    "timeStamp",
    "processCode",
    "processName",
    "comment",
    "executionTime",
    "referencedUut",
    "subUnits",
    "miscInfo",
    "uurSubUnits",
    "uurMiscInfo",
]

SORTABLE = ["start", "uuid", "serialNumber", "timestamp"]
EXPANDABLE = [
    "subUnits",
    "miscInfo",
    "assets",
    "attachments",
    "uurSubUnits",
    "uurMiscInfo",
    "uurAttachments",
]

GUID_A = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
GUID_B = "0a0b0c0d-1111-2222-3333-444455556666"

ROWS: list[dict[str, Any]] = [
    {
        "uuid": GUID_A,
        "serialNumber": "SN-001",
        "partNumber": "PCBA-100",
        "reportType": "T",
        "start": "2026-01-15T09:30:00Z",
        "revision": "A",
        "result": "Passed",
        "userName": "alice",
        "stationName": "ST-1",
        "measuresDeleted": False,
        "timeStamp": 1001,
        "processCode": 10,
        "processName": "ICT",
        "comment": "first article",
        "executionTime": 12.5,
        "subUnits": [
            {"partType": "PSU", "serialNumber": "PSU-9", "partNumber": "PSU-200", "revision": "B"},
            {"partType": "FAN", "serialNumber": "FAN-1", "partNumber": "FAN-10", "revision": "A"},
        ],
        "miscInfo": [
            {"description": "Firmware", "value": "1.0"},
            {"description": "Fixture", "value": "FX-3"},
        ],
    },
    {
        "uuid": GUID_B.upper(),
        "serialNumber": "SN-002",
        "partNumber": "PCBA-100",
        "reportType": "T",
        "start": "2026-01-31T23:59:59Z",
        "revision": "B",
        "result": "Failed",
        "userName": "bob",
        "stationName": "ST-2",
        "measuresDeleted": True,
        "timeStamp": 1002,
        "processCode": 20,
        "processName": "FCT",
        "comment": None,
        "executionTime": 40.0,
        "subUnits": [],
        "miscInfo": [{"description": "Firmware", "value": "1.1"}],
    },
    {
        "uuid": "11111111-2222-3333-4444-555555555555",
        "serialNumber": "O'Brien-3",
        "partNumber": "pcba-100",
        "reportType": "R",
        "start": "2026-02-01T00:30:00+01:00",
        "revision": "A",
        "result": "Error",
        "userName": "carol",
        "stationName": "RW-1",
        "measuresDeleted": False,
        "timeStamp": 1003,
        "processCode": 500,
        "processName": "Repair",
        "executionTime": 3,
        "referencedUut": GUID_A,
        "uurSubUnits": [{"serialNumber": "PSU-9", "partNumber": "PSU-200", "revision": "B"}],
        "uurMiscInfo": [{"description": "Cause", "value": "solder"}],
    },
    {
        "uuid": "99999999-aaaa-bbbb-cccc-dddddddddddd",
        "serialNumber": "SN-004",
        "partNumber": "PCBA-200",
        "reportType": "T",
        "start": "2026-03-10T12:00:00.1234567Z",
        "revision": None,
        "result": "Terminated",
        "userName": "Alice",
        "stationName": "ST-1",
        "measuresDeleted": False,
        "timeStamp": 1004,
        "processCode": "30",
        "processName": "EOL",
        "comment": "",
        "executionTime": 0.25,
        "subUnits": [{"partType": "PSU", "serialNumber": "PSU-7", "partNumber": "PSU-201"}],
    },
]


def matching(expr: str, rows: list[dict[str, Any]] | None = None, **kw: Any) -> list[str]:
    """Serial numbers of the rows that the filter accepts."""
    pred = compile_filter(expr, **kw)
    return [r["serialNumber"] for r in (ROWS if rows is None else rows) if pred(r)]


ALL = ["SN-001", "SN-002", "O'Brien-3", "SN-004"]

# --------------------------------------------------------------------------------------
# $filter: accepted expressions
# --------------------------------------------------------------------------------------

FILTER_CASES: list[tuple[str, list[str]]] = [
    # comparison operators on strings (exact, case-sensitive)
    ("serialNumber eq 'SN-001'", ["SN-001"]),
    ("serialNumber eq 'sn-001'", []),
    ("partNumber eq 'PCBA-100'", ["SN-001", "SN-002"]),
    ("partNumber ne 'PCBA-100'", ["O'Brien-3", "SN-004"]),
    ("serialNumber gt 'SN-002'", ["SN-004"]),
    ("serialNumber ge 'SN-002'", ["SN-002", "SN-004"]),
    ("serialNumber lt 'SN-002'", ["SN-001", "O'Brien-3"]),
    ("serialNumber le 'SN-002'", ["SN-001", "SN-002", "O'Brien-3"]),
    # literal on the left
    ("'SN-001' eq serialNumber", ["SN-001"]),
    ("'SN-002' lt serialNumber", ["SN-004"]),
    # integers / decimals
    ("processCode eq 10", ["SN-001"]),
    ("processCode ne 10", ["SN-002", "O'Brien-3", "SN-004"]),
    ("processCode gt 10", ["SN-002", "O'Brien-3", "SN-004"]),
    ("processCode ge 20", ["SN-002", "O'Brien-3", "SN-004"]),
    ("processCode lt 30", ["SN-001", "SN-002"]),
    ("processCode le 30", ["SN-001", "SN-002", "SN-004"]),
    ("timeStamp gt 1002", ["O'Brien-3", "SN-004"]),
    ("executionTime gt 12.4", ["SN-001", "SN-002"]),
    ("executionTime eq 3", ["O'Brien-3"]),
    ("executionTime eq 3.0", ["O'Brien-3"]),
    ("executionTime lt 1e0", ["SN-004"]),
    ("executionTime ge 2.5E1", ["SN-002"]),
    ("executionTime gt -1", ALL),
    ("executionTime lt -0.5", []),
    # numbers vs numeric strings, both directions
    ("processCode eq '10'", ["SN-001"]),
    ("processCode eq 30", ["SN-004"]),
    ("processCode gt '25'", ["O'Brien-3", "SN-004"]),
    # booleans
    ("measuresDeleted eq true", ["SN-002"]),
    ("measuresDeleted eq false", ["SN-001", "O'Brien-3", "SN-004"]),
    ("measuresDeleted ne true", ["SN-001", "O'Brien-3", "SN-004"]),
    ("measuresDeleted", ["SN-002"]),
    ("not measuresDeleted", ["SN-001", "O'Brien-3", "SN-004"]),
    ("measuresDeleted eq 1", []),
    ("true", ALL),
    ("false", []),
    # null handling
    ("comment eq null", ["SN-002", "O'Brien-3"]),
    ("comment ne null", ["SN-001", "SN-004"]),
    ("null eq comment", ["SN-002", "O'Brien-3"]),
    ("comment eq ''", ["SN-004"]),
    ("comment ne 'first article'", ["SN-002", "O'Brien-3", "SN-004"]),
    ("comment gt 'a'", ["SN-001"]),
    ("comment lt 'zzz'", ["SN-001", "SN-004"]),
    ("revision gt null", []),
    ("missingField eq null", ALL),
    ("missingField eq 'x'", []),
    ("missingField ne 'x'", ALL),
    # quotes
    ("serialNumber eq 'O''Brien-3'", ["O'Brien-3"]),
    ("startswith(serialNumber, 'O''')", ["O'Brien-3"]),
    ("contains(serialNumber, '''')", ["O'Brien-3"]),
    ("comment eq 'first article'", ["SN-001"]),
    ("serialNumber eq ''''''", []),
    # logical operators and precedence
    ("partNumber eq 'PCBA-100' and result eq 'Passed'", ["SN-001"]),
    ("result eq 'Passed' or result eq 'Error'", ["SN-001", "O'Brien-3"]),
    ("not result eq 'Passed'", ["SN-002", "O'Brien-3", "SN-004"]),
    ("not (result eq 'Passed')", ["SN-002", "O'Brien-3", "SN-004"]),
    ("not not result eq 'Passed'", ["SN-001"]),
    # and binds tighter than or
    ("result eq 'Error' or result eq 'Passed' and processCode eq 20", ["O'Brien-3"]),
    ("(result eq 'Error' or result eq 'Passed') and processCode eq 10", ["SN-001"]),
    ("result eq 'Passed' and processCode eq 20 or result eq 'Error'", ["O'Brien-3"]),
    # not binds tighter than and / or
    ("not result eq 'Passed' and processCode lt 30", ["SN-002"]),
    ("not result eq 'Passed' or processCode eq 10", ALL),
    ("not (result eq 'Passed' or processCode eq 20)", ["O'Brien-3", "SN-004"]),
    ("((serialNumber eq 'SN-001'))", ["SN-001"]),
    ("(processCode) eq 10", ["SN-001"]),
    ("(serialNumber eq 'SN-001') eq true", ["SN-001"]),
    # keywords are case-insensitive
    ("serialNumber EQ 'SN-001' OR serialNumber Eq 'SN-002'", ["SN-001", "SN-002"]),
    ("NOT measuresDeleted AND processCode LT 20", ["SN-001"]),
    # property names are case-insensitive
    ("SERIALNUMBER eq 'SN-001'", ["SN-001"]),
    ("serialnumber eq 'SN-002'", ["SN-002"]),
    # in
    ("result in ('Passed','Failed')", ["SN-001", "SN-002"]),
    ("result in ( 'Passed' , 'Error' )", ["SN-001", "O'Brien-3"]),
    ("result in ('passed')", []),
    ("processCode in (10, 30)", ["SN-001", "SN-004"]),
    ("processCode in ('20', 500)", ["SN-002", "O'Brien-3"]),
    ("comment in (null, '')", ["SN-002", "O'Brien-3", "SN-004"]),
    ("serialNumber in ('O''Brien-3')", ["O'Brien-3"]),
    ("not result in ('Passed','Failed')", ["O'Brien-3", "SN-004"]),
    ("userName in (tolower('ALICE'), 'bob')", ["SN-001", "SN-002"]),
    ("measuresDeleted in (true)", ["SN-002"]),
    (f"uuid in ({GUID_A}, {GUID_B})", ["SN-001", "SN-002"]),
    # string functions
    ("contains(serialNumber, 'SN')", ["SN-001", "SN-002", "SN-004"]),
    ("contains(serialNumber, 'sn')", []),
    ("startswith(partNumber, 'PCBA')", ["SN-001", "SN-002", "SN-004"]),
    ("endswith(partNumber, '-200')", ["SN-004"]),
    ("not contains(comment, 'article')", ["SN-002", "O'Brien-3", "SN-004"]),
    ("contains(comment, '')", ["SN-001", "SN-004"]),
    ("tolower(partNumber) eq 'pcba-100'", ["SN-001", "SN-002", "O'Brien-3"]),
    ("toupper(userName) eq 'ALICE'", ["SN-001", "SN-004"]),
    ("contains(tolower(serialNumber), 'brien')", ["O'Brien-3"]),
    ("ToLower(userName) eq 'alice'", ["SN-001", "SN-004"]),
    ("trim('  ST-1 ') eq stationName", ["SN-001", "SN-004"]),
    ("length(serialNumber) eq 9", ["O'Brien-3"]),
    ("indexof(serialNumber, '-') eq 2", ["SN-001", "SN-002", "SN-004"]),
    ("substring(serialNumber, 3) eq '001'", ["SN-001"]),
    ("substring(serialNumber, 0, 2) eq 'SN'", ["SN-001", "SN-002", "SN-004"]),
    ("concat(partNumber, revision) eq 'PCBA-100A'", ["SN-001"]),
    ("tolower(comment) eq null", ["SN-002", "O'Brien-3"]),
    ("contains(processCode, '1')", []),
    # dates and date-times (unquoted), compared as instants
    ("start ge 2026-01-01T00:00:00Z and start le 2026-01-31T23:59:59Z",
     ["SN-001", "SN-002", "O'Brien-3"]),
    ("start lt 2026-01-31T23:59:59Z", ["SN-001", "O'Brien-3"]),
    ("start eq 2026-01-15T09:30:00Z", ["SN-001"]),
    ("start eq 2026-01-15T10:30:00+01:00", ["SN-001"]),
    ("start eq 2026-01-15T04:30:00-05:00", ["SN-001"]),
    ("start ne 2026-01-15T09:30:00Z", ["SN-002", "O'Brien-3", "SN-004"]),
    # O'Brien's start is 2026-01-31T23:30:00Z
    ("start gt 2026-01-31T23:00:00Z", ["SN-002", "O'Brien-3", "SN-004"]),
    ("start lt 2026-02-01", ["SN-001", "SN-002", "O'Brien-3"]),
    ("start ge 2026-02-01", ["SN-004"]),
    ("start eq 2026-03-10T12:00:00.1234567Z", ["SN-004"]),
    ("start gt 2026-03-10T12:00:00.123Z", ["SN-004"]),
    ("start gt 2026-03-10T12:00:00.124Z", []),
    ("start ge 2026-01-15T09:30Z", ["SN-001", "SN-002", "O'Brien-3", "SN-004"]),
    ("start gt 2026-01-15T09:30:00", ["SN-002", "O'Brien-3", "SN-004"]),
    ("start ge 2026-01-15T09:30:00Z and start lt 2026-01-15T09:30:01Z", ["SN-001"]),
    ("comment gt 2026-01-01", []),
    ("comment ne 2026-01-01", ALL),
    # a quoted date is a string: lexical comparison with the stored ISO text
    ("start ge '2026-02'", ["O'Brien-3", "SN-004"]),
    # GUIDs: bare literal, compared case-insensitively as UUIDs
    (f"uuid eq {GUID_A}", ["SN-001"]),
    (f"uuid eq {GUID_A.upper()}", ["SN-001"]),
    (f"uuid eq {GUID_B}", ["SN-002"]),
    (f"uuid ne {GUID_A}", ["SN-002", "O'Brien-3", "SN-004"]),
    (f"referencedUut eq {GUID_A}", ["O'Brien-3"]),
    (f"referencedUut ne {GUID_A}", ["SN-001", "SN-002", "SN-004"]),
    (f"serialNumber eq {GUID_A}", []),
    (f"uuid eq '{GUID_A}'", ["SN-001"]),
    (f"uuid eq '{GUID_B}'", []),  # quoted: exact string comparison
    # lambdas
    ("subUnits/any(s: s/partNumber eq 'PSU-200')", ["SN-001"]),
    ("subUnits/any(s: s/partNumber eq 'PSU-201')", ["SN-004"]),
    ("subUnits/any(s: startswith(s/partNumber, 'PSU'))", ["SN-001", "SN-004"]),
    ("subUnits/any(s: s/partType eq 'FAN' and s/revision eq 'A')", ["SN-001"]),
    ("subUnits/any(s: s/partType eq 'FAN' and s/revision eq 'B')", []),
    ("subUnits/any(s: s/revision eq null)", ["SN-004"]),
    ("subUnits/any(x: x/PARTNUMBER eq 'FAN-10')", ["SN-001"]),
    ("subunits/any(s: s/partNumber eq 'FAN-10')", ["SN-001"]),
    ("uurSubUnits/any(s: s/serialNumber eq 'PSU-9')", ["O'Brien-3"]),
    ("uurSubUnits/any(u: u/partNumber eq 'PSU-200') or subUnits/any(u: u/partNumber eq 'PSU-200')",
     ["SN-001", "O'Brien-3"]),
    ("miscInfo/any(m: m/description eq 'Firmware' and m/value eq '1.0')", ["SN-001"]),
    ("miscInfo/any(m: m/description eq 'Firmware' and m/value eq '1.1')", ["SN-002"]),
    ("miscInfo/any(m: m/description eq 'Fixture' and m/value eq '1.0')", []),
    ("miscInfo/any(m: m/description eq 'Firmware') and processCode eq 20", ["SN-002"]),
    ("uurMiscInfo/any(m: m/value eq 'solder')", ["O'Brien-3"]),
    ("subUnits/any()", ["SN-001", "SN-004"]),
    ("not subUnits/any()", ["SN-002", "O'Brien-3"]),
    ("miscInfo/any() and subUnits/any()", ["SN-001"]),
    ("subUnits/all(s: startswith(s/partNumber, 'PSU'))", ["SN-002", "O'Brien-3", "SN-004"]),
    ("subUnits/any() and subUnits/all(s: s/partType eq 'PSU')", ["SN-004"]),
    # outer properties inside a lambda body
    ("subUnits/any(s: s/partNumber eq 'PSU-201' and processCode eq '30')", ["SN-004"]),
    ("subUnits/any(s: s/revision eq revision)", ["SN-001", "SN-004"]),  # None eq None
    ("subUnits/any(s: not (s/partType eq 'PSU'))", ["SN-001"]),
    # $it refers to the row
    ("$it/serialNumber eq 'SN-002'", ["SN-002"]),
    # whitespace
    ("  serialNumber   eq\t'SN-001'  ", ["SN-001"]),
    ("serialNumber eq 'SN-001'or serialNumber eq 'SN-002'", ["SN-001", "SN-002"]),
]


@pytest.mark.parametrize(("expr", "expected"), FILTER_CASES, ids=[c[0] for c in FILTER_CASES])
def test_filter_matches(expr: str, expected: list[str]) -> None:
    assert matching(expr) == expected


@pytest.mark.parametrize(("expr", "expected"), FILTER_CASES, ids=[c[0] for c in FILTER_CASES])
def test_filter_matches_with_fields(expr: str, expected: list[str]) -> None:
    """The same expressions compile against the declared header fields (bar unknown ones)."""
    if "missingField" in expr:
        with pytest.raises(ODataError, match="unknown property 'missingField'"):
            compile_filter(expr, fields=HEADER_FIELDS)
        return
    assert matching(expr, fields=HEADER_FIELDS) == expected


def test_empty_filter_matches_everything() -> None:
    assert matching("") == ALL
    assert matching("   ") == ALL


def test_nested_dict_navigation() -> None:
    rows = [
        {"serialNumber": "a", "station": {"name": "ST-1", "site": {"code": "NO"}}},
        {"serialNumber": "b", "station": {"name": "ST-2"}},
        {"serialNumber": "c", "station": None},
        {"serialNumber": "d", "station": "flat"},
    ]
    assert matching("station/name eq 'ST-1'", rows) == ["a"]
    assert matching("station/site/code eq 'NO'", rows) == ["a"]
    assert matching("station/site/code eq null", rows) == ["b", "c", "d"]
    assert matching("station/Name ne 'ST-1'", rows) == ["b", "c", "d"]


def test_nested_lambdas() -> None:
    rows = [
        {"serialNumber": "a", "subUnits": [{"failures": [{"code": "C1"}, {"code": "C2"}]}]},
        {"serialNumber": "b", "subUnits": [{"failures": []}, {"failures": [{"code": "C3"}]}]},
        {"serialNumber": "c", "subUnits": None},
        {"serialNumber": "d", "subUnits": "not a list"},
    ]
    assert matching("subUnits/any(s: s/failures/any(f: f/code eq 'C2'))", rows) == ["a"]
    assert matching("subUnits/any(s: s/failures/any())", rows) == ["a", "b"]
    assert matching("subUnits/any(s: s/failures/any(f: f/code eq 'C3'))", rows) == ["b"]
    # inner lambda may use the outer variable
    rows2 = [{"serialNumber": "x", "a": [{"k": 1, "b": [{"k": 1}]}, {"k": 2, "b": [{"k": 3}]}]}]
    assert matching("a/any(o: o/b/any(i: i/k eq o/k))", rows2) == ["x"]
    assert matching("a/all(o: o/b/any(i: i/k eq o/k))", rows2) == []
    # None / non-list collections: any() false, all() vacuously true
    assert matching("subUnits/any()", rows) == ["a", "b"]
    assert matching("subUnits/all(s: s/failures/any())", rows) == ["a", "c", "d"]


def test_lambda_over_primitive_collection() -> None:
    rows = [{"serialNumber": "a", "tags": ["x", "y"]}, {"serialNumber": "b", "tags": ["z"]}]
    assert matching("tags/any(t: t eq 'y')", rows) == ["a"]
    assert matching("tags/all(t: t ne 'y')", rows) == ["b"]


def test_lambda_variable_is_scoped_to_its_body() -> None:
    rows = [{"serialNumber": "a", "s": "outer", "subUnits": [{"partNumber": "P"}]}]
    # inside the lambda `s` is the element; outside it is the row's own `s` property
    assert matching("subUnits/any(s: s/partNumber eq 'P') and s eq 'outer'", rows) == ["a"]


def test_fields_are_matched_case_insensitively_to_the_row() -> None:
    pred = compile_filter("SerialNumber eq 'A'", fields=["serialNumber"])
    assert pred({"serialNumber": "A"}) is True
    assert pred({"SERIALNUMBER": "A"}) is True
    assert pred({"serialNumber": "B"}) is False
    assert pred({}) is False


def test_predicate_returns_real_bools() -> None:
    pred = compile_filter("serialNumber")
    assert pred({"serialNumber": "truthy string"}) is False
    assert pred({"serialNumber": True}) is True
    assert compile_filter("a eq 1")({"a": 1}) is True


def test_datetime_objects_in_rows() -> None:
    rows = [
        {"serialNumber": "aware", "start": datetime(2026, 1, 15, 9, 30, tzinfo=timezone.utc)},
        {"serialNumber": "naive", "start": datetime(2026, 1, 15, 9, 30)},
        {"serialNumber": "later", "start": datetime(2026, 1, 16)},
    ]
    assert matching("start eq 2026-01-15T09:30:00Z", rows) == ["aware", "naive"]
    assert matching("start gt 2026-01-15T11:00:00+01:00", rows) == ["later"]
    assert matching("start gt 2026-01-15T10:00:00+01:00", rows) == ["aware", "naive", "later"]
    assert matching("start gt '2026-01-15T09:00:00Z'", rows) == ["aware", "naive", "later"]


def test_uuid_objects_in_rows() -> None:
    rows = [{"serialNumber": "u", "uuid": uuid.UUID(GUID_A)}, {"serialNumber": "v", "uuid": None}]
    assert matching(f"uuid eq {GUID_A}", rows) == ["u"]
    assert matching(f"uuid eq '{GUID_A.upper()}'", rows) == ["u"]
    assert matching(f"uuid ne {GUID_A}", rows) == ["v"]


def test_incomparable_values_are_never_ordered() -> None:
    rows = [
        {"serialNumber": "a", "v": [1, 2]},
        {"serialNumber": "b", "v": {"x": 1}},
        {"serialNumber": "c", "v": "abc"},
        {"serialNumber": "d", "v": True},
    ]
    for op in ("gt", "ge", "lt", "le", "eq"):
        assert matching(f"v {op} 5", rows) == [], op
    assert matching("v ne 5", rows) == ["a", "b", "c", "d"]


def test_property_compared_with_property() -> None:
    rows = [
        {"serialNumber": "a", "x": 1, "y": 1},
        {"serialNumber": "b", "x": 2, "y": "1"},
        {"serialNumber": "c", "x": None, "y": None},
        {"serialNumber": "d", "x": None, "y": 3},
    ]
    assert matching("x eq y", rows) == ["a", "c"]
    assert matching("x gt y", rows) == ["b"]
    assert matching("x ne y", rows) == ["b", "d"]


# --------------------------------------------------------------------------------------
# $filter: errors
# --------------------------------------------------------------------------------------

ERROR_CASES: list[tuple[str, str]] = [
    ("serialNumber eqq 'x'", "$filter: unknown operator 'eqq' at position 14"),
    ("serialNumber 'x'", "expected an operator but found \"'x'\" at position 14"),
    ("a eq 1 b", "unknown operator 'b' at position 8"),
    ("a eq true false", "expected an operator but found 'false' at position 11"),
    ("processCode add 1 eq 2", "arithmetic operator 'add' is not supported at position 13"),
    ("processCode sub 1 eq 2", "arithmetic operator 'sub' is not supported"),
    ("processCode mul 2 eq 2", "arithmetic operator 'mul' is not supported"),
    ("processCode div 2 eq 2", "arithmetic operator 'div' is not supported"),
    ("processCode mod 2 eq 0", "arithmetic operator 'mod' is not supported"),
    ("processCode divby 2 eq 0", "arithmetic operator 'divby' is not supported"),
    ("-processCode eq 1", "arithmetic negation '-' is not supported at position 1"),
    ("result has 'Passed'", "operator 'has' is not supported at position 8"),
    ("year(start) eq 2026", "function 'year' is not supported (date/time functions"),
    ("month(start) eq 1", "function 'month' is not supported"),
    ("now() gt start", "function 'now' is not supported"),
    ("round(executionTime) eq 3", "function 'round' is not supported (number functions"),
    ("floor(executionTime) eq 3", "function 'floor' is not supported"),
    ("ceiling(executionTime) eq 3", "function 'ceiling' is not supported"),
    ("cast(processCode, 'Edm.String') eq '10'", "function 'cast' is not supported"),
    ("geo.distance(a, b) lt 1", "function 'geo.distance' is not supported"),
    ("subUnits/$count gt 0", "'$count' is not supported at position 10"),
    ("$count gt 0", "'$count' is not supported at position 1"),
    ("$root/x eq 1", "'$root' is not supported"),
    ("frobnicate(serialNumber)", "unknown function 'frobnicate'"),
    ("contain(serialNumber, 'x')", "did you mean 'contains'?"),
    ("contains(serialNumber)", "contains() takes 2 arguments, got 1 at position 1"),
    ("tolower(serialNumber, 'x') eq 'a'", "tolower() takes 1 argument, got 2"),
    ("substring(serialNumber) eq 'a'", "substring() takes 2 or 3 arguments, got 1"),
    ("contains(serialNumber 'x')", "expected ',' or ')' in the arguments of contains()"),
    ("contains(serialNumber, true)", "contains() does not accept the literal 'true'"),
    ("serialNumber eq 'abc", "unterminated string literal starting at position 17"),
    ("serialNumber eq 'it''s", "unterminated string literal starting at position 17"),
    ('serialNumber eq "x"', "string literals use single quotes"),
    ("serialNumber eq 'x' #", "unexpected character '#' at position 21"),
    ("serialNumber eq", "unexpected end of expression; an operand is missing at position 16"),
    ("serialNumber eq 'x' and", "an operand is missing"),
    ("and serialNumber eq 'x'", "expected an operand but found operator 'and' at position 1"),
    ("serialNumber eq eq", "expected an operand but found operator 'eq' at position 17"),
    ("(serialNumber eq 'x'", "missing ')' for the '(' at position 1"),
    ("serialNumber eq 'x')", "unbalanced ')' at position 20"),
    ("()", "expected an operand but found ')' at position 2"),
    ("serialNumber eq 'x' not", "'not' must come before its operand"),
    ("result in 'Passed'", "'in' needs a parenthesised list"),
    ("result in ()", "the 'in' list is empty at position 12"),
    ("result in ('a' 'b')", "expected ',' or ')' in the 'in' list"),
    ("result in ('a',", "an operand is missing"),
    ("start ge 2026-13-01", "invalid date/time literal '2026-13-01' at position 10"),
    ("start ge 2026-02-30T00:00:00Z", "invalid date/time literal"),
    ("start ge 2026-01-01T25:00:00Z", "invalid date/time literal"),
    ("start ge 2026-01-01T00:00:00+24:00", "invalid date/time literal"),
    ("start ge 2026-01-01T00:00:00 01:00", "encode it as %2B"),
    ("start ge 2026-01-01Tfoo", "malformed literal '2026-01-01Tfoo' at position 10"),
    ("processCode eq 12abc", "malformed literal '12abc' at position 16"),
    ("uuid eq 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4", "malformed literal"),
    ("'abc'", "the filter needs a condition, not the literal \"'abc'\""),
    ("42", "the filter needs a condition"),
    ("serialNumber eq 'x' and 'y'", "'and' needs a condition, not the literal \"'y'\""),
    ("1 or serialNumber eq 'x'", "'or' needs a condition, not the literal '1' at position 1"),
    ("not 'x'", "'not' needs a condition"),
    ("subUnits/any(s: 'x')", "any() needs a condition"),
    ("subUnits/any(s s/partNumber eq 'x')", "expected ':' after the lambda variable 's'"),
    ("subUnits/any(: s eq 1)", "expected a lambda variable such as 's'"),
    ("subUnits/any(s: s/partNumber eq 'x'", "missing ')' to close any("),
    ("subUnits/all()", "all() needs a condition"),
    ("subUnits/", "expected a property name after '/' but found end of expression"),
    ("subUnits/any(s: s/partNumber eq 'x' 'y')", "expected an operator but found"),
    ("serialNumber eq SN-001", ("unexpected '-001' after 'SN'; if 'SN-001' is a text value, "
                               "quote it: 'SN-001' at position 19")),
    ("serialNumber eq O'Brien", "unterminated string literal starting at position 18"),
    ("partNumber eq PCBA-100/2", "if 'PCBA-100/2' is a text value, quote it: 'PCBA-100/2'"),
]


@pytest.mark.parametrize(("expr", "message"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_filter_errors(expr: str, message: str) -> None:
    with pytest.raises(ODataError) as info:
        compile_filter(expr)
    text = str(info.value)
    assert text.startswith("$filter: "), text
    assert message in text, text


def test_odata_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        compile_filter("a eqq 1")


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("serialNumbr eq 'x'", "unknown property 'serialNumbr'; did you mean 'serialNumber'?"),
        ("operator eq 'x'", "unknown property 'operator' at position 1"),
        ("result eq 'x' and bogus eq 1", "unknown property 'bogus' at position 19"),
        ("assets/any()", "unknown property 'assets'"),
        ("contains(colour, 'x')", "unknown property 'colour' at position 10"),
        ("result eq Passed", ("unknown property 'Passed' (if 'Passed' is a text value, quote it: "
                             "'Passed') at position 11")),
        ("serialNumber eq SN-001", "quote it: 'SN-001'"),
        ("result in ('Failed', Passed)", "quote it: 'Passed'"),
    ],
)
def test_unknown_property_with_fields(expr: str, message: str) -> None:
    with pytest.raises(ODataError) as info:
        compile_filter(expr, fields=HEADER_FIELDS)
    assert message in str(info.value)


def test_lambda_paths_are_not_checked_against_fields() -> None:
    pred = compile_filter("subUnits/any(s: s/anything eq 1)", fields=HEADER_FIELDS)
    assert pred({"subUnits": [{"anything": 1}]}) is True


def test_non_string_filter_is_rejected() -> None:
    with pytest.raises(ODataError, match="expected a string"):
        compile_filter(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# $filter: properties checked with hypothesis
# --------------------------------------------------------------------------------------

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@settings(max_examples=200, deadline=None)
@given(stored=_text, literal=_text)
def test_string_eq_is_exact(stored: str, literal: str) -> None:
    row = {"serialNumber": stored}
    assert compile_filter(f"serialNumber eq {_quote(literal)}")(row) is (stored == literal)
    assert compile_filter(f"serialNumber ne {_quote(literal)}")(row) is (stored != literal)
    assert compile_filter(f"serialNumber lt {_quote(literal)}")(row) is (stored < literal)
    assert compile_filter(f"contains(serialNumber, {_quote(literal)})")(row) is (literal in stored)


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.none(), st.integers(-1000, 1000)), a=st.integers(-1000, 1000),
       b=st.integers(-1000, 1000))
def test_logic_laws(value: int | None, a: int, b: int) -> None:
    row = {"v": value}
    p = f"v gt {a}"
    q = f"v lt {b}"
    both = compile_filter(f"{p} and {q}")(row)
    either = compile_filter(f"{p} or {q}")(row)
    pa, qb = compile_filter(p)(row), compile_filter(q)(row)
    assert both is (pa and qb)
    assert either is (pa or qb)
    assert compile_filter(f"not ({p} and {q})")(row) is compile_filter(f"not {p} or not {q}")(row)
    assert compile_filter(f"not {p}")(row) is (not pa)
    assert compile_filter(f"v in ({a}, {b})")(row) is compile_filter(f"v eq {a} or v eq {b}")(row)


@settings(max_examples=100, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1),
        timezones=st.just(timezone.utc),
    ),
    offset_minutes=st.integers(-14 * 60, 14 * 60),
)
def test_datetime_literals_compare_as_instants(moment: datetime, offset_minutes: int) -> None:
    from datetime import timedelta

    moment = moment.replace(microsecond=0)
    tz = timezone(timedelta(minutes=offset_minutes))
    local = moment.astimezone(tz)
    literal = local.isoformat()  # e.g. 2026-01-15T10:30:00+01:00
    row = {"start": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert compile_filter(f"start eq {literal}")(row) is True
    assert compile_filter(f"start ge {literal}")(row) is True
    assert compile_filter(f"start gt {literal}")(row) is False


# --------------------------------------------------------------------------------------
# $orderby
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("start", [("start", False)]),
        ("start desc", [("start", True)]),
        ("start asc", [("start", False)]),
        ("START DESC", [("start", True)]),
        ("start desc,uuid", [("start", True), ("uuid", False)]),
        (" serialnumber  desc , TimeStamp asc ", [("serialNumber", True), ("timestamp", False)]),
        ("", []),
        ("   ", []),
    ],
)
def test_parse_orderby(text: str, expected: list[tuple[str, bool]]) -> None:
    assert parse_orderby(text, SORTABLE) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("partNumber", ("$orderby: 'partNumber' is not sortable; use one of start, uuid, "
                       "serialNumber, timestamp")),
        ("start, result desc", "'result' is not sortable"),
        ("start down", "direction 'down' after 'start' must be 'asc' or 'desc' (at position 7)"),
        ("start desc extra", "unexpected 'extra'"),
        ("start,,uuid", "$orderby: empty item at position 7"),
        ("start,", "empty item"),
        ("start, START desc", "'start' is listed more than once"),
        ("subUnits/partNumber", "is not sortable"),
    ],
)
def test_parse_orderby_errors(text: str, message: str) -> None:
    with pytest.raises(ODataError) as info:
        parse_orderby(text, SORTABLE)
    assert message in str(info.value)


def test_parse_orderby_error_lists_sets_sorted() -> None:
    with pytest.raises(ODataError, match="use one of a, b, c"):
        parse_orderby("x", {"c", "a", "b"})


# --------------------------------------------------------------------------------------
# $expand
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("subunits", ["subUnits"]),
        (
            "subunits,miscinfo,assets,attachments,uurSubUnits,uurMiscInfo,uurAttachments",
            EXPANDABLE,
        ),
        (" MiscInfo , subUnits ", ["miscInfo", "subUnits"]),
        ("subUnits,SUBUNITS", ["subUnits"]),
        ("", []),
    ],
)
def test_parse_expand(text: str, expected: list[str]) -> None:
    assert parse_expand(text, EXPANDABLE) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("steps", "$expand: 'steps' cannot be expanded; use one of subUnits, miscInfo"),
        ("subUnits,,miscInfo", "$expand: empty item at position 10"),
        ("subUnits($select=partNumber)", "nested expand options or paths are not supported"),
        ("subUnits/failures", "nested expand options or paths are not supported"),
    ],
)
def test_parse_expand_errors(text: str, message: str) -> None:
    with pytest.raises(ODataError) as info:
        parse_expand(text, EXPANDABLE)
    assert message in str(info.value)


# --------------------------------------------------------------------------------------
# sort_rows
# --------------------------------------------------------------------------------------


def _sns(rows: list[Any]) -> list[str]:
    return [r["serialNumber"] for r in rows]


def test_sort_rows_single_key() -> None:
    order = parse_orderby("timestamp desc", SORTABLE)
    assert _sns(sort_rows(ROWS, order)) == ["SN-004", "O'Brien-3", "SN-002", "SN-001"]
    order = parse_orderby("serialNumber", SORTABLE)
    assert _sns(sort_rows(ROWS, order)) == ["O'Brien-3", "SN-001", "SN-002", "SN-004"]


def test_sort_rows_iso_strings_sort_as_instants() -> None:
    # O'Brien-3 starts at 2026-02-01T00:30:00+01:00, i.e. 2026-01-31T23:30:00Z,
    # before SN-002's 2026-01-31T23:59:59Z although its text sorts after it.
    order = parse_orderby("start", SORTABLE)
    assert _sns(sort_rows(ROWS, order)) == ["SN-001", "O'Brien-3", "SN-002", "SN-004"]
    order = parse_orderby("start desc", SORTABLE)
    assert _sns(sort_rows(ROWS, order)) == ["SN-004", "SN-002", "O'Brien-3", "SN-001"]


def test_sort_rows_none_first_ascending_last_descending() -> None:
    rows = [
        {"serialNumber": "b", "k": 2},
        {"serialNumber": "none", "k": None},
        {"serialNumber": "a", "k": 1},
        {"serialNumber": "missing"},
    ]
    assert _sns(sort_rows(rows, [("k", False)])) == ["none", "missing", "a", "b"]
    assert _sns(sort_rows(rows, [("k", True)])) == ["b", "a", "none", "missing"]


def test_sort_rows_multi_key_and_stable() -> None:
    rows = [
        {"serialNumber": "1", "g": "x", "n": 2},
        {"serialNumber": "2", "g": "y", "n": 1},
        {"serialNumber": "3", "g": "x", "n": 1},
        {"serialNumber": "4", "g": "y", "n": 1},
        {"serialNumber": "5", "g": "x", "n": 2},
    ]
    assert _sns(sort_rows(rows, [("g", False), ("n", True)])) == ["1", "5", "3", "2", "4"]
    assert _sns(sort_rows(rows, [("g", True), ("n", False)])) == ["2", "4", "3", "1", "5"]
    assert _sns(sort_rows(rows, [])) == ["1", "2", "3", "4", "5"]
    # equal keys keep their input order, also when descending
    assert _sns(sort_rows(rows, [("n", True)])) == ["1", "5", "2", "3", "4"]


def test_sort_rows_case_insensitive_names_and_mixed_types() -> None:
    rows = [
        {"SerialNumber": "c", "v": "text"},
        {"SerialNumber": "a", "v": 5},
        {"SerialNumber": "b", "v": None},
    ]
    result = sort_rows(rows, [("serialNumber", False)])
    assert [r["SerialNumber"] for r in result] == ["a", "b", "c"]
    result = sort_rows(rows, [("v", False)])  # mixed types must not raise
    assert [r["SerialNumber"] for r in result] == ["b", "a", "c"]


def test_sort_rows_does_not_mutate_input() -> None:
    rows = [{"serialNumber": "b"}, {"serialNumber": "a"}]
    result = sort_rows(rows, [("serialNumber", False)])
    assert _sns(rows) == ["b", "a"]
    assert _sns(result) == ["a", "b"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.integers(0, 5)), st.one_of(st.none(), st.integers(0, 5))),
        max_size=30,
    ),
    st.booleans(),
    st.booleans(),
)
def test_sort_rows_matches_reference(
    pairs: list[tuple[int | None, int | None]], desc_a: bool, desc_b: bool
) -> None:
    rows = [{"i": i, "a": a, "b": b} for i, (a, b) in enumerate(pairs)]
    result = sort_rows(rows, [("a", desc_a), ("b", desc_b)])

    def rank(v: int | None, desc: bool) -> int:
        r = -1 if v is None else v
        return -r if desc else r

    expected = sorted(rows, key=lambda r: (rank(r["a"], desc_a), rank(r["b"], desc_b), r["i"]))
    assert [r["i"] for r in result] == [r["i"] for r in expected]
