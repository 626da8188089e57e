"""Follow-up plans and their contacts: started at discharge, rescheduled, marked, reminded."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from spinepath.accounts.models import User
from spinepath.accounts.roles import Permission, Role
from spinepath.audit import service as audit
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.clinical.follow_up.schedule import (
    ContactTemplate,
    PlanKind,
    contact_state,
    due_date_for,
    last_moment_of,
    local_date,
    plan_contacts,
)
from spinepath.context import Actor
from spinepath.episodes import tasks
from spinepath.episodes.appointments import booked
from spinepath.episodes.models import AppointmentKind, Episode
from spinepath.episodes.pathway import TERMINAL, Stage
from spinepath.errors import Conflict, NotFound
from spinepath.follow_up.fracture_liaison import liaison_of, start_liaison, sync_liaison
from spinepath.follow_up.models import (
    FollowUpContact,
    FollowUpEvent,
    FollowUpLevel,
    FollowUpPlan,
    FractureLiaison,
    OutcomeRecord,
    PatientLink,
    ReminderJob,
)
from spinepath.follow_up.records import cohort_of, contacts_of, load_episode, plan_of
from spinepath.follow_up.schemas import (
    ContactUpdate,
    PlanIn,
    PlanUpdate,
    RescheduleIn,
)
from spinepath.follow_up.settings import ClinicFollowUp, clinic_settings, clinic_zone
from spinepath.store.base import utc_now
from spinepath.store.lookups import in_clinic
from spinepath.versioning import check_version

PLAN_FOR_STAGE: dict[Stage, PlanKind] = {
    Stage.DISCHARGED: PlanKind.POST_PROCEDURE,
    Stage.TREATED_CONSERVATIVELY: PlanKind.CONSERVATIVE,
}
# Stages in which an episode can have a follow-up plan started by hand.
PLANNABLE_STAGES = frozenset({Stage.DISCHARGED, Stage.FOLLOW_UP, Stage.TREATED_CONSERVATIVELY})
# A contact that replaces a task the pathway already creates, so the worklist has one, not two.
PATHWAY_TASK_FOR_CONTACT = {"day_1": "phone_check"}
CONTACT_TASK_CODE = "follow_up_contact"


def on_stage_entered(
    session: Session, actor: Actor, episode: Episode, stage: Stage, now: datetime
) -> None:
    """Called by the episode flow whenever an episode enters a stage: discharge or "treated
    conservatively" starts the follow-up plan; an ended episode stops its reminders."""
    kind = PLAN_FOR_STAGE.get(stage)
    if kind is not None and plan_of(session, episode.id) is None:
        zone = ZoneInfo(actor.clinic_time_zone)
        physician = actor.user_id if Role.PHYSICIAN in actor.roles else None
        _start_plan(
            session,
            actor,
            episode,
            kind,
            local_date(now, zone),
            episode.responsible_physician_id or physician,
            now,
        )
    if stage in TERMINAL:
        plan = plan_of(session, episode.id)
        if plan is not None:
            for contact in contacts_of(session, plan):
                if contact.status == "planned":
                    contact.status = "cancelled"
                    cancel_jobs(session, contact.id)
            _revoke_links(session, episode.id, now)


def create_plan(
    session: Session, actor: Actor, episode_id: uuid.UUID, data: PlanIn, *, now: datetime | None
) -> FollowUpPlan:
    """Start follow-up by hand (an episode discharged before plans existed, or entered later)."""
    actor.require(Permission.ADVANCE_EPISODES, "start follow-up plans")
    episode = load_episode(session, actor, episode_id)
    now = now or utc_now()
    if Stage(episode.stage) not in PLANNABLE_STAGES:
        raise Conflict(
            f"follow-up starts at discharge or after conservative treatment; this episode is "
            f"at {episode.stage}"
        )
    if plan_of(session, episode.id) is not None:
        raise Conflict("this episode already has a follow-up plan; change it instead")
    zone = ZoneInfo(actor.clinic_time_zone)
    anchor = data.anchor_date or local_date(now, zone)
    physician = _check_physician(session, actor, data.physician_id)
    return _start_plan(session, actor, episode, data.kind, anchor, physician, now)


def _check_physician(
    session: Session, actor: Actor, physician_id: uuid.UUID | None
) -> uuid.UUID | None:
    if physician_id is None:
        return None
    user = session.get(User, physician_id)
    if user is None or user.clinic_id != actor.clinic_id or Role.PHYSICIAN not in user.roles:
        raise InvalidInput([FieldError("physician_id", "no physician with this id in this clinic")])
    return user.id


def _start_plan(
    session: Session,
    actor: Actor,
    episode: Episode,
    kind: PlanKind,
    anchor: date,
    physician_id: uuid.UUID | None,
    now: datetime,
) -> FollowUpPlan:
    settings = clinic_settings(session, episode.clinic_id)
    zone = ZoneInfo(actor.clinic_time_zone)
    plan = FollowUpPlan(
        clinic_id=episode.clinic_id,
        episode_id=episode.id,
        patient_id=episode.patient_id,
        kind=kind.value,
        anchor_date=anchor,
        anchor_month=anchor.strftime("%Y-%m"),
        physician_id=physician_id,
        started_at=now,
    )
    session.add(plan)
    session.flush()
    templates = {t.code: t for t in settings.schedules.for_kind(kind)}
    for planned in plan_contacts(tuple(templates.values()), anchor):
        template = templates[planned.code]
        contact = FollowUpContact(
            **cohort_of(plan),
            plan_id=plan.id,
            episode_id=episode.id,
            sequence=planned.sequence,
            code=planned.code,
            label=planned.label,
            mode=planned.mode.value,
            due_date=planned.due_date,
            window_end=planned.window_end,
            planned_due_date=planned.due_date,
            offset_days=template.offset_days,
            offset_months=template.offset_months,
            window_days=template.window_days,
            reminder_email=planned.reminder_email,
            source_id=planned.source_id,
            status="planned",
        )
        session.add(contact)
        session.flush()
        _attach_task(session, episode, contact, zone)
        _schedule_reminder(session, episode, contact, settings, zone, now)
    start_liaison(session, actor, episode, plan, zone, now)
    visit = booked(session, episode.id, AppointmentKind.FOLLOW_UP)
    if visit is not None and local_date(visit.starts_at, zone) >= anchor:
        take_booked_visit(session, actor, episode.id, visit.starts_at, now)
    for fracture in episode.fractures:
        session.add(
            FollowUpLevel(
                **cohort_of(plan),
                plan_id=plan.id,
                episode_id=episode.id,
                level=fracture.level,
                level_order=fracture.level_order,
            )
        )
    session.flush()
    refresh_cohort(session, plan)  # answers and events recorded before follow-up started
    audit.record(
        session,
        actor,
        "create",
        "follow_up_plan",
        plan.id,
        patient_id=episode.patient_id,
        detail={"kind": plan.kind, "anchor_date": anchor.isoformat()},
    )
    return plan


def _attach_task(
    session: Session, episode: Episode, contact: FollowUpContact, zone: ZoneInfo
) -> None:
    due_at = last_moment_of(contact.window_end, zone)
    pathway_code = PATHWAY_TASK_FOR_CONTACT.get(contact.code)
    task = tasks.open_task_with_code(session, episode.id, pathway_code) if pathway_code else None
    if task is None:
        task = tasks.add_task(
            session,
            episode,
            code=CONTACT_TASK_CODE,
            title=contact.label,
            owner_role="nurse" if contact.mode == "phone" else "coordinator",
            due_at=due_at,
        )
    else:
        task.due_at = due_at
    contact.task_id = task.id


def _sync_task(
    session: Session, contact: FollowUpContact, actor: Actor, zone: ZoneInfo, now: datetime
) -> None:
    """The contact's worklist task follows the contact: open while planned, done or cancelled
    with it."""
    task = tasks.task_by_id(session, contact.task_id)
    if task is None:
        return
    if contact.status == "planned":
        tasks.reopen_task(task, last_moment_of(contact.window_end, zone))
    elif contact.status == "done":
        tasks.complete_task(task, actor, now)
    else:
        tasks.cancel_task(task)


def _reminder_moment(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone)


def _schedule_reminder(
    session: Session,
    episode: Episode,
    contact: FollowUpContact,
    settings: ClinicFollowUp,
    zone: ZoneInfo,
    now: datetime,
) -> None:
    if not contact.reminder_email or contact.status != "planned":
        return
    if local_date(now, zone) > contact.window_end:
        return  # too late to ask: the contact is already overdue
    run_at = max(_reminder_moment(contact.due_date, settings.reminder_hour, zone), now)
    session.add(
        ReminderJob(
            clinic_id=episode.clinic_id,
            episode_id=episode.id,
            patient_id=episode.patient_id,
            contact_id=contact.id,
            time_point=contact.code,
            run_at=run_at,
            status="pending",
        )
    )


def cancel_jobs(session: Session, contact_id: uuid.UUID) -> None:
    session.execute(
        update(ReminderJob)
        .where(ReminderJob.contact_id == contact_id, ReminderJob.status == "pending")
        .values(status="cancelled")
    )


def _revoke_links(session: Session, episode_id: uuid.UUID, now: datetime) -> None:
    session.execute(
        update(PatientLink)
        .where(
            PatientLink.episode_id == episode_id,
            PatientLink.used_at.is_(None),
            PatientLink.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


def load_contact(session: Session, actor: Actor, contact_id: uuid.UUID) -> FollowUpContact:
    return in_clinic(session, actor, FollowUpContact, contact_id, "follow-up contact")


def reschedule_contact(
    session: Session,
    actor: Actor,
    contact_id: uuid.UUID,
    data: RescheduleIn,
    *,
    if_match_version: int | None = None,
    now: datetime | None = None,
) -> FollowUpContact:
    """Move one planned contact; its window keeps its length, its task and reminder move too."""
    actor.require(Permission.WORK_TASKS, "reschedule follow-up contacts")
    contact = load_contact(session, actor, contact_id)
    expected = if_match_version if if_match_version is not None else data.version
    check_version("contact", contact.version, expected, via_if_match=if_match_version is not None)
    if contact.status != "planned":
        raise Conflict(f"this contact is {contact.status}; only a planned contact can be moved")
    _move_contact(session, actor, contact, data.due_date, data.reason, now or utc_now())
    return contact


def _move_contact(
    session: Session,
    actor: Actor,
    contact: FollowUpContact,
    day: date,
    reason: str | None,
    now: datetime,
) -> None:
    """The contact moves to ``day``; its window keeps its length, its task and reminder move."""
    zone = ZoneInfo(actor.clinic_time_zone)
    previous = contact.due_date
    window = contact.window_end - contact.due_date
    contact.due_date = day
    contact.window_end = day + window
    contact.reschedule_reason = reason
    _sync_task(session, contact, actor, zone, now)
    cancel_jobs(session, contact.id)
    episode = session.get(Episode, contact.episode_id)
    assert episode is not None
    _schedule_reminder(
        session, episode, contact, clinic_settings(session, contact.clinic_id), zone, now
    )
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "follow_up_contact",
        contact.id,
        patient_id=episode.patient_id,
        detail={"from": previous.isoformat(), "to": day.isoformat()},
    )


def take_booked_visit(
    session: Session, actor: Actor, episode_id: uuid.UUID, starts_at: datetime, now: datetime
) -> FollowUpContact | None:
    """A booked follow-up visit: the planned clinic visit nearest to it moves to its day, so the
    schedule, the reminder and the worklist agree with the booking."""
    plan = plan_of(session, episode_id)
    if plan is None:
        return None
    day = local_date(starts_at, ZoneInfo(actor.clinic_time_zone))
    visits = [c for c in contacts_of(session, plan) if c.status == "planned" and c.mode != "phone"]
    if not visits:
        return None
    nearest = min(visits, key=lambda c: (abs((c.due_date - day).days), c.sequence))
    if nearest.due_date != day:
        _move_contact(session, actor, nearest, day, "booked visit", now)
    return nearest


def set_contact_status(
    session: Session,
    actor: Actor,
    contact_id: uuid.UUID,
    data: ContactUpdate,
    *,
    if_match_version: int | None = None,
    now: datetime | None = None,
) -> FollowUpContact:
    actor.require(Permission.WORK_TASKS, "record follow-up contacts")
    contact = load_contact(session, actor, contact_id)
    expected = if_match_version if if_match_version is not None else data.version
    check_version("contact", contact.version, expected, via_if_match=if_match_version is not None)
    now = now or utc_now()
    set_status(session, contact, data.status, actor, now)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "follow_up_contact",
        contact.id,
        patient_id=_patient_of(session, contact.episode_id),
        detail={"status": data.status},
    )
    return contact


def set_status(
    session: Session, contact: FollowUpContact, status: str, actor: Actor, now: datetime
) -> None:
    zone = clinic_zone(session, contact.clinic_id)
    contact.status = status
    contact.completed_at = now if status == "done" else None
    contact.completed_by_id = actor.user_id if status == "done" else None
    _sync_task(session, contact, actor, zone, now)
    if status != "planned":
        cancel_jobs(session, contact.id)


def _patient_of(session: Session, episode_id: uuid.UUID) -> uuid.UUID | None:
    return session.scalar(select(Episode.patient_id).where(Episode.id == episode_id))


def update_plan(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: PlanUpdate,
    *,
    if_match_version: int | None = None,
    now: datetime | None = None,
) -> FollowUpPlan:
    """Change the start date (every contact still planned is planned again from it) or the
    responsible physician."""
    actor.require(Permission.ADVANCE_EPISODES, "change follow-up plans")
    episode = load_episode(session, actor, episode_id)
    plan = plan_of(session, episode.id)
    if plan is None:
        raise NotFound("follow-up plan of episode", episode_id)
    expected = if_match_version if if_match_version is not None else data.version
    check_version("plan", plan.version, expected, via_if_match=if_match_version is not None)
    now = now or utc_now()
    zone = ZoneInfo(actor.clinic_time_zone)
    changes: dict[str, Any] = {}
    if data.clear_physician:
        plan.physician_id = None
        changes["physician_id"] = None
    elif data.physician_id is not None:
        plan.physician_id = _check_physician(session, actor, data.physician_id)
        changes["physician_id"] = str(plan.physician_id)
    if data.anchor_date is not None and data.anchor_date != plan.anchor_date:
        changes["anchor_date"] = data.anchor_date.isoformat()
        plan.anchor_date = data.anchor_date
        plan.anchor_month = data.anchor_date.strftime("%Y-%m")
        settings = clinic_settings(session, plan.clinic_id)
        for contact in contacts_of(session, plan):
            if contact.status != "planned":
                continue
            template = ContactTemplate(
                code=contact.code,
                label=contact.label,
                mode=contact.mode,
                offset_days=contact.offset_days,
                offset_months=contact.offset_months,
                window_days=contact.window_days,
            )
            contact.due_date = due_date_for(template, plan.anchor_date)
            contact.window_end = contact.due_date + timedelta(days=contact.window_days)
            contact.planned_due_date = contact.due_date
            _sync_task(session, contact, actor, zone, now)
            cancel_jobs(session, contact.id)
            _schedule_reminder(session, episode, contact, settings, zone, now)
        liaison = liaison_of(session, episode.id)
        if liaison is not None:
            sync_liaison(session, actor, episode, liaison, zone, now)
    refresh_cohort(session, plan)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "follow_up_plan",
        plan.id,
        patient_id=episode.patient_id,
        detail=changes,
    )
    return plan


def refresh_cohort(session: Session, plan: FollowUpPlan) -> None:
    """Copy the plan's report filters onto every row of its episode that reports count."""
    values = cohort_of(plan)
    for model in (FollowUpContact, OutcomeRecord, FractureLiaison, FollowUpEvent, FollowUpLevel):
        for row in session.scalars(select(model).where(model.episode_id == plan.episode_id)):
            for name, value in values.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)


@dataclass(frozen=True)
class ContactView:
    contact: FollowUpContact
    state: str


def contacts_in_state(
    session: Session,
    actor: Actor,
    *,
    as_of: datetime | None = None,
    states: frozenset[str] = frozenset({"due", "overdue"}),
    limit: int = 200,
) -> list[ContactView]:
    """The clinic's planned contacts that are due or overdue (by the clinic's calendar)."""
    actor.require(Permission.READ_PATIENTS, "see follow-up contacts")
    as_of = as_of or utc_now()
    zone = ZoneInfo(actor.clinic_time_zone)
    today = local_date(as_of, zone)
    query = select(FollowUpContact).where(
        FollowUpContact.clinic_id == actor.clinic_id, FollowUpContact.status == "planned"
    )
    if "upcoming" not in states:
        query = query.where(FollowUpContact.due_date <= today)
    if "due" not in states and "upcoming" not in states:
        query = query.where(FollowUpContact.window_end < today)
    found: list[ContactView] = []
    for contact in session.scalars(query.order_by(FollowUpContact.due_date).limit(limit)):
        state = contact_state(contact.due_date, contact.window_end, "planned", as_of, zone)
        if state in states:
            found.append(ContactView(contact, state))
    audit.record(
        session,
        actor,
        "read",
        "follow_up_contacts",
        detail={"episode_ids": sorted({str(view.contact.episode_id) for view in found})},
    )
    return found
