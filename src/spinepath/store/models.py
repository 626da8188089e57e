"""Imports every domain's models so the metadata is complete (for Alembic and tests)."""

from spinepath.accounts.models import AuthToken, Clinic, User, UserRole
from spinepath.audit.models import AuditEvent
from spinepath.episodes.models import Episode, Fracture, StageTransition, Task
from spinepath.patients.models import Patient
from spinepath.store.base import Base

__all__ = [
    "AuditEvent",
    "AuthToken",
    "Base",
    "Clinic",
    "Episode",
    "Fracture",
    "Patient",
    "StageTransition",
    "Task",
    "User",
    "UserRole",
]
