"""Stopping the service at awkward moments loses nothing and fails nothing.

- SIGTERM to the whole process group (as systemd stops a unit, as Ctrl-C reaches a console)
  while a converter is in the middle of a file: the file stays in the watch folder (not in
  the error folder) and is uploaded after the restart.
- SIGTERM while the service is still import-checking a converter whose import hangs: the
  service stops within 5 s instead of waiting for the check's timeout.
- Byte-identical files dropped together become one report, and every copy ends in Done.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from pywats_client.service.testing import ServiceProcess, guide_csv, server_headers, write_config
from support.polling import wait_until

SLOW_CONVERTER = '''
import socket
from pathlib import Path

from pywats_client.converters.builtin.csv import CSVConverter

MARK = Path({mark!r})


class SlowCSV(CSVConverter):
    """The CSV converter, but it signals that it started and waits for the test's gate."""

    def convert(self, source, context):
        MARK.write_text("converting", encoding="utf-8")
        with socket.create_connection(("127.0.0.1", {port}), timeout=60) as gate:
            gate.recv(1)  # blocks until the test opens the gate (or 60 s pass)
        return super().convert(source, context)
'''


class Gate:
    """A gate the slow converter (in its worker process) waits at: each connection is
    answered once :meth:`open` was called. No polling on either side."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._opened = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            self._opened.wait(120)
            try:
                conn.sendall(b"g")
            except OSError:
                pass  # the worker was killed meanwhile

    def open(self) -> None:
        self._opened.set()

    def close(self) -> None:
        self._server.close()


def _slow_conversion(tmp_path: Path, server: Any, prefix: str) -> tuple[Path, Path, Path, Gate, str]:
    """An instance whose converter stops at a gate, and one file waiting for it:
    ``(home, incoming, mark, gate, serial)``; ``mark`` appears when the conversion started."""
    home, incoming = tmp_path / "home", tmp_path / "incoming"
    conv = home / "converters"
    conv.mkdir(parents=True)
    incoming.mkdir()
    mark, gate = tmp_path / "converting", Gate()
    (conv / "slowconv.py").write_text(SLOW_CONVERTER.format(mark=str(mark), port=gate.port), encoding="utf-8")
    _write_config(home, server, incoming, "slowconv.SlowCSV")
    serial = f"{prefix}-{os.getpid()}"
    (incoming / "unit.csv").write_text(guide_csv(serial), encoding="utf-8")
    return home, incoming, mark, gate, serial


HANGING_IMPORT = '''
import os
import threading
from pathlib import Path

Path({mark!r}).write_text(str(os.getpid()), encoding="utf-8")
threading.Event().wait(120)  # the import hangs (the process is killed long before)

from pywats_client.converters.builtin.csv import CSVConverter as HangingCSV
'''


def _write_config(home: Path, server: Any, incoming: Path, module_path: str, **over: Any) -> None:
    write_config(
        home,
        "stop",
        service_address=server.base_url,
        api_token=server.token,
        station_name="STOP-01",
        rescan_interval_seconds=0.5,
        health_check_interval=0.5,
        process_sync_enabled=False,
        converter_paths=[str(home / "converters")],
        converters=[
            {
                "name": "csv",
                "module_path": module_path,
                "watch_folder": str(incoming),
                "done_folder": str(home / "Done"),
                "error_folder": str(home / "Error"),
                "file_patterns": ["*.csv"],
                "file_stable_seconds": 0.1,
            }
        ],
        **{"max_converter_workers": 2, **over},
    )


class GroupService(ServiceProcess):
    """The service as the leader of its own process group (POSIX), so a test can signal
    the service and its converter workers together, as systemd and a console do."""

    def start(self) -> GroupService:
        self.home.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - the child writes to it until stop()
        kw: dict[str, Any] = {}
        if sys.platform == "win32":
            kw["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        else:
            kw["start_new_session"] = True
        self.process = subprocess.Popen(self.command(), env=self.env(), stdout=self._log,
                                        stderr=subprocess.STDOUT, **kw)
        return self

    def stop_group(self, timeout: float = 15.0) -> tuple[int, float]:
        """Stop signal to the whole group; returns ``(exit code, seconds)``."""
        assert self.process is not None
        t0 = time.monotonic()
        if sys.platform == "win32":
            self.process.send_signal(signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined]
        else:
            os.killpg(self.process.pid, signal.SIGTERM)
        code = self.process.wait(timeout)
        elapsed = time.monotonic() - t0
        self._close_log()
        return int(code), elapsed


def test_stop_signal_to_the_group_mid_conversion_leaves_the_file_for_the_next_run(
    tmp_path: Path, wats_server: Any
) -> None:
    home, incoming, mark, gate, serial = _slow_conversion(tmp_path, wats_server, "STOPGRP")

    svc = GroupService(home, "stop").start()
    try:
        wait_until(mark.exists, 30, "the converter to start on the file")
        code, _ = svc.stop_group()
    finally:
        svc.kill()
    assert code == 0, svc.output()[-3000:]
    assert (incoming / "unit.csv").exists(), "the source must stay in the watch folder"
    error_folder = home / "Error"
    assert not error_folder.exists() or not any(error_folder.iterdir()), list(error_folder.iterdir())

    gate.open()
    svc2 = ServiceProcess(home, "stop").start()
    try:
        svc2.wait_for(lambda s: s["queue"].get("completed", 0) >= 1 and s["queue"].get("pending", 0) == 0, 60)
        assert svc2.stop()[0] == 0
    finally:
        svc2.kill()
        gate.close()
    assert [h["serialNumber"] for h in server_headers(wats_server.base_url, wats_server.token, serial)] == [serial]
    assert [p.name for p in (home / "Done").iterdir()] == ["unit.csv"]


def test_a_stop_signal_reaching_only_the_converter_worker_does_not_fail_the_file(
    tmp_path: Path, wats_server: Any
) -> None:
    """``pkill``/a task manager/a console hitting the worker: the conversion goes on."""
    import psutil

    home, _incoming, mark, gate, serial = _slow_conversion(tmp_path, wats_server, "STOPWRK")

    svc = ServiceProcess(home, "stop").start()
    try:
        wait_until(mark.exists, 30, "the converter to start on the file")
        assert svc.process is not None
        workers = psutil.Process(svc.process.pid).children(recursive=True)
        assert workers, "the conversion runs in a worker process"
        stop_signal = signal.CTRL_BREAK_EVENT if sys.platform == "win32" else signal.SIGTERM  # type: ignore[attr-defined]
        for worker in workers:
            worker.send_signal(stop_signal)
        gate.open()
        svc.wait_for(lambda s: s["queue"].get("completed", 0) >= 1, 60)
        assert svc.stop()[0] == 0
    finally:
        svc.kill()
        gate.close()
    assert not (home / "Error").exists() or not any((home / "Error").iterdir()), list((home / "Error").iterdir())
    assert [p.name for p in (home / "Done").iterdir()] == ["unit.csv"]
    assert [h["serialNumber"] for h in server_headers(wats_server.base_url, wats_server.token, serial)] == [serial]


def test_stop_while_a_converter_import_hangs_is_prompt(tmp_path: Path, wats_server: Any) -> None:
    home = tmp_path / "home"
    conv = home / "converters"
    conv.mkdir(parents=True)
    mark = tmp_path / "importing"
    (conv / "hangconv.py").write_text(HANGING_IMPORT.format(mark=str(mark)), encoding="utf-8")
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _write_config(home, wats_server, incoming, "hangconv.HangingCSV")

    svc = ServiceProcess(home, "stop").start()
    try:
        wait_until(mark.exists, 30, "the converter check to start importing")
        code, elapsed = svc.stop(timeout=30)
    finally:
        svc.kill()
    assert code == 0, svc.output()[-3000:]
    assert elapsed < 5.0, f"stopping took {elapsed:.1f}s:\n{svc.output()[-3000:]}"


def test_identical_files_dropped_together_become_one_report(tmp_path: Path, wats_server: Any) -> None:
    home = tmp_path / "home"
    incoming = tmp_path / "incoming"
    incoming.mkdir(parents=True)
    _write_config(home, wats_server, incoming, "csv", max_converter_workers=4)
    serial = f"TWINS-{os.getpid()}"
    text = guide_csv(serial)
    staging = tmp_path / "staging"
    staging.mkdir()
    names = [f"copy{i}.csv" for i in range(6)]
    for name in names:
        (staging / name).write_text(text, encoding="utf-8")

    svc = ServiceProcess(home, "stop").start()
    try:
        svc.wait_for(lambda s: s["state"] == "ONLINE", 30)
        for name in names:  # all at once: the copies are stable together and taken in parallel
            os.replace(staging / name, incoming / name)
        wait_until(lambda: (home / "Done").exists() and len(list((home / "Done").iterdir())) == len(names), 60,
              "every copy to reach Done")
        svc.wait_for(lambda s: s["queue"].get("pending", 0) == 0 and s["queue"].get("processing", 0) == 0, 30)
        assert svc.stop()[0] == 0
    finally:
        svc.kill()
    headers = server_headers(wats_server.base_url, wats_server.token, serial)
    assert len(headers) == 1, headers
    assert sorted(p.name for p in (home / "Done").iterdir()) == sorted(names)


def test_a_hanging_converter_check_does_not_outlive_a_killed_service(tmp_path: Path, wats_server: Any) -> None:
    import psutil

    home = tmp_path / "home"
    conv = home / "converters"
    conv.mkdir(parents=True)
    mark = tmp_path / "importing"
    (conv / "hangconv.py").write_text(HANGING_IMPORT.format(mark=str(mark)), encoding="utf-8")
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _write_config(home, wats_server, incoming, "hangconv.HangingCSV")

    svc = ServiceProcess(home, "stop").start()
    try:
        wait_until(lambda: mark.exists() and mark.read_text(encoding="utf-8").strip(), 30, "the check to start importing")
        check_pid = int(mark.read_text(encoding="utf-8"))
        assert psutil.pid_exists(check_pid)
    finally:
        svc.kill()  # SIGKILL: no clean-up in the service at all
    wait_until(lambda: not psutil.pid_exists(check_pid) or psutil.Process(check_pid).status() == psutil.STATUS_ZOMBIE,
          10, "the check process to exit with its parent")
