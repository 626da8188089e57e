"""Stored procedure-day records.

- ``ProcedurePlan``: the planned technique and levels, one per episode (optimistic locking).
- ``TimeOut``: one team time-out before the first needle, as confirmed. Never edited: a new
  time-out is recorded instead.
- ``ProcedureRecord`` with one ``ProcedureLevel`` per treated vertebra; the derived codes are kept
  with the record (optimistic locking).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spinepath.store.base import Base, IdMixin, VersionedMixin, utc_now


class ProcedurePlan(IdMixin, VersionedMixin, Base):
    __tablename__ = "procedure_plans"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), unique=True
    )
    technique: Mapped[str] = mapped_column(String(16))
    levels: Mapped[list[str]] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    planned_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    planned_by_name: Mapped[str | None] = mapped_column(String(200))


class TimeOut(IdMixin, Base):
    __tablename__ = "time_outs"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    performed_at: Mapped[datetime] = mapped_column(default=utc_now)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_name: Mapped[str | None] = mapped_column(String(200))
    team: Mapped[str] = mapped_column(Text)
    identity_confirmed: Mapped[bool] = mapped_column(Boolean)
    procedure_confirmed: Mapped[bool] = mapped_column(Boolean)
    consent_confirmed: Mapped[bool] = mapped_column(Boolean)
    labs_reviewed: Mapped[bool] = mapped_column(Boolean)
    labs_note: Mapped[str | None] = mapped_column(Text)
    allergies: Mapped[str] = mapped_column(Text)
    preparation_status: Mapped[str] = mapped_column(String(300))
    planned_technique: Mapped[str] = mapped_column(String(16))
    planned_levels: Mapped[list[str]] = mapped_column(JSON)
    levels_to_treat: Mapped[list[str]] = mapped_column(JSON)
    level_mismatch: Mapped[bool] = mapped_column(Boolean)
    mismatch_reason: Mapped[str | None] = mapped_column(Text)


class ProcedureRecord(IdMixin, VersionedMixin, Base):
    __tablename__ = "procedure_records"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), unique=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    time_out_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("time_outs.id"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    sedation: Mapped[str] = mapped_column(String(16))
    fluoroscopy_time_min: Mapped[float] = mapped_column(Float)
    air_kerma_mgy: Mapped[float | None] = mapped_column(Float)
    dose_area_product_gy_cm2: Mapped[float | None] = mapped_column(Float)
    complications: Mapped[list[str]] = mapped_column(JSON)
    complication_details: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    cpt: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_name: Mapped[str | None] = mapped_column(String(200))
    updated_by_name: Mapped[str | None] = mapped_column(String(200))

    levels: Mapped[list[ProcedureLevel]] = relationship(
        back_populates="record",
        cascade="all, delete-orphan",
        order_by="ProcedureLevel.level_order",
        lazy="selectin",
    )


class ProcedureLevel(IdMixin, Base):
    __tablename__ = "procedure_levels"
    __table_args__ = (
        UniqueConstraint("record_id", "level", name="uq_procedure_levels_record_level"),
    )

    record_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procedure_records.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[str] = mapped_column(String(4))
    level_order: Mapped[int]
    technique: Mapped[str] = mapped_column(String(16))
    approach: Mapped[str] = mapped_column(String(16))
    needle: Mapped[str | None] = mapped_column(String(200))
    balloon: Mapped[str | None] = mapped_column(String(200))
    cement_type: Mapped[str] = mapped_column(String(24))
    cement_volume_ml: Mapped[float] = mapped_column(Float)
    leakage: Mapped[list[str]] = mapped_column(JSON)

    record: Mapped[ProcedureRecord] = relationship(back_populates="levels")
