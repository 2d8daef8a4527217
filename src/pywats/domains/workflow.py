"""``api.workflow``: workflow test activities (``/api/Workflow/StartTest`` and ``EndTest``)."""

from __future__ import annotations

from collections.abc import Generator
from enum import IntEnum
from typing import Any

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation

__all__ = ["WorkflowDomain", "WorkflowStatus"]


class WorkflowStatus(IntEnum):
    """Status of the workflow definition to use."""

    DRAFT = 0
    PENDING = 1
    RELEASED = 2
    REVOKED = 3


class WorkflowDomain(Domain[ModeT]):
    """Start and end the test activity of a unit in its workflow."""

    @operation
    def start_test(self, serial_number: str, part_number: str, operator_name: str | None = None,
                   station_name: str | None = None, status: WorkflowStatus | int | None = None
                   ) -> Generator[Request, Any, bool]:
        """Start the unit's test activity (``GET /api/Workflow/StartTest``); True when started."""
        params = {"serialNumber": serial_number, "partNumber": part_number, "operatorName": operator_name,
                  "stationName": station_name, "status": None if status is None else int(status)}
        data = yield Request("GET", "/api/Workflow/StartTest", params=params)
        return bool(data)

    @operation
    def end_test(self, serial_number: str, part_number: str, passed: bool | None = None,
                 operator_name: str | None = None, station_name: str | None = None,
                 status: WorkflowStatus | int | None = None) -> Generator[Request, Any, bool]:
        """End the unit's test activity with its result (``GET /api/Workflow/EndTest``; ``passed``
        defaults to true on the server); True when ended."""
        params = {"serialNumber": serial_number, "partNumber": part_number, "passed": passed,
                  "operatorName": operator_name, "stationName": station_name,
                  "status": None if status is None else int(status)}
        data = yield Request("GET", "/api/Workflow/EndTest", params=params)
        return bool(data)
