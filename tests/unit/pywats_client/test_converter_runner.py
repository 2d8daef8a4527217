"""convert_in_process / convert_file: the guide's converters, normalisation, failures."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pywats_client.converters import ContextData, convert_in_process, load_converter
from pywats_client.converters.runner import clear_class_cache

DATA = Path(__file__).resolve().parents[2] / "data" / "converters"
GUIDE = DATA / "guide"
STEP6 = DATA / "csv" / "guide_step6.csv"
STATION = ContextData(
    station_name="FCT-STATION-01",
    location="Building A - Line 1",
    purpose="Production",
    instance_id="production",
    processes=[{"code": 100, "name": "FCT"}, {"code": 50, "name": "PCBA Test"}],
)


@pytest.fixture
def converters_dir(tmp_path: Path) -> Iterator[Path]:
    """A converter folder; sys.path, imported modules and the class cache are restored after."""
    folder = tmp_path / "converters_dir"
    folder.mkdir()
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    clear_class_cache()
    yield folder
    clear_class_cache()
    sys.path[:] = saved_path
    for name in set(sys.modules) - saved_modules:
        if not name.startswith(("pywats", "pydantic", "_pytest")):
            del sys.modules[name]


def _write(folder: Path, name: str, body: str) -> None:
    (folder / name).write_text(
        "from pywats_client.converters import FileConverter, ConverterResult\n"
        "from pywats.tools import ReportBuilder\n"
        "ROOT = {'stepType': 'SequenceCall', 'name': 'MainSequence Callback', 'steps': []}\n" + body
    )


def test_guide_csv_converter_fixed_converts_step6_sample(converters_dir: Path) -> None:
    shutil.copy(GUIDE / "fixed" / "csv_converter.py", converters_dir / "csv_converter.py")
    outcome = convert_in_process(
        "csv_converter.CSVConverter", STEP6, context=STATION, converter_paths=[converters_dir]
    )
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert (report["pn"], report["sn"], report["result"]) == ("WIDGET-100", "SN-12345", "P")
    steps = report["root"]["steps"]
    assert [s["name"] for s in steps] == ["Resistance", "Voltage", "Current"]
    assert all(s["status"] == "P" and s["numericMeas"][0]["status"] == "P" for s in steps)
    # station identity comes from the context when the converter does not set it
    assert (report["machineName"], report["location"], report["purpose"]) == (
        "FCT-STATION-01",
        "Building A - Line 1",
        "Production",
    )
    assert outcome.duration >= 0


def test_guide_csv_converter_as_published_plus_list_import_cannot_read_step6(converters_dir: Path) -> None:
    """The guide's converter body reads the sample with one DictReader, so the step table's
    header is not a header: the failure message says exactly what went wrong."""
    text = (GUIDE / "published" / "csv_converter.py").read_text()
    (converters_dir / "csv_converter.py").write_text("from typing import List\n" + text)
    outcome = convert_in_process(
        "csv_converter.CSVConverter", STEP6, context=STATION, converter_paths=[converters_dir]
    )
    assert not outcome.ok
    assert outcome.error == "KeyError: 'TestName'"
    assert outcome.traceback and "csv_converter.py" in outcome.traceback


def test_guide_csv_converter_as_published_fails_to_load_in_outcome(converters_dir: Path) -> None:
    shutil.copy(GUIDE / "published" / "csv_converter.py", converters_dir / "csv_converter.py")
    outcome = convert_in_process(
        "csv_converter.CSVConverter", STEP6, context=STATION, converter_paths=[converters_dir]
    )
    assert not outcome.ok
    assert outcome.error is not None
    assert outcome.error.startswith("csv_converter.CSVConverter: NameError: name 'List' is not defined (")
    assert outcome.error.endswith("csv_converter.py, line 11)")


def test_manual_convert_file_as_in_the_guide(converters_dir: Path) -> None:
    shutil.copy(GUIDE / "fixed" / "csv_converter.py", converters_dir / "csv_converter.py")
    cls = load_converter("csv_converter.CSVConverter", [converters_dir])
    converter = cls()
    result = converter.convert_file(str(STEP6))
    assert result.success is True
    assert isinstance(result.data, dict)
    assert (result.data or result.error)["sn"] == "SN-12345"
    assert result.data["machineName"]  # this computer's name by default


def test_fct_converter_resolves_operation_from_context_processes(converters_dir: Path) -> None:
    shutil.copy(GUIDE / "fixed" / "fct_converter.py", converters_dir / "fct_converter.py")
    context = ContextData(station_name="S", processes=[{"Code": 77, "Name": "FCT"}])
    from pywats.models import process_codes

    process_codes.clear()
    try:
        outcome = convert_in_process(
            "fct_converter.FCTConverter", GUIDE / "unit_fct.fct",
            context=context, converter_paths=[converters_dir],
        )
    finally:
        process_codes.clear()
    assert outcome.ok, outcome.error
    assert outcome.reports[0]["processCode"] == 77
    assert outcome.reports[0]["sn"] == "SN-777"


def test_fct_converter_unknown_operation_fails_clearly(converters_dir: Path) -> None:
    """With a process list known, a name that is not in it is a mistake: fail the file."""
    shutil.copy(GUIDE / "fixed" / "fct_converter.py", converters_dir / "fct_converter.py")
    from pywats.models import process_codes

    process_codes.clear()
    context = ContextData(station_name="S", processes=[{"Code": 50, "Name": "ICT"}])
    try:
        outcome = convert_in_process(
            "fct_converter.FCTConverter", GUIDE / "unit_fct.fct",
            context=context, converter_paths=[converters_dir],
        )
    finally:
        process_codes.clear()
    assert not outcome.ok
    assert "FCT" in (outcome.error or "")
    assert "process" in (outcome.error or "").lower()


def test_operation_name_is_kept_for_upload_when_no_process_list_is_known(converters_dir: Path) -> None:
    """Converting must not need the network: with no process list at all, the report keeps
    ``processName`` (validated otherwise) and ``submit_report`` resolves it at upload."""
    shutil.copy(GUIDE / "fixed" / "fct_converter.py", converters_dir / "fct_converter.py")
    from pywats.models import process_codes

    process_codes.clear()
    outcome = convert_in_process(
        "fct_converter.FCTConverter", GUIDE / "unit_fct.fct",
        context=ContextData(station_name="S"), converter_paths=[converters_dir],
    )
    assert outcome.ok, outcome.error
    report = outcome.reports[0]
    assert report["processName"] == "FCT" and "processCode" not in report
    assert report["sn"] == "SN-777" and report["id"] and report["startUTC"]


@pytest.mark.parametrize(
    ("sample", "ok", "error"),
    [
        ("unit_fct.fct", True, None),
        ("missing_sn.fct", False, "Validation failed: Missing required fields"),
        ("bad_voltage.fct", False, "Parse error: could not convert string to float: 'five'"),
    ],
)
def test_guide_robust_converter(converters_dir: Path, sample: str, ok: bool, error: str | None) -> None:
    shutil.copy(GUIDE / "fixed" / "robust_converter.py", converters_dir / "robust_converter.py")
    outcome = convert_in_process(
        "robust_converter.RobustConverter", GUIDE / sample, context=STATION, converter_paths=[converters_dir]
    )
    assert outcome.ok is ok
    assert outcome.error == error


def test_exception_in_convert_names_type_file_and_line(converters_dir: Path) -> None:
    _write(
        converters_dir,
        "raising_conv.py",
        "class Conv(FileConverter):\n"
        "    def convert(self, source, context):\n"
        "        context.log_info('starting')\n"
        "        raise ValueError('row 3: bad value')\n",
    )
    outcome = convert_in_process("raising_conv.Conv", STEP6, context=STATION, converter_paths=[converters_dir])
    assert not outcome.ok
    assert outcome.error == "converter raised ValueError: row 3: bad value (raising_conv.py, line 7)"
    assert outcome.traceback and "ValueError: row 3: bad value" in outcome.traceback
    assert outcome.logs == [("INFO", "starting")]


def test_multi_report_return_queues_all(converters_dir: Path) -> None:
    _write(
        converters_dir,
        "multi_conv.py",
        "class Conv(FileConverter):\n"
        "    def convert(self, source, context):\n"
        "        reports = []\n"
        "        for sn in ('A1', 'A2', 'A3'):\n"
        "            b = ReportBuilder(part_number='P', serial_number=sn)\n"
        "            b.add_step(name='x', value=1.0, limits=(0, 2))\n"
        "            reports.append(b if sn == 'A1' else b.to_dict() if sn == 'A2' else b.build())\n"
        "        return ConverterResult.success(reports)\n",
    )
    outcome = convert_in_process("multi_conv.Conv", STEP6, context=STATION, converter_paths=[converters_dir])
    assert outcome.ok, outcome.error
    assert [r["sn"] for r in outcome.reports] == ["A1", "A2", "A3"]
    assert all(isinstance(r, dict) and r["machineName"] == "FCT-STATION-01" for r in outcome.reports)


def test_invalid_report_fails_with_field(converters_dir: Path) -> None:
    _write(
        converters_dir,
        "invalid_conv.py",
        "class Conv(FileConverter):\n"
        "    def convert(self, source, context):\n"
        "        good = {'pn': 'P', 'sn': 'S1', 'rev': 'A', 'processCode': 100, 'root': ROOT}\n"
        "        bad = {'pn': 'P', 'rev': 'A', 'processCode': 100, 'root': ROOT}\n"
        "        return ConverterResult.success([good, bad])\n",
    )
    outcome = convert_in_process("invalid_conv.Conv", STEP6, context=STATION, converter_paths=[converters_dir])
    assert not outcome.ok
    assert outcome.reports == []
    assert outcome.error is not None
    assert outcome.error.startswith("report 2 of 2: invalid report")
    assert "sn" in outcome.error


def test_convert_returning_none_or_bare_report(converters_dir: Path) -> None:
    _write(
        converters_dir,
        "odd_conv.py",
        "class NoneConv(FileConverter):\n"
        "    def convert(self, source, context):\n"
        "        return None\n"
        "class BareConv(FileConverter):\n"
        "    def convert(self, source, context):\n"
        "        return {'pn': 'P', 'sn': 'S', 'rev': 'A', 'processCode': 100, 'root': ROOT}\n",
    )
    none = convert_in_process("odd_conv.NoneConv", STEP6, context=STATION, converter_paths=[converters_dir])
    assert not none.ok and "returned None" in (none.error or "")
    bare = convert_in_process("odd_conv.BareConv", STEP6, context=STATION, converter_paths=[converters_dir])
    assert bare.ok and bare.reports[0]["sn"] == "S"
    assert any(level == "WARNING" for level, _ in bare.logs)


def test_arguments_reach_the_converter(converters_dir: Path) -> None:
    _write(
        converters_dir,
        "args_conv.py",
        "class Conv(FileConverter):\n"
        "    def convert(self, source, context):\n"
        "        return ConverterResult.success({'pn': context.arguments['pn'], 'sn': source.name,\n"
        "            'rev': 'A', 'processCode': context.process_code('PCBA Test'), 'root': ROOT})\n",
    )
    context = ContextData(station_name="S", processes=STATION.processes, arguments={"pn": "FROM-ARGS"})
    outcome = convert_in_process("args_conv.Conv", STEP6, context=context, converter_paths=[converters_dir])
    assert outcome.ok, outcome.error
    assert outcome.reports[0]["pn"] == "FROM-ARGS"
    assert outcome.reports[0]["sn"] == "guide_step6.csv"
    assert outcome.reports[0]["processCode"] == 50


def test_constructor_failure_is_reported(converters_dir: Path) -> None:
    _write(
        converters_dir,
        "ctor_conv.py",
        "class Conv(FileConverter):\n"
        "    def __init__(self):\n"
        "        raise OSError('licence file missing')\n"
        "    def convert(self, source, context):\n"
        "        return None\n",
    )
    outcome = convert_in_process("ctor_conv.Conv", STEP6, context=STATION, converter_paths=[converters_dir])
    assert not outcome.ok
    assert (outcome.error or "").startswith("converter Conv could not be created: OSError: licence file missing")


def test_a_report_iterator_is_taken_lazily_and_a_late_error_fails_the_file(tmp_path: Path) -> None:

    from pywats_client.converters import ContextData, ConversionError, ConverterResult, FileConverter
    from pywats_client.converters.runner import convert_with_instance

    class Units(FileConverter):
        def convert(self, source, context):  # type: ignore[no-untyped-def]
            def reports() -> Iterator[dict[str, object]]:
                for sn in ("U-1", "U-2", "bad"):
                    if sn == "bad":
                        raise ConversionError(f"{source.name} line 3: broken unit")
                    yield {"pn": "P", "sn": sn, "rev": "A", "processCode": 100,
                           "root": {"stepType": "SequenceCall", "name": "Main", "steps": []}}
            return ConverterResult.success(reports())

    path = tmp_path / "units.txt"
    path.write_text("x")
    seen: list[str] = []
    outcome = convert_with_instance(Units(), path, ContextData(), sink=lambda r: seen.append(r["sn"]))
    assert seen == ["U-1", "U-2"]  # handed on one by one before the generator failed
    assert not outcome.ok and outcome.error == "units.txt line 3: broken unit"


def test_a_results_warnings_are_logged_once(tmp_path: Path) -> None:
    path = tmp_path / "footer.txt"
    path.write_text("--Header-Start--\nSerialNumber\tF-1\nPartNumber\tPN-1\nRevision\tA\nOperationTypeCode\t100\n--Step-Data-Start--\n"
                    "--Step-Data-End--\nSignature\tabc\nUUTStatus\tPassed\n--UUT-End--\n", encoding="utf-8")
    outcome = convert_in_process("wstf", path, context=STATION)
    assert outcome.ok, outcome.error
    warnings = [message for level, message in outcome.logs if level == "WARNING"]
    assert len(warnings) == 1 and "footer line 'Signature' ignored" in warnings[0]
