"""``api.app``: server version and the ``/api/App/*`` reference lists."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation
from pywats.models import process_codes
from pywats.models.app import CommonUserSettings, Level, ProductGroup
from pywats.models.process import Process

__all__ = ["AppDomain", "processes_request", "parse_processes", "fetch_processes"]


def processes_request(
    include_test_operations: bool | None = None,
    include_repair_operations: bool | None = None,
    include_wip_operations: bool | None = None,
    include_inactive_processes: bool | None = None,
) -> Request:
    """The ``GET /api/App/Processes`` request (``None`` flags are left to the server's default)."""
    return Request(
        "GET",
        "/api/App/Processes",
        params={
            "includeTestOperations": include_test_operations,
            "includeRepairOperations": include_repair_operations,
            "includeWipOperations": include_wip_operations,
            "includeInactiveProcesses": include_inactive_processes,
        },
    )


def parse_processes(data: Any) -> list[Process]:
    """Process models from the server's list, also remembered in :mod:`pywats.models.process_codes`."""
    processes = [Process.model_validate(item) for item in (data or [])]
    process_codes.remember((p.code, p.name) for p in processes)
    return processes


def fetch_processes(
    include_test_operations: bool | None = None,
    include_repair_operations: bool | None = None,
    include_wip_operations: bool | None = None,
    include_inactive_processes: bool | None = None,
) -> Generator[Request, Any, list[Process]]:
    """Request and parse the process list: the steps of an operation, for ``yield from``."""
    data = yield processes_request(
        include_test_operations, include_repair_operations, include_wip_operations, include_inactive_processes
    )
    return parse_processes(data)


class AppDomain(Domain[ModeT]):
    """Server version, processes, levels and product groups."""

    @operation
    def get_version(self) -> Generator[Request, Any, str]:
        """The server's version text (``GET /api/App/Version``), e.g. ``"2026.3.0"``."""
        data = yield Request("GET", "/api/App/Version")
        return str(data) if data is not None else ""

    @operation
    def get_processes(
        self,
        include_test_operations: bool | None = None,
        include_repair_operations: bool | None = None,
        include_wip_operations: bool | None = None,
        include_inactive_processes: bool | None = None,
    ) -> Generator[Request, Any, list[Process]]:
        """Processes from ``GET /api/App/Processes`` (not cached; see ``api.process`` for the cached list)."""
        return (
            yield from fetch_processes(
                include_test_operations, include_repair_operations, include_wip_operations, include_inactive_processes
            )
        )

    @operation
    def get_levels(self) -> Generator[Request, Any, list[Level]]:
        """Levels ("client groups") from ``GET /api/App/Levels``."""
        data = yield Request("GET", "/api/App/Levels")
        return [Level.model_validate(item) for item in (data or [])]

    @operation
    def get_product_groups(self, include_filters: bool | None = None) -> Generator[Request, Any, list[ProductGroup]]:
        """Product groups from ``GET /api/App/ProductGroups``."""
        data = yield Request("GET", "/api/App/ProductGroups", params={"includeFilters": include_filters})
        return [ProductGroup.model_validate(item) for item in (data or [])]

    @operation
    def get_common_user_settings(self, user_name: str) -> Generator[Request, Any, CommonUserSettings]:
        """A user's full name, culture, e-mail, roles, levels and product groups
        (``GET /api/App/CommonUserSettings``)."""
        data = yield Request("GET", "/api/App/CommonUserSettings", params={"UserName": user_name})
        return CommonUserSettings.model_validate(data or {})
