"""A converter worker's memory cap: a file that needs more fails alone, with a reason
naming the cap's config key; the worker is replaced and other files convert.

Real worker processes (spawn) and a real service process are used.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pywats_client.converters import ContextData, ConverterPool
from pywats_client.service.testing import ServiceProcess, guide_csv, server_headers, write_config

DATA = Path(__file__).resolve().parents[2] / "data" / "converters"
CONTEXT = ContextData(station_name="MEM-STATION")

CONVERTERS = '''
import os
from pywats_client.converters import FileConverter, ConverterResult
from pywats.tools import ReportBuilder


class Hog(FileConverter):
    """Holds 1.5 GB, a chunk at a time, then would report."""
    def convert(self, source, context):
        chunks = [bytearray(64 * 1024 * 1024) for _ in range(24)]
        builder = ReportBuilder(part_number="P-1", serial_number=source.path.stem)
        builder.add_step(name="Chunks", value=len(chunks))
        return ConverterResult.success(builder)


class Small(FileConverter):
    def convert(self, source, context):
        block = bytearray(64 * 1024 * 1024)  # 64 MB: well under the cap
        builder = ReportBuilder(part_number="P-1", serial_number=source.path.stem)
        builder.add_step(name="Block", value=len(block))
        return ConverterResult.success(builder)
'''


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    conv = tmp_path / "conv"
    conv.mkdir()
    (conv / "mem_converters.py").write_text(CONVERTERS)
    return conv


@pytest.fixture
def pool(folder: Path) -> Iterator[ConverterPool]:
    with ConverterPool(1, converter_paths=[folder]) as p:
        yield p


def test_a_file_over_the_cap_fails_alone_and_the_worker_is_replaced(pool: ConverterPool, tmp_path: Path) -> None:
    source = tmp_path / "unit-1.dat"
    source.write_text("x")
    outcome = pool.convert("mem_converters.Small", source, context=CONTEXT, timeout=60, memory_cap_mb=512)
    assert outcome.ok, outcome.error
    first_pid = pool.worker_pids()

    outcome = pool.convert("mem_converters.Hog", source, context=CONTEXT, timeout=60, memory_cap_mb=512)
    assert not outcome.ok
    assert outcome.error is not None
    assert outcome.error.startswith("memory cap hit: converting this file needed more than 512 MB")
    assert "max_converter_memory_mb" in outcome.error
    assert "MemoryError" in (outcome.traceback or "")
    assert outcome.reports == []

    # the same pool goes on: a new worker converts the next files, under the cap again
    for _ in range(2):
        outcome = pool.convert("mem_converters.Small", source, context=CONTEXT, timeout=60, memory_cap_mb=512)
        assert outcome.ok, outcome.error
    assert pool.worker_pids() != first_pid

    # without a cap the hog gets its memory (the cap is per request, not sticky)
    outcome = pool.convert("mem_converters.Hog", source, context=CONTEXT, timeout=60, memory_cap_mb=None)
    assert outcome.ok, outcome.error


def test_the_key_named_is_the_one_that_set_the_cap(pool: ConverterPool, tmp_path: Path) -> None:
    source = tmp_path / "unit-2.dat"
    source.write_text("x")
    outcome = pool.convert(
        "mem_converters.Hog", source, context=CONTEXT, timeout=60,
        memory_cap_mb=300, memory_cap_key="max_memory_mb of converter 'hog'",
    )
    assert not outcome.ok
    assert "needed more than 300 MB" in (outcome.error or "")
    assert "max_memory_mb of converter 'hog'" in (outcome.error or "")


def test_many_units_stream_from_the_worker_under_a_small_cap(pool: ConverterPool, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("SerialNumber,PartNumber,TestName,Value,LowLimit,HighLimit\n")
        for unit in range(2000):
            for step in range(10):
                out.write(f"M-{unit:05d},PCB-1,Step {step},{step}.5,0,100\n")
    outcome = pool.convert("csv", path, context=CONTEXT, timeout=120, memory_cap_mb=300)
    assert outcome.ok, outcome.error
    assert outcome.report_count == 2000 and len(outcome.reports) == 2000
    assert [r["sn"] for r in outcome.reports[:3]] == ["M-00000", "M-00001", "M-00002"]
    assert all(len(r["root"]["steps"]) == 10 for r in outcome.reports)


def test_service_moves_the_file_over_the_cap_to_error_and_uploads_the_others(
    tmp_path: Path, folder: Path, wats_server: Any
) -> None:
    home, hog_in, csv_in = tmp_path / "home", tmp_path / "hog_in", tmp_path / "csv_in"
    hog_in.mkdir()
    csv_in.mkdir()
    write_config(
        home,
        "memcap",
        service_address=wats_server.base_url,
        api_token=wats_server.token,
        station_name="MEMCAP-01",
        process_sync_enabled=False,
        health_check_interval=0.5,
        max_converter_workers=1,
        max_converter_memory_mb=400,
        converter_paths=[str(folder)],
        converters=[
            {"name": "hog", "module_path": "mem_converters.Hog", "watch_folder": str(hog_in),
             "file_patterns": ["*.dat"], "file_stable_seconds": 0.1},
            {"name": "csv", "module_path": "csv", "watch_folder": str(csv_in),
             "done_folder": str(home / "Done"), "file_stable_seconds": 0.1},
        ],
    )
    prefix = f"MEMCAP-{os.getpid()}-"
    svc = ServiceProcess(home, "memcap").start()
    try:
        svc.wait_for(lambda s: s["state"] == "ONLINE", 30)
        (hog_in / "big.dat").write_text("x")
        svc.wait_for(lambda s: (hog_in / "Error" / "big.dat").exists(), 60)
        for i in range(3):
            (csv_in / f"r{i}.csv").write_text(guide_csv(f"{prefix}{i}"), encoding="utf-8")
        svc.wait_for(lambda s: s["queue"].get("completed", 0) == 3, 60)
        assert svc.stop()[0] == 0
    finally:
        svc.kill()
    reason = "\n".join(p.read_text(encoding="utf-8") for p in (hog_in / "Error").glob("*.error"))
    assert "memory cap hit" in reason and "max_converter_memory_mb" in reason and "400 MB" in reason
    assert sorted(h["serialNumber"] for h in server_headers(wats_server.base_url, wats_server.token, prefix)) == [
        f"{prefix}{i}" for i in range(3)
    ]


def test_reports_can_be_taken_as_they_arrive(pool: ConverterPool, tmp_path: Path) -> None:
    path = tmp_path / "arrive.csv"
    path.write_text("SN,PN,TestName,Value\n" + "".join(f"A-{i},P,T,{i}\n" for i in range(300)), encoding="utf-8")
    seen: list[str] = []
    outcome = pool.convert("csv", path, context=CONTEXT, timeout=60, on_report=lambda r: seen.append(r["sn"]))
    assert outcome.ok, outcome.error
    assert outcome.reports == [] and outcome.report_count == 300
    assert seen == [f"A-{i}" for i in range(300)]
