"""``api.scim``: SCIM 2.0 user provisioning (``/api/SCIM/v2/*``)."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping
from typing import Any
from urllib.parse import quote

from pywats.core.request import Request
from pywats.domains._base import Domain, ModeT, operation, steps
from pywats.exceptions import ValidationError
from pywats.models.scim import SCIM_PATCH_SCHEMA, ScimPatchOperation, ScimUser, ScimUserList

__all__ = ["ScimDomain"]


def _segment(value: str, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{field} must be a non-empty string", field=field)
    return quote(value, safe="")


class ScimDomain(Domain[ModeT]):
    """Users provisioned by an identity provider (Azure AD / Entra ID and the like)."""

    @operation
    def get_token(self, duration_days: int | None = None) -> Generator[Request, Any, str]:
        """A JSON Web Token for automatic provisioning (``GET /api/SCIM/v2/Token``), valid for
        ``duration_days`` days (server default 90)."""
        data = yield Request("GET", "/api/SCIM/v2/Token", params={"duration": duration_days})
        if isinstance(data, dict):
            data = data.get("token") or data.get("Token") or ""
        return str(data or "")

    @operation
    def get_users(self, filter: str | None = None, start_index: int | None = None,
                  count: int | None = None) -> Generator[Request, Any, ScimUserList]:
        """A page of users (``GET /api/SCIM/v2/Users``); ``filter`` e.g. ``'userName eq "ann"'``,
        ``start_index`` 1-based."""
        data = yield Request("GET", "/api/SCIM/v2/Users",
                             params={"filter": filter, "startIndex": start_index, "count": count})
        return ScimUserList.model_validate(data or {})

    @operation
    def create_user(self, user: ScimUser | Mapping[str, Any]) -> Generator[Request, Any, ScimUser]:
        """Provision a user (``POST /api/SCIM/v2/Users``); the stored user with its ``id``."""
        body = (user if isinstance(user, ScimUser) else ScimUser.model_validate(dict(user))).to_wire()
        data = yield Request("POST", "/api/SCIM/v2/Users", json=body)
        return ScimUser.model_validate(data)

    @operation
    def get_user(self, user_id: str) -> Generator[Request, Any, ScimUser]:
        """The user with ``user_id`` (``GET /api/SCIM/v2/Users/{id}``); NotFoundError if none."""
        data = yield Request("GET", f"/api/SCIM/v2/Users/{_segment(user_id, 'user_id')}")
        return ScimUser.model_validate(data)

    @operation
    def get_user_by_name(self, user_name: str) -> Generator[Request, Any, ScimUser]:
        """The user with login ``user_name`` (``GET /api/SCIM/v2/Users/userName={userName}``)."""
        data = yield Request("GET", f"/api/SCIM/v2/Users/userName={_segment(user_name, 'user_name')}")
        return ScimUser.model_validate(data)

    @operation
    def update_user(self, user_id: str, operations: Iterable[ScimPatchOperation | Mapping[str, Any]]
                    ) -> Generator[Request, Any, ScimUser]:
        """Apply ``replace`` operations to a user (``PATCH /api/SCIM/v2/Users/{id}``), e.g.
        ``[{"op": "replace", "path": "active", "value": False}]``."""
        ops = [(o if isinstance(o, ScimPatchOperation) else ScimPatchOperation.model_validate(dict(o))).to_wire()
               for o in operations]
        body = {"schemas": [SCIM_PATCH_SCHEMA], "Operations": ops}
        data = yield Request("PATCH", f"/api/SCIM/v2/Users/{_segment(user_id, 'user_id')}", json=body)
        return ScimUser.model_validate(data)

    @operation
    def set_user_active(self, user_id: str, active: bool) -> Generator[Request, Any, ScimUser]:
        """Activate or deactivate a user (a ``replace`` of ``active``)."""
        return (yield from steps(self.update_user, user_id, [ScimPatchOperation(path="active", value=bool(active))]))

    @operation
    def delete_user(self, user_id: str) -> Generator[Request, Any, None]:
        """Remove a user (``DELETE /api/SCIM/v2/Users/{id}``)."""
        yield Request("DELETE", f"/api/SCIM/v2/Users/{_segment(user_id, 'user_id')}", expect="none")
