"""Start the real server in a subprocess — shared by tests, benchmarks and reliability runs.

Example::

    from pywats_server.testing import start_server

    with start_server(tmp_path / "wats.db", tokens=["dGVzdDp0ZXN0"]) as srv:
        httpx.get(srv.url + "/api/App/Version", headers=srv.auth_headers)
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any, NamedTuple

__all__ = ["RunningServer", "ServerInfo", "ServerStartError", "start_server", "DEFAULT_TEST_TOKEN"]

#: base64("test:test") — the token the test fixtures use.
DEFAULT_TEST_TOKEN = "dGVzdDp0ZXN0"
_PREFIX = "pywats-server listening on "


class ServerStartError(RuntimeError):
    """The server process did not print its URL in time (message carries its output)."""


class RunningServer:
    """A ``pywats-server`` child process. Use as a context manager or call :meth:`stop`.

    Attributes: ``url`` (``http://127.0.0.1:PORT``, no trailing slash), ``token`` (first
    accepted token), ``tokens``, ``db_path``, ``process`` (:class:`subprocess.Popen`).
    """

    def __init__(self, process: subprocess.Popen[str], url: str, tokens: list[str], db_path: Path,
                 output: collections.deque[str]) -> None:
        self.process = process
        self.url = url
        self.tokens = tokens
        self.token = tokens[0]
        self.db_path = db_path
        self._output = output

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return int(self.url.rsplit(":", 1)[1])

    @property
    def auth_headers(self) -> dict[str, str]:
        """``{"Authorization": "Basic <token>"}``."""
        return {"Authorization": f"Basic {self.token}"}

    @property
    def output(self) -> str:
        """The last lines the server printed (stdout and stderr)."""
        return "\n".join(self._output)

    def is_running(self) -> bool:
        """True while the process has not exited."""
        return self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> int:
        """Ask the server to stop (SIGTERM; on Windows terminate) and wait; returns the exit code."""
        if self.process.poll() is None:
            if sys.platform == "win32":
                self.process.terminate()
            else:
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        return int(self.process.returncode)

    def kill(self, timeout: float = 15.0) -> int:
        """Kill the server abruptly (SIGKILL) and wait; returns the exit code."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout)
        return int(self.process.returncode)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _ServerInfoTuple(NamedTuple):
    base_url: str
    token: str


class ServerInfo(_ServerInfoTuple):
    """``(base_url, token)`` of a running test server, with ``db_path`` and ``process`` extras.

    Unpacks as a 2-tuple: ``base_url, token = wats_server``. ``process`` is the
    :class:`RunningServer` (``.stop()``, ``.kill()``, ``.output``).
    """

    db_path: Path
    process: RunningServer

    def __new__(cls, base_url: str, token: str, *, db_path: Path, process: RunningServer) -> ServerInfo:
        self = super().__new__(cls, base_url, token)
        self.db_path = db_path
        self.process = process
        return self

    @property
    def auth_headers(self) -> dict[str, str]:
        """``{"Authorization": "Basic <token>"}``."""
        return {"Authorization": f"Basic {self.token}"}

    @classmethod
    def of(cls, server: RunningServer) -> ServerInfo:
        """Wrap a :class:`RunningServer`."""
        return cls(server.url, server.token, db_path=server.db_path, process=server)


def _drain(stream: IO[str], sink: collections.deque[str], first_line: list[str], ready: threading.Event) -> None:
    for line in stream:
        line = line.rstrip("\r\n")
        sink.append(line)
        if not first_line and line.startswith(_PREFIX):
            first_line.append(line)
            ready.set()
    ready.set()


def start_server(
    db_path: Path | str,
    *,
    tokens: list[str] | tuple[str, ...] = (DEFAULT_TEST_TOKEN,),
    latency_ms: float = 0,
    port: int = 0,
    seed: Path | str | None = None,
    extra_args: list[str] | None = None,
    startup_timeout: float = 30.0,
) -> RunningServer:
    """Launch ``python -m pywats_server`` on 127.0.0.1 and wait for its URL line.

    Raises :class:`ServerStartError` (with the process output) if the URL does not appear
    within ``startup_timeout`` seconds or the process exits first.
    """
    db = Path(db_path)
    toks = list(tokens)
    cmd = [sys.executable, "-m", "pywats_server", "--host", "127.0.0.1", "--port", str(port), "--db", str(db)]
    for t in toks:
        cmd += ["--token", t]
    if latency_ms:
        cmd += ["--latency-ms", str(latency_ms)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    cmd += extra_args or []
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    popen_kw: dict[str, Any] = {}
    if sys.platform == "win32":
        popen_kw["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        text=True, encoding="utf-8", errors="replace", env=env, **popen_kw,
    )
    output: collections.deque[str] = collections.deque(maxlen=500)
    first: list[str] = []
    ready = threading.Event()
    assert proc.stdout is not None
    threading.Thread(target=_drain, args=(proc.stdout, output, first, ready), daemon=True).start()
    deadline = time.monotonic() + startup_timeout
    while not first:
        if not ready.wait(timeout=max(0.0, min(0.2, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                proc.kill()
                proc.wait(10)
                raise ServerStartError(f"pywats-server did not start within {startup_timeout}s:\n" + "\n".join(output))
            continue
        if not first:
            proc.wait(10)
            raise ServerStartError(
                f"pywats-server exited with code {proc.returncode} before listening:\n" + "\n".join(output)
            )
    url = first[0][len(_PREFIX):].strip().rstrip("/")
    return RunningServer(proc, url, toks, db, output)
