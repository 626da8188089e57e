from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from spinepath.store.base import Base, utc_now


class AuditEvent(Base):
    """Who did what to which record, when, from where, and how it ended.

    Append-only: the migration installs triggers that refuse UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    occurred_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    actor_user_id: Mapped[uuid.UUID | None]
    actor_username: Mapped[str | None] = mapped_column(String(80))
    clinic_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(40))  # read, create, update, transition, login…
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(String(16))  # success, denied, failed
    client_address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, object] | None] = mapped_column(JSON)
