"""Software distribution models: packages, package files, virtual folders."""

from __future__ import annotations

from datetime import datetime
from enum import Enum, IntFlag

from pydantic import AliasChoices, Field

from pywats.models.common import WATSModel

__all__ = ["PackageStatus", "FileAttribute", "Setting", "Package", "PackageFile", "VirtualFolder"]


class PackageStatus(str, Enum):
    """Life-cycle state of a package. Allowed moves: Draft→Pending, Pending→Draft/Released,
    Released→Revoked."""

    DRAFT = "Draft"
    PENDING = "Pending"
    RELEASED = "Released"
    REVOKED = "Revoked"


class FileAttribute(IntFlag):
    """Install flags of a package file (``attributes``)."""

    NONE = 0
    EXECUTE_ALWAYS = 1
    EXECUTE_ONCE = 2
    EXECUTE_ONCE_PER_VERSION = 4
    TOP_LEVEL_FILE = 8
    OVERWRITE_NEVER = 16
    OVERWRITE_ON_NEW_VERSION = 32


class Setting(WATSModel):
    """A key/value tag (``{"key": ..., "value": ...}``)."""

    key: str
    value: str | None = None


class Package(WATSModel):
    """A software package. Server-owned fields (id, version, status, dates, users) are filled
    in by the server; on create only ``name`` is required."""

    package_id: str | None = None
    name: str
    install_on_root: bool | None = None
    version: int | None = None
    description: str | None = None
    root_directory: str | None = None
    tags: list[Setting] = Field(default_factory=list)
    modified: datetime | None = None
    modified_by: str | None = None
    status: PackageStatus | None = None
    priority: int | None = None
    virtual_folder_id: str | None = None
    created: datetime | None = None
    created_by: str | None = None
    released: datetime | None = None
    released_by: str | None = None
    revoked: datetime | None = None
    revoked_by: str | None = None

    def tag(self, key: str) -> str | None:
        """The value of tag ``key`` (case-insensitive), or ``None``."""
        for setting in self.tags:
            if setting.key.lower() == key.lower():
                return setting.value
        return None


class PackageFile(WATSModel):
    """One file of a package (``GET /api/Software/PackageFiles/{id}``)."""

    package_file_id: str | None = None
    name: str
    package_folder_name: str | None = None
    attributes: int = 0
    description: str | None = Field(
        default=None, alias="Description", validation_alias=AliasChoices("Description", "description")
    )

    @property
    def path(self) -> str:
        """The file's path inside the package (``folder/name``)."""
        return f"{self.package_folder_name}/{self.name}" if self.package_folder_name else self.name


class VirtualFolder(WATSModel):
    """A virtual folder that packages are filed under."""

    id: str | None = None
    parent_id: str | None = None
    name: str
    description: str | None = None
    is_restricted: bool | None = None
