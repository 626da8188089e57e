"""Loading a record of the acting user's clinic: another clinic's record is "not found"."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from spinepath.context import Actor
from spinepath.errors import NotFound

RecordT = TypeVar("RecordT")


def in_clinic(
    session: Session, actor: Actor, model: type[RecordT], record_id: uuid.UUID, entity: str
) -> RecordT:
    """The ``model`` row ``record_id`` when it belongs to the actor's clinic; otherwise
    NotFound, so nobody learns that another clinic's record exists."""
    found: Any = session.get(model, record_id)
    if found is None or found.clinic_id != actor.clinic_id:
        raise NotFound(entity, record_id)
    return found  # type: ignore[no-any-return]
