from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spinepath.patients.models import Patient
from spinepath.store.base import Base, IdMixin, VersionedMixin, utc_now


class Episode(IdMixin, VersionedMixin, Base):
    __tablename__ = "episodes"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    stage: Mapped[str] = mapped_column(String(32), index=True)
    stage_entered_at: Mapped[datetime] = mapped_column(default=utc_now)
    opened_at: Mapped[datetime] = mapped_column(default=utc_now)
    closed_at: Mapped[datetime | None]
    referral_source: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    responsible_physician_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    patient: Mapped[Patient] = relationship(lazy="joined")
    fractures: Mapped[list[Fracture]] = relationship(
        back_populates="episode", cascade="all, delete-orphan", order_by="Fracture.level_order"
    )
    transitions: Mapped[list[StageTransition]] = relationship(
        cascade="all, delete-orphan", order_by="StageTransition.occurred_at"
    )
    tasks: Mapped[list[Task]] = relationship(
        back_populates="episode", cascade="all, delete-orphan", order_by="Task.due_at"
    )


class Fracture(IdMixin, VersionedMixin, Base):
    __tablename__ = "fractures"
    __table_args__ = (UniqueConstraint("episode_id", "level", name="uq_fractures_episode_level"),)

    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[str] = mapped_column(String(4))
    # Craniocaudal position (C1 = 0), so fractures list from the top of the spine down.
    level_order: Mapped[int]
    onset_date: Mapped[date | None]
    etiology: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)

    episode: Mapped[Episode] = relationship(back_populates="fractures")


class StageTransition(IdMixin, Base):
    """One move of an episode between stages. Never edited once written."""

    __tablename__ = "stage_transitions"

    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    from_stage: Mapped[str | None] = mapped_column(String(32))
    to_stage: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(default=utc_now)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    # A physician's override of unmet gate requirements: what was unmet, and why it was moved.
    overridden: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    override_reason: Mapped[str | None] = mapped_column(Text)
    event_date: Mapped[date | None]  # e.g. the date of death


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Task(IdMixin, VersionedMixin, Base):
    __tablename__ = "tasks"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    owner_role: Mapped[str] = mapped_column(String(32), index=True)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.OPEN.value, index=True)
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    episode: Mapped[Episode] = relationship(back_populates="tasks")


class AppointmentKind(StrEnum):
    CONSULTATION = "consultation"
    IMAGING = "imaging"
    PROCEDURE = "procedure"
    FOLLOW_UP = "follow_up"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


class Appointment(IdMixin, VersionedMixin, Base):
    """A dated appointment of the episode: where and with whom the patient is expected."""

    __tablename__ = "appointments"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int] = mapped_column(default=30)
    place: Mapped[str | None] = mapped_column(String(200))
    with_whom: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=AppointmentStatus.BOOKED.value)
    booked_by_name: Mapped[str | None] = mapped_column(String(200))
