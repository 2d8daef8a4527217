"""Child interpreters of :mod:`pywats_client.converters.child` (real processes): they talk
over a multiprocessing connection, end when their parent is killed, and a child that dies
before connecting is reported, not waited for."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest

from pywats_client.converters.child import ChildStartError, start_child
from tests.support.polling import wait_until


def test_a_child_runs_its_target_over_the_connection(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("raise RuntimeError('boom at import')\n", encoding="utf-8")
    child = start_child(
        "pywats_client.service.converter_check:_check_in_child", [["csv", "bad.Conv"], [str(tmp_path)]]
    )
    try:
        conn = child.connect(60)
        assert conn.poll(60)
        result = conn.recv()
        assert result["csv"]["patterns"]
        assert "boom at import" in result["bad.Conv"]["reason"]
        child.join(30)
        assert child.exitcode == 0
    finally:
        child.kill()
    assert not child.is_alive()


def test_a_child_that_dies_before_connecting_is_reported_with_its_exit() -> None:
    child = start_child("pywats_client.converters._worker:worker_main", [[]])
    child.kill()  # before (or just as) it connects: its connection is not handed out
    with pytest.raises(ChildStartError, match="ended before it connected"):
        child.connect(30)


PARENT = textwrap.dedent(
    """
    import sys
    from pywats_client.converters.child import start_child
    child = start_child("pywats_client.converters._worker:worker_main", [[]])
    conn = child.connect(60)
    assert conn.recv()[0] == "ready"
    print(child.pid, flush=True)
    sys.stdin.read()  # blocks: stands for a service that is killed while its worker is idle
    """
)


def test_a_child_ends_when_its_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              env=dict(os.environ))
    try:
        assert parent.stdout is not None
        child_pid = int(parent.stdout.readline())
        assert psutil.pid_exists(child_pid)
        parent.kill()  # SIGKILL / TerminateProcess: no clean-up runs in the parent
        parent.wait(30)
        wait_until(lambda: not psutil.pid_exists(child_pid) or psutil.Process(child_pid).status() == "zombie",
                   30, "the orphaned child to exit")
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(30)


HOSTLESS = textwrap.dedent(
    """
    import os, sys
    sys.stdout = sys.stderr = None
    sys.__stdout__ = sys.__stderr__ = None  # as under pythonservice.exe / pythonw.exe
    os.close(1)
    os.close(2)  # and no standard handles underneath either
    from pywats_client.converters.child import start_child
    child = start_child("pywats_client.converters._worker:worker_main", [[]])
    conn = child.connect(60)
    if conn.recv()[0] != "ready":
        raise SystemExit(11)
    if sys.platform.startswith("linux") and os.readlink(f"/proc/{child.pid}/fd/1") != "/dev/null":
        raise SystemExit(12)
    conn.send(None)
    child.join(30)
    raise SystemExit(child.exitcode)
    """
)


def test_a_host_without_standard_streams_gives_children_the_null_device() -> None:
    done = subprocess.run([sys.executable, "-c", HOSTLESS], capture_output=True, timeout=120, check=False)
    assert done.returncode == 0
