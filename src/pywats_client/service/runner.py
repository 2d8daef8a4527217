"""The station service: ``run_service(config)`` runs one instance in the foreground.

Wires the parts together — instance lock, logging, durable queue (with start-up repair),
intake ledger, converter load check, converter pool, intake (watched folders), uploader and
health check, control API, process sync — and stops them in order on SIGTERM / Ctrl-C:

1. intake stops taking files; conversions in progress are abandoned (their sources stay
   in the watch folder);
2. uploads in flight get a short grace period, then go back to pending (not an attempt);
3. queue, ledger, lock are closed. The whole stop takes well under 5 seconds.
"""

from __future__ import annotations

import asyncio
import logging
import logging.handlers
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Awaitable, Callable

from pywats_client import paths
from pywats_client.config import ClientConfig, ConverterConfig
from pywats_client.converters import ConverterPool
from pywats_client.converters.context import ContextData
from pywats_client.queue import PersistentQueue
from pywats_client.converters.parameters import merge_parameters
from pywats_client.service.control import ControlServer
from pywats_client.service.converter_check import CheckCancelled, ConverterCheck, check_converters
from pywats_client.service.intake import ConverterSlot, Intake
from pywats_client.service.ledger import IntakeLedger
from pywats_client.service.stream import drop_unfinished
from pywats_client.service.lock import InstanceLock, InstanceLocked
from pywats_client.service.stats import ConverterStats, ServiceStats, render_prometheus
from pywats_client.service.supervisor import Supervisor
from pywats_client.service.uploader import Uploader
from pywats_client.service.waiting import wait_event

if TYPE_CHECKING:
    from pywats import AsyncWATS
    from pywats_client.service.process_sync import ProcessSyncService

__all__ = ["EXIT_ALREADY_RUNNING", "StationService", "check_converters", "run_service", "setup_logging"]

log = logging.getLogger("pywats_client.service")

EXIT_ALREADY_RUNNING = 3
_TASK_STOP_SECONDS = 2.0
_MB = 1024 * 1024

#: Converter worker processes exit after this many seconds without a conversion and are
#: started again on demand (environment ``PYWATS_CONVERTER_IDLE_SECONDS``; 0 = never).
DEFAULT_CONVERTER_IDLE_SECONDS = 60.0


def converter_idle_seconds() -> float:
    """The idle time after which converter workers exit (see ``DEFAULT_CONVERTER_IDLE_SECONDS``)."""
    import os

    raw = os.environ.get("PYWATS_CONVERTER_IDLE_SECONDS", "")
    try:
        return max(0.0, float(raw)) if raw.strip() else DEFAULT_CONVERTER_IDLE_SECONDS
    except ValueError:
        log.warning("PYWATS_CONVERTER_IDLE_SECONDS=%r is not a number; using %g s", raw, DEFAULT_CONVERTER_IDLE_SECONDS)
        return DEFAULT_CONVERTER_IDLE_SECONDS


# ---------------------------------------------------------------------- logging


def setup_logging(config: ClientConfig, *, stdout: bool = True) -> logging.Handler | None:
    """Log to the instance's rotating log file (``client.log`` in the client home) and stdout."""
    root = logging.getLogger("pywats_client")
    _apply_log_level(config)
    fmt = logging.Formatter("%(asctime)s %(levelname)-7s [%(name)s] %(message)s")
    for h in list(root.handlers):
        if getattr(h, "_pywats_service", False):
            root.removeHandler(h)
            h.close()
    file_handler: logging.Handler | None = None
    log_file = Path(config.log_file)
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        # errors="backslashreplace": a file name that is not valid UTF-8 never breaks a log line
        file_handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=10 * _MB, backupCount=5, encoding="utf-8", errors="backslashreplace"
        )
        file_handler.setFormatter(fmt)
        file_handler._pywats_service = True  # type: ignore[attr-defined]  # noqa: SLF001 - our marker on our handler
        root.addHandler(file_handler)
    except OSError as exc:
        print(f"pywats-client: cannot write log file {log_file}: {exc}", file=sys.stderr)
    if stdout:
        reconfigure = getattr(sys.stdout, "reconfigure", None)
        if callable(reconfigure):
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass
        sh = logging.StreamHandler(sys.stdout)
        sh.setFormatter(fmt)
        sh._pywats_service = True  # type: ignore[attr-defined]  # noqa: SLF001 - our marker on our handler
        root.addHandler(sh)
    root.propagate = False
    return file_handler


# ---------------------------------------------------------------------- the service


#: Config keys a reload cannot apply (the running service keeps its value until a restart).
RESTART_KEYS = ("reports_folder", "control_port")


def _changed_keys(old: ClientConfig, new: ClientConfig) -> list[str]:
    """The file keys whose values differ between two configs (the token compared in clear)."""
    a = old.model_dump(mode="json", by_alias=True)
    b = new.model_dump(mode="json", by_alias=True)
    a["api_token"], b["api_token"] = old.api_token, new.api_token
    return [key for key in ClientConfig.FILE_KEYS if a.get(key) != b.get(key)]


def _apply_log_level(cfg: ClientConfig) -> None:
    logging.getLogger("pywats_client").setLevel(getattr(logging, cfg.log_level, logging.INFO))


def _queue_settings(cfg: Any) -> dict[str, Any]:
    """The queue's limits from the configuration (at start and on reload)."""
    return {
        # offline_queue_enabled: false — reports still pass through the queue (that is
        # what makes intake durable), but a completed report is not kept after upload
        "keep_completed": bool(cfg.offline_queue_enabled),
        "completed_max_age_days": float(cfg.completed_retention_days) or 36500.0,
        "completed_max_count": int(cfg.completed_max_count) or 10**12,
        "min_free_bytes": int(cfg.min_free_disk_mb) * _MB,
    }



class StationService:
    """One running instance (use :func:`run_service`)."""

    def __init__(self, config: ClientConfig, supervisor: Supervisor | None = None) -> None:
        from pywats._version import __version__

        self.config = config
        self.supervisor = supervisor if supervisor is not None else Supervisor()  # systemd / Windows SCM
        self.stats = ServiceStats(instance_id=config.instance_id, version=__version__)
        self.queue: PersistentQueue | None = None
        self.ledger: IntakeLedger | None = None
        self.pool: ConverterPool | None = None
        self.intake: Intake | None = None
        self.intake_task: asyncio.Task[None] | None = None
        self.uploader: Uploader | None = None
        self.control: ControlServer | None = None
        self.process_sync: ProcessSyncService | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._reload_lock = asyncio.Lock()
        self._background: set[asyncio.Task[None]] = set()  # e.g. a reload asked for by SIGHUP
        self._ledger_pruned_at = -3600.0
        self._process_cache: tuple[float, tuple[dict[str, Any], ...]] | None = None
        self._process_sync_api: AsyncWATS | None = None

    # -- building blocks --------------------------------------------------------------
    def _make_api(self) -> AsyncWATS:
        from pywats import AsyncWATS
        from pywats.core.retry import RetryConfig

        cfg = self.config
        base_url = cfg.service_address or "http://127.0.0.1:9"
        return AsyncWATS(
            base_url=base_url,
            token=cfg.api_token or "",
            timeout=30.0,
            retry_config=RetryConfig.disabled(),
            throttle=False,
            max_connections=max(10, int(cfg.upload_concurrency) * 2),
            # HTTP/1.1 keep-alive pools: cheaper per upload than HTTP/2 framing (and h2 stays
            # unimported); a plain-http address needs no CA bundle loaded (no TLS at all)
            http2=False,
            verify=str(base_url).lower().startswith("https:"),
        )

    @staticmethod
    def _make_pool(cfg: ClientConfig) -> ConverterPool:
        return ConverterPool(cfg.effective_converter_workers, converter_paths=[str(p) for p in cfg.converter_paths])

    def _processes(self) -> tuple[dict[str, Any], ...]:
        """The process list for converter contexts (plain dicts, refreshed at most once a minute)."""
        if self.process_sync is None:
            return ()
        now = time.monotonic()
        cached = self._process_cache
        if cached is not None and now - cached[0] < 60.0:
            return cached[1]
        try:
            raw = self.process_sync.get_processes() or ()
            procs = tuple(
                p.model_dump(by_alias=True, mode="json") if hasattr(p, "model_dump") else dict(p) for p in raw
            )
        except Exception as exc:  # noqa: BLE001 - converters still run without the list
            log.debug("process list not available: %s", exc)
            procs = cached[1] if cached is not None else ()
        self._process_cache = (now, procs)
        return procs

    def _context(self, conv: ConverterConfig) -> ContextData:
        from pywats_client.converters import ContextData

        cfg = self.config
        return ContextData(
            station_name=cfg.station_name,
            location=cfg.location,
            purpose=cfg.purpose,
            instance_id=cfg.instance_id,
            processes=self._processes(),
            arguments=merge_parameters(conv.arguments, conv.parameters),
        )

    async def _build_slots(self) -> list[ConverterSlot]:
        cfg = self.config
        slots: list[ConverterSlot] = []
        for conv in cfg.converters:
            stats = ConverterStats(
                name=conv.name, module_path=conv.module_path, watch_folder=str(conv.watch_folder), enabled=conv.enabled
            )
            usable = bool(conv.enabled and cfg.converters_enabled)
            if not usable:
                stats.status = "disabled"
            slots.append(ConverterSlot(config=conv, stats=stats, usable=usable))
        specs = sorted({s.config.module_path for s in slots if s.usable})
        results = await self._check_unless_stopped(specs, [str(p) for p in cfg.converter_paths])
        for slot in slots:
            if not slot.usable:
                continue
            err = results.get(slot.config.module_path)
            if err is not None and "patterns" in err:
                slot.patterns = list(slot.config.file_patterns or err["patterns"] or ["*"])
                err = None
            if err is not None:
                slot.usable = False
                slot.stats.status = "load_error"
                slot.stats.load_error = err
                log.error("converter %r did not load: %s (its files stay in %s)",
                          slot.config.name, err["message"], slot.config.watch_folder)
            else:
                slot.stats.status = "running"
                log.info("converter %r watching %s (%s)", slot.config.name, slot.config.watch_folder,
                         ", ".join(slot.patterns))
        with self.stats.lock:
            self.stats.converters = {f"{i}:{s.config.name}": s.stats for i, s in enumerate(slots)}
        return slots

    async def _check_unless_stopped(self, specs: list[str], converter_paths: list[str]) -> dict[str, Any]:
        """Import-check the converters; a stop request meanwhile kills the check (a converter
        whose import hangs must not hold up a SIGTERM) and raises :class:`CheckCancelled`."""
        check = ConverterCheck(specs, converter_paths)
        checking = asyncio.ensure_future(asyncio.to_thread(check.run))
        stopping = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({checking, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not checking.done():
            check.cancel()
        return await checking

    async def _start_intake(self) -> None:
        try:
            slots = await self._build_slots()
        except CheckCancelled:
            log.info("stop requested while checking the converters: intake not started")
            return
        if not any(s.usable for s in slots):
            if not self.config.converters_enabled:
                log.info("converters are disabled (converters_enabled: false): no intake")
            return
        assert self.uploader is not None and self.ledger is not None
        assert self.pool is not None and self.queue is not None
        self.intake = Intake(
            config=self.config,
            slots=slots,
            pool=self.pool,
            queue=self.queue,
            ledger=self.ledger,
            stats=self.stats,
            context_factory=self._context,
            on_queued=self.uploader.wake,
            workers=self.config.effective_converter_workers,
        )
        self.intake_task = asyncio.create_task(self.intake.run(), name="intake")

    async def _stop_intake(self) -> None:
        intake, task = self.intake, self.intake_task
        self.intake, self.intake_task = None, None
        if intake is None:
            return
        intake.stop()
        if task is not None:
            await asyncio.wait({task}, timeout=2.0)
            if not task.done():
                task.cancel()
                await asyncio.wait({task}, timeout=1.0)
        await asyncio.to_thread(intake.join, 1.5)

    # -- control API ------------------------------------------------------------------
    async def status(self) -> dict[str, Any]:
        """The status document served at ``/status``."""
        snap = self.stats.snapshot()
        queue = self.queue
        try:
            if queue is None:
                raise RuntimeError("the queue is not open yet")
            snap["queue"] = await asyncio.to_thread(queue.counts)
        except Exception as exc:  # noqa: BLE001
            snap["queue"] = {}
            snap["queue_error"] = str(exc)
        cfg = self.config
        snap.update(
            {
                "running": True,
                "service_address": cfg.service_address,
                "station_name": cfg.station_name,
                "reports_folder": str(cfg.reports_folder),
                "converters_enabled": cfg.converters_enabled,
                "latency": self.stats.latency_quantiles(),
                "pid": __import__("os").getpid(),
            }
        )
        return snap

    async def _handle(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, str, bytes]:
        import json

        def ok(data: Any, code: int = 200) -> tuple[int, str, bytes]:
            return code, "application/json", json.dumps(data, default=str).encode()

        if path == "/status" and method == "GET":
            return ok(await self.status())
        if path == "/metrics" and method == "GET":
            text = render_prometheus(await self.status(), self.stats.latency_quantiles())
            return 200, "text/plain; version=0.0.4; charset=utf-8", text.encode()
        if path == "/retry" and method == "POST":
            if self.queue is None:
                return ok({"error": "the queue is not open yet", "retried": 0}, 503)
            rid = body.get("id")
            if rid:
                moved = 1 if await asyncio.to_thread(self.queue.retry, str(rid)) else 0
                if not moved:
                    return ok({"error": f"no failed queue entry with id {rid}", "retried": 0}, 404)
            else:
                moved = await asyncio.to_thread(self.queue.retry_all_failed)
            log.info("retry requested: %d entr%s back to pending", moved, "y" if moved == 1 else "ies")
            if self.uploader is not None:
                self.uploader.wake()
            return ok({"retried": moved})
        if path == "/reload" and method == "POST":
            try:
                pending_restart = await self.reload()
            except Exception as exc:  # noqa: BLE001 - bad config: keep running with the old one
                return ok({"error": f"reload failed, still using the previous configuration: {exc}"}, 400)
            return ok({**(await self.status()), "restart_required": pending_restart})
        if path in ("/queue", "/uploads") and method == "GET":
            from pywats_client.service.control_views import QueryError, queue_entries, recent_uploads

            if self.queue is None:
                return ok({"error": "the queue is not open yet"}, 503)
            view = queue_entries if path == "/queue" else recent_uploads
            try:
                return ok(await asyncio.to_thread(view, self.queue, body))
            except QueryError as exc:
                return ok({"error": str(exc)}, 400)
        if path in ("/status", "/metrics", "/retry", "/reload", "/queue", "/uploads"):
            return ok({"error": f"method {method} not allowed on {path}"}, 405)
        return ok({"error": f"no such endpoint {path}"}, 404)

    async def reload(self) -> list[str]:
        """Re-read the config file and apply every changed key: a new token/address rebuilds
        the client (clearing AUTH_FAILED); converters, converter paths and worker count
        rebuild the converters and their worker processes; log level, folders, limits and
        intervals apply at once. Returns the changed keys that only a restart applies
        (:data:`RESTART_KEYS`; they keep their running values)."""
        from pywats_client.config import ClientConfig, ConfigError

        async with self._reload_lock, self.supervisor.reloading():
            new = await asyncio.to_thread(ClientConfig.load_file, self.config.path)
            problems = new.start_problems()
            if problems:
                raise ConfigError("; ".join(problems), path=new.path)
            old = self.config
            changed = _changed_keys(old, new)
            log.info("reloading configuration from %s (changed: %s)", new.path, ", ".join(changed) or "nothing")
            pending_restart = [key for key in changed if key in RESTART_KEYS]
            for key in pending_restart:
                log.warning("%s changed to %s: takes effect at the next start (still using %s)",
                            key, getattr(new, key), getattr(old, key))
                setattr(new, key, getattr(old, key))
            await self._stop_intake()
            if self.queue is not None:
                for key, value in _queue_settings(new).items():
                    setattr(self.queue, key, value)
            self.config = new
            _apply_log_level(new)
            if (new.service_address, new.api_token, new.process_sync_enabled) != (
                old.service_address, old.api_token, old.process_sync_enabled
            ):
                await self._stop_process_sync()
                self._process_cache = None
                self._start_process_sync()
            if self.uploader is not None:
                await self.uploader.replace_api(new)
            if self.pool is not None:
                if (list(new.converter_paths), new.effective_converter_workers) != (
                    list(old.converter_paths), old.effective_converter_workers
                ):
                    # workers get their import path when they start: new paths need new workers
                    old_pool, self.pool = self.pool, self._make_pool(new)
                    await asyncio.to_thread(old_pool.close, 1.0)
                else:
                    await asyncio.to_thread(self.pool.recycle)
            await self._start_intake()
            return pending_restart

    # -- lifecycle --------------------------------------------------------------------
    def request_stop(self) -> None:
        """Ask the service to stop (safe from signal handlers via the loop)."""
        if self.intake is not None:
            self.intake.stopping.set()  # at once: a conversion ending now leaves its file in place
        self._stop.set()

    async def _reload_logged(self) -> None:
        try:
            await self.reload()
        except Exception as exc:  # noqa: BLE001 - a bad edit must not stop a running station
            log.error("reload failed, keeping the running configuration: %s", exc)
            self.stats.error(f"reload failed: {exc}")

    def _prune_ledger(self) -> None:
        """Forget sources that left the watch folder longer ago than the retention period
        (at start, then at most once an hour when idle)."""
        now = time.monotonic()
        if self.ledger is None or now - self._ledger_pruned_at < 3600:
            return
        self._ledger_pruned_at = now
        try:
            removed = self.ledger.prune(float(self.config.completed_retention_days))
        except Exception as exc:  # noqa: BLE001 - housekeeping only
            log.warning("pruning the intake ledger failed: %s", exc)
            return
        if removed:
            log.info("intake ledger: forgot %d source file(s) older than %g days", removed,
                     float(self.config.completed_retention_days))

    def _reload_soon(self) -> None:
        """SIGHUP (POSIX): re-read the configuration, as ``pywats-client reload`` does."""
        task = asyncio.get_running_loop().create_task(self._reload_logged())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGBREAK"):
            sig = getattr(signal, name, None)
            if sig is None:
                continue
            handler = self._reload_soon if name == "SIGHUP" else self.request_stop
            try:
                loop.add_signal_handler(sig, handler)
            except (NotImplementedError, RuntimeError, ValueError):
                try:
                    signal.signal(sig, lambda *_, h=handler: loop.call_soon_threadsafe(h))
                except (ValueError, OSError):
                    pass

    async def main(self) -> int:
        """Run until stopped; returns the exit code."""
        from pywats_client.queue import PersistentQueue

        cfg = self.config
        self._install_signals()
        self.supervisor.attach(self.request_stop)
        log.info("pyWATS client %s starting instance %r (server %s, queue %s)", self.stats.version,
                 cfg.instance_id, cfg.service_address or "(not set)", cfg.reports_folder)
        self.queue = await asyncio.to_thread(PersistentQueue, cfg.reports_folder, **_queue_settings(cfg))
        rec = self.queue.get_recovery_stats()
        if getattr(rec, "changed_anything", False):
            log.warning("queue recovery at start: %s", rec)
        self.ledger = IntakeLedger(Path(cfg.instance_dir) / "intake.db")
        self._prune_ledger()
        dropped = await asyncio.to_thread(drop_unfinished, self.queue, self.ledger)
        if dropped:
            log.warning("%d held report(s) of large file(s) whose hand-over did not finish were deleted; "
                        "files still in the watch folders are converted again", dropped)
        self.pool = self._make_pool(cfg)
        self.uploader = Uploader(queue=self.queue, api_factory=self._make_api, config=cfg, stats=self.stats)
        self.control = ControlServer(Path(cfg.instance_dir), cfg.control_port, self._handle)
        try:
            port = await self.control.start()
        except OSError as exc:
            log.error("cannot start the control API on 127.0.0.1:%s: %s", cfg.control_port, exc)
            await self._close_stores()
            return 2
        log.info("control API on 127.0.0.1:%d", port)
        self._tasks.append(asyncio.create_task(self._keep_running("uploader", self.uploader.run), name="uploader"))
        self._tasks.append(asyncio.create_task(self._keep_running("health check", self.uploader.health_loop), name="health"))
        self.stats.activity = asyncio.Event()
        self._tasks.append(asyncio.create_task(self._when_idle(converter_idle_seconds()), name="idle"))
        self._start_process_sync()
        await self._start_intake()
        self.stats.activity.set()  # start-up work (converter check) counts: become idle from here
        log.info("service running (pid %d)", __import__("os").getpid())
        self.supervisor.ready()
        self._tasks.append(asyncio.create_task(self.supervisor.watchdog(), name="watchdog"))
        await self._stop.wait()
        t0 = time.monotonic()
        self.supervisor.stopping()
        log.info("stopping")
        await self.shutdown()
        log.info("stopped in %.2fs", time.monotonic() - t0)
        return 0

    async def _keep_running(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        """Run a background loop until the service stops; if it dies of an unexpected
        error, log it, show it in status and start it again (backing off up to a minute)."""
        delay = 1.0
        while not self._stop.is_set():
            try:
                await loop()
                return  # it returns only when asked to stop
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("%s stopped unexpectedly; restarting it in %.0fs", name, delay)
                self.stats.error(f"{name} failed ({type(exc).__name__}: {exc}); restarted")
            await wait_event(self._stop, delay)
            delay = min(60.0, delay * 2)

    async def _when_idle(self, workers_idle_seconds: float) -> None:
        """Make an idle station small, event-driven (no ticks):

        - 3 s after the last activity (upload finished, file taken), shrink the stores'
          caches and collect garbage;
        - after ``workers_idle_seconds`` without activity, stop the idle converter worker
          processes (the pool starts new ones on the next file).

        Every wait also ends on the stop signal, so this loop ends even if its cancellation
        is lost (see :mod:`.waiting`).
        """
        import gc

        def give_back() -> None:
            self._prune_ledger()
            for store in (self.queue, self.ledger):
                try:
                    if store is not None:
                        store.shrink_memory()
                except Exception as exc:  # noqa: BLE001 - an optimisation only
                    log.debug("shrink_memory: %s", exc)
            gc.collect()

        activity = self.stats.activity
        assert activity is not None
        stop = self._stop

        async def quiet(seconds: float) -> bool:
            """True if nothing happened for ``seconds`` (then ``activity`` is clear)."""
            activity.clear()
            return not await wait_event(activity, seconds, stop) and not stop.is_set()

        while not stop.is_set():
            if not await wait_event(activity, None, stop):
                return  # stopping
            while not await quiet(3.0):
                if stop.is_set():
                    return
            await asyncio.to_thread(give_back)
            if workers_idle_seconds <= 0 or self.pool is None:
                continue
            if not await quiet(max(0.0, workers_idle_seconds - 3.0)):
                continue  # busy again (or stopping): start over
            stopped = await asyncio.to_thread(self._retire_idle_workers)
            if stopped:
                log.debug("converter workers idle for %gs: stopped (restarted on demand)", workers_idle_seconds)
                await asyncio.to_thread(give_back)

    def _retire_idle_workers(self) -> bool:
        """Stop idle converter workers; True if any was running."""
        pool = self.pool
        if pool is None:
            return False
        before = pool.worker_pids()
        pool.recycle()
        return bool(before)

    def _start_process_sync(self) -> None:
        if not self.config.process_sync_enabled or not self.config.service_address:
            return
        try:
            from pywats_client.service.process_sync import ProcessSyncService
        except ImportError:
            log.debug("process sync not available")
            return
        try:
            # its own AsyncWATS, driven on this loop from the sync thread (no second, sync
            # HTTP stack in the service process); replaced on a reload of address/token
            self._process_sync_api = self._make_api()
            self.process_sync = ProcessSyncService(
                self._process_sync_api,
                cache_path=Path(self.config.instance_dir) / "processes.json",
                interval_seconds=300,
                loop=asyncio.get_running_loop(),
            )
            self.process_sync.start()
        except Exception as exc:  # noqa: BLE001 - process sync is an optimisation, never fatal
            log.warning("process sync not started: %s", exc)
            self.process_sync = None

    async def _stop_process_sync(self) -> None:
        sync, api = self.process_sync, self._process_sync_api
        self.process_sync, self._process_sync_api = None, None
        if sync is not None:
            try:
                # from the loop thread: the sync thread's call on this loop is cancelled, not awaited
                await asyncio.to_thread(sync.stop, 1.0)
            except Exception:
                log.debug("stopping process sync failed", exc_info=True)
        if api is not None:
            try:
                await api.aclose()
            except Exception:  # noqa: BLE001
                pass

    async def shutdown(self) -> None:
        """Stop everything in order (see the module docstring)."""
        if self.intake is not None:
            self.intake.stopping.set()
        pool_closed = asyncio.ensure_future(asyncio.to_thread(self._close_pool))
        await self._stop_intake()
        await pool_closed
        if self.uploader is not None:
            await self.uploader.stop(grace=1.5)
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # bounded: a task whose cancellation was lost must not hold the stop forever
            _done, stuck = await asyncio.wait(self._tasks, timeout=_TASK_STOP_SECONDS)
            for task in stuck:
                log.warning("background task %r did not stop within %gs; abandoned", task.get_name(),
                            _TASK_STOP_SECONDS)
        await self._stop_process_sync()
        if self.control is not None:
            await self.control.close()
        await self._close_stores()

    def _close_pool(self) -> None:
        if self.pool is not None:
            self.pool.close(timeout=1.0)

    async def _close_stores(self) -> None:
        if self.queue is not None:
            self.queue.close()
        if self.ledger is not None:
            self.ledger.close()


def run_service(config: ClientConfig, supervisor: Supervisor | None = None) -> int:
    """Run the service for ``config`` in the foreground until SIGTERM / Ctrl-C.

    Returns the process exit code: 0 after a clean stop, 1 if its folders conflict with
    its own or a running instance's (the log names both config files and the folder), 3 if
    another process already runs this instance (the message names its pid), 2 if it could
    not start.
    """
    from pywats_client import secrets

    secrets.use_child_process()  # reloads decrypt the token without loading the crypto library here
    problems = config.start_problems()
    if problems:
        for line in problems:
            print(f"pywats-client: error: {line}", file=sys.stderr)
        print(f"pywats-client: error: not starting instance {config.instance_id!r}", file=sys.stderr)
        return 1
    lock = InstanceLock(Path(config.instance_dir) / "service.lock")
    try:
        lock.acquire()
    except InstanceLocked as exc:
        # not logged: the log file belongs to the instance that is running
        print(
            f"pywats-client: the service for instance {config.instance_id!r} is already running ({exc}); "
            f"refusing to start a second one",
            file=sys.stderr,
        )
        return EXIT_ALREADY_RUNNING
    handler = setup_logging(config)
    try:
        from pywats_client.service.instance_guard import start_conflicts

        errors, warnings = start_conflicts(config)
        for message in warnings:
            log.warning("%s", message)
        if errors:
            for message in errors:
                log.error("%s", message)
            log.error("not starting instance %r: fix the folder conflict(s) above in %s", config.instance_id,
                      config.path)
            return 1
        if Path(config.reports_folder) == paths.shared_reports_folder():
            try:  # <home>/reports stays this instance's when others are added
                paths.claim_shared_layout(config.instance_id)
            except OSError as exc:
                log.warning("cannot record the owner of %s: %s", config.reports_folder, exc)
        service = StationService(config, supervisor)
        return asyncio.run(service.main())
    except KeyboardInterrupt:
        return 0
    except Exception:
        log.exception("the service failed")
        return 2
    finally:
        lock.release()
        if handler is not None:
            handler.flush()
