"""Who is acting, for every service call: the user, their clinic and roles, and where from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from spinepath.accounts.roles import Permission, Role, permissions_for
from spinepath.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    user_id: uuid.UUID | None
    username: str
    full_name: str
    clinic_id: uuid.UUID | None
    roles: frozenset[Role] = field(default_factory=frozenset)
    client_address: str | None = None
    clinic_time_zone: str = "UTC"

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_for(self.roles)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission, doing: str) -> None:
        if not self.can(permission):
            raise PermissionDenied(f"your role does not allow you to {doing}")


SYSTEM = Actor(user_id=None, username="system", full_name="spinepath", clinic_id=None)
