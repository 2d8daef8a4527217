"""Shared, thread-safe runtime state of a service: connectivity, counters, latencies.

Rendered by the control API as JSON (``status``) and Prometheus text (``/metrics``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ConverterStats", "ServiceStats", "States", "render_prometheus"]


class States:
    """Connectivity states of an instance."""

    STARTING = "STARTING"
    ONLINE = "ONLINE"
    OFFLINE = "OFFLINE"
    AUTH_FAILED = "AUTH_FAILED"
    ALL = (STARTING, ONLINE, OFFLINE, AUTH_FAILED)


@dataclass
class ConverterStats:
    """Per-converter figures shown in ``status``."""

    name: str
    module_path: str
    watch_folder: str
    enabled: bool = True
    status: str = "starting"  # starting | running | disabled | load_error
    load_error: dict[str, Any] | None = None
    files_converted: int = 0
    files_failed: int = 0
    reports_queued: int = 0
    last_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "name": self.name,
            "module_path": self.module_path,
            "watch_folder": self.watch_folder,
            "enabled": self.enabled,
            "status": self.status,
            "load_error": self.load_error,
            "files_converted": self.files_converted,
            "files_failed": self.files_failed,
            "reports_queued": self.reports_queued,
            "last_error": self.last_error,
        }


@dataclass
class ServiceStats:
    """Everything the control API reports; every mutation goes through the lock."""

    instance_id: str
    version: str
    started_at: float = field(default_factory=time.time)
    state: str = States.STARTING
    state_reason: str | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    """Wall-clock time of ``last_error``."""
    intake_paused: str | None = None
    rate_limited_until: float | None = None
    """Wall-clock time until which the server asked (429 Retry-After) for no uploads."""
    uploads_total: int = 0
    uploads_failed: int = 0
    upload_errors: int = 0
    conversions_total: int = 0
    conversions_failed: int = 0
    converters: dict[str, ConverterStats] = field(default_factory=dict)
    _latencies: deque[float] = field(default_factory=lambda: deque(maxlen=20000))
    _stable_at: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    activity: asyncio.Event | None = None
    """An asyncio.Event set (on the loop) whenever an upload finishes; used for idle housekeeping."""

    def set_state(self, state: str, reason: str | None = None) -> bool:
        """Change the connectivity state; True if it changed."""
        with self.lock:
            changed = self.state != state
            self.state = state
            self.state_reason = reason
            return changed

    def error(self, message: str) -> None:
        """Remember the last error and its time (shown in status)."""
        with self.lock:
            self.note_error_locked(message)

    def note_error_locked(self, message: str) -> None:
        """:meth:`error` for a caller that holds :attr:`lock`."""
        self.last_error = message
        self.last_error_at = time.time()

    def clear_error(self) -> None:
        """Forget the last error (the instance recovered)."""
        with self.lock:
            self.last_error = None
            self.last_error_at = None

    def stable_at(self, report_id: str, when: float) -> None:
        """Remember when the source of a report became stable (for the latency figure)."""
        with self.lock:
            if len(self._stable_at) < 100000:
                self._stable_at[report_id] = when

    def acked(self, report_id: str, when: float) -> None:
        """Count an acknowledged upload and record its stable→ack latency if known."""
        with self.lock:
            self.uploads_total += 1
            t0 = self._stable_at.pop(report_id, None)
            if t0 is not None:
                self._latencies.append(when - t0)

    def latency_quantiles(self) -> dict[str, float | int]:
        """p50/p90/p99/max of the stable→ack latencies seen (seconds) and their count."""
        with self.lock:
            values = sorted(self._latencies)
        if not values:
            return {"count": 0}

        def q(p: float) -> float:
            return values[min(len(values) - 1, round(p * (len(values) - 1)))]

        return {"count": len(values), "p50": q(0.5), "p90": q(0.9), "p99": q(0.99), "max": values[-1]}

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready copy of the figures (without queue counts)."""
        with self.lock:
            return {
                "instance_id": self.instance_id,
                "version": self.version,
                "state": self.state,
                "state_reason": self.state_reason,
                "last_error": self.last_error,
                "last_error_at": self.last_error_at,
                "intake_paused": self.intake_paused,
                "rate_limited_until": self.rate_limited_until
                if self.rate_limited_until is not None and self.rate_limited_until > time.time()
                else None,
                "uptime_seconds": round(time.time() - self.started_at, 3),
                "started_at": self.started_at,
                "uploads_total": self.uploads_total,
                "uploads_failed": self.uploads_failed,
                "upload_errors": self.upload_errors,
                "conversions_total": self.conversions_total,
                "conversions_failed": self.conversions_failed,
                "converters": [c.as_dict() for c in self.converters.values()],
            }


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def render_prometheus(status: dict[str, Any], latency: dict[str, float | int]) -> str:
    """Prometheus text exposition (format 0.0.4) of a status dict."""
    inst = _esc(str(status.get("instance_id", "")))
    lines: list[str] = []

    def metric(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            lab = f'instance="{inst}"' + (f",{labels}" if labels else "")
            lines.append(f"{name}{{{lab}}} {value:g}" if isinstance(value, (int, float)) else f"{name}{{{lab}}} {value}")

    queue = status.get("queue") or {}
    metric("pywats_queue_reports", "gauge", "Reports in the offline queue by state.",
           [(f'state="{_esc(str(k))}"', float(v)) for k, v in sorted(queue.items())])
    metric("pywats_uploads_total", "counter", "Reports acknowledged by the server.",
           [("", float(status.get("uploads_total", 0)))])
    metric("pywats_uploads_failed_total", "counter", "Reports moved to failed/.",
           [("", float(status.get("uploads_failed", 0)))])
    metric("pywats_upload_errors_total", "counter", "Upload attempts that did not succeed.",
           [("", float(status.get("upload_errors", 0)))])
    conv = status.get("converters") or []
    metric("pywats_conversions_total", "counter", "Source files converted and queued, per converter.",
           [(f'converter="{_esc(str(c["name"]))}"', float(c["files_converted"])) for c in conv])
    metric("pywats_conversions_failed_total", "counter", "Source files moved to the error folder, per converter.",
           [(f'converter="{_esc(str(c["name"]))}"', float(c["files_failed"])) for c in conv])
    metric("pywats_converter_loaded", "gauge", "1 if the converter loaded, 0 on a load error.",
           [(f'converter="{_esc(str(c["name"]))}"', 0.0 if c["status"] == "load_error" else 1.0) for c in conv])
    state = status.get("state", "")
    metric("pywats_state", "gauge", "Connectivity state (1 for the current one).",
           [(f'state="{s}"', 1.0 if s == state else 0.0) for s in States.ALL])
    metric("pywats_uptime_seconds", "gauge", "Seconds since the service started.",
           [("", float(status.get("uptime_seconds", 0)))])
    if latency.get("count"):
        lines.append("# HELP pywats_stable_to_ack_seconds Time from a stable source file to the server's acknowledgement.")
        lines.append("# TYPE pywats_stable_to_ack_seconds summary")
        for q in ("p50", "p90", "p99"):
            lines.append(
                f'pywats_stable_to_ack_seconds{{instance="{inst}",quantile="0.{q[1:]}"}} {float(latency[q]):.6f}'
            )
        lines.append(f'pywats_stable_to_ack_seconds_count{{instance="{inst}"}} {int(latency["count"])}')
    return "\n".join(lines) + "\n"
