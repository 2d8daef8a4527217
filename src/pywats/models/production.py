"""Production models: units, phases, verification, serial-number types."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field

from pywats.models.common import WATSModel
from pywats.models.product import Product, ProductRevision, Setting

__all__ = [
    "Unit",
    "UnitPhase",
    "UnitsSaveResult",
    "UnitVerificationResult",
    "UnitVerification",
    "SerialNumberType",
    "ChildUnitCheck",
    "UnitChange",
    "ProductionBatch",
    "SerialNumberEntry",
]


class Unit(WATSModel):
    """A production unit, identified by serial number + part number."""

    serial_number: str
    part_number: str
    revision: str | None = None
    parent_serial_number: str | None = None
    batch_number: str | None = None
    serial_date: str | None = None
    current_location: str | None = None
    xml_data: str | None = None
    unit_phase_id: int | None = None
    unit_phase: str | None = None
    process_code: str | None = None
    tags: list[Setting] = Field(default_factory=list)
    product: Product | None = None
    product_revision: ProductRevision | None = None
    sub_units: list[Unit] = Field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        """The unit as sent in ``PUT /api/Production/Units`` (read-only parts left out)."""
        data = super().to_wire()
        for key in ("product", "productRevision", "subUnits", "unitPhase"):
            data.pop(key, None)
        return data


def _pascal(name: str) -> AliasChoices:
    return AliasChoices(name, name[0].lower() + name[1:])


class UnitPhase(WATSModel):
    """A unit phase from ``GET /api/internal/Mes/GetUnitPhases`` (PascalCase on the wire)."""

    unit_phase_id: int = Field(validation_alias=_pascal("UnitPhaseId"), serialization_alias="UnitPhaseId")
    code: str | None = Field(default=None, validation_alias=_pascal("Code"), serialization_alias="Code")
    name: str | None = Field(default=None, validation_alias=_pascal("Name"), serialization_alias="Name")
    description: str | None = Field(
        default=None, validation_alias=_pascal("Description"), serialization_alias="Description"
    )


class UnitsSaveResult(WATSModel):
    """The answer of ``PUT /api/Production/Units``."""

    error_count: int = 0
    insert_count: int | None = None
    update_count: int | None = None
    errors: list[Any] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the server reported no errors."""
        return self.error_count == 0


class UnitVerificationResult(WATSModel):
    """The outcome of one process in a unit's verification."""

    process_code: int | None = None
    process_name: str | None = None
    process_index: int | None = None
    status: str | None = None
    start_utc: str | None = None
    station_name: str | None = None
    total_count: int | None = None
    non_passed_count: int | None = None
    repair_count: int | None = None


class UnitVerification(WATSModel):
    """``GET /api/Production/UnitVerification``: the unit's grade and per-process results."""

    status: str | None = None
    grade: str | None = None
    all_processes_executed_in_correct_order: bool | None = None
    all_processes_passed_first_run: bool | None = None
    all_processes_passed_any_run: bool | None = None
    all_processes_passed_last_run: bool | None = None
    no_repairs: bool | None = None
    results: list[UnitVerificationResult] = Field(default_factory=list)

    @property
    def is_passing(self) -> bool:
        """True when every executed process passed on its last run."""
        return bool(self.all_processes_passed_last_run) and bool(self.results)


class SerialNumberType(WATSModel):
    """A serial-number type (server-side pool), ``GET /api/Production/SerialNumbers/Types``."""

    name: str
    description: str | None = None
    format: str | None = None
    reg_ex: str | None = None
    identifier: int | None = Field(default=None, description="0 serial number, 1 MAC address, 2 IMEI")
    identifier_name: str | None = None


class ChildUnitCheck(WATSModel):
    """The answer of ``GET /api/Production/CheckChildUnits`` (fields vary by server; extras kept)."""

    ok: bool | None = None
    parent_serial_number: str | None = None
    parent_part_number: str | None = None
    children: list[Any] = Field(default_factory=list)
    problems: list[Any] = Field(default_factory=list)


class UnitChange(WATSModel):
    """A unit whose parent, part number, revision or phase changed (``/api/Production/Units/Changes``);
    delete it by ``id`` once handled."""

    id: int
    unit_serial_number: str | None = None
    new_parent_serial_number: str | None = None
    new_part_number: str | None = None
    new_revision: str | None = None
    new_unit_phase_id: int | None = None


class ProductionBatch(WATSModel):
    """A production batch (``PUT /api/Production/Batches``)."""

    batch_number: str
    batch_size: int | None = None


class SerialNumberEntry(WATSModel):
    """A serial number of a serial-number type, taken or not, with its reference."""

    serial_number: str
    taken: bool = False
    taken_date: str | None = None
    ref_sn: str | None = Field(default=None, alias="refSN")
    ref_pn: str | None = Field(default=None, alias="refPN")
    station_name: str | None = None
