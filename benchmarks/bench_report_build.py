"""Benchmark: build and serialise a 10,000-step UUT report with ``ReportBuilder``.

Run with ``.venv/bin/python benchmarks/bench_report_build.py``. Prints one JSON line per
figure (best of N repeats, seconds):

* ``report_build_10k``        — 10,000 ``add_step`` calls + ``to_dict()``;
* ``report_serialize_10k``    — ``pywats.models.report.dumps`` (pydantic_core) of that dict;
* ``report_build_serialize_10k`` — both, measured together;
* ``json_dumps_10k_plain_dict`` — stdlib ``json.dumps`` of the same dict (the reference);
* ``report_build_serialize_vs_json_dumps`` — the ratio (bar: ≤ 3);
* ``peer_report_build_10k`` / ``peer_report_serialize_10k`` — the same report built with
  the peer package (pywats-api 0.6.0rc1: ``UUTReport`` + ``add_numeric_step`` …) and
  serialised with ``model_dump_json``, measured in this run in a subprocess, when
  ``PYWATS_PEER_PATH`` names a folder holding the peer (it cannot share a venv with this
  package: same distribution and import name). Prepare it once with
  ``.venv/bin/python -m pip install --no-deps --target /tmp/peer_pywats pywats-api==0.6.0rc1``.
  Without it, the peer's published figure for this machine class (0.09 s + 0.10 s,
  DESIGN §7) is used and ``peer_source`` says so;
* ``report_build_serialize_vs_peer`` — speed-up over the peer (bar: ≥ 5);
* ``report_prepare_for_submit_10k`` — validation of the dict on the submit path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

from pywats.models.report import dumps, prepare_for_submit
from pywats.tools import ReportBuilder

STEPS = 10_000
REPEATS = 7
PEER_PUBLISHED = (0.09, 0.10)

PEER_SCRIPT = r"""
import json, sys, time
from datetime import datetime
from pywats.domains.report.report_models import UUTReport

def build():
    r = UUTReport(pn="BENCH-PN", sn="BENCH-SN-0001", rev="A", process_code=100,
                  station_name="bench-station", location="Lab", purpose="Development",
                  result="P", start=datetime.now().astimezone())
    root = r.get_root_sequence_call()
    n = 0
    for s in range(STEPS // 100):
        seq = root.add_sequence_call(f"Sequence {s}")
        for i in range(100):
            n += 1
            if i % 10 == 8:
                seq.add_boolean_step(name=f"Check {n}", status="P")
            elif i % 10 == 9:
                seq.add_string_step(name=f"Version {n}", value="1.2.3", comp_op="CASESENSIT", limit="1.2.3")
            else:
                seq.add_numeric_step(name=f"Voltage {n}", value=3.3 + (i % 7) * 0.01, unit="V",
                                     comp_op="GELE", low_limit=3.2, high_limit=3.4)
    return r

builds, sers = [], []
for _ in range(REPEATS):
    t0 = time.perf_counter(); r = build(); builds.append(time.perf_counter() - t0)
    t0 = time.perf_counter(); r.model_dump_json(by_alias=True, exclude_none=True); sers.append(time.perf_counter() - t0)
import pywats
print(json.dumps({"build": min(builds), "serialize": min(sers), "module": pywats.__file__}))
"""


def measure_peer() -> tuple[float, float, str]:
    """(build, serialise, source) for the peer: measured now if PYWATS_PEER_PATH is set."""
    path = os.environ.get("PYWATS_PEER_PATH")
    if not path:
        return PEER_PUBLISHED[0], PEER_PUBLISHED[1], "published (DESIGN §7)"
    env = dict(os.environ, PYTHONPATH=path)
    code = f"STEPS = {STEPS}\nREPEATS = {REPEATS}\n" + PEER_SCRIPT
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"peer benchmark failed (PYWATS_PEER_PATH={path}):\n{proc.stderr[-2000:]}")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    if not str(figures["module"]).startswith(str(path)):
        raise SystemExit(f"peer benchmark imported {figures['module']}, not the peer in {path}")
    return float(figures["build"]), float(figures["serialize"]), f"measured in this run ({path})"


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
    peer_build, peer_ser, peer_source = measure_peer()
    peer_total = peer_build + peer_ser
    emit("report_build_10k", t_build, steps=STEPS)
    emit("report_serialize_10k", t_ser, bytes=len(dumps(report)))
    emit("report_build_serialize_10k", t_both)
    emit("peer_report_build_10k", peer_build, source=peer_source)
    emit("peer_report_serialize_10k", peer_ser, source=peer_source)
    emit("json_dumps_10k_plain_dict", t_dumps)
    emit("report_build_serialize_vs_json_dumps", t_both / t_dumps, unit="ratio", bar="<= 3")
    emit(
        "report_build_serialize_vs_peer",
        peer_total / t_both,
        unit="x faster",
        bar=">= 5",
        peer_seconds=round(peer_total, 6),
        source=peer_source,
    )
    emit("report_prepare_for_submit_10k", t_prep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
