"""``api.process``: the server's processes (operation types), cached for 300 s.

Every fetch from the server also fills :mod:`pywats.models.process_codes`, which
``ReportBuilder.set_operation_type("FCT")`` uses to resolve names offline; ``get_processes``
records the list under this client's server as well, which is the only table the submit path
reads for this server.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation, steps
from pywats.domains.app import fetch_processes
from pywats.models import process_codes
from pywats.models.process import Process, RepairOperation

__all__ = ["ProcessDomain", "CACHE_TTL_SECONDS"]

CACHE_TTL_SECONDS = 300.0
_CACHE_KEY = "process:all"


class ProcessDomain(Domain[ModeT]):
    """Processes (test, repair and WIP operations), served from a per-client 300 s cache."""

    cache_ttl: float = CACHE_TTL_SECONDS

    @operation
    def get_processes(self, refresh: bool = False) -> Generator[Request, Any, list[Process]]:
        """All active processes (``GET /api/App/Processes``), cached for 300 s per client.

        Args:
            refresh: bypass the cache and fetch from the server.
        """
        if not refresh:
            cached = self.client.state.cache_get(_CACHE_KEY, self.cache_ttl)
            if cached is not None:
                return list(cached)
        processes = yield from fetch_processes()
        # kept under this server too, so its names never resolve for another server (process_codes)
        process_codes.remember(((p.code, p.name) for p in processes), server=self.client.base_url)
        self.client.state.cache_set(_CACHE_KEY, processes)
        return list(processes)

    @operation
    def get_processes_filtered(
        self,
        include_test_operations: bool | None = None,
        include_repair_operations: bool | None = None,
        include_wip_operations: bool | None = None,
        include_inactive_processes: bool | None = None,
    ) -> Generator[Request, Any, list[Process]]:
        """Processes with the server's filter flags (not cached)."""
        return (
            yield from fetch_processes(
                include_test_operations, include_repair_operations, include_wip_operations, include_inactive_processes
            )
        )

    def clear_cache(self) -> None:
        """Forget the cached process list (the next call fetches it again)."""
        self.client.state.cache_clear(_CACHE_KEY)

    @operation
    def get_process_by_name(self, name: str) -> Generator[Request, Any, Process | None]:
        """The process called ``name`` (exact match first, then ignoring case), or ``None``."""
        processes = yield from self._all()
        for process in processes:
            if process.name == name:
                return process
        folded = name.casefold()
        for process in processes:
            if process.name.casefold() == folded:
                return process
        return None

    @operation
    def get_process_by_code(self, code: int) -> Generator[Request, Any, Process | None]:
        """The process with ``code``, or ``None``."""
        processes = yield from self._all()
        for process in processes:
            if process.code == int(code):
                return process
        return None

    @operation
    def get_test_operations(self) -> Generator[Request, Any, list[Process]]:
        """Processes flagged as test operations (UUT reports)."""
        processes = yield from self._all()
        return [p for p in processes if p.is_test_operation]

    @operation
    def get_repair_operations(self) -> Generator[Request, Any, list[Process]]:
        """Processes flagged as repair operations (UUR reports)."""
        processes = yield from self._all()
        return [p for p in processes if p.is_repair_operation]

    @operation
    def get_wip_operations(self) -> Generator[Request, Any, list[Process]]:
        """Processes flagged as WIP operations (production tracking)."""
        processes = yield from self._all()
        return [p for p in processes if p.is_wip_operation]

    def _all(self) -> Generator[Request, Any, list[Process]]:
        return steps(self.get_processes)

    @operation
    def get_repair_operation_details(self) -> Generator[Request, Any, list[RepairOperation]]:
        """Repair processes with their failure categories and codes
        (``GET /api/internal/Process/GetRepairOperations``, internal: sent with ``Referer``)."""
        data = yield Request("GET", "/api/internal/Process/GetRepairOperations",
                             headers={"Referer": self.client.base_url})
        return [RepairOperation.model_validate(r) for r in data or []]

    @operation
    def get_repair_operation_detail(self, process: str | int) -> Generator[Request, Any, RepairOperation]:
        """One repair process by process id or code
        (``GET /api/internal/Process/GetRepairOperation/{id}``, internal)."""
        from urllib.parse import quote

        data = yield Request("GET", f"/api/internal/Process/GetRepairOperation/{quote(str(process), safe='')}",
                             params={"processCode": process if isinstance(process, int) else None},
                             headers={"Referer": self.client.base_url})
        return RepairOperation.model_validate(data)
