"""Process sync: the server's processes, levels and product groups, cached locally.

Converters and the report builder need process codes ("FCT" → 100) without a network
call per file, and they need them offline too. :class:`ProcessSyncService` reads the three
lists from the server now and then every ``interval_seconds`` in a background thread, keeps
them in memory, and writes them atomically to a JSON file, so an offline restart starts
with the last known lists. Loading the lists (from the server or the file) also fills
:mod:`pywats.models.process_codes`, which ``ReportBuilder.set_operation_type`` reads.

Guide usage::

    sync = ProcessSyncService(api_client)
    sync.start()                      # refreshes now, then every 5 minutes
    processes = sync.get_processes()  # cached, no network call
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pywats.models import process_codes
from pywats.models.app import Level, ProductGroup
from pywats.models.common import WATSModel
from pywats.models.process import Process
from pywats_client.fileio import write_atomic

if TYPE_CHECKING:
    from pywats import pyWATS

__all__ = ["AppListCalls", "ProcessSyncClient", "ProcessSyncService", "default_cache_path", "CACHE_FORMAT"]

log = logging.getLogger(__name__)

#: Version of the cache file layout.
CACHE_FORMAT = 1
_CACHE_NAME = "process_cache.json"
#: After a failed refresh, try again after at most this many seconds.
_RETRY_AFTER_FAILURE = 60.0

M = TypeVar("M", bound=WATSModel)


class AppListCalls(Protocol):
    """The ``app`` calls process sync makes: ``pyWATS.app`` returns the lists,
    ``AsyncWATS.app`` awaitables of them (plain dicts or models)."""

    def get_processes(self) -> object: ...

    def get_levels(self) -> object: ...

    def get_product_groups(self) -> object: ...


class ProcessSyncClient(Protocol):
    """What :class:`ProcessSyncService` needs of a client: a :class:`pywats.pyWATS` or a
    :class:`pywats.AsyncWATS` (its ``app`` domain)."""

    @property
    def app(self) -> AppListCalls: ...


def default_cache_path() -> Path:
    """``<client home>/process_cache.json`` (``PYWATS_CLIENT_HOME`` overrides the home)."""
    from pywats_client.paths import client_home

    return client_home() / _CACHE_NAME


#: The longest a background refresh waits for one call run on the event loop (seconds).
_LOOP_CALL_TIMEOUT = 120.0


def _sync_client(api: ProcessSyncClient) -> tuple[ProcessSyncClient, pyWATS | None]:
    """The client to call from the sync thread: ``api`` itself, or a sync twin of an AsyncWATS.

    An ``AsyncWATS`` belongs to its event loop, so it is never used from this thread;
    a :class:`pywats.pyWATS` with the same server, token and TLS settings is made instead.
    """
    from pywats import AsyncWATS, pyWATS

    if isinstance(api, AsyncWATS):
        s = api.settings
        twin = pyWATS(base_url=s.base_url, token=s.token, timeout=s.timeout, verify=s.verify, throttle=s.throttle)
        return twin, twin
    return api, None


def _models(cls: type[M], items: Any, what: str) -> list[M]:
    if items is None:
        return []
    if isinstance(items, (str, bytes, dict)) or not hasattr(items, "__iter__"):
        raise TypeError(f"{what}: expected a list, got {type(items).__name__}")
    out: list[M] = []
    for item in items:
        if isinstance(item, cls):
            out.append(item)
        elif isinstance(item, WATSModel):
            out.append(cls.model_validate(item.model_dump(by_alias=True)))
        else:
            out.append(cls.model_validate(item))
    return out


class ProcessSyncService:
    """Keeps the server's processes, levels and product groups cached (memory + disk).

    Args:
        api: a :class:`pywats.pyWATS` client (an ``AsyncWATS`` is accepted: a sync client
            with the same settings is made for the background thread and closed by
            :meth:`stop` — unless ``loop`` is given). Used for ``api.app.get_processes()``,
            ``get_levels()`` and ``get_product_groups()``.
        cache_path: the JSON cache file (default :func:`default_cache_path`).
        interval_seconds: time between refreshes (300 s = every 5 minutes).
        first_sync_timeout: right after :meth:`start`, with nothing cached yet, the
            ``get_*`` methods wait up to this long for the first refresh to finish.
        loop: the running event loop an ``AsyncWATS`` belongs to: the background thread
            then runs the calls on that loop (no second, sync client; the station service
            uses this). The caller keeps owning ``api``; :meth:`refresh` must then not be
            called from the loop's own thread.
    """

    def __init__(
        self,
        api: ProcessSyncClient,
        *,
        cache_path: str | os.PathLike[str] | None = None,
        interval_seconds: float = 300.0,
        first_sync_timeout: float = 10.0,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if interval_seconds <= 0:
            raise ValueError(f"interval_seconds must be > 0, got {interval_seconds!r}")
        self._loop = loop
        self._pending: concurrent.futures.Future[Any] | None = None
        self._api: ProcessSyncClient
        self._owned: pyWATS | None = None  # the sync twin made here, closed by stop()
        if loop is not None:
            self._api = api
        else:
            self._api, self._owned = _sync_client(api)
        self.cache_path = Path(cache_path).expanduser() if cache_path is not None else default_cache_path()
        self.interval_seconds = float(interval_seconds)
        self.first_sync_timeout = float(first_sync_timeout)
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._processes: list[Process] = []
        self._levels: list[Level] = []
        self._product_groups: list[ProductGroup] = []
        self._have_data = False
        self._synced_at: float | None = None
        self._last_error: str | None = None
        self._stop = threading.Event()
        self._first_attempt = threading.Event()
        self._thread: threading.Thread | None = None
        self._load_cache()

    # ------------------------------------------------------------------ cache file

    @property
    def _server(self) -> str | None:
        url = getattr(self._api, "base_url", None)
        return url if isinstance(url, str) else None

    def _load_cache(self) -> bool:
        try:
            raw = self.cache_path.read_bytes()
        except FileNotFoundError:
            return False
        except OSError as exc:
            log.warning("process cache %s cannot be read: %s", self.cache_path, exc)
            return False
        try:
            doc = json.loads(raw.decode("utf-8"))
            if not isinstance(doc, dict):
                raise ValueError("not a JSON object")
            if doc.get("format") != CACHE_FORMAT:
                raise ValueError(f"unknown cache format {doc.get('format')!r}")
            server = doc.get("server")
            if server and self._server and server != self._server:
                log.info("process cache %s is for %s, not %s; ignored", self.cache_path, server, self._server)
                return False
            processes = _models(Process, doc.get("processes"), "processes")
            levels = _models(Level, doc.get("levels"), "levels")
            groups = _models(ProductGroup, doc.get("product_groups"), "product_groups")
            synced_at = doc.get("synced_at")
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            log.warning("process cache %s is unusable (%s); waiting for the server", self.cache_path, exc)
            return False
        with self._lock:
            self._processes, self._levels, self._product_groups = processes, levels, groups
            self._synced_at = float(synced_at) if isinstance(synced_at, (int, float)) else None
            self._have_data = True
        process_codes.remember(((p.code, p.name) for p in processes), server=self._server)
        log.debug("process cache loaded from %s: %d processes", self.cache_path, len(processes))
        return True

    def _save_cache(self) -> None:
        with self._lock:
            doc = {
                "format": CACHE_FORMAT,
                "server": self._server,
                "synced_at": self._synced_at,
                "processes": [p.model_dump(mode="json", by_alias=True) for p in self._processes],
                "levels": [x.model_dump(mode="json", by_alias=True) for x in self._levels],
                "product_groups": [g.model_dump(mode="json", by_alias=True) for g in self._product_groups],
            }
        write_atomic(self.cache_path, json.dumps(doc, indent=1, ensure_ascii=False))

    # ------------------------------------------------------------------ refreshing

    def _call(self, fn: Callable[[], Any], what: str) -> Any:
        result = fn()
        if not inspect.isawaitable(result):
            return result
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is None or running is loop or self._stop.is_set():
            close = getattr(result, "close", None)
            if callable(close):
                close()
            if loop is None:
                raise TypeError(f"{what} returned an awaitable; ProcessSyncService needs a sync pyWATS client "
                                "(or the event loop of the AsyncWATS as loop=)")
            if running is loop:
                raise RuntimeError(f"{what}: refresh() must not run on the event loop it waits for")
            raise RuntimeError(f"{what}: process sync is stopping")
        future: concurrent.futures.Future[Any] = asyncio.run_coroutine_threadsafe(result, loop)  # type: ignore[arg-type]
        self._pending = future
        try:
            return future.result(_LOOP_CALL_TIMEOUT)
        finally:
            self._pending = None

    def refresh(self) -> bool:
        """Read the three lists from the server now; returns True when all three arrived.

        Lists that arrived replace the cached ones (and are written to the cache file);
        on any failure the previous lists stay and the error is logged, never raised.
        """
        with self._refresh_lock:
            errors: list[str] = []
            fetched: dict[str, list[Any]] = {}
            app = getattr(self._api, "app", None)
            calls: list[tuple[str, type[WATSModel], str]] = [
                ("processes", Process, "get_processes"),
                ("levels", Level, "get_levels"),
                ("product_groups", ProductGroup, "get_product_groups"),
            ]
            for key, cls, method in calls:
                try:
                    if app is None:
                        raise TypeError("the api object has no 'app' domain")
                    fetched[key] = _models(cls, self._call(getattr(app, method), f"api.app.{method}()"), key)
                except Exception as exc:  # noqa: BLE001 - a refresh failure must never escape
                    errors.append(f"api.app.{method}(): {type(exc).__name__}: {exc}")
            if fetched:
                with self._lock:
                    if "processes" in fetched:
                        self._processes = fetched["processes"]
                    if "levels" in fetched:
                        self._levels = fetched["levels"]
                    if "product_groups" in fetched:
                        self._product_groups = fetched["product_groups"]
                    self._have_data = True
                    self._synced_at = time.time()
                    self._last_error = "; ".join(errors) or None
                if "processes" in fetched:
                    process_codes.remember(((p.code, p.name) for p in fetched["processes"]), server=self._server)
                try:
                    self._save_cache()
                except OSError as exc:
                    errors.append(f"cache file {self.cache_path}: {exc}")
                    log.warning("process cache %s not written: %s", self.cache_path, exc)
            if errors:
                with self._lock:
                    self._last_error = "; ".join(errors)
                log.warning("process sync incomplete: %s", "; ".join(errors))
                return False
            log.debug(
                "process sync: %d processes, %d levels, %d product groups",
                len(fetched["processes"]),
                len(fetched["levels"]),
                len(fetched["product_groups"]),
            )
            return True

    def _run(self) -> None:
        while not self._stop.is_set():
            ok = False
            try:
                ok = self.refresh()
            except BaseException:  # pragma: no cover - refresh() already catches; belt and braces
                log.exception("process sync failed")
            finally:
                self._first_attempt.set()
            wait = self.interval_seconds if ok else min(self.interval_seconds, _RETRY_AFTER_FAILURE)
            if self._stop.wait(wait):
                break

    # ------------------------------------------------------------------ lifetime

    def start(self) -> None:
        """Start the background thread (refresh now, then every ``interval_seconds``).

        Calling it again while it runs does nothing.
        """
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._first_attempt.clear()
        self._thread = threading.Thread(target=self._run, name="pywats-process-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop the background thread; returns True when it ended within ``timeout`` seconds.

        Between refreshes the thread waits on an event, so it ends at once. A refresh in
        progress finishes its current request first; when the client is the sync twin made
        from an ``AsyncWATS``, it is closed, which cuts such a request short. A caller's own
        client is never closed. The thread is a daemon, so it never holds up process exit.
        """
        self._stop.set()
        pending = self._pending
        if pending is not None:  # a call waiting on the event loop: do not wait for it
            pending.cancel()
        thread, self._thread = self._thread, None
        ended = True
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            ended = not thread.is_alive()
        if self._owned is not None:
            try:
                self._owned.close()
            except Exception:
                log.debug("closing the process-sync client failed", exc_info=True)
            if thread is not None and not ended:
                thread.join(min(timeout, 1.0))
                ended = not thread.is_alive()
        if not ended:
            log.warning("process sync thread still busy with a request after %.1fs; left to finish", timeout)
        return ended

    @property
    def is_running(self) -> bool:
        """True while the background thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> ProcessSyncService:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ cached data

    def _wait_first(self) -> None:
        """Right after start(), with nothing cached, wait for the first refresh (bounded).

        Never waits inside a running event loop: an async caller gets what is cached now.
        """
        if self._have_data or not self.is_running or self._first_attempt.is_set():
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self._first_attempt.wait(self.first_sync_timeout)

    def get_processes(self) -> list[Process]:
        """The cached processes (no network call)."""
        self._wait_first()
        with self._lock:
            return list(self._processes)

    def get_levels(self) -> list[Level]:
        """The cached levels ("client groups")."""
        self._wait_first()
        with self._lock:
            return list(self._levels)

    def get_product_groups(self) -> list[ProductGroup]:
        """The cached product groups."""
        self._wait_first()
        with self._lock:
            return list(self._product_groups)

    def get_process_code(self, name: str) -> int | None:
        """The code of the process called ``name`` (exact, then case-insensitive), or None."""
        processes = self.get_processes()
        for p in processes:
            if p.name == name:
                return p.code
        folded = name.casefold()
        for p in processes:
            if p.name.casefold() == folded:
                return p.code
        return None

    @property
    def synced_at(self) -> float | None:
        """When the cached lists were last read from the server (Unix time), if ever."""
        with self._lock:
            return self._synced_at

    @property
    def last_error(self) -> str | None:
        """The error of the last refresh that failed (None after a full success)."""
        with self._lock:
            return self._last_error
