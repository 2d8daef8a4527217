"""Station benchmark: watched folder → converter → durable queue → local server.

Starts the local WATS server and the station service (real processes), drops N CSV files
(integration guide layout, written temp-name-then-rename) into the watched folder and
measures:

- ``station_files_per_s``: files / (last server ack − first file dropped);
- ``station_stable_to_ack_p50_s`` / ``_p99_s``: from the moment a file was found stable
  to the server's acknowledgement (recorded by the service, read from its status);
- ``station_run_cpu_seconds``: CPU seconds used during the run by the service process,
  its converter workers and the local server;
- ``station_idle_rss_mb`` (the service: its process plus any child process still alive,
  i.e. converter workers) and
  ``station_idle_cpu_percent`` over a 10 s idle window, measured once the converter
  workers have had their idle timeout (``--worker-idle-seconds``, the service default 60,
  passed as ``PYWATS_CONVERTER_IDLE_SECONDS``) after the run.

Prints one JSON line per figure. Usage: ``python benchmarks/bench_station.py [--files 1000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import psutil

from pywats_client.service.testing import ServiceProcess, guide_csv, write_config
from pywats_server.testing import DEFAULT_TEST_TOKEN, start_server


def emit(name: str, value: float, unit: str, **extra: object) -> None:
    """One JSON line per figure."""
    print(json.dumps({"name": name, "value": round(value, 4), "unit": unit, **extra}), flush=True)


def _cpu_by_role(service_pid: int, server_pid: int) -> dict[str, float]:
    """CPU seconds (user + system) so far of the service, its converter workers and the server
    (and, included in ``service``, the service's system CPU alone)."""
    out = {"service": 0.0, "service_system": 0.0, "workers": 0.0, "server": 0.0}
    for role, pid in (("service", service_pid), ("server", server_pid)):
        try:
            proc = psutil.Process(pid)
            t = proc.cpu_times()
            out[role] += t.user + t.system
            if role == "service":
                out["service_system"] = t.system
            for child in proc.children(recursive=True):
                try:
                    c = child.cpu_times()
                except psutil.Error:
                    continue
                out["workers" if role == "service" else role] += c.user + c.system
        except psutil.Error:
            pass
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--idle-seconds", type=float, default=10.0)
    ap.add_argument("--stable-seconds", type=float, default=0.2)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--worker-idle-seconds", type=float, default=60.0)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_station_") as tmp_s:
        tmp = Path(tmp_s)
        home, incoming = tmp / "home", tmp / "Incoming"
        incoming.mkdir(parents=True)
        with start_server(tmp / "wats.db", tokens=[DEFAULT_TEST_TOKEN]) as srv:
            write_config(
                home,
                "bench",
                service_address=srv.url,
                api_token=DEFAULT_TEST_TOKEN,
                station_name="BENCH-01",
                rescan_interval_seconds=5,
                health_check_interval=30,
                upload_concurrency=args.concurrency,
                process_sync_enabled=False,
                converters=[
                    {
                        "name": "csv",
                        "module_path": "csv",
                        "watch_folder": str(incoming),
                        "file_patterns": ["*.csv"],
                        "file_stable_seconds": args.stable_seconds,
                    }
                ],
            )
            svc = ServiceProcess(
                home, "bench", env={"PYWATS_CONVERTER_IDLE_SECONDS": str(args.worker_idle_seconds)}
            ).start()
            try:
                svc.wait_for(lambda s: s["state"] == "ONLINE" and bool(s["converters"]) and s["converters"][0]["status"] == "running", 60)
                texts = [guide_csv(f"BENCH-{i:05d}") for i in range(args.files)]
                cpu0 = _cpu_by_role(svc.process.pid, srv.process.pid)  # type: ignore[union-attr]
                t0 = time.perf_counter()
                for i, text in enumerate(texts):
                    tmpf = incoming / f".f{i:05d}.tmp"
                    tmpf.write_text(text, encoding="utf-8")
                    os.replace(tmpf, incoming / f"f{i:05d}.csv")
                t_dropped = time.perf_counter() - t0
                st = svc.wait_for(lambda s: s["queue"]["completed"] >= args.files, timeout=600)
                t_all = time.perf_counter() - t0
                cpu1 = _cpu_by_role(svc.process.pid, srv.process.pid)  # type: ignore[union-attr]
                lat = st["latency"]
                emit("station_files_per_s", args.files / t_all, "files/s", files=args.files,
                     seconds=round(t_all, 3), drop_seconds=round(t_dropped, 3),
                     file_stable_seconds=args.stable_seconds, cpus=os.cpu_count(), bar=500)
                emit("station_run_cpu_seconds", sum(cpu1.values()) - sum(cpu0.values())
                     - (cpu1["service_system"] - cpu0["service_system"]), "s",
                     **{k: round(cpu1[k] - cpu0.get(k, 0.0), 3) for k in cpu1}, wall_s=round(t_all, 3))
                emit("station_stable_to_ack_p50_s", float(lat["p50"]), "s", samples=lat["count"])
                emit("station_stable_to_ack_p99_s", float(lat["p99"]), "s", samples=lat["count"], bar=1.0)
                assert st["queue"]["failed"] == 0, st

                proc = psutil.Process(svc.process.pid)  # type: ignore[union-attr]
                t_idle = time.perf_counter()
                deadline = t_idle + args.worker_idle_seconds + 30
                while proc.children(recursive=True) and time.perf_counter() < deadline:
                    time.sleep(0.5)  # the benchmark waits for the workers' idle timeout
                emit("station_workers_exit_seconds", time.perf_counter() - t_idle, "s",
                     worker_idle_seconds=args.worker_idle_seconds,
                     children_left=len(proc.children(recursive=True)))
                children = proc.children(recursive=True)
                c0 = proc.cpu_times()
                k0 = [c.cpu_times() for c in children]
                time.sleep(args.idle_seconds)  # the idle window being measured
                c1 = proc.cpu_times()
                cpu = (c1.user + c1.system - c0.user - c0.system) / args.idle_seconds * 100
                kcpu = 0.0
                for c, t in zip(children, k0):
                    try:
                        t1 = c.cpu_times()
                        kcpu += (t1.user + t1.system - t.user - t.system) / args.idle_seconds * 100
                    except psutil.Error:
                        pass
                rss = proc.memory_info().rss / 1e6
                kids = 0.0
                alive = 0
                for c in proc.children(recursive=True):
                    try:
                        kids += c.memory_info().rss / 1e6
                        alive += 1
                    except psutil.Error:
                        pass
                emit("station_idle_rss_mb", rss + kids, "MB", bar=64, service_process_rss_mb=round(rss, 1),
                     child_processes=alive, child_processes_rss_mb=round(kids, 1))
                emit("station_idle_cpu_percent", cpu, "%", window_s=args.idle_seconds,
                     converter_workers_cpu_percent=round(kcpu, 3))
                code, took = svc.stop()
                emit("station_stop_seconds", took, "s", exit_code=code)
            finally:
                svc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
