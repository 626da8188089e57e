"""Stored recovery records.

- ``RecoverySettings``: a clinic's observation minimum and schedule (defaults in the core).
- ``RecoveryStay``: one per episode, from arrival in recovery to discharge or overnight
  admission, with the discharge checklist (optimistic locking: two nurses editing it at once
  are told when the other saved first).
- ``ObservationSet`` and its ``Observation`` rows: time-stamped vital signs with units (UCUM),
  LOINC codes and who recorded them, plus the NEWS2 computed from them. Never edited.
- ``RecoveryScore``: a modified Aldrete or PADSS score with the items derived from baseline
  vitals. Never edited.
- ``RecoveryAlert``: a NEWS2 threshold crossing, with the task it raised, open until a clinician
  acknowledges it (with the action taken and, for an emergency, the responder's arrival) or a
  later set scores below its threshold (resolved). Every alert is kept as the alert history.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spinepath.patients.models import Patient
from spinepath.store.base import Base, IdMixin, VersionedMixin, utc_now

# Parameters kept with decimals; every other number is a whole count or pressure.
DECIMAL_PARAMETERS = frozenset({"temperature_c"})


class RecoverySettings(IdMixin, VersionedMixin, Base):
    __tablename__ = "recovery_settings"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), unique=True)
    observation_minimum_minutes: Mapped[int] = mapped_column(Integer)
    observation_interval_minutes: Mapped[int] = mapped_column(Integer)
    discharge_news2_below: Mapped[int] = mapped_column(Integer, server_default="5")
    updated_by_name: Mapped[str | None] = mapped_column(String(200))


class RecoveryStay(IdMixin, VersionedMixin, Base):
    __tablename__ = "recovery_stays"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), unique=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    procedure_record_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("procedure_records.id"))
    # in_recovery, admitted (overnight), discharged
    status: Mapped[str] = mapped_column(String(16), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utc_now)
    procedure_ended_at: Mapped[datetime]
    sedation_given: Mapped[bool] = mapped_column(Boolean)
    responsible_clinician_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    observation_interval_minutes: Mapped[int | None] = mapped_column(Integer)
    escort_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    escort_name: Mapped[str | None] = mapped_column(String(200))
    pain_relief_given: Mapped[bool] = mapped_column(Boolean, default=False)
    antibiotics_prescribed: Mapped[bool] = mapped_column(Boolean, default=False)
    antibiotics_given: Mapped[bool] = mapped_column(Boolean, default=False)
    instructions_given: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up_booked: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up_note: Mapped[str | None] = mapped_column(String(200))
    admission_reason: Mapped[str | None] = mapped_column(Text)
    admitted_at: Mapped[datetime | None]
    discharged_at: Mapped[datetime | None]
    discharged_by_name: Mapped[str | None] = mapped_column(String(200))
    updated_by_name: Mapped[str | None] = mapped_column(String(200))

    patient: Mapped[Patient] = relationship(lazy="joined")


class ObservationSet(IdMixin, Base):
    __tablename__ = "observation_sets"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # baseline (pre-procedure) or recovery
    observed_at: Mapped[datetime] = mapped_column(index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_name: Mapped[str | None] = mapped_column(String(200))
    news2_total: Mapped[int] = mapped_column(Integer)
    news2_risk: Mapped[str] = mapped_column(String(16))
    news2: Mapped[dict[str, Any]] = mapped_column(JSON)

    observations: Mapped[list[Observation]] = relationship(
        back_populates="observation_set",
        cascade="all, delete-orphan",
        order_by="Observation.position",
        lazy="selectin",
    )

    def values(self) -> dict[str, Any]:
        """The set as the vital-sign fields it was entered with."""
        return {row.parameter: row.value for row in self.observations}


class Observation(IdMixin, Base):
    __tablename__ = "observations"

    set_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("observation_sets.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    parameter: Mapped[str] = mapped_column(String(32))
    value_number: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(String(16))
    value_boolean: Mapped[bool | None] = mapped_column(Boolean)
    unit: Mapped[str | None] = mapped_column(String(16))  # UCUM
    codings: Mapped[list[dict[str, str]]] = mapped_column(JSON)

    observation_set: Mapped[ObservationSet] = relationship(back_populates="observations")

    @property
    def value(self) -> Any:
        if self.value_boolean is not None:
            return self.value_boolean
        if self.value_text is not None:
            return self.value_text
        if self.value_number is None or self.parameter in DECIMAL_PARAMETERS:
            return self.value_number
        return int(self.value_number)


class RecoveryScore(IdMixin, Base):
    __tablename__ = "recovery_scores"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    stay_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("recovery_stays.id", ondelete="CASCADE"), index=True
    )
    instrument: Mapped[str] = mapped_column(String(16))  # aldrete or padss
    total: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    scored_at: Mapped[datetime] = mapped_column(default=utc_now)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_name: Mapped[str | None] = mapped_column(String(200))


class RecoveryAlert(IdMixin, VersionedMixin, Base):
    __tablename__ = "recovery_alerts"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    observation_set_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("observation_sets.id"))
    level: Mapped[str] = mapped_column(String(24))
    news2_total: Mapped[int] = mapped_column(Integer)
    risk: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(default=utc_now)
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_by_name: Mapped[str | None] = mapped_column(String(200))
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)
    # Who was called and what was done (required for urgent and emergency alerts).
    action_taken: Mapped[str | None] = mapped_column(Text)
    responder_arrived_at: Mapped[datetime | None]  # required for emergency alerts
    # A later set scored below the alert's threshold before anyone acknowledged it.
    resolved_at: Mapped[datetime | None]
    resolved_news2_total: Mapped[int | None] = mapped_column(Integer)
