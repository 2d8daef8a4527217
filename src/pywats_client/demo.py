"""The demo: the guide's station flow end to end on this machine.

``python -m pywats_client demo`` (or ``python3 dev.py demo`` from a fresh clone):

1. starts the local WATS-compatible server (``python -m pywats_server``) on 127.0.0.1,
2. creates a station client instance with ``pywats-client config init`` and the built-in
   CSV converter watching ``TestData/Incoming``,
3. runs the station service, drops the guide's "Step 6" sample file into the watch folder,
4. waits until the file is in ``TestData/Done`` and the report is on the server,
5. queries the report back by serial number ``SN-12345`` and prints it, then ``status``.

Everything lives in one work folder (a temporary one unless ``--workdir`` is given), so the
demo never touches the real client home. Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

SAMPLE_CSV = """PartNumber,SerialNumber,,,
WIDGET-100,SN-12345,,,
TestName,Value,Unit,LowLimit,HighLimit
Resistance,10.5,Ohm,9.0,12.0
Voltage,5.01,V,4.95,5.05
Current,0.998,A,0.95,1.05
"""

INSTANCE_ID = "demo"
DEADLINE_SECONDS = 60.0


class DemoError(RuntimeError):
    """A demo step did not complete; the message says which and why."""


def _say(text: str) -> None:
    print(text, flush=True)


def _wait_for(what: str, check: Any, timeout: float = DEADLINE_SECONDS, interval: float = 0.1) -> Any:
    """Poll ``check()`` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise DemoError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def _read_line(stream: IO[str], timeout: float) -> str:
    """Read one line from a child's stdout with a deadline (a thread does the blocking read)."""
    import threading

    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not box:
        raise DemoError(f"no output from the local server within {timeout:.0f} s")
    return box[0]


@contextmanager
def _local_server(workdir: Path, token: str) -> Iterator[str]:
    """Run ``python -m pywats_server`` on a free loopback port; yield its base URL."""
    cmd = [sys.executable, "-m", "pywats_server", "--port", "0", "--db", str(workdir / "server.db"), "--token", token]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        line = _read_line(proc.stdout, 30.0).strip()
        if "http://" not in line:
            raise DemoError(f"the local server did not start: {line or 'no output'}")
        url = line[line.index("http://") :].split()[0]
        _say(f"[1/5] local WATS server: {url}  (SQLite database {workdir / 'server.db'})")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _client_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYWATS_CLIENT_HOME"] = str(home)
    env.pop("PYWATS_API_TOKEN", None)
    return env


def _cli(args: Sequence[str], env: dict[str, str], *, show: bool = True) -> str:
    """Run ``python -m pywats_client ARGS`` and return its output; fail loudly on error."""
    cmd = [sys.executable, "-m", "pywats_client", *args]
    if show:
        shown = ["****" if i and args[i - 1] == "--api-token" else a for i, a in enumerate(args)]
        _say("      $ pywats-client " + shlex.join(shown))
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise DemoError(f"`pywats-client {' '.join(args)}` failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def _configure_station(home: Path, url: str, token: str, test_data: Path, env: dict[str, str]) -> None:
    _say("[2/5] station client instance 'demo' with the built-in CSV converter")
    _cli(
        [
            "config", "init", "--instance-id", INSTANCE_ID,
            "--service-address", url, "--api-token", token,
            "--station-name", "ICT-STATION-01", "--location", "Building A - Line 1",
            "--purpose", "Production",
        ],
        env,
    )
    for sub in ("Incoming", "Done", "Error"):
        (test_data / sub).mkdir(parents=True, exist_ok=True)
    converter = {
        "name": "CSV Test Converter",
        "module_path": "csv",
        "watch_folder": str(test_data / "Incoming"),
        "done_folder": str(test_data / "Done"),
        "error_folder": str(test_data / "Error"),
        "file_patterns": ["*.csv"],
        "post_action": "move",
        "enabled": True,
        "file_stable_seconds": 0.5,
    }
    _cli(["config", "set", "--instance-id", INSTANCE_ID, "converters", json.dumps([converter])], env)
    for key, value in (("health_check_interval", "2"), ("rescan_interval_seconds", "1")):
        _cli(["config", "set", "--instance-id", INSTANCE_ID, key, value], env, show=False)


@contextmanager
def _station_service(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    cmd = [sys.executable, "-m", "pywats_client", "service", "--instance-id", INSTANCE_ID]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _query_back(url: str, token: str) -> None:
    from pywats import pyWATS

    with pyWATS(base_url=url, token=token) as api:
        headers = _wait_for(
            "the report for SN-12345 on the server",
            lambda: api.report.get_reports(serial_number="SN-12345", limit=10),
        )
        header = headers[0]
        _say(
            f"      server holds report {header.id}: {header.part_number} / {header.serial_number}"
            f" · {header.operation_type} · {header.result} · {header.start}"
        )
        report = api.report.get_report(header.id)
        data = report.to_wsjf()
        _say(f"      station {data.get('machineName')} · {data.get('location')} · purpose {data.get('purpose')}")
        for step in data.get("root", {}).get("steps", []):
            for meas in step.get("numericMeas", []):
                _say(
                    f"        {step['name']:<12} {meas.get('value'):>8} {meas.get('unit') or '':<4}"
                    f" [{meas.get('lowLimit')} .. {meas.get('highLimit')}]  {step.get('status')}"
                )


def run(workdir: Path) -> None:
    """Run the demo in ``workdir`` (created if needed)."""
    workdir.mkdir(parents=True, exist_ok=True)
    home = workdir / "client-home"
    test_data = workdir / "TestData"
    token = base64.b64encode(f"demo:{secrets.token_hex(8)}".encode()).decode()
    env = _client_env(home)
    with _local_server(workdir, token) as url:
        _configure_station(home, url, token, test_data, env)
        with _station_service(env, workdir / "service-output.log") as service:
            _say(f"[3/5] station service running (pid {service.pid}); dropping the guide's sample file")
            incoming = test_data / "Incoming"
            partial = incoming / "test.csv.part"
            partial.write_text(SAMPLE_CSV, encoding="utf-8")
            partial.replace(incoming / "test.csv")
            done = _wait_for(
                "TestData/Done/test.csv",
                lambda: (test_data / "Done" / "test.csv").exists() or _service_died(service),
            )
            if done is not True:
                raise DemoError(str(done))
            _say(f"[4/5] test.csv moved to {test_data / 'Done'}; report uploaded:")
            _query_back(url, token)
            _say("[5/5] $ pywats-client status --instance-id demo")
            status = _wait_for("an empty upload queue", lambda: _status_if_drained(env))
            for line in status.rstrip().splitlines():
                _say("      " + line)
    _say("demo finished: the sample file was converted, queued, uploaded and read back")


def _service_died(service: subprocess.Popen[bytes]) -> str | bool:
    code = service.poll()
    return f"the station service exited early with code {code}" if code is not None else False


def _status_if_drained(env: dict[str, str]) -> str | None:
    out = _cli(["status", "--instance-id", INSTANCE_ID, "--json"], env, show=False)
    counts = json.loads(out).get("queue", {})
    if counts.get("pending", 0) or counts.get("processing", 0):
        return None
    return _cli(["status", "--instance-id", INSTANCE_ID], env, show=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``pywats-client demo``; returns the exit code."""
    parser = argparse.ArgumentParser(prog="pywats-client demo", description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="keep everything in this folder (default: a temporary one)")
    args = parser.parse_args(argv)
    workdir: Path = args.workdir or Path(tempfile.mkdtemp(prefix="pywats-demo-"))
    try:
        run(workdir.resolve())
    except DemoError as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        log = workdir / "service-output.log"
        if log.exists():
            print(f"(service output in {log})", file=sys.stderr)
        return 1
    finally:
        if args.workdir is None and os.environ.get("PYWATS_DEMO_KEEP") != "1":
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"demo files kept in {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
