"""Fracture liaison: bone-health assessment and osteoporosis treatment after the fracture."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.clinical.follow_up import kpi as kpis
from spinepath.clinical.follow_up.schedule import (
    last_moment_of,
    local_date,
)
from spinepath.context import Actor
from spinepath.episodes import tasks
from spinepath.episodes.models import Episode
from spinepath.errors import NotFound
from spinepath.follow_up.models import (
    FollowUpPlan,
    FractureLiaison,
)
from spinepath.follow_up.records import cohort_of, load_episode
from spinepath.follow_up.schemas import (
    LiaisonUpdate,
)
from spinepath.store.base import utc_now
from spinepath.versioning import check_version

LIAISON_TASKS: dict[str, tuple[str, str]] = {
    # indicator → (task code, owner role); the title names the deadline.
    "dxa_12_weeks": ("flp_dxa", "coordinator"),
    "treatment_16_weeks": ("flp_treatment", "physician"),
    "on_treatment_52_weeks": ("flp_adherence", "nurse"),
}
LETTER_TASK = ("flp_letter", "physician")


def liaison_of(session: Session, episode_id: uuid.UUID) -> FractureLiaison | None:
    return session.scalar(select(FractureLiaison).where(FractureLiaison.episode_id == episode_id))


def sentinel_fracture_date(episode: Episode, zone: ZoneInfo) -> date:
    """The earliest recorded onset of the episode's fractures, else the day it was opened."""
    onsets = [f.onset_date for f in episode.fractures if f.onset_date is not None]
    return min(onsets) if onsets else local_date(episode.opened_at, zone)


def start_liaison(
    session: Session,
    actor: Actor,
    episode: Episode,
    plan: FollowUpPlan,
    zone: ZoneInfo,
    now: datetime,
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
    sync_liaison(session, actor, episode, liaison, zone, now)
    tasks.open_task(
        session,
        episode,
        code=LETTER_TASK[0],
        title="Send the bone health letter to the usual doctor",
        owner_role=LETTER_TASK[1],
        due_at=now + timedelta(days=7),
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


def sync_liaison(
    session: Session,
    actor: Actor,
    episode: Episode,
    liaison: FractureLiaison,
    zone: ZoneInfo,
    now: datetime,
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
        if missing[code]:
            tasks.open_task(
                session,
                episode,
                code=task_code,
                title=titles[code].format(result.deadline.strftime("%d %b %Y")),
                owner_role=owner,
                due_at=last_moment_of(result.deadline, zone),
            )
        else:
            tasks.complete_open_tasks(session, actor, episode.id, [task_code], now)
    return results


def get_liaison(
    session: Session, actor: Actor, episode_id: uuid.UUID, *, now: datetime | None = None
) -> tuple[FractureLiaison, list[kpis.KpiResult]]:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = load_episode(session, actor, episode_id)
    liaison = liaison_of(session, episode.id)
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
    liaison = liaison_of(session, episode.id)
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
    results = sync_liaison(session, actor, episode, liaison, zone, now)
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
        tasks.complete_open_tasks(session, actor, episode_id, [LETTER_TASK[0]], now)
    return liaison
