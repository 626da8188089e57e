"""Stored follow-up: plans and their contacts, outcomes, personal links, reminder jobs, events
and fracture-liaison records.

Report filters (the plan's start date, kind and physician) are copied onto the rows reports
aggregate (contacts, outcomes, liaison records), so a report is a handful of indexed GROUP BY
queries with no joins. ``service.refresh_cohort`` keeps the copies in step with the plan.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from spinepath.store.base import Base, IdMixin, VersionedMixin, utc_now


class CohortColumns:
    """What a report filters on, copied from the plan."""

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"))
    anchor_date: Mapped[date]
    anchor_month: Mapped[str] = mapped_column(String(7))  # "2026-11", for rates over time
    plan_kind: Mapped[str] = mapped_column(String(16))
    physician_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


# Report indexes put the GROUP BY columns right after the clinic, so the database groups while
# reading the index in order, and end with the filter columns, so no table row is read.
FILTERS = ("anchor_date", "physician_id", "plan_kind")


class FollowUpSettings(IdMixin, VersionedMixin, Base):
    """A clinic's follow-up schedules and link lifetime (none stored: the defaults)."""

    __tablename__ = "follow_up_settings"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), unique=True)
    schedules: Mapped[dict[str, Any]] = mapped_column(JSON)
    link_valid_days: Mapped[int] = mapped_column(Integer, default=14)
    reminder_hour: Mapped[int] = mapped_column(Integer, default=9)


class FollowUpPlan(IdMixin, VersionedMixin, Base):
    """One episode's follow-up, started at discharge or at the decision to treat conservatively."""

    __tablename__ = "follow_up_plans"
    __table_args__ = (
        Index(
            "ix_follow_up_plans_report",
            "clinic_id",
            "anchor_month",
            "kind",
            "anchor_date",
            "physician_id",
        ),
    )

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"))
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), unique=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # post_procedure | conservative
    anchor_date: Mapped[date]  # the clinic's date the plan starts from
    anchor_month: Mapped[str] = mapped_column(String(7))  # "2026-11", for rates over time
    physician_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(default=utc_now)


class FollowUpContact(CohortColumns, IdMixin, VersionedMixin, Base):
    __tablename__ = "follow_up_contacts"
    __table_args__ = (
        UniqueConstraint("plan_id", "code", name="uq_follow_up_contacts_plan_code"),
        Index(
            "ix_follow_up_contacts_report",
            "clinic_id",
            "code",
            "status",
            "anchor_month",
            "window_end",
            *FILTERS,
        ),
        Index("ix_follow_up_contacts_due", "clinic_id", "status", "due_date"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("follow_up_plans.id", ondelete="CASCADE"))
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(120))
    mode: Mapped[str] = mapped_column(String(8))  # phone | visit
    due_date: Mapped[date]
    window_end: Mapped[date]
    planned_due_date: Mapped[date]  # as first planned, before any rescheduling
    offset_days: Mapped[int] = mapped_column(Integer, default=0)
    offset_months: Mapped[int] = mapped_column(Integer, default=0)
    window_days: Mapped[int] = mapped_column(Integer, default=0)
    reminder_email: Mapped[bool] = mapped_column(Boolean, default=False)
    source_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="planned")  # planned|done|missed|…
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    reschedule_reason: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"))


class OutcomeRecord(CohortColumns, IdMixin, VersionedMixin, Base):
    """Answers at one time point (baseline or a contact), scored by the instruments, with the
    change from baseline and responder status kept beside them."""

    __tablename__ = "outcome_records"
    __table_args__ = (
        UniqueConstraint("episode_id", "time_point", name="uq_outcome_records_episode_time_point"),
        Index(
            "ix_outcome_records_report_nrs",
            "clinic_id",
            "time_point",
            "nrs",
            "nrs_change",
            "nrs_responder",
            *FILTERS,
        ),
        Index(
            "ix_outcome_records_report_odi",
            "clinic_id",
            "time_point",
            "odi_tenths",
            "odi_change_tenths",
            "odi_responder",
            *FILTERS,
        ),
    )

    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("follow_up_contacts.id", ondelete="SET NULL")
    )
    time_point: Mapped[str] = mapped_column(String(32))
    collected_on: Mapped[date]
    method: Mapped[str] = mapped_column(String(16))  # patient_link | phone | visit
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_name: Mapped[str | None] = mapped_column(String(200))
    nrs: Mapped[int | None] = mapped_column(Integer)
    odi_sections: Mapped[list[int | None] | None] = mapped_column(JSON)
    odi_tenths: Mapped[int | None] = mapped_column(Integer)
    odi_band: Mapped[str | None] = mapped_column(String(16))
    rmdq_items: Mapped[list[bool] | None] = mapped_column(JSON)
    rmdq_score: Mapped[int | None] = mapped_column(Integer)
    results: Mapped[dict[str, Any]] = mapped_column(JSON)  # each instrument's full result
    nrs_change: Mapped[int | None] = mapped_column(Integer)
    nrs_responder: Mapped[bool | None] = mapped_column(Boolean)
    odi_change_tenths: Mapped[int | None] = mapped_column(Integer)
    odi_responder: Mapped[bool | None] = mapped_column(Boolean)
    rmdq_change: Mapped[int | None] = mapped_column(Integer)
    rmdq_responder: Mapped[bool | None] = mapped_column(Boolean)


class PatientLink(IdMixin, Base):
    """A personal questionnaire link. Only a hash of its secret is stored; it works for one
    patient, one time point, once, until it expires."""

    __tablename__ = "patient_links"

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("follow_up_contacts.id", ondelete="SET NULL")
    )
    time_point: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("reminder_jobs.id", ondelete="SET NULL")
    )


class ReminderJob(IdMixin, Base):
    """A reminder email waiting in the database queue. Workers claim one with an atomic update
    (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's write lock serialises the claim)."""

    __tablename__ = "reminder_jobs"
    __table_args__ = (Index("ix_reminder_jobs_queue", "status", "run_at"),)

    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinics.id"), index=True)
    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("follow_up_contacts.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32), default="questionnaire_email")
    time_point: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    run_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class FollowUpLevel(CohortColumns, IdMixin, Base):
    """The episode's fracture levels when follow-up started (for volumes by level)."""

    __tablename__ = "follow_up_levels"
    __table_args__ = (
        Index(
            "ix_follow_up_levels_report",
            "clinic_id",
            "plan_kind",
            "level",
            "anchor_date",
            "physician_id",
        ),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("follow_up_plans.id", ondelete="CASCADE"), index=True
    )
    episode_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(4))
    level_order: Mapped[int] = mapped_column(Integer)


class FollowUpEvent(CohortColumns, IdMixin, Base):
    """Something that happened after treatment: a new vertebral fracture, a complication, a
    readmission, a death. Recorded once; never edited (its cohort columns follow the plan)."""

    __tablename__ = "follow_up_events"
    __table_args__ = (
        Index("ix_follow_up_events_report", "clinic_id", "kind", "anchor_month", *FILTERS),
    )

    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    kind: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[date]
    level: Mapped[str | None] = mapped_column(String(4))
    adjacent: Mapped[bool | None] = mapped_column(Boolean)
    complication: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)
    recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_name: Mapped[str | None] = mapped_column(String(200))


class FractureLiaison(CohortColumns, IdMixin, VersionedMixin, Base):
    """Secondary fracture prevention for one episode: the facts the IOF indicators need, and
    whether each is met (deadlines kept so reports compare columns, not dates)."""

    __tablename__ = "fracture_liaison"
    __table_args__ = (
        Index(
            "ix_fracture_liaison_report",
            "clinic_id",
            "anchor_month",
            *FILTERS,
            "dxa_met",
            "dxa_deadline",
            "treatment_met",
            "treatment_deadline",
            "adherence_met",
            "adherence_checked",
            "adherence_due",
        ),
    )

    episode_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), unique=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    fracture_date: Mapped[date]
    dxa_date: Mapped[date | None]
    treatment_start_date: Mapped[date | None]
    medicine: Mapped[str | None] = mapped_column(String(64))
    adherence_checked_on: Mapped[date | None]
    still_on_treatment: Mapped[bool | None] = mapped_column(Boolean)
    falls_assessed_on: Mapped[date | None]
    usual_doctor_name: Mapped[str | None] = mapped_column(String(200))
    usual_doctor_address: Mapped[str | None] = mapped_column(Text)
    letter_printed_at: Mapped[datetime | None]
    dxa_deadline: Mapped[date]
    treatment_deadline: Mapped[date]
    adherence_due: Mapped[date]
    dxa_met: Mapped[bool] = mapped_column(Boolean, default=False)
    treatment_met: Mapped[bool] = mapped_column(Boolean, default=False)
    adherence_met: Mapped[bool] = mapped_column(Boolean, default=False)
    adherence_checked: Mapped[bool] = mapped_column(Boolean, default=False)
