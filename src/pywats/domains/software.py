"""``api.software``: software packages, their files and virtual folders."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any
from urllib.parse import quote

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation, steps
from pywats.exceptions import NotFoundError, ValidationError
from pywats.models.software import Package, PackageFile, PackageStatus, VirtualFolder

__all__ = ["SoftwareDomain"]


def _pid(package_id: str) -> str:
    if not package_id or not str(package_id).strip():
        raise ValidationError("package_id is empty", field="package_id")
    return quote(str(package_id).strip(), safe="")


def _status_text(status: PackageStatus | str | None) -> str | None:
    if status is None:
        return None
    if isinstance(status, PackageStatus):
        return status.value
    for member in PackageStatus:
        if member.value.lower() == str(status).strip().lower():
            return member.value
    raise ValidationError(
        f"status must be one of {', '.join(m.value for m in PackageStatus)}, not {status!r}", field="status"
    )


def _package_body(package: Package | dict[str, Any]) -> dict[str, Any]:
    if isinstance(package, Package):
        return package.to_wire()
    if isinstance(package, dict):
        return Package.model_validate(package).to_wire()
    raise ValidationError("package must be a Package or a dict", field="package")


def _packages(data: Any) -> list[Package]:
    return [Package.model_validate(item) for item in (data or [])]


class SoftwareDomain(Domain[ModeT]):
    """Software packages: create, edit, release/revoke, upload files, query."""

    # -- reading ---------------------------------------------------------------------------

    @operation
    def get_packages(self) -> Generator[Request, Any, list[Package]]:
        """Every package, all versions and states (``GET /api/Software/Packages``)."""
        data = yield Request("GET", "/api/Software/Packages")
        return _packages(data)

    @operation
    def get_package(self, package_id: str) -> Generator[Request, Any, Package]:
        """One package by id (``GET /api/Software/Package/{id}``); ``NotFoundError`` when unknown."""
        data = yield Request("GET", f"/api/Software/Package/{_pid(package_id)}")
        return Package.model_validate(data)

    @operation
    def get_package_by_name(
        self, name: str, status: PackageStatus | str | None = None, version: int | None = None
    ) -> Generator[Request, Any, Package | None]:
        """The package ``name`` (``GET /api/Software/PackageByName``), or ``None`` when there is none.

        Without ``version`` the highest version (in ``status``, if given) is returned.
        """
        try:
            data = yield Request(
                "GET",
                "/api/Software/PackageByName",
                params={"name": name, "status": _status_text(status), "version": version},
            )
        except NotFoundError:
            return None
        return Package.model_validate(data) if data else None

    @operation
    def get_released_package(self, name: str) -> Generator[Request, Any, Package | None]:
        """The newest released version of package ``name``, or ``None``."""
        return (yield from steps(self.get_package_by_name, name, PackageStatus.RELEASED))

    @operation
    def get_packages_by_tag(
        self, tag: str, status: PackageStatus | str | None = None, value: str | None = None
    ) -> Generator[Request, Any, list[Package]]:
        """Packages carrying tag ``tag`` (optionally with ``value``) in ``status``
        (``GET /api/Software/PackagesByTag``)."""
        data = yield Request(
            "GET",
            "/api/Software/PackagesByTag",
            params={"tag": tag, "status": _status_text(status), "value": value},
        )
        return _packages(data)

    @operation
    def get_package_files(self, package_id: str) -> Generator[Request, Any, list[PackageFile]]:
        """The files of a package (``GET /api/Software/PackageFiles/{id}``)."""
        data = yield Request("GET", f"/api/Software/PackageFiles/{_pid(package_id)}")
        return [PackageFile.model_validate(item) for item in (data or [])]

    @operation
    def get_virtual_folders(self) -> Generator[Request, Any, list[VirtualFolder]]:
        """The virtual folders packages are filed under (``GET /api/Software/VirtualFolders``)."""
        data = yield Request("GET", "/api/Software/VirtualFolders")
        return [VirtualFolder.model_validate(item) for item in (data or [])]

    # -- writing -----------------------------------------------------------------------------

    @operation
    def create_package(self, package: Package | dict[str, Any]) -> Generator[Request, Any, Package]:
        """Create a package (``POST /api/Software/Package``). It starts as Draft; a package
        with an existing name becomes that name's next version. Returns the stored package."""
        data = yield Request("POST", "/api/Software/Package", json=_package_body(package))
        return Package.model_validate(data)

    @operation
    def update_package(self, package: Package | dict[str, Any]) -> Generator[Request, Any, Package]:
        """Overwrite a package's configuration (``PUT /api/Software/Package/{id}``); the
        package needs its ``package_id``. Returns the stored package."""
        body = _package_body(package)
        package_id = body.get("packageId")
        if not package_id:
            raise ValidationError("update_package: the package has no packageId", field="packageId")
        data = yield Request("PUT", f"/api/Software/Package/{_pid(package_id)}", json=body)
        return Package.model_validate(data)

    @operation
    def delete_package(self, package_id: str) -> Generator[Request, Any, None]:
        """Delete a Draft or Revoked package (``DELETE /api/Software/Package/{id}``)."""
        yield Request("DELETE", f"/api/Software/Package/{_pid(package_id)}", expect="none")

    @operation
    def delete_package_by_name(self, name: str, version: int) -> Generator[Request, Any, None]:
        """Delete version ``version`` of package ``name`` (Draft or Revoked only)."""
        yield Request("DELETE", "/api/Software/PackageByName", params={"name": name, "version": version},
                      expect="none")

    @operation
    def set_package_status(
        self, package_id: str, status: PackageStatus | str
    ) -> Generator[Request, Any, Package]:
        """Move a package to ``status`` (``POST /api/Software/PackageStatus/{id}?status=``).

        Allowed: Draft→Pending, Pending→Draft, Pending→Released, Released→Revoked; anything else
        is a ``ValidationError`` from the server. Returns the package after the change.
        """
        text = _status_text(status)
        # not retried: a repeat after a lost answer would be refused as a transition to the same state
        yield Request("POST", f"/api/Software/PackageStatus/{_pid(package_id)}", params={"status": text},
                      expect="none")
        return (yield from steps(self.get_package, package_id))

    @operation
    def submit_for_review(self, package_id: str) -> Generator[Request, Any, Package]:
        """Draft → Pending."""
        return (yield from steps(self.set_package_status, package_id, PackageStatus.PENDING))

    @operation
    def return_to_draft(self, package_id: str) -> Generator[Request, Any, Package]:
        """Pending → Draft."""
        return (yield from steps(self.set_package_status, package_id, PackageStatus.DRAFT))

    @operation
    def release_package(self, package_id: str) -> Generator[Request, Any, Package]:
        """Pending → Released."""
        return (yield from steps(self.set_package_status, package_id, PackageStatus.RELEASED))

    @operation
    def revoke_package(self, package_id: str) -> Generator[Request, Any, Package]:
        """Released → Revoked."""
        return (yield from steps(self.set_package_status, package_id, PackageStatus.REVOKED))

    @operation
    def upload_zip(
        self, package_id: str, zip_bytes: bytes, clean_install: bool = False
    ) -> Generator[Request, Any, list[PackageFile]]:
        """Upload the package's files as one zip (``POST /api/Software/Package/UploadZip/{id}``).

        ``clean_install=True`` replaces every existing file; otherwise files are added or
        replaced by path. Returns the package's file list afterwards.
        """
        if not isinstance(zip_bytes, (bytes, bytearray, memoryview)):
            raise ValidationError("upload_zip: zip_bytes must be bytes", field="zip_bytes")
        yield Request(
            "POST",
            f"/api/Software/Package/UploadZip/{_pid(package_id)}",
            params={"cleanInstall": clean_install},
            content=bytes(zip_bytes),
            content_type="application/zip",
            expect="none",
        )
        return (yield from steps(self.get_package_files, package_id))

    @operation
    def update_file_attribute(self, file_id: str, attribute: int) -> Generator[Request, Any, None]:
        """Set a package file's install flags (:class:`~pywats.models.software.FileAttribute`)
        (``POST /api/Software/Package/FileAttribute/{id}?attribute=``)."""
        yield Request("POST", f"/api/Software/Package/FileAttribute/{_pid(file_id)}",
                      params={"attribute": int(attribute)}, idempotent=True, expect="none")

    @operation
    def create_virtual_folder(
        self, name: str, description: str | None = None, is_restricted: bool | None = None
    ) -> Generator[Request, Any, VirtualFolder]:
        """Create a virtual folder (``POST /api/Software/VirtualFolder``)."""
        data = yield Request("POST", "/api/Software/VirtualFolder",
                             params={"name": name, "description": description, "isRestricted": is_restricted})
        return VirtualFolder.model_validate(data)
