"""Process-wide cache of WATS process (operation type) names and codes, kept per server.

WATS identifies an operation by an integer ``processCode``; people name them ("ICT",
"FCT", "Repair"). The clients fill this cache whenever they read the server's process
list (``api.process.get_processes()``), the station client's process sync fills it from
its on-disk copy, and ``ReportBuilder.set_operation_type("FCT")`` reads it to turn a name
into a code without a network call.

Two servers may give one name different codes, so the pairs are kept in one table per
server, keyed by the server's base URL (:func:`server_key`), plus one table for pairs whose
server is not known (recorded without ``server``):

* A look-up **for a server** (``code_for(name, server=url)``, or any call made inside
  ``with for_server(url):``) reads only that server's table. A name that server has not
  listed is unknown there (``None``), even if another server lists it; the submit path
  then fetches that server's own list.
* A look-up **without a server** (a ``ReportBuilder`` building offline, a converter) reads
  every table and answers only when they agree: a name two sources give different codes
  is ambiguous and answers ``None`` (the report then carries ``processName`` and the
  submit path resolves it against the server it goes to). With one server in the process
  this is exactly the single table it always was.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["remember", "code_for", "known", "clear", "for_server", "server_key", "current_server"]

_lock = threading.Lock()
_UNKNOWN_SERVER = ""
"""Key of the table whose pairs were recorded without a server."""


class _Table:
    """One source's name → code pairs (exact names and case-folded names)."""

    __slots__ = ("by_name", "by_folded_name")

    def __init__(self) -> None:
        self.by_name: dict[str, int] = {}
        self.by_folded_name: dict[str, int] = {}


_tables: dict[str, _Table] = {}
_current: ContextVar[str | None] = ContextVar("pywats_process_codes_server", default=None)


def server_key(server: str) -> str:
    """The table key for a server URL: trimmed, no trailing ``/`` or ``/api``, case-folded.

    ``https://X.wats.com/api/`` and ``https://x.wats.com`` are one server.
    """
    key = str(server).strip().rstrip("/")
    if key.casefold().endswith("/api"):
        key = key[:-4].rstrip("/")
    return key.casefold()


def current_server() -> str | None:
    """The server key set by the innermost :func:`for_server` block of this thread/task, or ``None``."""
    return _current.get()


@contextmanager
def for_server(server: str | None) -> Iterator[None]:
    """Make calls without ``server`` inside the block use ``server``'s table.

    Used by the submit path (``api.report.submit_report``) so that everything that resolves
    a process name while a report is prepared for one server — including a
    ``ReportBuilder`` passed in — sees that server's list only. ``None`` means "no server"
    (look-ups read every table). The setting is per thread and per asyncio task.
    """
    token = _current.set(None if server is None else server_key(server))
    try:
        yield
    finally:
        _current.reset(token)


def _scope(server: str | None) -> str | None:
    return server_key(server) if server is not None else _current.get()


def remember(processes: Iterable[tuple[int, str]], server: str | None = None) -> None:
    """Record ``(code, name)`` pairs, e.g. from the server's process list.

    Args:
        processes: the pairs.
        server: the base URL of the server the list came from (default: the
            :func:`for_server` block's server, else "not known").
    """
    scope = _scope(server)
    with _lock:
        table = _tables.setdefault(_UNKNOWN_SERVER if scope is None else scope, _Table())
        for code, name in processes:
            if name:
                table.by_name[name] = int(code)
                table.by_folded_name[name.casefold()] = int(code)


def _agreed(codes: Iterable[int | None]) -> int | None:
    """The one code every source that knows the name gives it; ``None`` if none or if they differ."""
    found = {code for code in codes if code is not None}
    return found.pop() if len(found) == 1 else None


def code_for(name: str, server: str | None = None) -> int | None:
    """Return the code of the process called ``name`` (exact match first, then ignoring case).

    Args:
        name: the process name.
        server: read only this server's table (default: the :func:`for_server` block's
            server; without one, every table, answering only when they agree).
    """
    scope = _scope(server)
    folded = name.casefold()
    with _lock:
        if scope is not None:
            table = _tables.get(scope)
            if table is None:
                return None
            code = table.by_name.get(name)
            return code if code is not None else table.by_folded_name.get(folded)
        tables = list(_tables.values())
        exact = [t.by_name[name] for t in tables if name in t.by_name]
        if exact:
            return _agreed(exact)
        return _agreed(t.by_folded_name.get(folded) for t in tables)


def known(server: str | None = None) -> dict[str, int]:
    """Return a copy of every known name → code pair.

    Args:
        server: only this server's pairs (default: the :func:`for_server` block's server;
            without one, the pairs of every table, leaving out names the tables disagree on).
    """
    scope = _scope(server)
    with _lock:
        if scope is not None:
            table = _tables.get(scope)
            return dict(table.by_name) if table is not None else {}
        merged: dict[str, int] = {}
        conflicting: set[str] = set()
        for table in _tables.values():
            for name, code in table.by_name.items():
                if merged.setdefault(name, code) != code:
                    conflicting.add(name)
        for name in conflicting:
            del merged[name]
        return merged


def clear(server: str | None = None) -> None:
    """Forget remembered processes: every table, or only ``server``'s (used by tests)."""
    with _lock:
        if server is None:
            _tables.clear()
        else:
            _tables.pop(server_key(server), None)
