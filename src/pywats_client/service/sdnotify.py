"""systemd's service notification protocol (``sd_notify``), without a dependency.

A unit with ``Type=notify`` gives the service a datagram socket in ``NOTIFY_SOCKET``
(a file path, or ``@name`` for a socket in Linux's abstract namespace). The service sends
newline-separated ``KEY=VALUE`` lines to it:

- ``READY=1`` once it is up (``systemctl start`` returns then, not earlier);
- ``RELOADING=1`` (with ``MONOTONIC_USEC``) when a reload starts, ``READY=1`` when done;
- ``STOPPING=1`` when it begins to stop;
- ``WATCHDOG=1`` at least every ``WatchdogSec`` (``WATCHDOG_USEC`` in the environment):
  systemd restarts a service whose pings stop (a hung event loop);
- ``STATUS=...`` a one-line text shown by ``systemctl status``.

Without ``NOTIFY_SOCKET`` (not started by systemd, or on Windows) every call is a no-op.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import time

__all__ = ["NOTIFY_SOCKET_ENV", "WATCHDOG_PID_ENV", "WATCHDOG_USEC_ENV", "SystemdNotifier", "watchdog_interval"]

log = logging.getLogger("pywats_client.service.sdnotify")

NOTIFY_SOCKET_ENV = "NOTIFY_SOCKET"
WATCHDOG_USEC_ENV = "WATCHDOG_USEC"
WATCHDOG_PID_ENV = "WATCHDOG_PID"


def watchdog_interval(environ: dict[str, str] | None = None, pid: int | None = None) -> float | None:
    """Seconds between two ``WATCHDOG=1`` pings (half of ``WATCHDOG_USEC``), or None.

    None when no watchdog is configured, the value is not a positive number, or
    ``WATCHDOG_PID`` names another process (the watchdog is meant for the main process).
    """
    env = os.environ if environ is None else environ
    raw = env.get(WATCHDOG_USEC_ENV, "").strip()
    if not raw:
        return None
    owner = env.get(WATCHDOG_PID_ENV, "").strip()
    if owner and owner != str(os.getpid() if pid is None else pid):
        return None
    try:
        usec = int(raw)
    except ValueError:
        log.warning("%s=%r is not a number of microseconds; no watchdog pings", WATCHDOG_USEC_ENV, raw)
        return None
    return usec / 2_000_000 if usec > 0 else None


class SystemdNotifier:
    """Sends notifications to ``NOTIFY_SOCKET`` (see the module docstring)."""

    def __init__(self, address: str | None, watchdog_seconds: float | None = None) -> None:
        self.address = address or None
        self.watchdog_seconds = watchdog_seconds
        """Seconds between watchdog pings (None = no watchdog)."""
        self._sock: socket.socket | None = None
        self._failed = False

    @classmethod
    def from_environment(cls) -> SystemdNotifier:
        """A notifier for ``$NOTIFY_SOCKET`` and ``$WATCHDOG_USEC`` (a no-op one when not set).

        The variables are removed from the environment, as ``sd_notify`` does on request, so
        that child processes (converter workers) do not take the notifications for theirs.
        """
        notifier = cls(os.environ.get(NOTIFY_SOCKET_ENV, "").strip() or None, watchdog_interval())
        for name in (NOTIFY_SOCKET_ENV, WATCHDOG_USEC_ENV, WATCHDOG_PID_ENV):
            os.environ.pop(name, None)
        return notifier

    @property
    def enabled(self) -> bool:
        """True when there is a socket to notify."""
        return self.address is not None and not self._failed

    def notify(self, *fields: str) -> bool:
        """Send ``fields`` (``"KEY=VALUE"`` each) in one datagram; False if not sent.

        A failure is logged once and disables further notifications (never raised: the
        station keeps working without its supervisor's bookkeeping).
        """
        if not self.enabled or not fields:
            return False
        assert self.address is not None
        if sys.platform == "win32":
            return False
        else:
            target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
            try:
                if self._sock is None:
                    self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # not inherited (PEP 446)
                self._sock.sendto("\n".join(fields).encode("utf-8"), target)
            except OSError as exc:
                log.warning("cannot notify systemd at %s: %s (no further notifications)", self.address, exc)
                self._failed = True
                self.close()
                return False
            return True

    def ready(self, status: str | None = None) -> bool:
        """``READY=1`` (plus ``STATUS``): start-up or a reload is complete."""
        return self.notify("READY=1", *(() if status is None else (f"STATUS={status}",)))

    def reloading(self) -> bool:
        """``RELOADING=1`` with the monotonic clock in microseconds (as systemd expects)."""
        usec = time.monotonic_ns() // 1000  # CLOCK_MONOTONIC on Linux, the clock systemd compares with
        return self.notify("RELOADING=1", f"MONOTONIC_USEC={usec}", "STATUS=reloading the configuration")

    def stopping(self) -> bool:
        """``STOPPING=1``: the service has begun to stop."""
        return self.notify("STOPPING=1", "STATUS=stopping")

    def watchdog(self) -> bool:
        """``WATCHDOG=1``: the service (its event loop) is alive."""
        return self.notify("WATCHDOG=1")

    def status(self, text: str) -> bool:
        """``STATUS=<text>`` (one line) for ``systemctl status``."""
        return self.notify("STATUS=" + " ".join(text.split()))

    def close(self) -> None:
        """Close the socket (notify opens it again when needed)."""
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None
