"""Benchmark: 1,000 reports to the local server started with ``--latency-ms 20``.

Run with ``.venv/bin/python benchmarks/bench_bulk_submit.py`` (or ``python3 dev.py bench bulk``).
Starts ``pywats-server`` on a temporary database with 20 ms added to every ``/api`` answer,
then submits 1,000 small ``ReportBuilder`` reports (distinct report ids per phase):

* ``bulk_submit_sync_sequential``  — ``pyWATS.report.submit_report`` one after another;
* ``bulk_submit_async_10``         — ``AsyncWATS`` with 10 submissions in flight;
* ``bulk_submit_async_100``        — ``AsyncWATS`` with 100 in flight (``asyncio.Semaphore``);
* ``bulk_submit_async_100_vs_sync`` — the speed-up ratio (target: >= 30, docs/architecture.md);
* ``bulk_submit_bare_httpx_100`` / ``bulk_submit_bare_aiohttp_100`` — the same kind of
  submissions, 100 in flight, posted by a bare ``httpx.AsyncClient`` / ``aiohttp.ClientSession``
  loop (bodies prepared and JSON-encoded before the clock starts): what a well-kept client
  reaches without pyWATS;
* ``bulk_submit_async_100_prepared`` — ``AsyncWATS``, 100 in flight (better of two rounds,
  alternating with the bare aiohttp loop's two rounds), given reports already
  prepared (``prepare_for_submit`` before the clock, as the station's converter worker hands
  them over): it sends them without a second validation, so it posts the same work as the
  bare loops;
* ``bulk_submit_async_100_vs_best_bare`` — ``AsyncWATS`` (100 in flight, prepared reports)
  over the better of the two bare loops (bar: >= 0.9); ``plain_reports_share`` gives the
  same ratio for reports validated inside the timed loop;
* ``bulk_submit_server_ceiling_100`` — the same 1,000 submissions, 100 in flight, sent by a
  bare-bones asyncio HTTP/1.1 client (pre-encoded bodies, no pyWATS, no httpx): what the
  local server itself can absorb on this machine, i.e. the upper bound of any client. The
  line carries ``ceiling_vs_sync`` (the best ratio any client could reach here) and
  ``async_100_share`` (how much of the ceiling ``AsyncWATS`` reached).

Each line is JSON: ``{"name", "value" (reports/s), "unit", "reports", "seconds", ...}``. The
async and bare phases also give ``client_cpu_us_per_report``: the CPU the client process spent
per report (``time.process_time``, least of the rounds), steadier than rates on a busy machine;
``client_cpu_vs_bare_aiohttp`` on the ``vs_best_bare`` line compares AsyncWATS's with the bare
aiohttp loop's.
The client-side throttle (default 500 requests / 60 s) would cap every phase at the burst
size, so this benchmark calls ``configure_throttling(max_requests=1_000_000,
window_seconds=1.0)`` first: it measures the transport, not the politeness limit.
Environment: ``BENCH_REPORTS`` (default 1000), ``BENCH_LATENCY_MS`` (default 20).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pywats import AsyncWATS, RetryConfig, pyWATS
from pywats.core.throttle import configure_throttling
from pywats.models.report import prepare_for_submit
from pywats.tools import ReportBuilder
from pywats_server.testing import start_server

REPORTS = int(os.environ.get("BENCH_REPORTS", "1000"))
LATENCY_MS = float(os.environ.get("BENCH_LATENCY_MS", "20"))


def make_reports(phase: str, n: int) -> list[dict[str, Any]]:
    """``n`` small test reports (5 steps each) with distinct serial numbers and ids."""
    reports = []
    for i in range(n):
        builder = ReportBuilder(part_number="BENCH-PN", serial_number=f"BENCH-{phase}-{i:05}", process_code=100,
                                station_name="bench", location="Lab", purpose="Development")
        builder.add_step(name="Voltage", value=5.0 + i % 3 * 0.01, unit="V", limits=(4.9, 5.1))
        builder.add_step(name="Current", value=0.5, unit="A", limits=(0.4, 0.6))
        builder.add_step(name="Power-On", status="Passed")
        builder.add_step(name="Firmware", value="1.2.3", limits=("1.2.3", None))
        builder.add_step(name="Self-test", value=True)
        reports.append(builder.to_dict())
    return reports


class Clock:
    """Wall time and this process's CPU time (the client's: the server runs in its own process)."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def stop(self) -> tuple[float, float]:
        """``(wall seconds, client CPU seconds)`` since the clock started."""
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def cpu_us(cpu_seconds: float, n: int) -> float:
    """Client CPU per request in microseconds."""
    return round(cpu_seconds / n * 1e6, 1)


def emit(name: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, **extra}), flush=True)


def run_sync(url: str, token: str, reports: list[dict[str, Any]]) -> float:
    with pyWATS(base_url=url, token=token, retry_config=RetryConfig.disabled()) as api:
        api.app.get_version()  # connection warm-up, not timed
        start = time.perf_counter()
        for report in reports:
            api.report.submit_report(report)
        return time.perf_counter() - start


async def run_async(url: str, token: str, reports: Sequence[Mapping[str, Any]], in_flight: int) -> tuple[float, float]:
    async with AsyncWATS(base_url=url, token=token, max_connections=in_flight,
                         retry_config=RetryConfig.disabled()) as api:
        await api.app.get_version()
        semaphore = asyncio.Semaphore(in_flight)

        async def one(report: Mapping[str, Any]) -> None:
            async with semaphore:
                await api.report.submit_report(report)

        clock = Clock()
        await asyncio.gather(*[one(r) for r in reports])
        return clock.stop()


async def run_raw(port: int, token: str, reports: list[dict[str, Any]], in_flight: int) -> float:
    """Submit with a minimal keep-alive HTTP/1.1 client: the server's own ceiling."""
    from pydantic_core import to_json

    bodies = [to_json(prepare_for_submit(r)) for r in reports]
    head = (f"POST /api/Report/WSJF HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {token}\r\n"
            "Content-Type: application/json\r\nContent-Length: ").encode()

    async def worker(items: list[bytes]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for body in items:
                writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
                await writer.drain()
                header = await reader.readuntil(b"\r\n\r\n")
                if not header.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(f"server answered {header[:40]!r}")
                length = next(int(line.split(b":", 1)[1]) for line in header.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                await reader.readexactly(length)
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*[worker(bodies[i::in_flight]) for i in range(in_flight)])
    return time.perf_counter() - start


def encoded_bodies(reports: list[dict[str, Any]]) -> list[bytes]:
    """The JSON bodies AsyncWATS would send for ``reports`` (prepared, then encoded)."""
    from pydantic_core import to_json

    return [to_json(prepare_for_submit(r)) for r in reports]


async def run_bare_httpx(url: str, token: str, bodies: list[bytes], in_flight: int) -> tuple[float, float]:
    """Post ``bodies`` with a bare ``httpx.AsyncClient`` (``in_flight`` at a time)."""
    import httpx

    headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits) as client:
        await client.get("/api/App/Version")
        semaphore = asyncio.Semaphore(in_flight)

        async def one(body: bytes) -> None:
            async with semaphore:
                response = await client.post("/api/Report/WSJF", content=body)
                response.raise_for_status()

        clock = Clock()
        await asyncio.gather(*[one(b) for b in bodies])
        return clock.stop()


async def run_bare_aiohttp(url: str, token: str, bodies: list[bytes], in_flight: int) -> tuple[float, float]:
    """Post ``bodies`` with a bare ``aiohttp.ClientSession`` (``in_flight`` at a time)."""
    import aiohttp

    headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=in_flight)
    async with aiohttp.ClientSession(url, headers=headers, connector=connector) as session:
        async with session.get("/api/App/Version") as response:
            await response.read()
        semaphore = asyncio.Semaphore(in_flight)

        async def one(body: bytes) -> None:
            async with semaphore, session.post("/api/Report/WSJF", data=body) as response:
                response.raise_for_status()
                await response.read()

        clock = Clock()
        await asyncio.gather(*[one(b) for b in bodies])
        return clock.stop()


def count_on_server(url: str, token: str) -> int:
    with pyWATS(base_url=url, token=token) as api:
        return len(api.report.get_reports(part_number="BENCH-PN", limit=None))


def main() -> int:
    configure_throttling(max_requests=1_000_000, window_seconds=1.0)  # do not let the throttle cap the figures
    common = {"reports": REPORTS, "latency_ms": LATENCY_MS}
    with tempfile.TemporaryDirectory() as tmp, start_server(Path(tmp) / "bench.db", latency_ms=LATENCY_MS) as srv:
        seconds = run_sync(srv.url, srv.token, make_reports("sync", REPORTS))
        sync_rate = REPORTS / seconds
        emit("bulk_submit_sync_sequential", sync_rate, "reports/s", seconds=round(seconds, 3), in_flight=1, **common)
        rates: dict[int | str, float] = {}
        for in_flight in (10, 100):
            seconds, cpu = asyncio.run(run_async(srv.url, srv.token, make_reports(f"a{in_flight}", REPORTS), in_flight))
            rates[in_flight] = REPORTS / seconds
            emit(f"bulk_submit_async_{in_flight}", rates[in_flight], "reports/s", seconds=round(seconds, 3),
                 in_flight=in_flight, vs_sync=round(rates[in_flight] / sync_rate, 2),
                 client_cpu_us_per_report=cpu_us(cpu, REPORTS), **common)
        ratio = rates[100] / sync_rate
        emit("bulk_submit_async_100_vs_sync", ratio, "x", bar=30, passed=ratio >= 30, sync_rate=round(sync_rate, 2),
             async_100_rate=round(rates[100], 2))
        # AsyncWATS (prepared reports) and the bare aiohttp loop alternate, twice each, and the
        # better round of each counts: the server's database grows phase by phase, so a fixed
        # order would favour whichever runs first
        # client CPU per report (the least of the rounds): steadier than rates on a shared machine
        bare: dict[str, float] = {}
        cpus: dict[str, float] = {}
        for round_no in (1, 2):
            bodies = encoded_bodies(make_reports(f"bare-aiohttp-{round_no}", REPORTS))
            seconds, cpu = asyncio.run(run_bare_aiohttp(srv.url, srv.token, bodies, 100))
            bare["aiohttp"] = max(bare.get("aiohttp", 0.0), REPORTS / seconds)
            cpus["aiohttp"] = min(cpus.get("aiohttp", cpu), cpu)
            prepared = [prepare_for_submit(r) for r in make_reports(f"a100p-{round_no}", REPORTS)]
            seconds, cpu = asyncio.run(run_async(srv.url, srv.token, prepared, 100))
            rates["prepared"] = max(rates.get("prepared", 0.0), REPORTS / seconds)
            cpus["prepared"] = min(cpus.get("prepared", cpu), cpu)
        emit("bulk_submit_async_100_prepared", rates["prepared"], "reports/s", in_flight=100, rounds=2,
             client_cpu_us_per_report=cpu_us(cpus["prepared"], REPORTS), **common)
        emit("bulk_submit_bare_aiohttp_100", bare["aiohttp"], "reports/s", in_flight=100, rounds=2,
             client_cpu_us_per_report=cpu_us(cpus["aiohttp"], REPORTS), **common)
        seconds, cpu = asyncio.run(
            run_bare_httpx(srv.url, srv.token, encoded_bodies(make_reports("bare-httpx", REPORTS)), 100)
        )
        bare["httpx"] = REPORTS / seconds
        emit("bulk_submit_bare_httpx_100", bare["httpx"], "reports/s", seconds=round(seconds, 3), in_flight=100,
             client_cpu_us_per_report=cpu_us(cpu, REPORTS), **common)
        best_name = max(bare, key=bare.__getitem__)
        share = rates["prepared"] / bare[best_name]
        emit("bulk_submit_async_100_vs_best_bare", share, "x", bar=0.9, passed=share >= 0.9, best_bare=best_name,
             best_bare_rate=round(bare[best_name], 2), async_100_rate=round(rates["prepared"], 2),
             plain_reports_share=round(rates[100] / bare[best_name], 3),
             client_cpu_vs_bare_aiohttp=round(cpus["prepared"] / cpus["aiohttp"], 2))
        seconds = asyncio.run(run_raw(srv.port, srv.token, make_reports("raw", REPORTS), 100))
        ceiling = REPORTS / seconds
        stored = count_on_server(srv.url, srv.token)
        emit("bulk_submit_server_ceiling_100", ceiling, "reports/s", seconds=round(seconds, 3), in_flight=100,
             ceiling_vs_sync=round(ceiling / sync_rate, 2), async_100_share=round(rates[100] / ceiling, 3),
             stored_reports=stored, expected_reports=9 * REPORTS, **common)
        if stored != 9 * REPORTS:
            print(f"bench_bulk_submit: server holds {stored} reports, expected {9 * REPORTS}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
