"""Child interpreters connected to this process by a multiprocessing connection: :func:`start_child`.

Converter workers (:mod:`pywats_client.converters.pool`) and the converter import check
(:mod:`pywats_client.service.converter_check`) run user code in child interpreters. They are
started with :mod:`subprocess` (``python -m pywats_client.converters.child``), not with
multiprocessing's ``spawn``, for two reasons:

- on POSIX every ``spawn``-started child needs multiprocessing's resource tracker, a third
  long-lived process (about 13 MB resident) that the service would keep for nothing: the
  children share no semaphores or shared memory;
- ``spawn`` re-imports the parent's main module in each child — for the service, the whole
  command-line interface.

The conversation still goes through :mod:`multiprocessing.connection`: one process-wide
:class:`~multiprocessing.connection.Listener` (a Unix socket in a private temporary folder
on POSIX, a named pipe on Windows) protected by a random authentication key, so messages are
pickled objects exactly as over ``multiprocessing.Pipe``.

Start-up protocol: the parent writes one JSON line to the child's standard input (listener
address, key, a one-time token, the target ``module:function``, its JSON arguments and the
parent's ``sys.path``) and keeps standard input open. The child connects, sends its token,
and calls ``function(connection, *arguments)``. When the parent goes away — even killed —
the child's standard input reaches end of file and the child exits at once, so a converter
that hangs never outlives the service.
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import IO, Any

__all__ = ["ChildConnection", "ChildProcess", "ChildStartError", "describe_exit", "start_child"]

if sys.platform == "win32":  # a named pipe's end there
    from multiprocessing.connection import PipeConnection

    ChildConnection = Connection | PipeConnection
else:
    ChildConnection = Connection

_MODULE = "pywats_client.converters.child"
_EXIT_PARENT_GONE = 3


class ChildStartError(Exception):
    """A child did not connect: its interpreter exited or the start-up timed out."""


def describe_exit(code: int | None) -> str:
    """Human wording for a process exit code (signal names on POSIX, hex on Windows)."""
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    if code > 0xFFFF:
        return f"exit code 0x{code:08X}"
    return f"exit code {code}"


def interpreter_for_children() -> str:
    """The Python interpreter to start children with.

    ``sys.executable`` unless this process is hosted by something else — pywin32's
    ``pythonservice.exe`` — in which case the environment's own ``python`` is used.
    """
    exe = Path(sys.executable or "")
    stem = exe.stem.lower()
    if stem.startswith("python") and "service" not in stem:
        return str(exe)
    prefix = Path(sys.exec_prefix)
    for candidate in (prefix / "python.exe", prefix / "Scripts" / "python.exe", prefix / "bin" / "python3"):
        if candidate.is_file():
            return str(candidate)
    return str(exe)


class _Rendezvous:
    """The process-wide listener and the thread that hands each connection to its child."""

    def __init__(self) -> None:
        self.authkey = secrets.token_bytes(32)
        self.listener = Listener(authkey=self.authkey)
        self.address: str = str(self.listener.address)
        self._cond = threading.Condition()
        self._expected: set[str] = set()
        self._arrived: dict[str, ChildConnection] = {}
        threading.Thread(target=self._accept_forever, name="pywats-child-accept", daemon=True).start()

    def expect(self, token: str) -> None:
        with self._cond:
            self._expected.add(token)

    def forget(self, token: str) -> None:
        with self._cond:
            self._expected.discard(token)
            late = self._arrived.pop(token, None)
        if late is not None:
            late.close()

    def wait_for(self, token: str, popen: subprocess.Popen[bytes], timeout: float) -> ChildConnection:
        """The connection of the child holding ``token``; raises ChildStartError if the child
        exits first or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while token not in self._arrived:
                code = popen.poll()
                if code is not None:
                    raise ChildStartError(f"the child process ended before it connected ({describe_exit(code)})")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ChildStartError(f"the child process did not connect within {timeout:g}s")
                # woken by each arrival; the short slice notices a child that died first
                self._cond.wait(min(remaining, 0.05))
            self._expected.discard(token)
            return self._arrived.pop(token)

    def _accept_forever(self) -> None:
        while True:
            try:
                conn = self.listener.accept()
            except (EOFError, AuthenticationError):
                continue  # a client that failed the handshake or went away during it
            except OSError:
                time.sleep(0.1)  # e.g. out of file handles for a moment: do not spin
                continue
            try:
                token = conn.recv() if conn.poll(10.0) else None
            except (OSError, EOFError):
                token = None
            with self._cond:
                if isinstance(token, str) and token in self._expected:
                    self._arrived[token] = conn
                    self._cond.notify_all()
                    continue
            conn.close()


_rendezvous: _Rendezvous | None = None
_rendezvous_lock = threading.Lock()


def _shared_rendezvous() -> _Rendezvous:
    global _rendezvous
    with _rendezvous_lock:
        if _rendezvous is None:
            _rendezvous = _Rendezvous()
        return _rendezvous


class ChildProcess:
    """A started child interpreter; :meth:`connect` waits for its connection.

    The attributes mirror the ones of :class:`multiprocessing.Process` the callers need:
    :meth:`is_alive`, :meth:`join`, :meth:`kill`, :attr:`exitcode` (negative: killed by that
    signal, POSIX), :attr:`pid` (of the process started; the interpreter itself reports its
    own pid in its first message where that matters).
    """

    def __init__(self, popen: subprocess.Popen[bytes], token: str, rendezvous: _Rendezvous) -> None:
        self.popen = popen
        self._token = token
        self._rendezvous = rendezvous
        self.conn: ChildConnection | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def exitcode(self) -> int | None:
        return self.popen.poll()

    def connect(self, timeout: float) -> ChildConnection:
        """Wait for the child's connection (at most ``timeout`` seconds).

        Raises:
            ChildStartError: the child exited first or did not connect in time (it is
                killed then).
        """
        if self.conn is None:
            try:
                self.conn = self._rendezvous.wait_for(self._token, self.popen, timeout)
            except ChildStartError:
                self.kill()
                raise
        return self.conn

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    def join(self, timeout: float | None = None) -> None:
        """Wait until the child has ended (at most ``timeout`` seconds)."""
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pass

    def kill(self) -> None:
        """End the child now. Closing its standard input also ends an interpreter that a
        launcher (a Windows virtual environment's ``python.exe``) started on our behalf."""
        self._rendezvous.forget(self._token)
        stdin: IO[bytes] | None = self.popen.stdin
        if stdin is not None:
            try:
                stdin.close()
            except OSError:
                pass
        if self.popen.poll() is None:
            try:
                self.popen.kill()
            except OSError:
                pass
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass


def start_child(target: str, args: Sequence[Any] = (), *, interpreter: str | None = None) -> ChildProcess:
    """Start ``python -m pywats_client.converters.child`` running ``target(conn, *args)``.

    ``target`` is ``"package.module:function"``; ``args`` must be JSON values. Returns at
    once; call :meth:`ChildProcess.connect` for the connection.

    Raises:
        OSError: the interpreter could not be started.
    """
    rendezvous = _shared_rendezvous()
    token = secrets.token_hex(16)
    rendezvous.expect(token)
    kwargs: dict[str, Any] = {}
    if sys.platform == "win32":
        kwargs["creationflags"] = subprocess.CREATE_NO_WINDOW
    # A host without standard streams (pythonservice.exe, pythonw.exe: sys.__stdout__ is
    # None) would hand the child a dead pipe, and a converter's print() would then fail:
    # give it the null device instead. Otherwise the child writes where this process does.
    for stream, name in ((sys.__stdout__, "stdout"), (sys.__stderr__, "stderr")):
        if stream is None:
            kwargs[name] = subprocess.DEVNULL
    try:
        popen = subprocess.Popen(
            [interpreter or interpreter_for_children(), "-m", _MODULE], stdin=subprocess.PIPE, **kwargs
        )
    except BaseException:
        rendezvous.forget(token)
        raise
    child = ChildProcess(popen, token, rendezvous)
    hello = {
        "address": rendezvous.address,
        "authkey": rendezvous.authkey.hex(),
        "token": token,
        "target": target,
        "args": list(args),
        "sys_path": [p for p in sys.path if p],
    }
    assert popen.stdin is not None
    try:
        popen.stdin.write(json.dumps(hello).encode("utf-8") + b"\n")
        popen.stdin.flush()
    except OSError:
        pass  # the interpreter died at once: connect() reports how it ended
    return child


def _exit_when_parent_leaves(fd: int) -> None:
    """Exit when ``fd`` (standard input, whose other end the parent holds) reaches end of file.
    Reads the raw descriptor: a thread parked in the buffered reader would hold its lock
    when the interpreter shuts down."""

    def watch() -> None:
        try:
            while os.read(fd, 4096):
                pass
        except OSError:
            pass
        os._exit(_EXIT_PARENT_GONE)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main() -> None:
    """Entry point in the child: read the start-up line, connect, run the target."""
    stdin = sys.stdin.buffer
    hello = json.loads(stdin.readline() or b"null")
    if not isinstance(hello, dict):
        sys.exit("pywats_client.converters.child: started without its start-up line on standard input")
    _exit_when_parent_leaves(stdin.fileno())
    for entry in hello["sys_path"]:
        if entry not in sys.path:
            sys.path.append(entry)
    conn = Client(hello["address"], authkey=bytes.fromhex(hello["authkey"]))
    conn.send(hello["token"])
    module_name, _, function_name = str(hello["target"]).partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    function(conn, *hello["args"])


if __name__ == "__main__":
    main()
