"""What the service tells the program that supervises it, and how that program stops it.

:class:`Supervisor` is the service's one seam to its supervisor:

- systemd (``Type=notify``): READY after start-up, RELOADING/READY around a reload,
  STOPPING at stop, WATCHDOG pings while the event loop runs (:mod:`.sdnotify`);
- the Windows service host: its control handler runs on another thread and asks for a
  stop through :class:`StopRequest` (thread-safe; a request made before the service's
  event loop runs is kept and honoured at once when it starts).

Outside both, every call is a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable

from pywats_client.service.sdnotify import SystemdNotifier

__all__ = ["StopRequest", "Supervisor"]

log = logging.getLogger("pywats_client.service.supervisor")


class StopRequest:
    """A stop asked for from any thread, delivered to the service's event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requested = False
        self._target: tuple[asyncio.AbstractEventLoop, Callable[[], None]] | None = None

    @property
    def requested(self) -> bool:
        """True once :meth:`request` was called."""
        return self._requested

    def attach(self, loop: asyncio.AbstractEventLoop, stop: Callable[[], None]) -> None:
        """Deliver requests to ``stop`` on ``loop`` (at once if one is pending)."""
        with self._lock:
            self._target = (loop, stop)
            pending = self._requested
        if pending:
            loop.call_soon_threadsafe(stop)

    def detach(self) -> None:
        """Stop delivering (the loop is closing)."""
        with self._lock:
            self._target = None

    def request(self) -> None:
        """Ask the service to stop (safe from any thread, any number of times)."""
        with self._lock:
            self._requested = True
            target = self._target
        if target is not None:
            loop, stop = target
            try:
                loop.call_soon_threadsafe(stop)
            except RuntimeError:  # the loop has just closed: the service is stopping anyway
                pass


class Supervisor:
    """Notifications to, and stop requests from, the supervising program (see module doc)."""

    def __init__(self, notifier: SystemdNotifier | None = None, stop_request: StopRequest | None = None) -> None:
        self.notifier = notifier if notifier is not None else SystemdNotifier.from_environment()
        self.stop_request = stop_request

    def attach(self, stop: Callable[[], None]) -> None:
        """Called by the service on its running event loop with its own stop method."""
        if self.stop_request is not None:
            self.stop_request.attach(asyncio.get_running_loop(), stop)

    def ready(self, status: str = "running") -> None:
        """Start-up (or a reload) is complete."""
        self.notifier.ready(status)

    @contextlib.asynccontextmanager
    async def reloading(self) -> AsyncIterator[None]:
        """Around a reload: RELOADING when it begins, READY when it ends (also when it fails:
        the service keeps running with its previous configuration)."""
        self.notifier.reloading()
        try:
            yield
        finally:
            self.notifier.ready("running")

    def stopping(self) -> None:
        """The service begins to stop."""
        self.notifier.stopping()
        if self.stop_request is not None:
            self.stop_request.detach()

    async def watchdog(self) -> None:
        """Ping systemd's watchdog every half ``WatchdogSec`` while the event loop runs
        (returns at once when no watchdog is configured; cancelled at stop)."""
        interval = self.notifier.watchdog_seconds
        if interval is None or not self.notifier.enabled:
            return
        log.debug("systemd watchdog: ping every %.1fs", interval)
        while self.notifier.watchdog():
            await asyncio.sleep(interval)
