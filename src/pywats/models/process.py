"""Process (operation type) records from ``GET /api/App/Processes``."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from pywats.models.common import WATSModel

__all__ = ["Process", "RepairCategory", "RepairOperation"]


class Process(WATSModel):
    """A WATS process: test operation (UUT reports), repair operation (UUR) or WIP operation.

    ``model_dump()`` is JSON-serialisable (snake_case keys); ``model_dump(by_alias=True)``
    gives the server's camelCase names.
    """

    code: int = Field(description="processCode used in reports (e.g. 100)")
    name: str = Field(description="process name, case-sensitive (e.g. 'FCT')")
    description: str | None = None
    is_test_operation: bool = False
    is_repair_operation: bool = False
    is_wip_operation: bool = False
    process_index: int | None = None
    state: int | None = Field(default=None, description="1 = active")

    @property
    def is_active(self) -> bool:
        """True unless the server marked the process inactive."""
        return self.state is None or self.state == 1


class RepairCategory(WATSModel):
    """A failure category of a repair operation with its failure codes (PascalCase on the wire)."""

    name: str | None = Field(default=None, validation_alias=AliasChoices("Name", "name"), serialization_alias="Name")
    codes: list[str] = Field(default_factory=list, validation_alias=AliasChoices("Codes", "codes"),
                             serialization_alias="Codes")


class RepairOperation(WATSModel):
    """A repair process and its failure categories and codes
    (``GET /api/internal/Process/GetRepairOperations``, PascalCase on the wire)."""

    code: int = Field(validation_alias=AliasChoices("Code", "code"), serialization_alias="Code")
    name: str | None = Field(default=None, validation_alias=AliasChoices("Name", "name"), serialization_alias="Name")
    process_id: str | None = Field(default=None, validation_alias=AliasChoices("ProcessID", "processId"),
                                   serialization_alias="ProcessID")
    description: str | None = Field(default=None, validation_alias=AliasChoices("Description", "description"),
                                    serialization_alias="Description")
    categories: list[RepairCategory] = Field(default_factory=list,
                                             validation_alias=AliasChoices("Categories", "categories"),
                                             serialization_alias="Categories")
