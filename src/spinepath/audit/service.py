"""Recording and reading the audit trail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from spinepath.accounts.roles import Permission
from spinepath.audit.models import AuditEvent
from spinepath.context import Actor
from spinepath.errors import PermissionDenied


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object | None = None,
    *,
    patient_id: uuid.UUID | None = None,
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the caller's transaction, so it commits or rolls back with the work."""
    columns = _columns(actor, action, entity_type, entity_id, patient_id, outcome, detail)
    event = AuditEvent(**columns)
    session.add(event)
    return event


def record_at_once(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object | None = None,
    *,
    patient_id: uuid.UUID | None = None,
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
) -> None:
    """As :func:`record`, written now by one INSERT in the caller's transaction (no ORM object
    to flush): for a hot path that never reads the event back."""
    columns = _columns(actor, action, entity_type, entity_id, patient_id, outcome, detail)
    session.execute(_INSERT_EVENT, columns)


_INSERT_EVENT = insert(cast(Table, AuditEvent.__table__))


def _columns(
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object | None,
    patient_id: uuid.UUID | None,
    outcome: str,
    detail: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "actor_user_id": actor.user_id,
        "actor_username": actor.username,
        "clinic_id": actor.clinic_id,
        "action": action,
        "entity_type": entity_type,
        "entity_id": None if entity_id is None else str(entity_id),
        "patient_id": patient_id,
        "outcome": outcome,
        "client_address": actor.client_address,
        "detail": detail,
    }


def record_outside_transaction(
    factory: sessionmaker[Session],
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object | None = None,
    *,
    outcome: str,
    patient_id: uuid.UUID | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """For refusals and failures: the work rolled back, but the attempt must stay on record."""
    with factory() as session, session.begin():
        record(
            session,
            actor,
            action,
            entity_type,
            entity_id,
            patient_id=patient_id,
            outcome=outcome,
            detail=detail,
        )


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditEvent]
    total: int


def list_events(
    session: Session,
    actor: Actor,
    *,
    patient_id: uuid.UUID | None = None,
    since: datetime | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AuditPage:
    if not actor.can(Permission.READ_AUDIT):
        raise PermissionDenied("only administrators can read the audit trail")
    query = select(AuditEvent).where(AuditEvent.clinic_id == actor.clinic_id)
    if patient_id is not None:
        query = query.where(AuditEvent.patient_id == patient_id)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return AuditPage(list(items), total)
