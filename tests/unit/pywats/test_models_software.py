"""Software models and the request shapes of ``api.software`` (no network)."""

from __future__ import annotations

import pytest

from pywats.domains.software import _package_body, _status_text
from pywats.exceptions import ValidationError
from pywats.models.software import FileAttribute, Package, PackageFile, PackageStatus, Setting, VirtualFolder


def test_package_round_trip_with_wire_names() -> None:
    wire = {
        "packageId": "0f3b1c9e-0000-4000-8000-000000000001", "name": "TestSW", "installOnRoot": True,
        "version": 3, "description": "d", "rootDirectory": "C:/T", "tags": [{"key": "line", "value": "1"}],
        "modified": "2026-01-02T03:04:05Z", "modifiedBy": "a", "status": "Released", "priority": 2,
        "virtualFolderId": None, "created": "2026-01-01T00:00:00Z", "createdBy": "a",
        "released": "2026-01-03T00:00:00Z", "releasedBy": "b", "revoked": None, "revokedBy": None,
        "futureField": 7,
    }
    pkg = Package.model_validate(wire)
    assert pkg.status is PackageStatus.RELEASED and pkg.version == 3 and pkg.install_on_root is True
    assert pkg.tag("LINE") == "1" and pkg.tag("x") is None
    assert pkg.released is not None and pkg.released.year == 2026
    out = pkg.to_wire()
    assert out["packageId"] == wire["packageId"] and out["rootDirectory"] == "C:/T" and out["futureField"] == 7
    assert out["status"] == "Released" and "revokedBy" not in out


def test_package_requires_name() -> None:
    with pytest.raises(Exception, match="name"):
        Package.model_validate({"version": 1})


def test_package_file_description_spelling() -> None:
    f = PackageFile.model_validate({"packageFileId": "x", "name": "a.ini", "packageFolderName": "cfg",
                                    "attributes": 9, "Description": "limits"})
    assert f.description == "limits" and f.path == "cfg/a.ini"
    assert f.to_wire()["Description"] == "limits"
    assert PackageFile.model_validate({"name": "b", "description": "lower"}).description == "lower"
    assert PackageFile(name="root.exe").path == "root.exe"


def test_file_attribute_flags() -> None:
    flags = FileAttribute.EXECUTE_ONCE | FileAttribute.OVERWRITE_NEVER
    assert int(flags) == 18 and FileAttribute.EXECUTE_ONCE in flags


def test_virtual_folder_and_setting() -> None:
    vf = VirtualFolder.model_validate({"id": "1", "parentId": None, "name": "Line", "description": "x"})
    assert vf.name == "Line" and vf.to_wire() == {"id": "1", "name": "Line", "description": "x"}
    assert Setting(key="k").to_wire() == {"key": "k"}


def test_status_text_and_package_body() -> None:
    assert _status_text("released") == "Released"
    assert _status_text(PackageStatus.DRAFT) == "Draft"
    assert _status_text(None) is None
    with pytest.raises(ValidationError, match="status"):
        _status_text("Shipped")
    assert _package_body({"name": "a", "installOnRoot": False}) == {"name": "a", "installOnRoot": False, "tags": []}
    with pytest.raises(ValidationError):
        _package_body("nope")  # type: ignore[arg-type]
