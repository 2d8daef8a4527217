"""A source file with many units, through a real service and server.

- Bounded memory: a CSV with 20,000 units is handed to the queue in chunks while it
  converts; the service's RSS stays far below what collecting its reports would take
  (~13 kB of Python objects per 10-step report: ~260 MB), and every unit reaches the server
  exactly once.
- SIGKILL in the middle of the hand-over: nothing of the file was uploaded yet (its chunks
  are held); the restart deletes the held chunks, converts the file again, and every unit
  is on the server exactly once, the source in Done.
- A file failing after its first chunks were queued: the held reports are deleted, none
  reaches the server, the file goes to Error with its reason; a good file still goes through.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]

from pywats_client.queue import PersistentQueue
from pywats_client.service.stream import DEFAULT_CHUNK_REPORTS
from pywats_client.service.testing import PeakRss, ServiceProcess, guide_csv, write_config

STEPS = ("Ave Level", "Polarity", "Response margin", "THD margin", "Rub and Buzz margin",
         "Noise floor", "Impedance", "Resonance", "Sensitivity 1k", "Sensitivity 4k")

FAILS_LATE = '''
from pywats_client.converters import ConversionError, ConverterResult
from pywats_client.converters.builtin.csv import CSVConverter

FAIL_AT = {fail_at}


class FailsLate(CSVConverter):
    """The CSV converter, failing on unit FAIL_AT of files named late*.csv (a bad row deep
    in a big file)."""

    def convert(self, source, context):
        result = super().convert(source, context)
        if not result.success or not source.name.startswith("late"):
            return result

        def reports():
            for i, report in enumerate(result.data):
                if i == FAIL_AT:
                    raise ConversionError(f"{{source.name}}: unit {{i}}: the measurement row is broken")
                yield report

        return ConverterResult.success(reports())
'''


def _write_units(path: Path, prefix: str, units: int) -> None:
    """A tab-separated export with one row per measurement, ten rows per unit."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        out.write("Serial #:\tOperator: \tTime: \tLot #: \tName\tMargin\tUnit\tResult\tTolerance\tLimits\n")
        for unit in range(units):
            stamp = f"7/{1 + unit % 28}/2026 {1 + unit % 12}:{unit % 60:02d}:{(unit * 7) % 60:02d} PM"
            out.write("".join(
                f"{prefix}{unit:06d}\tOp{unit % 5}\t{stamp}\tLOT-{unit // 1000}\t{name}\t{90 + (unit + i) % 9}.25"
                f"\tdB\tPASS\tMax/Min\t100.0/80.0\n"
                for i, name in enumerate(STEPS)
            ))
    os.replace(tmp, path)


def _start(home: Path, incoming: Path, server: Any, *, module: str | None = None) -> ServiceProcess:
    conv = home / "converters"
    conv.mkdir(parents=True, exist_ok=True)
    module_path = "csv"
    if module is not None:
        (conv / "fails_late.py").write_text(module, encoding="utf-8")
        module_path = "fails_late.FailsLate"
    write_config(home, "big", service_address=server.base_url, api_token=server.token,
                 rescan_interval_seconds=0.3, health_check_interval=0.5, process_sync_enabled=False,
                 converter_paths=[str(conv)], upload_concurrency=8, reports_folder=str(home / "queue"),
                 converters=[{"name": "csv", "module_path": module_path, "watch_folder": str(incoming),
                              "file_patterns": ["*.csv"], "file_stable_seconds": 0.1,
                              "timeout_seconds": 600, "arguments": {"part_number": "SPK-1"}}])
    svc = ServiceProcess(home, "big").start()
    svc.wait_for(lambda s: s["state"] == "ONLINE" and s["converters"][0]["status"] == "running", 60)
    return svc


def _wait(svc: ServiceProcess, predicate: Any, timeout: float) -> dict[str, Any]:
    """``svc.wait_for`` that shows the service's output when it times out."""
    try:
        return svc.wait_for(predicate, timeout)
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n--- service output ---\n{svc.output()[-4000:]}") from None


def _serials_on_server(server: Any, prefix: str) -> list[str]:
    """Every serial number on the server starting with ``prefix``, one per report (paged)."""
    out: list[str] = []
    while True:
        r = httpx.get(server.base_url + "/api/Report/Query/Header",
                      params={"$filter": f"startswith(serialNumber,'{prefix}')", "$top": "5000",
                              "$skip": str(len(out)), "$orderby": "serialNumber"},
                      headers={"Authorization": f"Basic {server.token}"}, timeout=30)
        r.raise_for_status()
        data = r.json()
        page = [h["serialNumber"] for h in (data if isinstance(data, list) else data.get("value", []))]
        out.extend(page)
        if not page:
            return out


def _queue_ids(home: Path) -> list[str]:
    q = PersistentQueue(home / "queue")
    try:
        return [it.id for state in ("pending", "processing", "completed", "failed") for it in q.list(state)]
    finally:
        q.close()


def test_a_file_with_20000_units_keeps_the_service_memory_bounded(tmp_path: Path, fresh_server: Any) -> None:
    home, incoming = tmp_path / "home", tmp_path / "in"
    incoming.mkdir(parents=True)
    prefix = f"BIG-{uuid.uuid4().hex[:6]}-"
    units = 20_000
    staging = tmp_path / "staging"
    staging.mkdir()
    _write_units(staging / "big.csv", prefix, units)
    svc = _start(home, incoming, fresh_server)
    try:
        # warm up: one small file, so imports and caches are in the baseline
        (incoming / "warm.csv").write_text(guide_csv(f"{prefix}W"), encoding="utf-8")
        svc.wait_for(lambda s: s["queue"]["completed"] == 1, 30)
        assert svc.process is not None
        baseline = int(psutil.Process(svc.process.pid).memory_info().rss)
        with PeakRss(svc.process.pid) as peak:
            os.replace(staging / "big.csv", incoming / "big.csv")
            _wait(svc, lambda s: s["conversions_total"] == 2, 200)
        gained_mb = (peak.peak - baseline) / 1024 / 1024
        # collecting 20,000 reports would take ~260 MB; one chunk of 256 takes a few MB
        assert gained_mb < 60, f"the service grew {gained_mb:.0f} MB while handing over {units} units"
        print(f"service RSS gained {gained_mb:.1f} MB handing over {units} units")
        # (the queue remembers at most completed_max_count = 10,000 completed entries)
        st = _wait(svc, lambda s: s["uploads_total"] == units + 1 and s["queue"]["pending"] == 0, 240)
        assert st["queue"]["failed"] == 0 and st["conversions_failed"] == 0
        serials = _serials_on_server(fresh_server, prefix)
        expected = sorted([f"{prefix}{u:06d}" for u in range(units)] + [f"{prefix}W"])
        assert sorted(serials) == expected  # every unit, exactly once
        assert not (incoming / "big.csv").exists()
        assert svc.stop()[0] == 0
    finally:
        svc.kill()


def test_sigkill_in_the_middle_of_a_large_hand_over_loses_and_duplicates_nothing(
    tmp_path: Path, fresh_server: Any
) -> None:
    home, incoming = tmp_path / "home", tmp_path / "in"
    incoming.mkdir(parents=True)
    prefix = f"KBIG-{uuid.uuid4().hex[:6]}-"
    units = 6_000
    staging = tmp_path / "staging"
    staging.mkdir()
    _write_units(staging / "big.csv", prefix, units)
    svc = _start(home, incoming, fresh_server)
    try:
        os.replace(staging / "big.csv", incoming / "big.csv")
        # several chunks stored, the file not through yet: kill
        st = _wait(svc, lambda s: s["queue"]["pending"] >= 4 * DEFAULT_CHUNK_REPORTS, 90)
        svc.kill()
        assert st["conversions_total"] == 0
    finally:
        svc.kill()
    # the stored chunks were held: nothing of the file reached the server
    assert _serials_on_server(fresh_server, prefix) == []
    assert (incoming / "big.csv").exists()
    assert len(_queue_ids(home)) >= 4 * DEFAULT_CHUNK_REPORTS

    svc = ServiceProcess(home, "big").start()
    try:
        st = _wait(svc, lambda s: s["queue"]["completed"] == units and s["queue"]["pending"] == 0, 150)
        assert st["queue"]["failed"] == 0
        assert "held report(s) of large file(s) whose hand-over did not finish were deleted" in svc.output()
        serials = _serials_on_server(fresh_server, prefix)
        assert sorted(serials) == [f"{prefix}{u:06d}" for u in range(units)]  # each exactly once
        ids = _queue_ids(home)
        assert len(ids) == len(set(ids)) == units
        assert not (incoming / "big.csv").exists()
        done = list((incoming / "Done").glob("big*.csv"))
        assert len(done) == 1
        assert svc.stop()[0] == 0
    finally:
        svc.kill()


def test_a_large_file_failing_after_its_first_chunks_uploads_nothing(tmp_path: Path, fresh_server: Any) -> None:
    home, incoming = tmp_path / "home", tmp_path / "in"
    incoming.mkdir(parents=True)
    prefix = f"LATE-{uuid.uuid4().hex[:6]}-"
    fail_at = 1500
    staging = tmp_path / "staging"
    staging.mkdir()
    _write_units(staging / "late.csv", prefix, 3000)
    svc = _start(home, incoming, fresh_server, module=FAILS_LATE.format(fail_at=fail_at))
    try:
        os.replace(staging / "late.csv", incoming / "late.csv")
        (incoming / "good.csv").write_text(guide_csv(f"{prefix}GOOD"), encoding="utf-8")
        st = svc.wait_for(lambda s: s["conversions_failed"] == 1 and s["conversions_total"] == 1
                          and s["queue"]["pending"] == 0 and s["queue"]["processing"] == 0, 120)
        assert st["queue"]["completed"] == 1 and st["queue"]["failed"] == 0
        held = fail_at // DEFAULT_CHUNK_REPORTS * DEFAULT_CHUNK_REPORTS
        if fail_at % DEFAULT_CHUNK_REPORTS == 0:
            held -= DEFAULT_CHUNK_REPORTS
        assert f"late.csv: {held} held report(s) of the failed conversion deleted" in svc.output()
        assert svc.stop()[0] == 0
    finally:
        svc.kill()
    assert _serials_on_server(fresh_server, prefix) == [f"{prefix}GOOD"]
    assert len(_queue_ids(home)) == 1
    errors = incoming / "Error"
    assert [p.name for p in errors.glob("late*.csv")] == ["late.csv"]
    reason = (errors / "late.csv.error").read_text(encoding="utf-8")
    assert f"unit {fail_at}: the measurement row is broken" in reason
    assert not (incoming / "late.csv").exists()
