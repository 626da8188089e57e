"""Errors a domain service raises; adapters turn them into problem responses or messages."""

from __future__ import annotations

from typing import Any

from spinepath.clinical.errors import FieldError, InvalidInput

__all__ = [
    "Conflict",
    "DomainError",
    "FieldError",
    "InvalidInput",
    "NotAuthenticated",
    "NotFound",
    "PermissionDenied",
    "PreconditionRequired",
    "VersionConflict",
]


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def extensions(self) -> dict[str, Any]:
        """Members a problem response carries beyond title, status and detail."""
        return {}


class NotAuthenticated(DomainError):
    status = 401
    title = "Not authenticated"


class PermissionDenied(DomainError):
    status = 403
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not found"

    def __init__(self, entity: str, entity_id: object) -> None:
        super().__init__(f"no {entity} {entity_id}")
        self.entity = entity
        self.entity_id = str(entity_id)


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class GatesUnmet(Conflict):
    """A move whose stage gate is not met: each unmet requirement is named."""

    title = "Requirements not met"

    def __init__(self, detail: str, unmet: list[dict[str, Any]], *, may_override: bool) -> None:
        super().__init__(detail)
        self.unmet = unmet
        self.may_override = may_override

    def extensions(self) -> dict[str, Any]:
        return {"unmet": self.unmet, "may_override": self.may_override}


class VersionConflict(Conflict):
    """The record changed since the caller loaded it."""

    def __init__(self, entity: str, expected: int, current: int, *, via_if_match: bool) -> None:
        super().__init__(
            f"this {entity} changed since you loaded it (you had version {expected}, "
            f"it is now version {current}); reload it and make your change again"
        )
        self.current = current
        # If-Match failures are 412 by HTTP; a stale version field in the body is a 409.
        self.status = 412 if via_if_match else 409
        self.title = "Precondition failed" if via_if_match else "Conflict"


class PreconditionRequired(DomainError):
    status = 428
    title = "Precondition required"
