"""Benchmark: report header queries on the local server at 10k / 100k (/ 1M) stored reports.

Run with ``.venv/bin/python benchmarks/bench_server_query.py [SIZES...]`` (default ``10000
100000``; add ``1000000`` for the large run, which takes minutes to fill). For each size the
database is filled directly (bulk INSERTs through :class:`pywats_server.storage.Storage`'s
schema, not HTTP; spread over 200 part numbers, 4 process codes and one year of start
times, every report with a ``Firmware`` misc info entry), then ``pywats-server`` is started on it and
these are timed over HTTP (median of 5 runs, milliseconds):

* ``query_header_by_serial``       — ``$filter=serialNumber eq '...'``;
* ``query_header_by_pn_week``      — ``partNumber eq '...' and start ge .. and start lt ..``
  (one week), ``$top=1000``;
* ``query_misc_info_by_serial``    — ``HeaderByMiscInfo?description=Firmware&serialNumber=..``
  (serial in other letter case: matching ignores case);
* ``query_misc_info_by_value``    — ``HeaderByMiscInfo?description=firmware&data=1.242&$top=100``
  (one report in 1,000 carries that value);
* ``read_by_id_during_heavy_query`` — ``GET /api/Report/Wsjf/{id}`` while another client runs
  a heavy query (``tolower(comment) eq ...``, evaluated on every row): the slowest of the
  reads completed while it ran (``reads``: how many) — reads do not wait for it;
  ``heavy_ms`` in the line is that heavy query's own time.

Also ``fill_reports`` (reports/s of the bulk fill). Each line is JSON: ``{"name", "value",
"unit", "reports", ...}``. Environment: ``BENCH_QUERY_SIZES`` (e.g. ``"10000 100000"``).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx

from pywats_server.storage import Storage
from pywats_server.testing import start_server

_COLUMNS = (
    "uuid", "report_type", "part_number", "serial_number", "serial_folded", "revision", "process_code",
    "process_name", "result", "start_utc", "start_utc_full", "station_name", "location", "purpose", "user_name",
    "comment", "run", "time_stamp", "report_size", "collections", "body",
)
_PROCESSES = [(10, "SW Debug"), (50, "ICT"), (100, "FCT"), (150, "EOL")]
_T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def emit(name: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"name": name, "value": round(value, 3), "unit": unit, **extra}), flush=True)


def _uuid(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012d}"


def _firmware(i: int) -> str:
    return f"1.{i % 1000}"


def _rows(start: int, stop: int, total: int) -> Iterator[tuple[Any, ...]]:
    step = 365 * 24 * 3600 / total
    for i in range(start, stop):
        code, pname = _PROCESSES[i % 4]
        when = _T0 + timedelta(seconds=i * step)
        sn = f"SN-{i // 4:08d}"
        misc = {"subUnits": [], "miscInfo": [{"description": "Firmware", "value": _firmware(i)}], "assets": [],
                "attachments": [], "uurSubUnits": [], "uurMiscInfo": [], "uurAttachments": []}
        body = json.dumps({"type": "T", "id": _uuid(i), "pn": f"PN-{i % 200:04d}", "sn": sn, "rev": "A",
                           "processCode": code, "result": "P", "start": when.isoformat()})
        yield (
            _uuid(i), "T", f"PN-{i % 200:04d}", sn, sn.casefold(), "A", code, pname, "P" if i % 7 else "F",
            when.strftime("%Y-%m-%dT%H:%M:%SZ"), when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
            f"ST-{i % 20}", "Lab", "Production", "op", "bench comment", 1, i + 1, 1, json.dumps(misc), body,
        )


def fill(db: Path, total: int) -> float:
    """Create the schema and insert ``total`` reports; returns the seconds it took."""
    storage = Storage(db)
    marks = ", ".join("?" for _ in _COLUMNS)
    sql = f"INSERT INTO reports({', '.join(_COLUMNS)}) VALUES({marks})"
    misc_sql = ("INSERT INTO report_misc_info(report_id, seq, description_folded, value_folded)"
                " VALUES(?, 0, 'firmware', ?)")
    start = time.perf_counter()
    batch = 20_000
    for first in range(0, total, batch):
        stop = min(total, first + batch)
        rows = list(_rows(first, stop, total))
        misc = [(i + 1, _firmware(i)) for i in range(first, stop)]
        storage.write_sync(lambda c, r=rows, m=misc: (c.executemany(sql, r), c.executemany(misc_sql, m)))
    seconds = time.perf_counter() - start
    storage.close()
    return seconds


def _median_ms(client: httpx.Client, path: str, params: dict[str, str], runs: int = 5) -> tuple[float, int]:
    times = []
    count = 0
    for _ in range(runs):
        t = time.perf_counter()
        r = client.get(path, params=params)
        times.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"{path} {params} answered {r.status_code}: {r.text[:200]}")
        count = len(r.json())
    return statistics.median(times), count


def measure(total: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "query.db"
        seconds = fill(db, total)
        emit("fill_reports", total / seconds, "reports/s", reports=total, seconds=round(seconds, 1))
        with start_server(db, startup_timeout=120) as srv, httpx.Client(
            base_url=srv.url, headers=srv.auth_headers, timeout=600
        ) as client:
            sn = f"SN-{(total // 2) // 4:08d}"
            ms, n = _median_ms(client, "/api/Report/Query/Header", {"$filter": f"serialNumber eq '{sn}'"})
            emit("query_header_by_serial", ms, "ms", reports=total, rows=n)
            week_from = _T0 + timedelta(days=180)
            flt = (f"partNumber eq 'PN-0042' and start ge {week_from.strftime('%Y-%m-%dT%H:%M:%SZ')}"
                   f" and start lt {(week_from + timedelta(days=7)).strftime('%Y-%m-%dT%H:%M:%SZ')}")
            ms, n = _median_ms(client, "/api/Report/Query/Header", {"$filter": flt, "$top": "1000"})
            emit("query_header_by_pn_week", ms, "ms", reports=total, rows=n)
            ms, n = _median_ms(client, "/api/Report/Query/HeaderByMiscInfo",
                               {"description": "Firmware", "serialNumber": sn.lower()})
            emit("query_misc_info_by_serial", ms, "ms", reports=total, rows=n)
            ms, n = _median_ms(client, "/api/Report/Query/HeaderByMiscInfo",
                               {"description": "firmware", "data": _firmware(4242), "$top": "100"})
            emit("query_misc_info_by_value", ms, "ms", reports=total, rows=n)
            read_by_id_during_heavy_query(client, total)


def read_by_id_during_heavy_query(client: httpx.Client, total: int) -> None:
    """Reads by id, one after another, for as long as a heavy query runs on another client."""
    heavy_ms: list[float] = []
    done = threading.Event()

    def heavy() -> None:
        with httpx.Client(base_url=str(client.base_url), headers=client.headers, timeout=600) as other:
            t = time.perf_counter()
            r = other.get("/api/Report/Query/Header", params={"$filter": "tolower(comment) eq 'no such text'"})
            heavy_ms.append((time.perf_counter() - t) * 1000)
            done.set()
            assert r.status_code == 200, r.text

    thread = threading.Thread(target=heavy)
    thread.start()
    times = []
    i = 0
    while not done.is_set():
        t = time.perf_counter()
        r = client.get(f"/api/Report/Wsjf/{_uuid((i * 7919) % total)}")
        if done.is_set():
            break
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
        i += 1
    thread.join()
    emit("read_by_id_during_heavy_query", max(times) if times else 0.0, "ms", reports=total, reads=len(times),
         median_ms=round(statistics.median(times), 2) if times else None,
         heavy_ms=round(heavy_ms[0], 1) if heavy_ms else None)


def main(argv: list[str]) -> int:
    text = " ".join(argv) or os.environ.get("BENCH_QUERY_SIZES", "10000 100000")
    for size in (int(s) for s in text.split()):
        measure(size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
