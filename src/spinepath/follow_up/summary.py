"""The whole follow-up picture of one episode, and reminders sent by hand."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.clinical.follow_up import kpi as kpis
from spinepath.clinical.follow_up.schedule import (
    BASELINE,
    contact_state,
    local_date,
)
from spinepath.context import Actor
from spinepath.episodes.models import Episode
from spinepath.errors import Conflict
from spinepath.follow_up.fracture_liaison import liaison_facts, liaison_of
from spinepath.follow_up.models import (
    FollowUpEvent,
    FollowUpPlan,
    FractureLiaison,
    OutcomeRecord,
    ReminderJob,
)
from spinepath.follow_up.plans import ContactView, cancel_jobs, load_contact
from spinepath.follow_up.records import contacts_of, load_episode, plan_of
from spinepath.store.base import utc_now


@dataclass(frozen=True)
class TrajectoryPoint:
    time_point: str
    label: str
    record: OutcomeRecord


@dataclass(frozen=True)
class EpisodeFollowUp:
    episode: Episode
    plan: FollowUpPlan | None
    contacts: list[ContactView]
    trajectory: list[TrajectoryPoint]
    events: list[FollowUpEvent]
    liaison: FractureLiaison | None
    indicators: list[kpis.KpiResult]
    reminders: list[ReminderJob]


def episode_follow_up(
    session: Session, actor: Actor, episode_id: uuid.UUID, *, now: datetime | None = None
) -> EpisodeFollowUp:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = load_episode(session, actor, episode_id)
    now = now or utc_now()
    zone = ZoneInfo(actor.clinic_time_zone)
    plan = plan_of(session, episode.id)
    contacts = contacts_of(session, plan) if plan else []
    views = [
        ContactView(c, contact_state(c.due_date, c.window_end, c.status, now, zone))  # type: ignore[arg-type]
        for c in contacts
    ]
    order = {BASELINE: (date.min, 0)} | {c.code: (c.due_date, c.sequence) for c in contacts}
    labels = {BASELINE: "Baseline"} | {c.code: c.label for c in contacts}
    records = sorted(
        session.scalars(select(OutcomeRecord).where(OutcomeRecord.episode_id == episode.id)),
        key=lambda r: order.get(r.time_point, (r.collected_on, 99)),
    )
    liaison = liaison_of(session, episode.id)
    indicators = kpis.evaluate(liaison_facts(liaison), local_date(now, zone)) if liaison else []
    events = list(
        session.scalars(
            select(FollowUpEvent)
            .where(FollowUpEvent.episode_id == episode.id)
            .order_by(FollowUpEvent.occurred_on)
        )
    )
    reminders = list(
        session.scalars(
            select(ReminderJob)
            .where(ReminderJob.episode_id == episode.id)
            .order_by(ReminderJob.run_at)
        )
    )
    audit.record(session, actor, "read", "follow_up", episode.id, patient_id=episode.patient_id)
    return EpisodeFollowUp(
        episode=episode,
        plan=plan,
        contacts=views,
        trajectory=[
            TrajectoryPoint(r.time_point, labels.get(r.time_point, r.time_point), r)
            for r in records
        ],
        events=events,
        liaison=liaison,
        indicators=indicators,
        reminders=reminders,
    )


def send_reminder_now(
    session: Session,
    actor: Actor,
    contact_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> ReminderJob:
    """Queue the questionnaire email for a planned contact now (the worker sends it)."""
    actor.require(Permission.EDIT_PATIENTS, "send questionnaire links")
    contact = load_contact(session, actor, contact_id)
    if contact.status != "planned":
        raise Conflict(f"this contact is {contact.status}")
    episode = session.get(Episode, contact.episode_id)
    assert episode is not None
    if not episode.patient.email:
        raise InvalidInput([FieldError("email", "the patient has no email address on record")])
    now = now or utc_now()
    cancel_jobs(session, contact.id)
    job = ReminderJob(
        clinic_id=episode.clinic_id,
        episode_id=episode.id,
        patient_id=episode.patient_id,
        contact_id=contact.id,
        time_point=contact.code,
        run_at=now,
        status="pending",
    )
    session.add(job)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "reminder_job",
        job.id,
        patient_id=episode.patient_id,
        detail={"time_point": contact.code},
    )
    return job
