"""Benchmark: build, prepare and encode a 10,000-step UUT report with ``ReportBuilder``.

Run with ``/work/venv/bin/python benchmarks/bench_report_build.py`` (``PYTHONPATH=src``).
Prints one JSON line per figure (best of N repeats, seconds):

* ``report_build_10k``        — 10,000 ``add_step`` calls + ``to_dict()``;
* ``report_serialize_10k``    — ``pywats.models.report.dumps`` (pydantic_core) of that dict;
* ``report_build_serialize_10k`` — both, measured together;
* ``json_dumps_10k_plain_dict`` — stdlib ``json.dumps`` of the same dict (the reference);
* ``report_build_serialize_vs_json_dumps`` — the ratio (bar: ≤ 3);
* ``report_prepare_for_submit_10k`` — the validation pass of the submit path;
* ``report_encode_json_10k`` / ``report_encode_msgpack_10k`` — the body encoders of the
  executor (``pywats.core.codec``) on the prepared report, and ``msgpack_vs_json``;
* ``report_prepare_vs_encode_json`` — validation time over JSON-encoding time;
* ``report_submit_path_10k`` — the whole client side of ``submit_report``: ReportBuilder →
  ``prepare_for_submit`` → JSON body bytes;
* ``peer_report_build_10k`` / ``peer_report_serialize_10k`` / ``peer_submit_path_10k`` —
  the same report built with the peer package (pywats-api 0.6.0rc1: ``UUTReport`` +
  ``add_numeric_step`` …), and its submit path (``model_dump(mode="json", by_alias=True,
  exclude_none=True)`` then ``json.dumps`` to bytes, as its ``post_wsjf`` hands to httpx),
  measured in this run by the Python of a separate venv named by ``PYWATS_PEER_PYTHON``
  (it cannot share a venv with this package: same distribution and import name). Prepare it
  once with ``python -m venv /tmp/peer_venv && /tmp/peer_venv/bin/pip install
  pywats-api==0.6.0rc1``. Without it the peer's published figures (0.09 s + 0.10 s) are used
  and ``source`` says so;
* ``report_build_serialize_vs_peer`` and ``report_submit_path_vs_peer`` — speed-ups over the
  peer (bar: ≥ 5).
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
"""The peer's published build and serialise times for this machine class (seconds)."""

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

def submit_body(r):
    data = r.model_dump(mode="json", by_alias=True, exclude_none=True)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")

builds, sers, paths = [], [], []
for _ in range(REPEATS):
    t0 = time.perf_counter(); r = build(); builds.append(time.perf_counter() - t0)
    t0 = time.perf_counter(); r.model_dump_json(by_alias=True, exclude_none=True); sers.append(time.perf_counter() - t0)
    t0 = time.perf_counter(); submit_body(build()); paths.append(time.perf_counter() - t0)
import pywats
print(json.dumps({"build": min(builds), "serialize": min(sers), "submit_path": min(paths), "module": pywats.__file__}))
"""


def measure_peer() -> tuple[float, float, float | None, str]:
    """(build, serialise, submit path, source) for the peer: measured now when
    ``PYWATS_PEER_PYTHON`` names the Python of a venv holding it."""
    python = os.environ.get("PYWATS_PEER_PYTHON")
    if not python:
        return PEER_PUBLISHED[0], PEER_PUBLISHED[1], None, "published (not measured in this run)"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = f"STEPS = {STEPS}\nREPEATS = {REPEATS}\n" + PEER_SCRIPT
    proc = subprocess.run([python, "-c", code], env=env, capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"peer benchmark failed (PYWATS_PEER_PYTHON={python}):\n{proc.stderr[-2000:]}")
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    if "site-packages" not in str(figures["module"]):
        raise SystemExit(f"peer benchmark imported {figures['module']}, not an installed peer package")
    source = f"measured in this run ({python})"
    return float(figures["build"]), float(figures["serialize"]), float(figures["submit_path"]), source


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
    from pywats.core import codec

    report = build()
    assert sum(len(seq["steps"]) for seq in report["root"]["steps"]) == STEPS
    prepared = prepare_for_submit(report)
    plain = dict(prepared)  # a fresh dict: not marked, so prepare_for_submit really runs
    t_build = best(build)
    t_ser = best(lambda: dumps(report))
    t_both = best(lambda: dumps(build()))
    t_dumps = best(lambda: json.dumps(report))
    t_prep = best(lambda: prepare_for_submit(plain))
    t_json = best(lambda: codec.encode_json(prepared))
    t_msgpack = best(lambda: codec.encode_msgpack(prepared))
    t_path = best(lambda: codec.encode_json(prepare_for_submit(build())))
    peer_build, peer_ser, peer_path, peer_source = measure_peer()
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
    emit("report_encode_json_10k", t_json, bytes=len(codec.encode_json(prepared)))
    emit("report_encode_msgpack_10k", t_msgpack, bytes=len(codec.encode_msgpack(prepared)))
    emit("msgpack_vs_json", t_msgpack / t_json, unit="ratio", bar="<= 1")
    emit("report_prepare_vs_encode_json", t_prep / t_json, unit="ratio")
    emit("report_submit_path_10k", t_path)
    if peer_path is not None:
        emit("peer_submit_path_10k", peer_path, source=peer_source)
        emit("report_submit_path_vs_peer", peer_path / t_path, unit="x faster", bar=">= 5",
             passed=peer_path / t_path >= 5, source=peer_source)
    return 0


if __name__ == "__main__":
    sys.exit(main())
