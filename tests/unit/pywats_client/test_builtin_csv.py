"""Built-in CSV converter on its sample files."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pytest

from pywats_client.converters import ContextData, ConversionOutcome, convert_in_process

DATA = Path(__file__).resolve().parents[2] / "data" / "converters" / "csv"
CONTEXT = ContextData(
    station_name="CSV-STATION",
    location="Line 2",
    purpose="Production",
    processes=[{"code": 50, "name": "PCBA Test"}, {"code": 100, "name": "FCT"}],
)


def _convert(path: Path, **arguments: Any) -> ConversionOutcome:
    context = ContextData(
        station_name=CONTEXT.station_name,
        location=CONTEXT.location,
        purpose=CONTEXT.purpose,
        processes=CONTEXT.processes,
        arguments=arguments,
    )
    return convert_in_process("csv", path, context=context)


def _steps(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["name"]: step for step in report["root"]["steps"]}


def test_guide_step6_sample() -> None:
    outcome = _convert(DATA / "guide_step6.csv")
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert report["pn"] == "WIDGET-100"
    assert report["sn"] == "SN-12345"
    assert report["rev"] == "A"
    assert report["result"] == "P"
    assert (report["machineName"], report["location"], report["purpose"]) == ("CSV-STATION", "Line 2", "Production")
    steps = report["root"]["steps"]
    assert [s["name"] for s in steps] == ["Resistance", "Voltage", "Current"]
    expected = [(10.5, "Ohm", 9.0, 12.0), (5.01, "V", 4.95, 5.05), (0.998, "A", 0.95, 1.05)]
    for step, (value, unit, low, high) in zip(steps, expected):
        (meas,) = step["numericMeas"]
        assert step["status"] == "P" and meas["status"] == "P"
        assert (meas["value"], meas["unit"], meas["lowLimit"], meas["highLimit"], meas["compOp"]) == (
            value, unit, low, high, "GELE",
        )


def test_optional_header_fields_and_step_kinds() -> None:
    outcome = _convert(DATA / "full_header.csv")
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert (report["rev"], report["processCode"], report["uut"]["user"]) == ("C", 50, "alice")
    assert report["start"].startswith("2026-03-02T08:15:04")
    assert report["result"] == "F"  # Voltage 5.31 is above 5.05
    steps = _steps(report)
    assert steps["Voltage"]["status"] == "F"
    assert steps["Firmware"]["stringMeas"][0]["value"] == "1.2.3"
    assert steps["Firmware"]["stringMeas"][0]["limit"] == "1.2.3"
    assert steps["Firmware"]["status"] == "P"
    assert steps["Power-On"]["stepType"] == "ET_PFT" and steps["Power-On"]["status"] == "P"
    assert steps["Relay self-test"]["status"] == "S"


def test_custom_columns_delimiter_and_decimal_comma() -> None:
    outcome = _convert(
        DATA / "semicolon_custom_columns.csv",
        part_number_column="Artikel",
        serial_number_column="Seriennummer",
        revision_column="Version",
        test_name_column="Pruefschritt",
        value_column="Messwert",
        unit_column="Einheit",
        low_limit_column="Min",
        high_limit_column="Max",
        decimal_separator=",",
    )
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert (report["pn"], report["sn"], report["rev"]) == ("PCB-42", "PX-000815", "2")
    meas = _steps(report)["Widerstand R1"]["numericMeas"][0]
    assert (meas["value"], meas["unit"], meas["lowLimit"], meas["highLimit"]) == (1.002, "kOhm", 0.99, 1.01)


def test_header_fields_in_the_table_itself() -> None:
    outcome = _convert(DATA / "table_only.csv")
    assert outcome.ok, outcome.error
    assert (outcome.reports[0]["pn"], outcome.reports[0]["sn"]) == ("WIDGET-300", "SN-40001")


def test_operation_argument_by_name() -> None:
    outcome = _convert(DATA / "guide_step6.csv", operation="FCT")
    assert outcome.ok, outcome.error
    assert outcome.reports[0]["processCode"] == 100


def test_status_column_overrides_and_explicit_result(tmp_path: Path) -> None:
    path = tmp_path / "override.csv"
    path.write_text(
        "PartNumber,SerialNumber,Status\nP-1,S-1,Failed\n"
        "TestName,Value,Unit,LowLimit,HighLimit,Status\nA,1.0,V,0,2,\nB,9.0,V,0,2,Passed\n"
    )
    outcome = _convert(path)
    assert outcome.ok, outcome.error
    report = outcome.reports[0]
    assert report["result"] == "F"
    assert _steps(report)["B"]["status"] == "P"


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + (DATA / "guide_step6.csv").read_text().encode("utf-16-le"))
    outcome = _convert(path)
    assert outcome.ok, outcome.error
    assert outcome.reports[0]["sn"] == "SN-12345"


def test_tab_delimited_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "tabs.csv"
    path.write_text((DATA / "guide_step6.csv").read_text().replace(",", "\t"))
    outcome = _convert(path)
    assert outcome.ok, outcome.error
    assert len(outcome.reports[0]["root"]["steps"]) == 3


@pytest.mark.parametrize(
    ("sample", "message"),
    [
        ("bad_limit.csv", "bad_limit.csv row 5, column LowLimit: 'four' is not a number"),
        ("no_serial.csv", "no_serial.csv: no SerialNumber / SN / Serial value in the header block"),
    ],
)
def test_bad_samples_fail_with_file_row_and_column(sample: str, message: str) -> None:
    outcome = _convert(DATA / sample)
    assert not outcome.ok
    assert outcome.error == message
    assert outcome.reports == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "the file is empty"),
        ("PartNumber,SerialNumber\nP,S\n", "no step table"),
        ("PartNumber,SerialNumber\nP,S\nTestName,Unit\nA,V\n", "row 3: the step table has no Value"),
        ("PartNumber,SerialNumber\nP,S\nTestName,Value,Status\nA,,\n", "row 4, column Value: empty value"),
        ("PartNumber,SerialNumber\nP,S\nTestName,Value,Status\nA,1,Maybe\n", "row 4, column Status: unknown status"),
        ("PartNumber,SerialNumber,StartTime\nP,S,yesterday\nTestName,Value\nA,1\n", "StartTime 'yesterday'"),
        ("PartNumber,SerialNumber,Operation\nP,S,NoSuchOp\nTestName,Value\nA,1\n", "NoSuchOp"),
    ],
)
def test_bad_input_messages(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    outcome = _convert(path)
    assert not outcome.ok
    assert fragment in (outcome.error or ""), outcome.error


# -- one report per unit, dates, streaming --------------------------------------------


def test_soundcheck_export_gives_one_report_per_unit_in_file_order() -> None:
    outcome = _convert(DATA / "soundcheck_eight_units.txt", part_number="SPK-4711", misc_info_columns=["Lot #"])
    assert outcome.ok, outcome.error
    assert outcome.report_count == 8
    assert [r["sn"] for r in outcome.reports] == [f"S/N {201 + i}" for i in range(8)]
    first = outcome.reports[0]
    assert first["pn"] == "SPK-4711"
    assert first["uut"]["user"] == "Dana"
    assert first["start"].startswith("2025-03-14T14:07:05")
    assert {"description": "Lot #", "text": "P/N #4711"}.items() <= first["miscInfos"][0].items()
    steps = first["root"]["steps"]
    assert [s["name"] for s in steps] == [
        "Mean Level", "Phase Check", "Frequency response margin", "Distortion margin", "Noise margin",
    ]
    mean = steps[0]["numericMeas"][0]
    assert (mean["value"], mean["unit"], mean["lowLimit"], mean["highLimit"], mean["compOp"]) == (
        93.25, "dB", 88.0, 98.0, "GELE",
    )
    assert steps[0]["reportText"] == "Max/Min"
    assert steps[1]["reportText"] == "Tolerance curves: Individual Pts."
    assert steps[1]["numericMeas"][0]["compOp"] == "LOG" and steps[1]["status"] == "P"
    # the sixth unit failed its level check; the others passed
    assert [r["result"] for r in outcome.reports] == ["P"] * 5 + ["F"] + ["P"] * 2
    assert outcome.reports[5]["root"]["steps"][0]["status"] == "F"
    starts = [r["start"] for r in outcome.reports]
    assert starts == sorted(starts) and len(set(starts)) == 8


def test_without_part_number_parameter_the_missing_part_number_is_named() -> None:
    outcome = _convert(DATA / "soundcheck_eight_units.txt")
    assert not outcome.ok
    assert "row 2: no PartNumber / PN / Part value in the row (or set the 'part_number' parameter)" in (
        outcome.error or ""
    )


def test_part_number_column_in_the_file_wins_over_the_parameter() -> None:
    outcome = _convert(DATA / "table_only.csv", part_number="FROM-PARAM", revision="R7")
    assert outcome.ok, outcome.error
    assert outcome.reports[0]["pn"] == "WIDGET-300"
    assert outcome.reports[0]["rev"] == "R7"  # not in the file: the parameter fills it


def test_separate_date_and_time_columns_with_culture() -> None:
    outcome = _convert(DATA / "split_date_time.csv", culture="de-DE")
    assert outcome.ok, outcome.error
    # KX-0001 tested again later: a report of its own (consecutive rows make a unit)
    assert [(r["sn"], r["start"][:19], r["result"]) for r in outcome.reports] == [
        ("KX-0001", "2026-02-05T07:30:12", "P"),
        ("KX-0002", "2026-02-05T07:31:40", "F"),
        ("KX-0001", "2026-02-05T07:35:02", "P"),
    ]
    meas = outcome.reports[1]["root"]["steps"][0]["numericMeas"][0]
    assert (meas["value"], meas["lowLimit"], meas["highLimit"]) == (3.512, 3.2, 3.4)


def test_date_format_parameter(tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text("SN,PN,Date,Time,TestName,Value\nA,P,2026|07|01,23:59,T1,1\n")
    outcome = _convert(path, date_format="%Y|%m|%d %H:%M")
    assert outcome.ok, outcome.error
    assert outcome.reports[0]["start"].startswith("2026-07-01T23:59:00")
    outcome = _convert(path)
    assert not outcome.ok
    assert "row 2: Date/Time '2026|07|01 23:59' is not a date/time" in (outcome.error or "")


def test_test_date_column_dates_the_report(tmp_path: Path) -> None:
    path = tmp_path / "testdate.csv"
    path.write_text("PartNumber,SerialNumber,TestDate\nP-1,S-1,2024-11-30 10:00:00\nTestName,Value\nA,1\n")
    outcome = _convert(path)
    assert outcome.ok, outcome.error
    assert outcome.reports[0]["start"].startswith("2024-11-30T10:00:00")


def test_reports_are_produced_one_at_a_time(tmp_path: Path) -> None:
    from pywats_client.converters import ConverterContext, ConverterSource
    from pywats_client.converters.builtin.csv import CSVConverter, CSVFormatError

    path = tmp_path / "many.csv"
    rows = "".join(f"U{i},P,T,{i},\n" for i in range(50))
    path.write_text("SN,PN,TestName,Value,Status\n" + rows + "U50,P,T,1,Maybe\n")
    result = CSVConverter().convert(ConverterSource(path), ConverterContext(ContextData()))
    assert result.streamed
    reports = result.iter_reports()
    assert next(reports)["sn"] == "U0"  # the bad last row has not been read yet
    with pytest.raises(CSVFormatError, match="row 52, column Status: unknown status 'Maybe'"):
        list(reports)


def test_a_late_error_fails_the_whole_file_with_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    rows = "".join(f"U{i},P,T,{i},0,100\n" for i in range(20))
    path.write_text("SN,PN,TestName,Value,LowLimit,HighLimit\n" + rows + "U20,P,T,5,zero,100\n")
    outcome = _convert(path)
    assert not outcome.ok
    assert outcome.error == "late.csv row 22, column LowLimit: 'zero' is not a number"
    assert outcome.reports == []


def test_bad_parameter_is_named(tmp_path: Path) -> None:
    outcome = _convert(DATA / "guide_step6.csv", culture="xx-Nowhere")
    assert not outcome.ok
    assert "guide_step6.csv: parameter 'culture'" in (outcome.error or "")


def test_bad_encoding_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("PartNumber,SerialNumber\nP,S\nTestName,Value\nMåling,1\n".encode("latin-1"))
    outcome = _convert(path)
    assert not outcome.ok and "latin.csv: not valid utf-8 text" in (outcome.error or "")
    outcome = _convert(path, encoding="latin-1")
    assert outcome.ok, outcome.error
    assert outcome.reports[0]["root"]["steps"][0]["name"] == "Måling"


def test_a_time_column_of_durations_is_not_a_start_time(tmp_path: Path) -> None:
    path = tmp_path / "durations.csv"
    path.write_text("SN,PN,TestName,Value,Time\nD-1,P,A,1,0.52\nD-1,P,B,2,0.61\nD-2,P,A,1,0.50\n")
    outcome = _convert(path)
    assert outcome.ok, outcome.error
    assert [(r["sn"], len(r["root"]["steps"])) for r in outcome.reports] == [("D-1", 2), ("D-2", 1)]
    assert any("column 'Time' ('0.52') holds no date/time" in message for _level, message in outcome.logs)
    # named explicitly, the column must hold dates: a clear error instead
    outcome = _convert(path, time_column="Time")
    assert not outcome.ok and "Time '0.52' is not a date/time" in (outcome.error or "")


def test_misc_info_columns_as_text_or_list() -> None:
    one = _convert(DATA / "soundcheck_eight_units.txt", part_number="P", misc_info_columns="Operator")
    assert one.ok, one.error
    assert one.reports[0]["miscInfos"][0]["text"] == "Dana"
    bad = _convert(DATA / "soundcheck_eight_units.txt", part_number="P", misc_info_columns=7)
    assert not bad.ok and "parameter 'misc_info_columns' must be a list" in (bad.error or "")
