"""JSON route for reading the audit trail (administrators)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from spinepath.api.deps import api_work
from spinepath.audit import service
from spinepath.paging import MAX_PAGE

router = APIRouter(tags=["audit"])


class AuditEventOut(BaseModel):
    id: int
    occurred_at: datetime
    actor_user_id: uuid.UUID | None
    actor_username: str | None
    action: str
    entity_type: str
    entity_id: str | None
    patient_id: uuid.UUID | None
    outcome: str
    client_address: str | None
    detail: dict[str, Any] | None


class AuditPageOut(BaseModel):
    items: list[AuditEventOut]
    total: int
    page: int
    per_page: int


@router.get("/audit-events", response_model=AuditPageOut)
def list_audit_events(
    request: Request,
    patient_id: uuid.UUID | None = None,
    since: datetime | None = None,
    page: int = Query(default=1, ge=1, le=MAX_PAGE),
    per_page: int = Query(default=50, ge=1, le=500),
) -> AuditPageOut:
    with api_work(request) as (session, actor):
        found = service.list_events(
            session, actor, patient_id=patient_id, since=since, page=page, per_page=per_page
        )
        return AuditPageOut(
            items=[AuditEventOut.model_validate(e, from_attributes=True) for e in found.items],
            total=found.total,
            page=page,
            per_page=per_page,
        )
