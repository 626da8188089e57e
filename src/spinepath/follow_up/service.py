"""Use cases for follow-up: plans and contacts, outcomes, links, reminders, events, liaison.

Every state change is one function here: the place for validation, audit and side effects
(tasks on the worklist, reminder jobs). Clinical rules come from ``spinepath.clinical.follow_up``.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from spinepath.accounts.models import Clinic, User
from spinepath.accounts.roles import Permission, Role
from spinepath.audit import service as audit
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.clinical.follow_up import kpi as kpis
from spinepath.clinical.follow_up.responder import Scores, compare, odi_tenths_from_percent
from spinepath.clinical.follow_up.schedule import (
    BASELINE,
    ContactTemplate,
    PlanKind,
    ScheduleConfig,
    contact_state,
    due_date_for,
    last_moment_of,
    local_date,
    parse_schedule_config,
    plan_contacts,
)
from spinepath.clinical.instruments.registry import get_instrument
from spinepath.clinical.levels import level_index, normalise_level
from spinepath.context import Actor
from spinepath.episodes.models import Episode, Task
from spinepath.episodes.pathway import TERMINAL, Stage
from spinepath.errors import Conflict, DomainError, NotFound
from spinepath.follow_up.models import (
    FollowUpContact,
    FollowUpEvent,
    FollowUpLevel,
    FollowUpPlan,
    FollowUpSettings,
    FractureLiaison,
    OutcomeRecord,
    PatientLink,
    ReminderJob,
)
from spinepath.follow_up.schemas import (
    ContactUpdate,
    EventIn,
    EventKind,
    LiaisonUpdate,
    OutcomeIn,
    PatientAnswersIn,
    PlanIn,
    PlanUpdate,
    RescheduleIn,
    SettingsIn,
)
from spinepath.store.base import utc_now
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
DEFAULT_LINK_VALID_DAYS = 14
DEFAULT_REMINDER_HOUR = 9


class LinkGone(DomainError):
    """The personal link was used, expired or withdrawn."""

    status = 410
    title = "Link no longer works"

    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(detail)
        self.reason = reason


# ── clinic settings ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ClinicFollowUp:
    schedules: ScheduleConfig
    link_valid_days: int
    reminder_hour: int
    version: int | None  # None: nothing stored, the defaults apply


def clinic_settings(session: Session, clinic_id: uuid.UUID) -> ClinicFollowUp:
    row = session.scalar(select(FollowUpSettings).where(FollowUpSettings.clinic_id == clinic_id))
    if row is None:
        return ClinicFollowUp(
            ScheduleConfig(), DEFAULT_LINK_VALID_DAYS, DEFAULT_REMINDER_HOUR, None
        )
    return ClinicFollowUp(
        parse_schedule_config(row.schedules), row.link_valid_days, row.reminder_hour, row.version
    )


def update_settings(session: Session, actor: Actor, data: SettingsIn) -> ClinicFollowUp:
    """Clinic administrators set the clinic's schedules (new plans use them)."""
    actor.require(Permission.MANAGE_USERS, "change the clinic's follow-up settings")
    assert actor.clinic_id is not None
    prefixed: list[FieldError] = []
    unknown = set(data.schedules) - {kind.value for kind in PlanKind}
    prefixed += [FieldError(f"schedules.{name}", "not a kind of plan") for name in sorted(unknown)]
    try:
        config = parse_schedule_config(data.schedules)
    except InvalidInput as invalid:
        prefixed += [FieldError(f"schedules.{e.field}", e.message) for e in invalid.errors]
    if prefixed:
        raise InvalidInput(prefixed)
    row = session.scalar(
        select(FollowUpSettings).where(FollowUpSettings.clinic_id == actor.clinic_id)
    )
    stored = config.model_dump(mode="json")
    if row is None:
        row = FollowUpSettings(clinic_id=actor.clinic_id, schedules=stored)
        session.add(row)
    else:
        check_version("follow-up settings", row.version, data.version)
        row.schedules = stored
    row.link_valid_days = data.link_valid_days
    row.reminder_hour = data.reminder_hour
    session.flush()
    audit.record(session, actor, "update", "follow_up_settings", row.id)
    return clinic_settings(session, actor.clinic_id)


def clinic_zone(session: Session, clinic_id: uuid.UUID) -> ZoneInfo:
    clinic = session.get(Clinic, clinic_id)
    return ZoneInfo(clinic.time_zone if clinic else "UTC")


# ── plans and contacts ───────────────────────────────────────────────────────────────────────


def load_episode(session: Session, actor: Actor, episode_id: uuid.UUID) -> Episode:
    episode = session.get(Episode, episode_id)
    if episode is None or episode.clinic_id != actor.clinic_id:
        raise NotFound("episode", episode_id)
    return episode


def plan_of(session: Session, episode_id: uuid.UUID) -> FollowUpPlan | None:
    return session.scalar(select(FollowUpPlan).where(FollowUpPlan.episode_id == episode_id))


def _contacts(session: Session, plan: FollowUpPlan) -> list[FollowUpContact]:
    return list(
        session.scalars(
            select(FollowUpContact)
            .where(FollowUpContact.plan_id == plan.id)
            .order_by(FollowUpContact.due_date, FollowUpContact.sequence)
        )
    )


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
            for contact in _contacts(session, plan):
                if contact.status == "planned":
                    contact.status = "cancelled"
                    _cancel_jobs(session, contact.id)
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
    _start_liaison(session, episode, plan, zone, now)
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
    task = None
    if pathway_code is not None:
        task = session.scalar(
            select(Task).where(
                Task.episode_id == episode.id, Task.code == pathway_code, Task.status == "open"
            )
        )
    if task is None:
        task = Task(
            clinic_id=episode.clinic_id,
            episode_id=episode.id,
            stage=episode.stage,
            code=CONTACT_TASK_CODE,
            title=contact.label,
            owner_role="nurse" if contact.mode == "phone" else "coordinator",
            due_at=due_at,
        )
        session.add(task)
    else:
        task.due_at = due_at
    session.flush()
    contact.task_id = task.id


def _sync_task(session: Session, contact: FollowUpContact, zone: ZoneInfo, now: datetime) -> None:
    task = session.get(Task, contact.task_id) if contact.task_id else None
    if task is None:
        return
    if contact.status == "planned":
        task.status = "open"
        task.due_at = last_moment_of(contact.window_end, zone)
        task.completed_at = None
    elif contact.status == "done":
        if task.status != "done":
            task.status, task.completed_at = "done", now
    elif task.status == "open":
        task.status = "cancelled"


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


def _cancel_jobs(session: Session, contact_id: uuid.UUID) -> None:
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
    contact = session.get(FollowUpContact, contact_id)
    if contact is None or contact.clinic_id != actor.clinic_id:
        raise NotFound("follow-up contact", contact_id)
    return contact


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
    now = now or utc_now()
    zone = ZoneInfo(actor.clinic_time_zone)
    previous = contact.due_date
    window = contact.window_end - contact.due_date
    contact.due_date = data.due_date
    contact.window_end = data.due_date + window
    contact.reschedule_reason = data.reason
    _sync_task(session, contact, zone, now)
    _cancel_jobs(session, contact.id)
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
        detail={"from": previous.isoformat(), "to": data.due_date.isoformat()},
    )
    return contact


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
    _set_status(session, contact, data.status, actor, now)
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


def _set_status(
    session: Session, contact: FollowUpContact, status: str, actor: Actor, now: datetime
) -> None:
    zone = clinic_zone(session, contact.clinic_id)
    contact.status = status
    contact.completed_at = now if status == "done" else None
    contact.completed_by_id = actor.user_id if status == "done" else None
    _sync_task(session, contact, zone, now)
    if status != "planned":
        _cancel_jobs(session, contact.id)


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
        for contact in _contacts(session, plan):
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
            _sync_task(session, contact, zone, now)
            _cancel_jobs(session, contact.id)
            _schedule_reminder(session, episode, contact, settings, zone, now)
        liaison = _liaison_of(session, episode.id)
        if liaison is not None:
            _sync_liaison(session, episode, liaison, zone, now)
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


def cohort_of(plan: FollowUpPlan) -> dict[str, Any]:
    """The report filters a plan gives the rows of its episode."""
    return {
        "clinic_id": plan.clinic_id,
        "anchor_date": plan.anchor_date,
        "anchor_month": plan.anchor_month,
        "plan_kind": plan.kind,
        "physician_id": plan.physician_id,
    }


NO_PLAN = "none"  # rows recorded before follow-up started; reports leave them out


def no_cohort(clinic_id: uuid.UUID, day: date) -> dict[str, Any]:
    return {
        "clinic_id": clinic_id,
        "anchor_date": day,
        "anchor_month": day.strftime("%Y-%m"),
        "plan_kind": NO_PLAN,
        "physician_id": None,
    }


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


# ── outcomes ─────────────────────────────────────────────────────────────────────────────────


@dataclass
class ScoredAnswers:
    nrs: int | None = None
    odi_sections: list[int | None] | None = None
    odi_tenths: int | None = None
    odi_band: str | None = None
    rmdq_items: list[bool] | None = None
    rmdq_score: int | None = None
    results: dict[str, Any] = field(default_factory=dict)


NRS_MAX = 10  # the 0-10 numeric rating scale


def score_answers(nrs: Any, odi_sections: Any, rmdq_items: Any) -> ScoredAnswers:
    """Score each instrument answered; raises InvalidInput naming every bad answer at once."""
    errors: list[FieldError] = []
    scored = ScoredAnswers()
    if nrs is None and odi_sections is None and rmdq_items is None:
        errors.append(FieldError("nrs", "answer at least one of: nrs, odi_sections, rmdq_items"))
    if nrs is not None:
        if isinstance(nrs, bool) or not isinstance(nrs, int) or not 0 <= nrs <= NRS_MAX:
            errors.append(FieldError("nrs", "a whole number from 0 to 10"))
        else:
            scored.nrs = nrs
            scored.results["nrs"] = {"instrument": "nrs", "score": nrs, "loinc": "72514-3"}
    if odi_sections is not None:
        try:
            odi = get_instrument("odi").run({"sections": odi_sections})
        except InvalidInput as invalid:
            errors += [_renamed(e, "sections", "odi_sections") for e in invalid.errors]
        else:
            if not odi["scorable"]:
                errors.append(FieldError("odi_sections", odi["reason"]))
            else:
                scored.odi_sections = list(odi_sections)
                scored.odi_tenths = odi_tenths_from_percent(odi["score_percent"])
                scored.odi_band = odi["band"]
                scored.results["odi"] = odi
    if rmdq_items is not None:
        try:
            rmdq = get_instrument("rmdq").run({"items": rmdq_items})
        except InvalidInput as invalid:
            errors += [_renamed(e, "items", "rmdq_items") for e in invalid.errors]
        else:
            scored.rmdq_items = list(rmdq_items)
            scored.rmdq_score = int(rmdq["score"])
            scored.results["rmdq"] = rmdq
    if errors:
        raise InvalidInput(errors)
    return scored


def _renamed(error: FieldError, old: str, new: str) -> FieldError:
    if error.field == old or error.field.startswith(old + "."):
        return FieldError(new + error.field[len(old) :], error.message)
    return FieldError(f"{new}.{error.field}", error.message)


def _time_points(session: Session, plan: FollowUpPlan | None) -> dict[str, FollowUpContact | None]:
    points: dict[str, FollowUpContact | None] = {BASELINE: None}
    if plan is not None:
        for contact in _contacts(session, plan):
            points[contact.code] = contact
    return points


def record_outcome(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: OutcomeIn,
    *,
    now: datetime | None = None,
) -> OutcomeRecord:
    """Staff enter answers given by phone or at a visit."""
    actor.require(Permission.EDIT_PATIENTS, "record patient-reported outcomes")
    episode = load_episode(session, actor, episode_id)
    now = now or utc_now()
    zone = ZoneInfo(actor.clinic_time_zone)
    plan = plan_of(session, episode.id)
    points = _time_points(session, plan)
    errors: list[FieldError] = []
    if data.time_point not in points:
        known = ", ".join(points)
        errors.append(FieldError("time_point", f"not a time point of this episode ({known})"))
    today = local_date(now, zone)
    collected_on = data.collected_on or today
    if collected_on > today:
        errors.append(FieldError("collected_on", "cannot be in the future"))
    try:
        scored = score_answers(data.nrs, data.odi_sections, data.rmdq_items)
    except InvalidInput as invalid:
        errors += invalid.errors
        scored = ScoredAnswers()
    if errors:
        raise InvalidInput(errors)
    return _store_outcome(
        session,
        actor,
        episode,
        plan,
        points[data.time_point],
        data.time_point,
        collected_on,
        data.method,
        scored,
        now,
    )


def _store_outcome(
    session: Session,
    actor: Actor,
    episode: Episode,
    plan: FollowUpPlan | None,
    contact: FollowUpContact | None,
    time_point: str,
    collected_on: date,
    method: str,
    scored: ScoredAnswers,
    now: datetime,
) -> OutcomeRecord:
    existing = session.scalar(
        select(OutcomeRecord.id).where(
            OutcomeRecord.episode_id == episode.id, OutcomeRecord.time_point == time_point
        )
    )
    if existing is not None:
        raise Conflict(f"answers for {time_point} are already recorded for this episode")
    record = OutcomeRecord(
        **(cohort_of(plan) if plan else no_cohort(episode.clinic_id, collected_on)),
        episode_id=episode.id,
        patient_id=episode.patient_id,
        contact_id=contact.id if contact else None,
        time_point=time_point,
        collected_on=collected_on,
        method=method,
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.full_name,
        nrs=scored.nrs,
        odi_sections=scored.odi_sections,
        odi_tenths=scored.odi_tenths,
        odi_band=scored.odi_band,
        rmdq_items=scored.rmdq_items,
        rmdq_score=scored.rmdq_score,
        results=scored.results,
    )
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"answers for {time_point} are already recorded for this episode") from None
    _refresh_changes(session, episode.id)
    if contact is not None and contact.status == "planned":
        _set_status(session, contact, "done", actor, now)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "outcome_record",
        record.id,
        patient_id=episode.patient_id,
        detail={"time_point": time_point, "method": method},
    )
    return record


def _scores(record: OutcomeRecord) -> Scores:
    return Scores(nrs=record.nrs, odi_tenths=record.odi_tenths, rmdq=record.rmdq_score)


def _refresh_changes(session: Session, episode_id: uuid.UUID) -> None:
    """Change from baseline and responder status, for every follow-up record of the episode."""
    records = list(
        session.scalars(select(OutcomeRecord).where(OutcomeRecord.episode_id == episode_id))
    )
    baseline = next((r for r in records if r.time_point == BASELINE), None)
    for record in records:
        if record.time_point == BASELINE:
            continue
        found = compare(_scores(baseline), _scores(record)) if baseline else {}
        nrs, odi, rmdq = found.get("nrs"), found.get("odi"), found.get("rmdq")
        values: dict[str, Any] = {
            "nrs_change": nrs.change if nrs else None,
            "nrs_responder": nrs.responder if nrs else None,
            "odi_change_tenths": odi.change if odi else None,
            "odi_responder": odi.responder if odi else None,
            "rmdq_change": rmdq.change if rmdq else None,
            "rmdq_responder": rmdq.responder if rmdq else None,
        }
        for name, value in values.items():
            if getattr(record, name) != value:
                setattr(record, name, value)


# ── personal links ───────────────────────────────────────────────────────────────────────────


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link(
    session: Session,
    episode: Episode,
    time_point: str,
    contact: FollowUpContact | None,
    now: datetime,
    *,
    created_by: uuid.UUID | None = None,
    job_id: uuid.UUID | None = None,
) -> tuple[PatientLink, str]:
    """A fresh link; the secret is returned once and only its hash is kept."""
    settings = clinic_settings(session, episode.clinic_id)
    token = secrets.token_urlsafe(32)
    link = PatientLink(
        clinic_id=episode.clinic_id,
        episode_id=episode.id,
        patient_id=episode.patient_id,
        contact_id=contact.id if contact else None,
        time_point=time_point,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(days=settings.link_valid_days),
        created_by_id=created_by,
        job_id=job_id,
    )
    session.add(link)
    session.flush()
    return link, token


def create_link(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    time_point: str,
    *,
    now: datetime | None = None,
) -> tuple[PatientLink, str]:
    """A personal link for staff to give the patient (read out, texted or printed)."""
    actor.require(Permission.EDIT_PATIENTS, "send questionnaire links")
    episode = load_episode(session, actor, episode_id)
    if Stage(episode.stage) in TERMINAL:
        raise Conflict("this episode has ended")
    now = now or utc_now()
    points = _time_points(session, plan_of(session, episode.id))
    if time_point not in points:
        raise InvalidInput(
            [FieldError("time_point", f"not a time point of this episode ({', '.join(points)})")]
        )
    link, token = new_link(
        session, episode, time_point, points[time_point], now, created_by=actor.user_id
    )
    audit.record(
        session,
        actor,
        "create",
        "patient_link",
        link.id,
        patient_id=episode.patient_id,
        detail={"time_point": time_point},
    )
    return link, token


def link_actor(link: PatientLink, client_address: str | None) -> Actor:
    return Actor(
        user_id=None,
        username="patient-link",
        full_name="Patient (personal link)",
        clinic_id=link.clinic_id,
        client_address=client_address,
    )


def resolve_link(session: Session, token: str, now: datetime) -> PatientLink:
    """The link a secret opens; 404 when there is none, 410 when it no longer works."""
    link = session.scalar(select(PatientLink).where(PatientLink.token_hash == hash_token(token)))
    if link is None:
        raise NotFound("link", "given")
    if link.used_at is not None:
        raise LinkGone("these answers were already sent; the link works once", "used")
    if link.revoked_at is not None:
        raise LinkGone("this link was withdrawn; a newer one was sent", "revoked")
    if link.expires_at <= now:
        raise LinkGone("this link has expired", "expired")
    return link


def open_link(
    session: Session, token: str, client_address: str | None, *, now: datetime | None = None
) -> PatientLink:
    now = now or utc_now()
    link = resolve_link(session, token, now)
    audit.record(
        session,
        link_actor(link, client_address),
        "read",
        "patient_link",
        link.id,
        patient_id=link.patient_id,
    )
    return link


def submit_link_answers(
    session: Session,
    token: str,
    data: PatientAnswersIn,
    client_address: str | None,
    *,
    now: datetime | None = None,
) -> OutcomeRecord:
    """The patient's own answers. The link is spent in the same transaction, by a conditional
    update, so two submissions at once store one answer set."""
    now = now or utc_now()
    link = resolve_link(session, token, now)
    scored = score_answers(data.nrs, data.odi_sections, data.rmdq_items)
    spent = session.execute(
        update(PatientLink)
        .where(PatientLink.id == link.id, PatientLink.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkGone("these answers were already sent; the link works once", "used")
    episode = session.get(Episode, link.episode_id)
    assert episode is not None
    plan = plan_of(session, episode.id)
    contact = session.get(FollowUpContact, link.contact_id) if link.contact_id else None
    zone = clinic_zone(session, link.clinic_id)
    actor = replace(link_actor(link, client_address), clinic_time_zone=str(zone))
    return _store_outcome(
        session,
        actor,
        episode,
        plan,
        contact,
        link.time_point,
        local_date(now, zone),
        "patient_link",
        scored,
        now,
    )


# ── events at follow-up ──────────────────────────────────────────────────────────────────────


def record_event(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: EventIn,
    *,
    now: datetime | None = None,
) -> FollowUpEvent:
    """A new vertebral fracture (with its level; adjacent when it touches a level of this
    episode), a complication, a readmission, or a death (which ends the episode)."""
    actor.require(Permission.EDIT_PATIENTS, "record follow-up events")
    episode = load_episode(session, actor, episode_id)
    now = now or utc_now()
    errors: list[FieldError] = []
    level = adjacent = None
    if data.occurred_on > local_date(now, ZoneInfo(actor.clinic_time_zone)):
        errors.append(FieldError("occurred_on", "cannot be in the future"))
    if data.kind is EventKind.NEW_VERTEBRAL_FRACTURE:
        if not data.level:
            errors.append(FieldError("level", "give the level of the new fracture"))
        else:
            try:
                level = normalise_level(data.level)
            except ValueError as bad:
                errors.append(FieldError("level", str(bad)))
            else:
                known = [f.level for f in episode.fractures]
                if level in known:
                    errors.append(FieldError("level", f"{level} is a fracture of this episode"))
                adjacent = any(abs(level_index(level) - level_index(k)) == 1 for k in known)
    elif data.level:
        errors.append(FieldError("level", "only a new fracture has a level"))
    if data.kind is EventKind.COMPLICATION and data.complication is None:
        errors.append(FieldError("complication", "say which complication"))
    if data.kind is not EventKind.COMPLICATION and data.complication is not None:
        errors.append(FieldError("complication", "only a complication has a type"))
    if errors:
        raise InvalidInput(errors)
    plan = plan_of(session, episode.id)
    event = FollowUpEvent(
        **(cohort_of(plan) if plan else no_cohort(episode.clinic_id, data.occurred_on)),
        episode_id=episode.id,
        patient_id=episode.patient_id,
        kind=data.kind.value,
        occurred_on=data.occurred_on,
        level=level,
        adjacent=adjacent,
        complication=data.complication.value if data.complication else None,
        description=data.description,
        recorded_at=now,
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.full_name,
    )
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "follow_up_event",
        event.id,
        patient_id=episode.patient_id,
        detail={"kind": event.kind},
    )
    if data.kind is EventKind.DEATH and Stage(episode.stage) not in TERMINAL:
        from spinepath.episodes import service as episodes
        from spinepath.episodes.schemas import TransitionIn

        episodes.transition_episode(
            session,
            actor,
            episode.id,
            TransitionIn(
                to_stage=Stage.DIED,
                reason=f"death recorded at follow-up ({data.occurred_on.isoformat()})",
                version=episode.version,
            ),
            now=now,
        )
    return event


# ── fracture liaison ─────────────────────────────────────────────────────────────────────────

LIAISON_TASKS: dict[str, tuple[str, str]] = {
    # indicator → (task code, owner role); the title names the deadline.
    "dxa_12_weeks": ("flp_dxa", "coordinator"),
    "treatment_16_weeks": ("flp_treatment", "physician"),
    "on_treatment_52_weeks": ("flp_adherence", "nurse"),
}
LETTER_TASK = ("flp_letter", "physician")


def _liaison_of(session: Session, episode_id: uuid.UUID) -> FractureLiaison | None:
    return session.scalar(select(FractureLiaison).where(FractureLiaison.episode_id == episode_id))


def sentinel_fracture_date(episode: Episode, zone: ZoneInfo) -> date:
    """The earliest recorded onset of the episode's fractures, else the day it was opened."""
    onsets = [f.onset_date for f in episode.fractures if f.onset_date is not None]
    return min(onsets) if onsets else local_date(episode.opened_at, zone)


def _start_liaison(
    session: Session, episode: Episode, plan: FollowUpPlan, zone: ZoneInfo, now: datetime
) -> FractureLiaison:
    fracture_date = sentinel_fracture_date(episode, zone)
    deadlines = [kpis.deadline_for(k, fracture_date) for k in kpis.KPIS]
    liaison = FractureLiaison(
        **cohort_of(plan),
        episode_id=episode.id,
        patient_id=episode.patient_id,
        fracture_date=fracture_date,
        dxa_deadline=deadlines[0],
        treatment_deadline=deadlines[1],
        adherence_due=deadlines[2],
    )
    session.add(liaison)
    session.flush()
    _sync_liaison(session, episode, liaison, zone, now)
    session.add(
        Task(
            clinic_id=episode.clinic_id,
            episode_id=episode.id,
            stage=episode.stage,
            code=LETTER_TASK[0],
            title="Send the bone health letter to the usual doctor",
            owner_role=LETTER_TASK[1],
            due_at=now + timedelta(days=7),
        )
    )
    return liaison


def liaison_facts(liaison: FractureLiaison) -> kpis.LiaisonFacts:
    return kpis.LiaisonFacts(
        fracture_date=liaison.fracture_date,
        dxa_date=liaison.dxa_date,
        treatment_start_date=liaison.treatment_start_date,
        adherence_checked_on=liaison.adherence_checked_on,
        still_on_treatment=liaison.still_on_treatment,
    )


def _sync_liaison(
    session: Session, episode: Episode, liaison: FractureLiaison, zone: ZoneInfo, now: datetime
) -> list[kpis.KpiResult]:
    """Indicators, deadlines and the tasks for their gaps: a task is open while the fact it asks
    for is missing, and closes when the fact is recorded (on time or late)."""
    results = kpis.evaluate(liaison_facts(liaison), local_date(now, zone))
    by_code = {r.code: r for r in results}
    liaison.dxa_deadline = by_code["dxa_12_weeks"].deadline
    liaison.treatment_deadline = by_code["treatment_16_weeks"].deadline
    liaison.adherence_due = by_code["on_treatment_52_weeks"].deadline
    liaison.dxa_met = by_code["dxa_12_weeks"].met
    liaison.treatment_met = by_code["treatment_16_weeks"].met
    liaison.adherence_met = by_code["on_treatment_52_weeks"].met
    liaison.adherence_checked = (
        liaison.adherence_checked_on is not None
        and liaison.adherence_checked_on >= liaison.adherence_due
        and liaison.still_on_treatment is not None
    )
    missing = {
        "dxa_12_weeks": liaison.dxa_date is None,
        "treatment_16_weeks": liaison.treatment_start_date is None,
        "on_treatment_52_weeks": not liaison.adherence_checked,
    }
    titles = {
        "dxa_12_weeks": "Arrange a bone density scan (DXA) by {}",
        "treatment_16_weeks": "Start osteoporosis medicine by {}",
        "on_treatment_52_weeks": "Check the osteoporosis medicine is still taken on {}",
    }
    for code, (task_code, owner) in LIAISON_TASKS.items():
        result = by_code[code]  # type: ignore[index]
        task = session.scalar(
            select(Task)
            .where(Task.episode_id == episode.id, Task.code == task_code)
            .order_by(Task.created_at.desc())
        )
        title = titles[code].format(result.deadline.strftime("%d %b %Y"))
        due_at = last_moment_of(result.deadline, zone)
        if missing[code]:
            if task is None or task.status != "open":
                session.add(
                    Task(
                        clinic_id=episode.clinic_id,
                        episode_id=episode.id,
                        stage=episode.stage,
                        code=task_code,
                        title=title,
                        owner_role=owner,
                        due_at=due_at,
                    )
                )
            else:
                task.title, task.due_at = title, due_at
        elif task is not None and task.status == "open":
            task.status, task.completed_at = "done", now
    return results


def get_liaison(
    session: Session, actor: Actor, episode_id: uuid.UUID, *, now: datetime | None = None
) -> tuple[FractureLiaison, list[kpis.KpiResult]]:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = load_episode(session, actor, episode_id)
    liaison = _liaison_of(session, episode.id)
    if liaison is None:
        raise NotFound("fracture-liaison record of episode", episode_id)
    zone = ZoneInfo(actor.clinic_time_zone)
    results = kpis.evaluate(liaison_facts(liaison), local_date(now or utc_now(), zone))
    audit.record(
        session, actor, "read", "fracture_liaison", liaison.id, patient_id=episode.patient_id
    )
    return liaison, results


def update_liaison(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: LiaisonUpdate,
    *,
    if_match_version: int | None = None,
    now: datetime | None = None,
) -> tuple[FractureLiaison, list[kpis.KpiResult]]:
    actor.require(Permission.EDIT_PATIENTS, "record bone health care")
    episode = load_episode(session, actor, episode_id)
    liaison = _liaison_of(session, episode.id)
    if liaison is None:
        raise NotFound("fracture-liaison record of episode", episode_id)
    expected = if_match_version if if_match_version is not None else data.version
    check_version(
        "fracture-liaison record",
        liaison.version,
        expected,
        via_if_match=if_match_version is not None,
    )
    now = now or utc_now()
    zone = ZoneInfo(actor.clinic_time_zone)
    today = local_date(now, zone)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    errors = [
        FieldError(name, "cannot be in the future")
        for name, value in changes.items()
        if isinstance(value, date) and value > today
    ]
    if "fracture_date" in changes and changes["fracture_date"] is None:
        errors.append(FieldError("fracture_date", "cannot be empty"))
    if changes.get("still_on_treatment") is not None and not (
        changes.get("adherence_checked_on") or liaison.adherence_checked_on
    ):
        errors.append(FieldError("adherence_checked_on", "say when it was checked"))
    if errors:
        raise InvalidInput(errors)
    for name, value in changes.items():
        setattr(liaison, name, value)
    results = _sync_liaison(session, episode, liaison, zone, now)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "fracture_liaison",
        liaison.id,
        patient_id=episode.patient_id,
        detail={"fields": sorted(changes)},
    )
    return liaison, results


def mark_letter_printed(
    session: Session, actor: Actor, episode_id: uuid.UUID, *, now: datetime | None = None
) -> FractureLiaison:
    liaison, _ = get_liaison(session, actor, episode_id, now=now)
    now = now or utc_now()
    if actor.can(Permission.EDIT_PATIENTS):
        liaison.letter_printed_at = now
        task = session.scalar(
            select(Task).where(
                Task.episode_id == episode_id, Task.code == LETTER_TASK[0], Task.status == "open"
            )
        )
        if task is not None:
            task.status, task.completed_at, task.completed_by_id = "done", now, actor.user_id
    return liaison


# ── the whole picture for one episode ────────────────────────────────────────────────────────


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
    contacts = _contacts(session, plan) if plan else []
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
    liaison = _liaison_of(session, episode.id)
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
    _cancel_jobs(session, contact.id)
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
