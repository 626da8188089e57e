"""What the CDS Hooks service keeps: the cards it issued, the feedback on them, used JWT ids.

- ``CdsCard``: every card returned, so feedback can be matched to what was shown. Never edited.
- ``CdsFeedback``: each accepted or overridden card, with the override reason and comment as the
  EHR sent them. Never edited.
- ``CdsTokenUse``: the ``jti`` of every accepted client JWT until it expires, so a token can be
  used once only (rows past their expiry are purged).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from spinepath.store.base import Base, IdMixin, utc_now


class CdsCard(Base):
    __tablename__ = "cds_cards"

    # The card's uuid as sent to the EHR.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    clinic_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clinics.id"), index=True)
    service_id: Mapped[str] = mapped_column(String(64))
    hook_instance: Mapped[str] = mapped_column(String(200))
    client_iss: Mapped[str | None] = mapped_column(String(400))
    issued_at: Mapped[datetime] = mapped_column(default=utc_now)
    indicator: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(String(200))
    # The EHR's patient id (context.patientId) and, when known, the spinepath patient.
    ehr_patient_id: Mapped[str | None] = mapped_column(String(200))
    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"), index=True)
    card: Mapped[dict[str, Any]] = mapped_column(JSON)


class CdsFeedback(IdMixin, Base):
    __tablename__ = "cds_feedback"

    clinic_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("clinics.id"), index=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    card_uuid: Mapped[str] = mapped_column(String(200), index=True)
    # True when the card is one this service issued (CdsCard).
    card_known: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(16))  # accepted, overridden
    accepted_suggestions: Mapped[list[Any] | None] = mapped_column(JSON)
    override_reason: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    user_comment: Mapped[str | None] = mapped_column(Text)
    outcome_timestamp: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utc_now)
    client_iss: Mapped[str | None] = mapped_column(String(400))


class CdsTokenUse(Base):
    __tablename__ = "cds_token_uses"
    __table_args__ = (UniqueConstraint("issuer", "jti", name="uq_cds_token_uses_issuer_jti"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    issuer: Mapped[str] = mapped_column(String(400))
    jti: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime] = mapped_column(default=utc_now)
