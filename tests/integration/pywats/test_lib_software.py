"""``api.software`` against the real local server, sync and async: every public method."""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

import httpx
import pytest
from _lib_clients import Clients, clients  # noqa: F401  (the fixture)

from pywats import AsyncWATS
from pywats.exceptions import ConflictError, NotFoundError, ValidationError
from pywats.models.software import FileAttribute, Package, PackageFile, PackageStatus, Setting, VirtualFolder


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def new_package(clients: Clients, name: str | None = None, **fields: Any) -> Package:
    return clients.run(lambda api: api.software.create_package(Package(name=name or unique("PKG"), **fields)))


def test_create_get_and_list(clients: Clients) -> None:
    name = unique("PKG")
    pkg = new_package(clients, name, description="first", tags=[Setting(key="station", value="FCT")])
    assert pkg.package_id and pkg.status is PackageStatus.DRAFT and pkg.version == 1
    assert pkg.created is not None and pkg.created_by == "test"
    again = clients.run(lambda api: api.software.get_package(pkg.package_id))
    assert again.name == name and again.description == "first" and again.tag("station") == "FCT"
    listed = clients.run(lambda api: api.software.get_packages())
    assert pkg.package_id in {p.package_id for p in listed}


def test_same_name_gets_next_version_and_by_name(clients: Clients) -> None:
    name = unique("PKG")
    first = new_package(clients, name)
    second = clients.run(lambda api: api.software.create_package({"name": name, "description": "v2"}))
    assert (first.version, second.version) == (1, 2)
    newest = clients.run(lambda api: api.software.get_package_by_name(name))
    assert newest.package_id == second.package_id
    v1 = clients.run(lambda api: api.software.get_package_by_name(name, version=1))
    assert v1.package_id == first.package_id
    assert clients.run(lambda api: api.software.get_package_by_name(name, status="Released")) is None
    assert clients.run(lambda api: api.software.get_released_package(name)) is None
    assert clients.run(lambda api: api.software.get_package_by_name(unique("NOPE"))) is None


def test_update_package(clients: Clients) -> None:
    pkg = new_package(clients)
    pkg.description = "changed"
    pkg.root_directory = "C:/Tests"
    pkg.priority = 3
    updated = clients.run(lambda api: api.software.update_package(pkg))
    assert (updated.description, updated.root_directory, updated.priority) == ("changed", "C:/Tests", 3)
    assert clients.run(lambda api: api.software.get_package(pkg.package_id)).description == "changed"
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.software.update_package(Package(name="no-id")))


def test_status_life_cycle(clients: Clients) -> None:
    name = unique("PKG")
    pkg = new_package(clients, name)
    pending = clients.run(lambda api: api.software.submit_for_review(pkg.package_id))
    assert pending.status is PackageStatus.PENDING
    assert clients.run(lambda api: api.software.return_to_draft(pkg.package_id)).status is PackageStatus.DRAFT
    clients.run(lambda api: api.software.set_package_status(pkg.package_id, "pending"))
    released = clients.run(lambda api: api.software.release_package(pkg.package_id))
    assert released.status is PackageStatus.RELEASED and released.released_by == "test" and released.released
    assert clients.run(lambda api: api.software.get_released_package(name)).package_id == pkg.package_id
    # Released packages cannot be edited, deleted or sent back to Draft.
    with pytest.raises(ValidationError, match="Released to Draft"):
        clients.run(lambda api: api.software.return_to_draft(pkg.package_id))
    with pytest.raises(ConflictError):
        clients.run(lambda api: api.software.delete_package(pkg.package_id))
    with pytest.raises(ConflictError):
        clients.run(lambda api: api.software.update_package(released))
    revoked = clients.run(lambda api: api.software.revoke_package(pkg.package_id))
    assert revoked.status is PackageStatus.REVOKED and revoked.revoked_by == "test"
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.software.release_package(pkg.package_id))
    clients.run(lambda api: api.software.delete_package(pkg.package_id))
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.software.get_package(pkg.package_id))


def test_invalid_status_and_transition_rejected(clients: Clients) -> None:
    pkg = new_package(clients)
    with pytest.raises(ValidationError, match="Draft to Released"):
        clients.run(lambda api: api.software.release_package(pkg.package_id))
    with pytest.raises(ValidationError):
        clients.run(lambda api: api.software.set_package_status(pkg.package_id, "Shipped"))
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.software.submit_for_review(str(uuid.uuid4())))


def test_delete_draft_and_by_name(clients: Clients) -> None:
    name = unique("PKG")
    first = new_package(clients, name)
    new_package(clients, name)
    clients.run(lambda api: api.software.delete_package(first.package_id))
    clients.run(lambda api: api.software.delete_package_by_name(name, 2))
    assert clients.run(lambda api: api.software.get_package_by_name(name)) is None
    with pytest.raises(NotFoundError):
        clients.run(lambda api: api.software.delete_package(first.package_id))


def test_packages_by_tag(clients: Clients) -> None:
    tag = unique("tag")
    a = new_package(clients, tags=[Setting(key=tag, value="A")])
    b = new_package(clients, tags=[Setting(key=tag, value="B")])
    new_package(clients, tags=[Setting(key="other", value="A")])
    both = clients.run(lambda api: api.software.get_packages_by_tag(tag))
    assert {p.package_id for p in both} == {a.package_id, b.package_id}
    only_b = clients.run(lambda api: api.software.get_packages_by_tag(tag, value="B"))
    assert [p.package_id for p in only_b] == [b.package_id]
    assert clients.run(lambda api: api.software.get_packages_by_tag(tag, PackageStatus.RELEASED)) == []


def test_upload_zip_and_files(clients: Clients) -> None:
    pkg = new_package(clients)
    files = clients.run(lambda api: api.software.upload_zip(
        pkg.package_id, make_zip({"setup.exe": b"MZ", "cfg/limits.ini": b"[x]", "cfg/old.ini": b"o"})))
    assert all(isinstance(f, PackageFile) for f in files)
    assert sorted(f.path for f in files) == ["cfg/limits.ini", "cfg/old.ini", "setup.exe"]
    assert {f.name: f.package_folder_name for f in files}["limits.ini"] == "cfg"
    merged = clients.run(lambda api: api.software.upload_zip(pkg.package_id, make_zip({"readme.txt": b"hi"})))
    assert len(merged) == 4
    clean = clients.run(lambda api: api.software.upload_zip(pkg.package_id, make_zip({"new.bin": b"1"}), True))
    assert [f.path for f in clean] == ["new.bin"]
    assert [f.path for f in clients.run(lambda api: api.software.get_package_files(pkg.package_id))] == ["new.bin"]
    flags = FileAttribute.EXECUTE_ONCE | FileAttribute.TOP_LEVEL_FILE
    clients.run(lambda api: api.software.update_file_attribute(clean[0].package_file_id, flags))
    assert clients.run(lambda api: api.software.get_package_files(pkg.package_id))[0].attributes == 10
    with pytest.raises(ValidationError, match="zip"):
        clients.run(lambda api: api.software.upload_zip(pkg.package_id, b"not a zip"))


def test_upload_zip_only_to_draft(clients: Clients) -> None:
    pkg = new_package(clients)
    clients.run(lambda api: api.software.submit_for_review(pkg.package_id))
    with pytest.raises(ConflictError):
        clients.run(lambda api: api.software.upload_zip(pkg.package_id, make_zip({"a": b"1"})))


def test_virtual_folders(clients: Clients) -> None:
    name = unique("Folder")
    folder = clients.run(lambda api: api.software.create_virtual_folder(name, description="line 1"))
    assert isinstance(folder, VirtualFolder) and folder.id
    folders = clients.run(lambda api: api.software.get_virtual_folders())
    assert {f.name: f.description for f in folders}[name] == "line 1"
    pkg = new_package(clients, virtual_folder_id=folder.id)
    assert clients.run(lambda api: api.software.get_package(pkg.package_id)).virtual_folder_id == folder.id


def test_bad_package_body_is_400(clients: Clients) -> None:
    with pytest.raises(ValidationError, match="name"):
        clients.run(lambda api: api.software.create_package({"name": " "}))


def test_routes_need_the_token(wats_server: Any) -> None:
    response = httpx.get(wats_server.base_url + "/api/Software/Packages")
    assert response.status_code == 401


@pytest.mark.anyio
async def test_async_release_flow(wats_server: Any) -> None:
    async with AsyncWATS(base_url=wats_server.base_url, token=wats_server.token) as api:
        pkg = await api.software.create_package(Package(name=unique("APKG")))
        await api.software.upload_zip(pkg.package_id, make_zip({"a.txt": b"a"}))
        await api.software.submit_for_review(pkg.package_id)
        released = await api.software.release_package(pkg.package_id)
        assert released.status is PackageStatus.RELEASED
        assert [f.name for f in await api.software.get_package_files(pkg.package_id)] == ["a.txt"]


def test_new_domains_have_the_same_methods_on_both_clients() -> None:
    from pywats import pyWATS

    sync_api = pyWATS("http://127.0.0.1:1", "t")
    async_api = AsyncWATS("http://127.0.0.1:1", "t")
    try:
        for domain in ("software", "analytics", "rootcause"):
            sync_names = {n for n in dir(getattr(sync_api, domain)) if not n.startswith("_")}
            async_names = {n for n in dir(getattr(async_api, domain)) if not n.startswith("_")}
            assert sync_names == async_names and len(sync_names) > 5
            for name in sync_names - {"client", "is_async"}:
                method = getattr(getattr(sync_api, domain), name)
                assert method.__doc__, f"{domain}.{name} has no docstring"
    finally:
        sync_api.close()
        async_api.close()
