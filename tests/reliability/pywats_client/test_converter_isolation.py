"""ConverterPool: a converter that crashes, hangs or raises fails only its own file.

Real worker processes are started (spawn), killed and replaced here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pywats_client.converters import ContextData, ConverterPool

DATA = Path(__file__).resolve().parents[2] / "data" / "converters"
STEP6 = DATA / "csv" / "guide_step6.csv"
CONTEXT = ContextData(station_name="ISO-STATION", location="Lab", purpose="Development")

CONVERTERS = '''
import os, threading
from pywats_client.converters import FileConverter, ConverterResult
from pywats.tools import ReportBuilder


class Good(FileConverter):
    def convert(self, source, context):
        context.log_info("pid %d" % os.getpid())
        builder = ReportBuilder(part_number="P-1", serial_number=source.path.stem)
        builder.add_step(name="Voltage", value=5.0, unit="V", limits=(4.5, 5.5))
        return ConverterResult.success(builder)


class Exits(FileConverter):
    def convert(self, source, context):
        os._exit(1)


class Hangs(FileConverter):
    def convert(self, source, context):
        threading.Event().wait()  # never returns (no deadline: the pool's timeout kills it)


class Raises(FileConverter):
    def convert(self, source, context):
        raise RuntimeError("instrument driver exploded")


class Segfaults(FileConverter):
    def convert(self, source, context):
        import ctypes
        ctypes.string_at(0)


class OutOfMemory(FileConverter):
    def convert(self, source, context):
        raise MemoryError()


class Pid(FileConverter):
    def convert(self, source, context):
        return ConverterResult.success(
            {"pn": "P", "sn": str(os.getpid()), "rev": "A", "processCode": 100,
             "root": {"stepType": "SequenceCall", "name": "Main", "steps": []}})
'''


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    conv = tmp_path / "conv"
    conv.mkdir()
    (conv / "iso_converters.py").write_text(CONVERTERS)
    return conv


@pytest.fixture
def pool(folder: Path) -> Iterator[ConverterPool]:
    with ConverterPool(2, converter_paths=[folder]) as p:
        yield p


def _good(pool: ConverterPool, name: str = "SN-1") -> None:
    outcome = pool.convert("iso_converters.Good", STEP6.with_name(name), context=CONTEXT, timeout=30)
    # the file does not need to exist for Good; it only uses the name
    assert outcome.ok, outcome.error
    assert outcome.reports[0]["sn"] == Path(name).stem
    assert outcome.reports[0]["machineName"] == "ISO-STATION"
    assert outcome.logs and outcome.logs[0][0] == "INFO"


def test_good_conversion_runs_in_another_process(pool: ConverterPool) -> None:
    outcome = pool.convert("csv", STEP6, context=CONTEXT, timeout=30)
    assert outcome.ok, outcome.error
    (report,) = outcome.reports
    assert (report["pn"], report["sn"], report["result"]) == ("WIDGET-100", "SN-12345", "P")
    pid_outcome = pool.convert("iso_converters.Pid", STEP6, context=CONTEXT, timeout=30)
    assert pid_outcome.ok, pid_outcome.error
    assert int(pid_outcome.reports[0]["sn"]) != os.getpid()
    assert int(pid_outcome.reports[0]["sn"]) in pool.worker_pids()


def test_workers_are_reused(pool: ConverterPool) -> None:
    pids = set()
    for _ in range(6):
        outcome = pool.convert("iso_converters.Pid", STEP6, context=CONTEXT, timeout=30)
        assert outcome.ok, outcome.error
        pids.add(int(outcome.reports[0]["sn"]))
    assert len(pids) == 1  # one caller at a time: the same worker serves every file
    assert pool.workers_started == 1


def test_os_exit_fails_only_that_file_and_the_worker_is_replaced(pool: ConverterPool) -> None:
    first = pool.convert("iso_converters.Pid", STEP6, context=CONTEXT, timeout=30)
    old_pid = int(first.reports[0]["sn"])
    outcome = pool.convert("iso_converters.Exits", STEP6, context=CONTEXT, timeout=30)
    assert not outcome.ok
    assert outcome.error == "converter process died while converting (exit code 1)"
    assert outcome.traceback
    assert old_pid not in pool.worker_pids()
    after = pool.convert("iso_converters.Pid", STEP6, context=CONTEXT, timeout=30)
    assert after.ok, after.error
    assert int(after.reports[0]["sn"]) != old_pid
    _good(pool)


def test_hang_times_out_and_the_worker_is_killed(pool: ConverterPool) -> None:
    first = pool.convert("iso_converters.Pid", STEP6, context=CONTEXT, timeout=30)
    old_pid = int(first.reports[0]["sn"])
    outcome = pool.convert("iso_converters.Hangs", STEP6, context=CONTEXT, timeout=1.0)
    assert not outcome.ok
    assert outcome.error == "converter timed out after 1s"
    assert outcome.duration >= 1.0
    assert old_pid not in pool.worker_pids()
    import psutil

    assert not psutil.pid_exists(old_pid) or psutil.Process(old_pid).status() == psutil.STATUS_ZOMBIE
    _good(pool)


def test_exception_fails_the_file_and_keeps_the_worker(pool: ConverterPool) -> None:
    first = pool.convert("iso_converters.Pid", STEP6, context=CONTEXT, timeout=30)
    pid = int(first.reports[0]["sn"])
    outcome = pool.convert("iso_converters.Raises", STEP6, context=CONTEXT, timeout=30)
    assert not outcome.ok
    assert outcome.error is not None
    assert outcome.error.startswith("converter raised RuntimeError: instrument driver exploded (iso_converters.py, line")
    assert outcome.traceback and "RuntimeError" in outcome.traceback
    again = pool.convert("iso_converters.Pid", STEP6, context=CONTEXT, timeout=30)
    assert int(again.reports[0]["sn"]) == pid  # an ordinary exception does not cost the worker


def test_segfault_fails_only_that_file(pool: ConverterPool) -> None:
    outcome = pool.convert("iso_converters.Segfaults", STEP6, context=CONTEXT, timeout=30)
    assert not outcome.ok
    assert outcome.error is not None
    assert "died" in outcome.error or "OSError" in outcome.error  # Windows: access violation → OSError
    _good(pool)


def test_memory_error_retires_the_worker(pool: ConverterPool) -> None:
    first = pool.convert("iso_converters.Pid", STEP6, context=CONTEXT, timeout=30)
    old_pid = int(first.reports[0]["sn"])
    outcome = pool.convert("iso_converters.OutOfMemory", STEP6, context=CONTEXT, timeout=30)
    assert not outcome.ok
    assert "MemoryError" in (outcome.error or "")
    after = pool.convert("iso_converters.Pid", STEP6, context=CONTEXT, timeout=30)
    assert int(after.reports[0]["sn"]) != old_pid


def test_load_error_is_an_outcome_not_an_exception(pool: ConverterPool, folder: Path) -> None:
    (folder / "csv_converter.py").write_text(
        (DATA / "guide" / "published" / "csv_converter.py").read_text()
    )
    outcome = pool.convert("csv_converter.CSVConverter", STEP6, context=CONTEXT, timeout=30)
    assert not outcome.ok
    assert "NameError: name 'List' is not defined" in (outcome.error or "")
    assert "line 11" in (outcome.error or "")


def test_mixed_load_from_threads_only_bad_files_fail(pool: ConverterPool) -> None:
    specs = ["iso_converters.Good", "iso_converters.Raises", "iso_converters.Exits", "iso_converters.Good",
             "iso_converters.Hangs", "iso_converters.Good", "csv", "iso_converters.Good"]
    results: dict[int, object] = {}

    def run(index: int, spec: str) -> None:
        results[index] = pool.convert(
            spec, STEP6.with_name(f"SN-{index}.csv") if spec != "csv" else STEP6, context=CONTEXT, timeout=1.5
        )

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(specs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == len(specs)
    for index, spec in enumerate(specs):
        outcome = results[index]
        should_pass = spec in ("iso_converters.Good", "csv")
        assert outcome.ok is should_pass, (spec, outcome.error)  # type: ignore[attr-defined]
    assert len(pool.worker_pids()) <= 2


def test_closed_pool_refuses_work(folder: Path) -> None:
    pool = ConverterPool(1, converter_paths=[folder])
    outcome = pool.convert("iso_converters.Pid", STEP6, context=CONTEXT, timeout=30)
    pid = int(outcome.reports[0]["sn"])
    pool.close()
    import psutil

    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    with pytest.raises(RuntimeError, match="closed"):
        pool.convert("iso_converters.Pid", STEP6, context=CONTEXT, timeout=30)
    pool.close()  # idempotent


def test_invalid_max_workers() -> None:
    with pytest.raises(ValueError):
        ConverterPool(0)


def test_describe_loads_in_a_worker(pool: ConverterPool, folder: Path) -> None:
    info = pool.describe("csv")
    assert info.ok and info.name == "CSV Converter" and info.file_patterns == ["*.csv"]
    (folder / "csv_converter.py").write_text((DATA / "guide" / "published" / "csv_converter.py").read_text())
    broken = pool.describe("csv_converter.CSVConverter")
    assert not broken.ok
    assert broken.reason == "NameError: name 'List' is not defined"
    assert broken.line == 11 and Path(broken.file or "").name == "csv_converter.py"
    assert broken.error == f"csv_converter.CSVConverter: NameError: name 'List' is not defined ({broken.file}, line 11)"


def test_describe_survives_an_import_that_kills_the_process(pool: ConverterPool, folder: Path) -> None:
    (folder / "kills_at_import.py").write_text("import os\nos._exit(7)\n")
    info = pool.describe("kills_at_import.Conv", timeout=30)
    assert not info.ok
    assert "exit code 7" in (info.error or "")
    assert pool.describe("atml").ok  # the pool still serves
