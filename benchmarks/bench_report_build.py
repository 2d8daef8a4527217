"""Benchmark: build and serialise a 10,000-step UUT report with ``ReportBuilder``.

Run with ``.venv/bin/python benchmarks/bench_report_build.py``. Prints one JSON line per
figure (best of N repeats, seconds):

* ``report_build_10k``        — 10,000 ``add_step`` calls + ``to_dict()``;
* ``report_serialize_10k``    — ``pywats.models.report.dumps`` (pydantic_core) of that dict;
* ``report_build_serialize_10k`` — both, measured together;
* ``json_dumps_10k_plain_dict`` — stdlib ``json.dumps`` of the same dict (the reference);
* ``report_build_serialize_vs_json_dumps`` — the ratio (bar: ≤ 3);
* ``report_build_serialize_vs_peer`` — speed-up over the peer package (bar: ≥ 5). The
  peer (pywats-api 0.6.0rc1) cannot be installed next to this package (same distribution
  name), so by default its published figure for this machine class (0.09 s build +
  0.10 s serialise, DESIGN §7) is the comparison; set ``PYWATS_PEER_SECONDS`` to a
  figure measured in the same run to override it;
* ``report_prepare_for_submit_10k`` — validation of the dict on the submit path.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from pywats.models.report import dumps, prepare_for_submit
from pywats.tools import ReportBuilder

STEPS = 10_000
REPEATS = 7
PEER_SECONDS = float(os.environ.get("PYWATS_PEER_SECONDS", 0.09 + 0.10))


def build() -> dict[str, Any]:
    """Build the benchmark report: 100 sequences of 100 steps (numeric, bool, string mix)."""
    builder = ReportBuilder(
        part_number="BENCH-PN",
        serial_number="BENCH-SN-0001",
        operator="bench",
        station_name="bench-station",
        location="Lab",
        purpose="Development",
        process_code=100,
    )
    n = 0
    for s in range(STEPS // 100):
        with builder.sequence(f"Sequence {s}"):
            for i in range(100):
                n += 1
                if i % 10 == 8:
                    builder.add_step(name=f"Check {n}", value=True)
                elif i % 10 == 9:
                    builder.add_step(name=f"Version {n}", value="1.2.3", limits=("1.2.3", None))
                else:
                    builder.add_step(
                        name=f"Voltage {n}", value=3.3 + (i % 7) * 0.01, unit="V", limits=(3.2, 3.4)
                    )
    return builder.to_dict()


def best(func: Any) -> float:
    """Best wall time of ``func`` over REPEATS runs."""
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def emit(name: str, value: float, unit: str = "s", **extra: Any) -> None:
    """Print one JSON result line."""
    print(json.dumps({"name": name, "value": round(value, 6), "unit": unit, **extra}))


def main() -> int:
    """Run the benchmark and print its figures."""
    report = build()
    assert sum(len(seq["steps"]) for seq in report["root"]["steps"]) == STEPS
    t_build = best(build)
    t_ser = best(lambda: dumps(report))
    t_both = best(lambda: dumps(build()))
    t_dumps = best(lambda: json.dumps(report))
    t_prep = best(lambda: prepare_for_submit(report))
    emit("report_build_10k", t_build, steps=STEPS)
    emit("report_serialize_10k", t_ser, bytes=len(dumps(report)))
    emit("report_build_serialize_10k", t_both, peer_seconds=PEER_SECONDS)
    emit("json_dumps_10k_plain_dict", t_dumps)
    emit("report_build_serialize_vs_json_dumps", t_both / t_dumps, unit="ratio", bar="<= 3")
    emit("report_build_serialize_vs_peer", PEER_SECONDS / t_both, unit="x faster", bar=">= 5")
    emit("report_prepare_for_submit_10k", t_prep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
