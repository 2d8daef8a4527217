"""``/api/Software/*``: packages, status transitions, zip upload, files, virtual folders."""

from __future__ import annotations

import base64
import binascii

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..context import get_context
from ..storage import software as store
from ..wire import ApiError, query_bool, query_int, query_value, read_body, respond

__all__ = ["routes", "request_user"]


def request_user(request: Request) -> str:
    """The user name in the request's Basic token (``user`` of base64 ``user:key``), else ``"api"``."""
    text = request.headers.get("authorization", "")
    _, _, token = text.partition(" ")
    try:
        user = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")[0]
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return "api"
    return user or "api"




def _not_found(package_id: str) -> ApiError:
    return ApiError(404, f"Package {package_id} was not found.")


async def list_packages(request: Request) -> Response:
    """GET /api/Software/Packages → ``[Package]``."""
    return respond(request, await get_context(request).storage.read(store.list_packages))


async def get_package(request: Request) -> Response:
    """GET /api/Software/Package/{id} → Package (404 when unknown)."""
    pid = request.path_params["id"]
    doc = await get_context(request).storage.read(store.get_package, pid)
    if doc is None:
        raise _not_found(pid)
    return respond(request, doc)


async def create_package(request: Request) -> Response:
    """POST /api/Software/Package → the new Draft Package (same name → next version)."""
    body = await read_body(request)
    doc = await get_context(request).storage.write(store.create_package, body, request_user(request))
    return respond(request, doc)


async def update_package(request: Request) -> Response:
    """PUT /api/Software/Package/{id} → Package; only Draft packages (else 409)."""
    pid = request.path_params["id"]
    body = await read_body(request)
    doc = await get_context(request).storage.write(store.update_package, pid, body, request_user(request))
    if doc is None:
        raise _not_found(pid)
    return respond(request, doc)


async def delete_package(request: Request) -> Response:
    """DELETE /api/Software/Package/{id} → 204; only Draft/Revoked (else 409)."""
    pid = request.path_params["id"]
    if not await get_context(request).storage.write(store.delete_package, pid):
        raise _not_found(pid)
    return Response(status_code=204)


def _required(request: Request, name: str) -> str:
    value = query_value(request, name)
    if value is None or not value.strip():
        raise ApiError(400, f"Query parameter '{name}' is required.")
    return value.strip()


async def package_by_name(request: Request) -> Response:
    """GET /api/Software/PackageByName?name=&status=&version= → newest matching Package (404 if none)."""
    name = _required(request, "name")
    status = query_value(request, "status")
    version = query_int(request, "version")
    doc = await get_context(request).storage.read(store.get_package_by_name, name, status, version)
    if doc is None:
        raise ApiError(404, f"No package named {name!r} matches.")
    return respond(request, doc)


async def delete_package_by_name(request: Request) -> Response:
    """DELETE /api/Software/PackageByName?name=&version= → 204."""
    name = _required(request, "name")
    version = query_int(request, "version")
    if version is None:
        raise ApiError(400, "Query parameter 'version' is required.")
    if not await get_context(request).storage.write(store.delete_package_by_name, name, version):
        raise ApiError(404, f"Package {name!r} version {version} was not found.")
    return Response(status_code=204)


async def packages_by_tag(request: Request) -> Response:
    """GET /api/Software/PackagesByTag?tag=&status=&value= → ``[Package]``."""
    tag = _required(request, "tag")
    docs = await get_context(request).storage.read(
        store.packages_by_tag, tag, query_value(request, "status"), query_value(request, "value")
    )
    return respond(request, docs)


async def package_status(request: Request) -> Response:
    """POST /api/Software/PackageStatus/{id}?status= → the Package; 400 for a disallowed move."""
    pid = request.path_params["id"]
    status = _required(request, "status")
    doc = await get_context(request).storage.write(store.set_status, pid, status, request_user(request))
    if doc is None:
        raise _not_found(pid)
    return respond(request, doc)


async def package_files(request: Request) -> Response:
    """GET /api/Software/PackageFiles/{id} → ``[{packageFileId, name, packageFolderName, attributes, Description}]``."""
    pid = request.path_params["id"]
    files = await get_context(request).storage.read(store.list_files, pid)
    if files is None:
        raise _not_found(pid)
    return respond(request, files)


async def upload_zip(request: Request) -> Response:
    """POST /api/Software/Package/UploadZip/{id}?cleanInstall= (raw zip body) → the file list."""
    pid = request.path_params["id"]
    data = await request.body()
    clean = bool(query_bool(request, "cleanInstall", False))
    files = await get_context(request).storage.write(store.upload_zip, pid, data, clean)
    if files is None:
        raise _not_found(pid)
    return respond(request, files)


async def file_attribute(request: Request) -> Response:
    """POST /api/Software/Package/FileAttribute/{id}?attribute= → 204."""
    fid = request.path_params["id"]
    attribute = query_int(request, "attribute")
    if attribute is None:
        raise ApiError(400, "Query parameter 'attribute' is required.")
    if not await get_context(request).storage.write(store.set_file_attribute, fid, attribute):
        raise ApiError(404, f"Package file {fid} was not found.")
    return Response(status_code=204)


async def virtual_folders(request: Request) -> Response:
    """GET /api/Software/VirtualFolders → ``[{id, parentId, name, description}]``."""
    return respond(request, await get_context(request).storage.read(store.list_virtual_folders))


async def create_virtual_folder(request: Request) -> Response:
    """POST /api/Software/VirtualFolder?name=&description=&isRestricted= → the folder."""
    doc = await get_context(request).storage.write(
        store.create_virtual_folder, query_value(request, "name"), query_value(request, "description"),
        query_bool(request, "isRestricted"),
    )
    return respond(request, doc)


routes = [
    Route("/api/Software/Packages", list_packages, methods=["GET"]),
    Route("/api/Software/Package", create_package, methods=["POST"]),
    Route("/api/Software/Package/UploadZip/{id}", upload_zip, methods=["POST"]),
    Route("/api/Software/Package/FileAttribute/{id}", file_attribute, methods=["POST"]),
    Route("/api/Software/Package/{id}", get_package, methods=["GET"]),
    Route("/api/Software/Package/{id}", update_package, methods=["PUT"]),
    Route("/api/Software/Package/{id}", delete_package, methods=["DELETE"]),
    Route("/api/Software/PackageByName", package_by_name, methods=["GET"]),
    Route("/api/Software/PackageByName", delete_package_by_name, methods=["DELETE"]),
    Route("/api/Software/PackagesByTag", packages_by_tag, methods=["GET"]),
    Route("/api/Software/PackageStatus/{id}", package_status, methods=["POST"]),
    Route("/api/Software/PackageFiles/{id}", package_files, methods=["GET"]),
    Route("/api/Software/VirtualFolders", virtual_folders, methods=["GET"]),
    Route("/api/Software/VirtualFolder", create_virtual_folder, methods=["POST"]),
]
