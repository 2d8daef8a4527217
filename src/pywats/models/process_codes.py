"""Process-wide cache of WATS process (operation type) names and codes.

WATS identifies an operation by an integer ``processCode``; people name them ("ICT",
"FCT", "Repair"). The clients fill this cache whenever they read the server's process
list (``api.process.get_processes()``), the station client's process sync fills it from
its on-disk copy, and ``ReportBuilder.set_operation_type("FCT")`` reads it to turn a name
into a code without a network call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

_lock = threading.Lock()
_by_name: dict[str, int] = {}
_by_folded_name: dict[str, int] = {}


def remember(processes: Iterable[tuple[int, str]]) -> None:
    """Record ``(code, name)`` pairs, e.g. from the server's process list."""
    with _lock:
        for code, name in processes:
            if name:
                _by_name[name] = int(code)
                _by_folded_name[name.casefold()] = int(code)


def code_for(name: str) -> int | None:
    """Return the code of the process called ``name`` (exact match first, then ignoring case)."""
    with _lock:
        code = _by_name.get(name)
        if code is None:
            code = _by_folded_name.get(name.casefold())
        return code


def known() -> dict[str, int]:
    """Return a copy of every known name → code pair."""
    with _lock:
        return dict(_by_name)


def clear() -> None:
    """Forget every remembered process (used by tests)."""
    with _lock:
        _by_name.clear()
        _by_folded_name.clear()
