"""Stored consultation facts, assessments and decisions.

- ``CaseFacts``: one row per episode, the consultation facts the episode does not already know
  (optimistic locking through ``version``).
- ``Assessment``: one evaluation of an episode's facts, with the exact case it was computed from,
  the result, the criteria sets and editions, who and when. Append-only: the migration installs
  triggers that refuse UPDATE and DELETE.
- ``AssessmentDecision``: the physician's decision beside the assessment it was made on (at most
  one per assessment). Append-only as well.
- ``CriteriaSetChoice``: the criteria sets a clinic applies (none stored: every registered set).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spinepath.store.base import Base, IdMixin, VersionedMixin, utc_now


class CaseFacts(IdMixin, VersionedMixin, Base):
    __tablename__ = "case_facts"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), unique=True
    )
    # The facts document (see schemas.FactsIn), per-fracture facts keyed by fracture id.
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    updated_by_name: Mapped[str | None] = mapped_column(String(200))


class Assessment(IdMixin, Base):
    """One evaluation, kept as computed. Never edited."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("episode_id", "number", name="uq_assessments_episode_number"),
    )

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    # 1, 2, 3 … within the episode: each evaluation is a new version, the earlier ones are kept.
    number: Mapped[int] = mapped_column(Integer)
    # The version of the episode's facts that was evaluated (0: none had been recorded).
    facts_version: Mapped[int] = mapped_column(Integer)
    assessment_date: Mapped[date]
    # "facts" when the facts gave the date; "clinic_today" when it was today in the clinic's zone.
    assessment_date_source: Mapped[str] = mapped_column(String(16))
    engine: Mapped[str] = mapped_column(String(40))
    engine_edition: Mapped[str] = mapped_column(String(40))
    # [{"name", "title", "edition"}], in the order applied.
    criteria_sets: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    # The exact case given to the clinical core, and where each part of it came from.
    evaluated_case: Mapped[dict[str, Any]] = mapped_column(JSON)
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    action: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_by_name: Mapped[str | None] = mapped_column(String(200))

    decision: Mapped[AssessmentDecision | None] = relationship(
        back_populates="assessment", lazy="selectin", uselist=False
    )


class AssessmentDecision(IdMixin, Base):
    """The physician's decision, beside the assessment it was made on. Never edited."""

    __tablename__ = "assessment_decisions"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    assessment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), unique=True
    )
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[str] = mapped_column(String(48))
    procedure: Mapped[str | None] = mapped_column(String(24))
    rationale: Mapped[str] = mapped_column(Text)
    # The suggestion of the assessment, copied so the record reads on its own.
    suggested_action: Mapped[str] = mapped_column(String(40))
    decided_at: Mapped[datetime] = mapped_column(default=utc_now)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_by_name: Mapped[str | None] = mapped_column(String(200))

    assessment: Mapped[Assessment] = relationship(back_populates="decision")


class CriteriaSetChoice(IdMixin, VersionedMixin, Base):
    """The criteria sets a clinic applies, in order."""

    __tablename__ = "criteria_set_choices"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), unique=True)
    criteria_sets: Mapped[list[str]] = mapped_column(JSON)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    updated_by_name: Mapped[str | None] = mapped_column(String(200))
