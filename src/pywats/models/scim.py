"""SCIM 2.0 user models (``/api/SCIM/v2/*``)."""

from __future__ import annotations

from pydantic import Field

from pywats.models.common import WATSModel

__all__ = ["ScimName", "ScimEmail", "ScimUser", "ScimUserList", "ScimPatchOperation", "SCIM_USER_SCHEMA",
           "SCIM_PATCH_SCHEMA"]

SCIM_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class ScimName(WATSModel):
    """A user's name parts."""

    given_name: str | None = None
    family_name: str | None = None
    formatted: str | None = None


class ScimEmail(WATSModel):
    """One e-mail address of a user."""

    value: str
    type: str | None = "work"
    primary: bool | None = None


class ScimUser(WATSModel):
    """A provisioned user. ``id`` is the server's; ``user_name`` is the login name."""

    schemas: list[str] = Field(default_factory=lambda: [SCIM_USER_SCHEMA])
    id: str | None = None
    user_name: str
    active: bool = True
    display_name: str | None = None
    name: ScimName | None = None
    emails: list[ScimEmail] = Field(default_factory=list)
    external_id: str | None = None


class ScimUserList(WATSModel):
    """A page of users (SCIM ListResponse); ``start_index`` is 1-based."""

    total_results: int = 0
    items_per_page: int = 0
    start_index: int = 1
    resources: list[ScimUser] = Field(default_factory=list, alias="Resources")


class ScimPatchOperation(WATSModel):
    """One PatchOp operation; WATS supports ``op="replace"`` only."""

    op: str = "replace"
    path: str | None = None
    value: str | bool | dict[str, str | bool] | None = None
