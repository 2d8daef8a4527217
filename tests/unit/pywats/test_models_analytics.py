"""Analytics: the WATS filter model, path conversion and the server's pure helpers (no network)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pywats.domains.analytics import build_filter, join_dimensions, measurement_path
from pywats.exceptions import ValidationError
from pywats.models.analytics import DateGrouping, RunFilter, WATSFilter, YieldData
from pywats_server.storage import analytics as calc


def test_filter_wire_names_and_unset_fields() -> None:
    f = WATSFilter(part_number="PN", yield_=1, run=RunFilter.LAST, date_grouping=DateGrouping.WEEK,
                   date_from=datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))))
    assert f.to_wire() == {"partNumber": "PN", "yield": 1, "run": -1, "dateGrouping": 3,
                           "dateFrom": "2026-01-01T10:00:00Z"}
    naive = WATSFilter(date_to=datetime(2026, 1, 1))
    assert naive.date_to is not None and naive.date_to.tzinfo is timezone.utc


def test_build_filter_merges_and_validates() -> None:
    f = build_filter({"partNumber": "A", "stationName": "S"}, station_name="T", top_count=5)
    assert f.to_wire() == {"partNumber": "A", "stationName": "T", "topCount": 5}
    assert build_filter(WATSFilter(serial_number="x"), revision="B").to_wire() == {"serialNumber": "x",
                                                                                    "revision": "B"}
    with pytest.raises(ValidationError, match="colour"):
        build_filter(colour="red")
    with pytest.raises(ValidationError, match="run"):
        build_filter(run=9)
    with pytest.raises(ValidationError):
        build_filter("PN")  # type: ignore[arg-type]


def test_measurement_path_and_dimensions() -> None:
    assert measurement_path("Main/Power/5V") == "Main\u00b6Power\u00b65V"
    assert measurement_path("Step//CH1") == "Step\u00b6\u00b6CH1"
    assert measurement_path("A\u00b6B") == "A\u00b6B"
    with pytest.raises(ValidationError):
        measurement_path(" ")
    assert join_dimensions(["partNumber", " period desc "]) == "partNumber;period desc"
    assert join_dimensions("") is None and join_dimensions(None) is None


def test_yield_row_model() -> None:
    row = YieldData.model_validate({"partNumber": "P", "unitCount": 4, "fpCount": 1, "fpy": 25.0,
                                    "location": "L1"})
    assert row.unit_count == 4 and row.fpy == 25.0 and row.model_extra == {"location": "L1"}


def test_server_wildcards() -> None:
    m = calc.wildcard("WID%;gad_et", "partNumber")
    assert m("widget-100") and m("GADGET") and not m("gadgeet") and not m(None) and not m("xWIDGET")
    with pytest.raises(calc.FilterError, match="partNumber"):
        calc.wildcard(" ; ", "partNumber")


def test_server_filter_parsing() -> None:
    f = calc.parse_filter({"PARTNUMBER": "P", "status": "F;P", "testOperation": "100", "run": -1,
                           "dateFrom": "2026-01-01T00:00:00", "socket": "2"})
    assert f.run == -1 and f.socket == 2 and f.date_from == datetime(2026, 1, 1, tzinfo=timezone.utc)
    header = {"partNumber": "p", "result": "Failed", "processCode": 100, "testSocketIndex": 2,
              "_start": datetime(2026, 2, 1, tzinfo=timezone.utc)}
    assert f.matches(header)
    assert not f.matches({**header, "result": "Error"})
    assert not f.matches({**header, "_start": datetime(2025, 12, 31, tzinfo=timezone.utc)})
    for bad, field in (({"run": 4}, "run"), ({"socket": "x"}, "socket"), ({"dateTo": "yesterday"}, "dateTo"),
                       ({"dateGrouping": 9}, "dateGrouping"), ([], "body")):
        with pytest.raises(calc.FilterError, match=field):
            calc.parse_filter(bad)


def test_server_dimensions_and_periods() -> None:
    assert calc.parse_dimensions("partNumber; period desc ;stationName asc") == [
        ("partNumber", None), ("period", True), ("stationName", False)]
    with pytest.raises(calc.FilterError, match="colour"):
        calc.parse_dimensions("colour")
    with pytest.raises(calc.FilterError, match="asc"):
        calc.parse_dimensions("period sideways")
    t = datetime(2026, 5, 17, 13, 45, tzinfo=timezone.utc)
    labels = [calc.period_label(t, g) for g in (-1, 0, 1, 2, 3, 4, 5, None)]
    assert labels == [None, "2026", "2026-Q2", "2026-05", "2026-W20", "2026-05-17", "2026-05-17T13", "2026-05-17"]


def test_server_run_selection() -> None:
    def h(sn: str, hour: int) -> dict:
        return {"serialNumber": sn, "partNumber": "P", "processCode": 100, "hour": hour}

    reports = [h("A", 1), h("B", 2), h("A", 3), h("A", 4)]
    assert [r["hour"] for r in calc.apply_run(reports, 1)] == [1, 2]
    assert [r["hour"] for r in calc.apply_run(reports, 2)] == [3]
    assert [r["hour"] for r in calc.apply_run(reports, -1)] == [2, 4]
    assert calc.apply_run(reports, -2) == reports


def test_server_step_paths_and_failure_step() -> None:
    body = {"root": {"name": "Main", "steps": [
        {"name": "Power", "status": "F", "steps": [
            {"name": "3V3", "status": "P"}, {"name": "5V", "status": "F"}]},
        {"name": "Flagged", "status": "F", "causedUUTFailure": True, "stepType": "ET_NLT"}]}}
    assert [p for _, p in calc.iter_steps(body)] == ["Power", "Power\u00b63V3", "Power\u00b65V", "Flagged"]
    assert calc._failure_step(body) == ("Flagged", "Flagged", "ET_NLT")
    body["root"]["steps"].pop()
    assert calc._failure_step(body) == ("5V", "Power\u00b65V", None)
    assert list(calc.iter_steps({})) == []


def test_server_sql_prefilter_is_a_superset() -> None:
    f = calc.parse_filter({"partNumber": "WID_%;X1", "serialNumber": "Ä-1", "dateTo": "2026-01-01T00:00:00.0005Z"})
    where, params = calc._prefilter(f)
    assert where[0] == "(r.part_number LIKE ? OR r.part_number LIKE ?)" and params[:2] == ["WID_%", "X1"]
    assert len(where) == 2  # the non-ASCII serial pattern is left to Python (LIKE folds ASCII only)
    assert params[2] == "2026-01-01T00:00:00.001Z"
    assert calc._prefilter(None) == ([], [])
