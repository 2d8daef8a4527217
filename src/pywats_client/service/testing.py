"""Helpers to run the station service as a real process (tests, benchmarks, demos).

>>> svc = ServiceProcess(home, "line1")                      # doctest: +SKIP
>>> write_config(home, "line1", service_address=url, api_token=token, converters=[...])  # doctest: +SKIP
>>> svc.start(); svc.wait_for(lambda s: s["state"] == "ONLINE")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from collections.abc import Callable

__all__ = ["PeakRss", "ServiceProcess", "guide_csv", "server_headers", "write_config"]

GUIDE_STEPS = (
    "TestName,Value,Unit,LowLimit,HighLimit\n"
    "Resistance,10.5,Ohm,9.0,12.0\n"
    "Voltage,5.01,V,4.95,5.05\n"
    "Current,0.998,A,0.95,1.05\n"
)


def guide_csv(serial: str, part: str = "WIDGET-100") -> str:
    """A CSV file in the integration guide's Step 6 layout for ``serial``."""
    return f"PartNumber,SerialNumber,,,\n{part},{serial},,,\n{GUIDE_STEPS}"


def write_config(home: Path, instance_id: str, **keys: Any) -> Path:
    """Write ``<home>/config_<instance_id>.json`` with ``keys`` (plain JSON, token in clear:
    the config loader accepts it and encrypts it on its next save)."""
    data = {"instance_id": instance_id, **keys}
    path = Path(home) / f"config_{instance_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    return path


def server_headers(base_url: str, token: str, prefix: str, *, timeout: float = 10.0) -> list[dict[str, Any]]:
    """Report headers on the server whose serial number starts with ``prefix``."""
    import httpx

    r = httpx.get(
        base_url + "/api/Report/Query/Header",
        params={"$filter": f"startswith(serialNumber,'{prefix}')", "$top": "10000"},
        headers={"Authorization": f"Basic {token}"},
        timeout=timeout,
    )
    r.raise_for_status()
    data = r.json()
    return list(data if isinstance(data, list) else data.get("value", []))


class ServiceProcess:
    """``python -m pywats_client service --instance-id ID`` with ``PYWATS_CLIENT_HOME=home``."""

    def __init__(self, home: Path, instance_id: str, *, env: dict[str, str] | None = None) -> None:
        self.home = Path(home)
        self.instance_id = instance_id
        self.extra_env = dict(env or {})
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.home / f"service_{instance_id}.out"
        self._log: Any = None

    @property
    def instance_dir(self) -> Path:
        """``<home>/instances/<id>``."""
        return self.home / "instances" / self.instance_id

    @property
    def control_target(self) -> Any:
        """What :mod:`pywats_client.service.control` functions take as ``config``."""
        return SimpleNamespace(instance_dir=self.instance_dir, instance_id=self.instance_id)

    def command(self) -> list[str]:
        """The command line."""
        return [sys.executable, "-m", "pywats_client", "service", "--instance-id", self.instance_id]

    def env(self) -> dict[str, str]:
        """The environment of the service process."""
        env = dict(os.environ)
        env.pop("PYWATS_API_TOKEN", None)
        env["PYWATS_CLIENT_HOME"] = str(self.home)
        env["PYTHONUNBUFFERED"] = "1"
        env.update(self.extra_env)
        return env

    def start(self) -> ServiceProcess:
        """Start the process (output appended to ``log_path``)."""
        self.home.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - the child writes to it until stop()
        kw: dict[str, Any] = {}
        if sys.platform == "win32":
            kw["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
        self.process = subprocess.Popen(
            self.command(), env=self.env(), stdout=self._log, stderr=subprocess.STDOUT, **kw
        )
        return self

    def run_to_exit(self, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Run a second copy to completion (e.g. to see it refuse); returns its output."""
        return subprocess.run(
            self.command(), env=self.env(), capture_output=True, text=True, timeout=timeout, check=False
        )

    def output(self) -> str:
        """Everything the process printed so far."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def status(self) -> dict[str, Any] | None:
        """Live status through the control API (None while not reachable)."""
        from pywats_client.service.control import read_status

        return read_status(self.control_target)

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 30.0) -> dict[str, Any]:
        """Poll the status until ``predicate(status)`` holds; raise TimeoutError with the last status."""
        deadline = time.monotonic() + timeout
        last: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"service exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            last = self.status()
            if last is not None:
                try:
                    if predicate(last):
                        return last
                except (KeyError, TypeError, IndexError):
                    pass
            time.sleep(0.05)
        raise TimeoutError(f"condition not met within {timeout}s; last status: {json.dumps(last, default=str)[:3000]}")

    def stop(self, timeout: float = 10.0) -> tuple[int, float]:
        """SIGTERM (Windows: CTRL_BREAK) and wait; returns ``(exit code, seconds taken)``."""
        assert self.process is not None
        t0 = time.monotonic()
        if self.process.poll() is None:
            if sys.platform == "win32":
                self.process.send_signal(signal.CTRL_BREAK_EVENT)
            else:
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._close_log()
        return int(self.process.returncode), time.monotonic() - t0

    def kill(self) -> None:
        """SIGKILL (no clean-up at all) and wait."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> ServiceProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()


class PeakRss:
    """The highest RSS of process ``pid`` while the ``with`` block runs (sampled every 20 ms;
    needs psutil, from the ``dev`` extra).

    With ``high_water_mark`` the kernel's own peak is read at the end too (Linux ``VmHWM``,
    Windows ``peak_wset``) — exact, but it counts the process's whole life, not only the block.
    """

    def __init__(self, pid: int, *, high_water_mark: bool = False) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.high_water_mark = high_water_mark
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.wait(0.02):
            try:
                self.peak = max(self.peak, int(self.proc.memory_info().rss))
            except psutil.Error:  # the process ended
                return

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if not self.high_water_mark:
            return
        status = Path(f"/proc/{self.proc.pid}/status")
        if status.exists():  # Linux: VmHWM is the exact peak
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self.peak = max(self.peak, int(line.split()[1]) * 1024)
        info = self.proc.memory_info()
        self.peak = max(self.peak, int(getattr(info, "peak_wset", 0)))  # Windows
