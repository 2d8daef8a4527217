"""Converter API: ConverterResult, ConverterSource, ConverterContext, matches_patterns."""

from __future__ import annotations

import codecs
from pathlib import Path, PureWindowsPath

import pytest

from pywats_client.converters import (
    ContextData,
    ConverterContext,
    ConverterResult,
    ConverterSource,
    FileConverter,
    matches_patterns,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "converters"


# -- ConverterResult ------------------------------------------------------------------
def test_success_is_a_constructor_on_the_class_and_a_bool_on_the_instance() -> None:
    result = ConverterResult.success({"pn": "X"})
    assert result.success is True
    assert result.failure is False
    assert result.data == {"pn": "X"}
    assert result.error is None
    assert result.reports == [{"pn": "X"}]


def test_failure_constructor_and_flags() -> None:
    result = ConverterResult.failure("Validation failed: Missing required fields")
    assert result.success is False
    assert result.failure is True
    assert result.data is None
    assert result.error == "Validation failed: Missing required fields"
    assert result.reports == []
    assert (result.data or result.error) == "Validation failed: Missing required fields"


def test_success_accepts_a_list_of_reports() -> None:
    result = ConverterResult.success([{"sn": "1"}, {"sn": "2"}])
    assert result.success
    assert [r["sn"] for r in result.reports] == ["1", "2"]


def test_success_without_report_is_refused() -> None:
    with pytest.raises(ValueError):
        ConverterResult.success(None)
    with pytest.raises(ValueError):
        ConverterResult.success([])


def test_failure_inside_except_records_exception_type_and_traceback() -> None:
    try:
        {}["TestName"]
    except Exception as e:  # noqa: BLE001 - the guide's pattern
        result = ConverterResult.failure(str(e))
    assert result.error == "KeyError: 'TestName'"
    assert result.traceback is not None and "KeyError" in result.traceback


def test_failure_message_is_one_line() -> None:
    result = ConverterResult.failure("line one\nline two")
    assert result.error == "line one line two"


# -- ConverterSource ------------------------------------------------------------------
def test_source_reads_text_bytes_and_opens(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"x,y\r\n1,2\r\n")
    source = ConverterSource(path)
    assert source.name == "a.csv"
    assert source.path == path
    assert source.read_bytes() == b"x,y\r\n1,2\r\n"
    assert source.read_text().splitlines() == ["x,y", "1,2"]
    with source.open() as handle:
        assert handle.read() == b"x,y\r\n1,2\r\n"
    with source.open("r") as handle:
        assert handle.read().splitlines() == ["x,y", "1,2"]


@pytest.mark.parametrize("mode", ["w", "a", "r+", "wb"])
def test_source_refuses_writing(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "a.csv"
    path.write_text("x")
    with pytest.raises(ValueError, match="a.csv"):
        ConverterSource(path).open(mode)


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_source_detects_byte_order_marks(tmp_path: Path, bom: bytes, encoding: str) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(bom + "PartNumber,Ω\n".encode(encoding))
    assert ConverterSource(path).read_text() == "PartNumber,Ω\n"


def test_source_explicit_encoding(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes("Temperatur,°C\n".encode("cp1252"))
    assert ConverterSource(path).read_text("cp1252") == "Temperatur,°C\n"


def test_source_bad_encoding_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes("Temperatur,°C\n".encode("cp1252"))
    with pytest.raises(ValueError, match=r"legacy\.csv: not valid utf-8 text .*offset 11"):
        ConverterSource(path).read_text()


# -- ConverterContext -----------------------------------------------------------------
def test_context_carries_station_processes_and_arguments() -> None:
    data = ContextData(
        station_name="FCT-01",
        location="Line 1",
        purpose="Production",
        instance_id="production",
        processes=[{"code": 50, "name": "PCBA Test"}, {"Code": 100, "Name": "FCT"}],
        arguments={"delimiter": ";"},
    )
    context = ConverterContext(data, file_name="x.csv")
    assert (context.station_name, context.location, context.purpose, context.instance_id) == (
        "FCT-01",
        "Line 1",
        "Production",
        "production",
    )
    assert context.process_code("FCT") == 100
    assert context.process_code("pcba test") == 50
    assert context.process_code("42") == 42
    assert context.process_code("No such process") is None
    assert context.arguments == {"delimiter": ";"}
    assert context.get_argument("missing", 7) == 7


def test_context_collects_and_forwards_logs() -> None:
    forwarded: list[tuple[str, str]] = []
    context = ConverterContext(ContextData(), file_name="x.csv", forward=lambda lvl, msg: forwarded.append((lvl, msg)))
    context.log_info("parsed 3 rows")
    context.log_warning("no unit for step 2")
    context.log_error("Converter crash: boom")
    expected = [("INFO", "parsed 3 rows"), ("WARNING", "no unit for step 2"), ("ERROR", "Converter crash: boom")]
    assert context.logs == expected
    assert forwarded == expected


def test_context_data_is_picklable() -> None:
    import pickle

    data = ContextData(station_name="S", processes=[{"code": 1, "name": "A"}], arguments={"k": [1, 2]})
    assert pickle.loads(pickle.dumps(data)) == data


# -- FileConverter defaults -----------------------------------------------------------
def test_file_converter_defaults_and_abstract_convert() -> None:
    class Minimal(FileConverter):
        def convert(self, source, context):  # type: ignore[no-untyped-def]
            return ConverterResult.failure("nothing")

    converter = Minimal()
    assert converter.name == "Minimal"
    assert converter.file_patterns == ["*"]

    class NoConvert(FileConverter):
        pass

    with pytest.raises(TypeError):
        NoConvert()  # type: ignore[abstract]


# -- matches_patterns ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "patterns", "expected"),
    [
        ("TEST.CSV", ["*.csv"], True),
        ("test.csv", ["*.CSV"], True),
        ("test.csv.tmp", ["*.csv"], False),
        ("report.json", ["*.csv", "*.json"], True),
        ("PB1234.txt", ["PB*.txt"], True),
        ("XB1234.txt", ["PB*.txt"], False),
        ("anything", ["*"], True),
        ("anything", [], False),
        ("data.csv", "*.csv", True),
    ],
)
def test_matches_patterns(name: str, patterns: list[str] | str, expected: bool) -> None:
    assert matches_patterns(Path("/in") / name, patterns) is expected


def test_matches_patterns_windows_path_and_folder_pattern() -> None:
    assert matches_patterns(PureWindowsPath(r"C:\TestData\Incoming\TEST.CSV"), ["*.csv"])
    assert matches_patterns(PureWindowsPath(r"C:\TestData\ICT\a.txt"), [r"ICT\*.txt"])
    assert not matches_patterns(PureWindowsPath(r"C:\TestData\FCT\a.txt"), [r"ICT\*.txt"])


def test_sample_data_folder_exists() -> None:
    assert (DATA / "csv" / "guide_step6.csv").is_file()


def test_outcome_forwards_logs_with_file_name(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from pywats_client.converters import ConversionOutcome

    outcome = ConversionOutcome(ok=True, logs=[("INFO", "parsed"), ("ERROR", "Converter crash: x")])
    logger = logging.getLogger("test.converters")
    with caplog.at_level(logging.INFO, logger="test.converters"):
        outcome.forward_logs(logger, "test.csv")
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", "test.csv: parsed"),
        ("ERROR", "test.csv: Converter crash: x"),
    ]
