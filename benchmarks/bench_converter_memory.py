#!/usr/bin/env python3
"""Memory of a converter worker on a large file: a 200 MB CSV (one row per measurement,
many units, as test systems export it) converted in a real worker process.

The CSV converter reads row by row and hands each unit's report to the service as soon as
it is complete, so the worker's peak should not grow with the file. Figures (one JSON line
each): the worker's peak RSS, the file size, the seconds taken, the number of reports, and
the RSS the calling process gained (it counts the reports as they arrive; with
``BENCH_COLLECT=1`` it keeps them all, as the service's intake did before it handed large
files over in chunks, which shows what collecting costs; with ``BENCH_QUEUE=1`` it hands
them to a real durable queue the way the service does, in held chunks through
``pywats_client.service.stream.ReportStream``, released at the end: the service-side
figure). Bar (docs/converters.md): worker peak ≤ 256 MB for any size.

``BENCH_CSV_MB=20`` makes a smaller file for a quick run. A large XML file is measured too
when the ``atml`` converter can be given one (see ``_xml`` below; skipped otherwise).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import psutil  # type: ignore[import-untyped]

from pywats_client.converters import ContextData
from pywats_client.converters.pool import ConverterPool
from pywats_client.queue import PersistentQueue
from pywats_client.service.fileops import file_sha256
from pywats_client.service.ledger import IntakeLedger
from pywats_client.service.stream import ReportStream
from pywats_client.service.testing import PeakRss

BAR_MB = 256
#: BENCH_COLLECT=1: collect every report in this process, as the service's intake does today
#: (the caller's gain is then the service-side cost); default: count them as they arrive.
COLLECT = os.environ.get("BENCH_COLLECT", "") not in ("", "0")
#: BENCH_QUEUE=1: hand the reports to a durable queue in chunks, as the service does.
QUEUE = os.environ.get("BENCH_QUEUE", "") not in ("", "0") and not COLLECT
STEPS = ("Ave Level", "Polarity", "Response margin", "THD margin", "Rub and Buzz margin",
         "Noise floor", "Impedance", "Resonance", "Sensitivity 1k", "Sensitivity 4k")


def _write_csv(path: Path, target_mb: float) -> None:
    target = int(target_mb * 1024 * 1024)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Serial #:\tOperator: \tTime: \tLot #: \tName\tMargin\tUnit\tResult\tTolerance\tLimits\n")
        unit = 0
        while out.tell() < target:
            sn = f"S/N {100000 + unit}"
            stamp = f"7/{1 + unit % 28}/2026 {1 + unit % 12}:{unit % 60:02d}:{(unit * 7) % 60:02d} PM"
            rows = [
                f"{sn}\tOp{unit % 5}\t{stamp}\tLOT-{unit // 1000}\t{name}\t{90 + (unit + i) % 9}.25\tdB\tPASS"
                f"\tMax/Min\t100.0/80.0\n"
                for i, name in enumerate(STEPS)
            ]
            out.write("".join(rows))
            unit += 1


def _rss_now() -> int:
    return int(psutil.Process().memory_info().rss)


def _measure(pool: ConverterPool, spec: str, path: Path, probe_path: Path, label: str,
             context: ContextData) -> bool:
    pool.recycle()  # a fresh worker for each file, so its high-water mark is this file's
    probe = pool.convert(spec, probe_path, context=context, timeout=60)  # start-up and imports
    if not probe.ok:
        print(f"{label} probe failed: {probe.error}", file=sys.stderr)
        return False
    (pid,) = pool.worker_pids()
    stream: ReportStream | None = None
    if QUEUE:
        queue = PersistentQueue(path.parent / "queue", min_free_bytes=0, keep_completed=False)
        ledger = IntakeLedger(path.parent / "intake.db")
        stream = ReportStream(queue=queue, ledger=ledger, digest=file_sha256(path), source=path.name,
                              converter=spec)
    before = _rss_now()
    caller_peak = [before]
    t0 = time.perf_counter()
    with PeakRss(pid, high_water_mark=True) as peak:
        counted: list[int] = [0]

        def count(_report: dict[str, object]) -> None:
            counted[0] += 1
            if counted[0] % 1000 == 0:
                caller_peak[0] = max(caller_peak[0], _rss_now())

        def to_queue(report: dict[str, object]) -> None:
            assert stream is not None
            stream.add(report)
            count(report)

        outcome = pool.convert(spec, path, context=context, timeout=3600, memory_cap_mb=1024,
                               on_report=None if COLLECT else to_queue if QUEUE else count)
        if stream is not None and outcome.ok:
            stream.finish()
    seconds = time.perf_counter() - t0
    caller_peak[0] = max(caller_peak[0], _rss_now())
    if stream is not None:
        stream.queue.close()
        stream.ledger.close()
    if not outcome.ok:
        print(f"{label}: {outcome.error}", file=sys.stderr)
        return False
    size_mb = path.stat().st_size / 1024 / 1024
    peak_mb = peak.peak / 1024 / 1024
    gained_mb = (_rss_now() - before) / 1024 / 1024
    figures = {
        "name": f"{label}_worker_peak_rss", "value": round(peak_mb, 1), "unit": "MB",
        "file_mb": round(size_mb, 1), "seconds": round(seconds, 2), "reports": outcome.report_count,
        "ratio_to_file": round(peak_mb / size_mb, 3), "caller_gain_mb": round(gained_mb, 1),
        "caller_peak_gain_mb": round((max(caller_peak[0], _rss_now()) - before) / 1024 / 1024, 1),
        "caller": "collects" if COLLECT else "queues in chunks" if QUEUE else "counts",
        "bar_mb": BAR_MB, "passed": peak_mb <= BAR_MB,
    }
    print(json.dumps(figures), flush=True)
    return peak_mb <= BAR_MB


def main() -> int:
    target_mb = float(os.environ.get("BENCH_CSV_MB", "200"))
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-conv-mem-") as tmp:
        folder = Path(tmp)
        csv_path, probe = folder / "big.csv", folder / "probe.csv"
        _write_csv(csv_path, target_mb)
        _write_csv(probe, 0.01)
        context = ContextData(station_name="BENCH", arguments={"part_number": "SPK-1"})
        with ConverterPool(1) as pool:
            ok = _measure(pool, "csv", csv_path, probe, "csv", context) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
