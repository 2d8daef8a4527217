"""Unit flow models (internal ``/api/internal/UnitFlow*`` routes)."""

from __future__ import annotations

from pydantic import Field

from pywats.models.common import WATSModel

__all__ = ["UnitFlowNode", "UnitFlowLink", "UnitFlowUnit", "UnitFlow", "UnitFlowSerialNumber"]


class UnitFlowNode(WATSModel):
    """An operation units passed through (id 0 is the start)."""

    id: int
    name: str | None = None
    process_code: int | None = None
    split_value: str | None = None
    unit_count: int = 0
    passed_count: int = 0
    failed_count: int = 0


class UnitFlowLink(WATSModel):
    """Units moving from node ``source`` to node ``target``."""

    source: int
    target: int
    unit_count: int = 0


class UnitFlowUnit(WATSModel):
    """One unit's move along a link, with its result flags."""

    source: int | None = None
    target: int | None = None
    unit_id: int | None = None
    is_old: bool | None = None
    is_last: bool | None = None
    is_last_passed: bool | None = None
    has_passed: bool | None = None
    has_failed: bool | None = None
    has_retest: bool | None = None
    orders: list[int] = Field(default_factory=list)
    result_histories: list[str] = Field(default_factory=list)


class UnitFlow(WATSModel):
    """Nodes, links and unit moves of a unit-flow query."""

    nodes: list[UnitFlowNode] = Field(default_factory=list)
    links: list[UnitFlowLink] = Field(default_factory=list)
    units: list[UnitFlowUnit] = Field(default_factory=list)


class UnitFlowSerialNumber(WATSModel):
    """The unit behind a unit-flow ``unit_id``."""

    unit_id: int
    serial_number: str | None = None
    part_number: str | None = None
    revision: str | None = None
