"""Use cases for episodes of care: open, move between stages, fractures, tasks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.accounts.models import User
from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.levels import level_index
from spinepath.context import Actor
from spinepath.episodes import pathway, tasks
from spinepath.episodes.gates import Move, Requirement, installed_gates
from spinepath.episodes.models import Episode, Fracture, StageTransition, Task
from spinepath.episodes.pathway import Stage
from spinepath.episodes.schemas import (
    EpisodeIn,
    FractureIn,
    FractureUpdate,
    TaskUpdate,
    TransitionIn,
)
from spinepath.errors import (
    Conflict,
    FieldError,
    GatesUnmet,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from spinepath.events import StageEntered
from spinepath.patients.service import load_patient
from spinepath.store.base import utc_now
from spinepath.store.lookups import in_clinic
from spinepath.unit_of_work import publish
from spinepath.versioning import check_version


class TransitionRefused(Conflict):
    """The pathway does not allow this move; nothing was changed."""


def load_episode(session: Session, actor: Actor, episode_id: uuid.UUID) -> Episode:
    return in_clinic(session, actor, Episode, episode_id, "episode")


def _open_stage_tasks(session: Session, episode: Episode, stage: Stage, now: datetime) -> None:
    for default in pathway.DEFAULT_TASKS[stage]:
        tasks.open_task(
            session,
            episode,
            code=default.code,
            title=default.title,
            owner_role=default.owner_role,
            due_at=now + default.due_after,
        )


def open_episode(
    session: Session, actor: Actor, data: EpisodeIn, *, now: datetime | None = None
) -> Episode:
    """``now`` is for records entered after the fact (and tests); it defaults to the clock."""
    actor.require(Permission.EDIT_PATIENTS, "open episodes of care")
    patient = load_patient(session, actor, data.patient_id)
    now = now or utc_now()
    episode = Episode(
        clinic_id=patient.clinic_id,
        patient_id=patient.id,
        stage=Stage.REFERRAL.value,
        stage_entered_at=now,
        opened_at=now,
        referral_source=data.referral_source,
        summary=data.summary,
    )
    session.add(episode)
    session.flush()
    for fracture in data.fractures:
        session.add(_new_fracture(episode, fracture, recorded_at=now))
    session.add(
        StageTransition(
            episode_id=episode.id,
            from_stage=None,
            to_stage=Stage.REFERRAL.value,
            occurred_at=now,
            actor_user_id=actor.user_id,
            actor_name=actor.full_name,
            reason="episode opened",
        )
    )
    _open_stage_tasks(session, episode, Stage.REFERRAL, now)
    session.flush()
    audit.record(session, actor, "create", "episode", episode.id, patient_id=patient.id)
    publish(session, actor, _entered(episode, None, Stage.REFERRAL, now))
    return episode


def _entered(episode: Episode, from_stage: Stage | None, to: Stage, now: datetime) -> StageEntered:
    return StageEntered(
        clinic_id=episode.clinic_id,
        episode_id=episode.id,
        occurred_at=now,
        from_stage=from_stage.value if from_stage else None,
        to_stage=to.value,
    )


def get_episode(session: Session, actor: Actor, episode_id: uuid.UUID) -> Episode:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = load_episode(session, actor, episode_id)
    audit.record(session, actor, "read", "episode", episode.id, patient_id=episode.patient_id)
    return episode


def episodes_of_patient(session: Session, actor: Actor, patient_id: uuid.UUID) -> list[Episode]:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    patient = load_patient(session, actor, patient_id)
    audit.record(session, actor, "read", "patient_episodes", patient.id, patient_id=patient.id)
    return list(
        session.scalars(
            select(Episode)
            .where(Episode.patient_id == patient.id)
            .order_by(Episode.opened_at.desc())
        )
    )


def transition_episode(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: TransitionIn,
    *,
    if_match_version: int | None = None,
    now: datetime | None = None,
) -> Episode:
    actor.require(Permission.ADVANCE_EPISODES, "move episodes between stages")
    episode = load_episode(session, actor, episode_id)
    expected = if_match_version if if_match_version is not None else data.version
    check_version("episode", episode.version, expected, via_if_match=if_match_version is not None)
    current = Stage(episode.stage)
    try:
        pathway.check_transition(current, data.to_stage)
    except pathway.IllegalTransition as refused:
        raise TransitionRefused(str(refused)) from None
    _require_move_role(actor, data.to_stage)
    if data.to_stage in pathway.REASON_REQUIRED and not data.reason:
        raise InvalidInput(
            [FieldError("reason", f"say why the episode is {pathway.STAGE_LABELS[data.to_stage]}")]
        )
    overridden = _check_gates(session, actor, episode, data)
    now = now or utc_now()
    episode.stage = data.to_stage.value
    episode.stage_entered_at = now
    if data.to_stage in pathway.TERMINAL:
        episode.closed_at = now
    if data.to_stage in pathway.TERMINAL | pathway.REASON_REQUIRED:
        # Leaving the usual journey: the work of the stages left behind no longer applies.
        for task in episode.tasks:
            tasks.cancel_task(task)
    episode.transitions.append(
        StageTransition(
            from_stage=current.value,
            to_stage=data.to_stage.value,
            occurred_at=now,
            actor_user_id=actor.user_id,
            actor_name=actor.full_name,
            reason=data.reason,
            overridden=[r.as_dict() for r in overridden] or None,
            override_reason=data.override_reason if overridden else None,
            event_date=data.event_date,
        )
    )
    _open_stage_tasks(session, episode, data.to_stage, now)
    session.flush()
    audit.record(
        session,
        actor,
        "transition",
        "episode",
        episode.id,
        patient_id=episode.patient_id,
        detail={
            "from": current.value,
            "to": data.to_stage.value,
            **(
                {
                    "overridden": [r.code for r in overridden],
                    "override_reason": data.override_reason,
                }
                if overridden
                else {}
            ),
        },
    )
    # Other domains react in this transaction (discharge starts the follow-up plan).
    publish(session, actor, _entered(episode, current, data.to_stage, now))
    session.refresh(episode)
    return episode


def _require_move_role(actor: Actor, to_stage: Stage) -> None:
    allowed = pathway.MOVE_ROLES[to_stage]
    if not actor.roles & allowed:
        who = ", ".join(sorted(role.value.replace("_", " ") for role in allowed)) or "no one"
        raise PermissionDenied(
            f"only these roles move an episode to {pathway.STAGE_LABELS[to_stage]}: {who}"
        )


def unmet_requirements(session: Session, episode: Episode, data: TransitionIn) -> list[Requirement]:
    move = Move(data.to_stage, data.event_date)
    return [r for r in installed_gates().requirements(session, episode, move) if not r.met]


def _check_gates(
    session: Session, actor: Actor, episode: Episode, data: TransitionIn
) -> list[Requirement]:
    """The unmet requirements a physician overrides with a written reason; otherwise every
    unmet requirement refuses the move."""
    unmet = unmet_requirements(session, episode, data)
    if not unmet:
        return []
    label = pathway.STAGE_LABELS[data.to_stage]
    may_override = actor.can(Permission.OVERRIDE_CLINICAL_GATES) and all(r.clinical for r in unmet)
    if not data.override_reason or not may_override:
        if data.override_reason and not actor.can(Permission.OVERRIDE_CLINICAL_GATES):
            raise PermissionDenied("only a physician may override a clinical requirement")
        needed = "; ".join(r.needed for r in unmet)
        raise GatesUnmet(
            f"to move to {label}, still needed: {needed}",
            [r.as_dict() for r in unmet],
            may_override=may_override,
        )
    return unmet


@dataclass(frozen=True)
class MoveOption:
    """A move the pathway allows from here, with what it still needs and who may make it."""

    stage: Stage
    label: str
    reason_required: bool
    date_required: bool
    requirements: list[Requirement]
    may_make: bool
    may_override: bool
    roles: list[str]

    @property
    def unmet(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.met]

    @property
    def ready(self) -> bool:
        return self.may_make and not self.unmet


def move_options(session: Session, actor: Actor, episode: Episode) -> list[MoveOption]:
    current = Stage(episode.stage)
    following = pathway.next_main_stage(current)
    stages = sorted(pathway.allowed_transitions(current), key=lambda s: s != following)
    options = []
    for stage in stages:
        requirements = installed_gates().requirements(session, episode, Move(stage))
        # The date of death is asked on the form itself: it is not a record to wait for.
        requirements = [r for r in requirements if r.clinical]
        may_make = bool(actor.roles & pathway.MOVE_ROLES[stage]) and actor.can(
            Permission.ADVANCE_EPISODES
        )
        options.append(
            MoveOption(
                stage=stage,
                label=pathway.STAGE_LABELS[stage],
                reason_required=stage in pathway.REASON_REQUIRED,
                date_required=stage is Stage.DIED,
                requirements=requirements,
                may_make=may_make,
                may_override=may_make and actor.can(Permission.OVERRIDE_CLINICAL_GATES),
                roles=sorted(r.value.replace("_", " ") for r in pathway.MOVE_ROLES[stage]),
            )
        )
    return options


def _new_fracture(
    episode: Episode, data: FractureIn, *, recorded_at: datetime | None = None
) -> Fracture:
    """``recorded_at``: when the fracture was written down (exported as the Condition's
    recordedDate); the clock unless the episode is entered after the fact."""
    return Fracture(
        created_at=recorded_at or utc_now(),
        episode_id=episode.id,
        level=data.level,
        level_order=level_index(data.level),
        onset_date=data.onset_date,
        etiology=data.etiology.value,
        notes=data.notes,
    )


def _level_taken(episode: Episode, level: str, other_than: uuid.UUID | None = None) -> bool:
    return any(f.level == level and f.id != other_than for f in episode.fractures)


def add_fracture(
    session: Session, actor: Actor, episode_id: uuid.UUID, data: FractureIn
) -> Fracture:
    actor.require(Permission.EDIT_PATIENTS, "record fractures")
    episode = load_episode(session, actor, episode_id)
    if _level_taken(episode, data.level):
        raise InvalidInput([FieldError("level", f"{data.level} is already recorded")])
    fracture = _new_fracture(episode, data)
    session.add(fracture)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "fracture",
        fracture.id,
        patient_id=episode.patient_id,
        detail={"level": fracture.level},
    )
    return fracture


def _load_fracture(
    session: Session, actor: Actor, episode_id: uuid.UUID, fracture_id: uuid.UUID
) -> tuple[Episode, Fracture]:
    episode = load_episode(session, actor, episode_id)
    fracture = session.get(Fracture, fracture_id)
    if fracture is None or fracture.episode_id != episode.id:
        raise NotFound("fracture", fracture_id)
    return episode, fracture


def update_fracture(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    fracture_id: uuid.UUID,
    data: FractureUpdate,
    *,
    if_match_version: int | None = None,
) -> Fracture:
    actor.require(Permission.EDIT_PATIENTS, "record fractures")
    episode, fracture = _load_fracture(session, actor, episode_id, fracture_id)
    expected = if_match_version if if_match_version is not None else data.version
    check_version("fracture", fracture.version, expected, via_if_match=if_match_version is not None)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if changes.get("level") and _level_taken(episode, changes["level"], other_than=fracture.id):
        raise InvalidInput([FieldError("level", f"{changes['level']} is already recorded")])
    for name in ("level", "etiology"):
        if name in changes and changes[name] is None:
            raise InvalidInput([FieldError(name, "cannot be empty")])
    for name, value in changes.items():
        setattr(fracture, name, value.value if name == "etiology" else value)
    if "level" in changes:
        fracture.level_order = level_index(fracture.level)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "fracture",
        fracture.id,
        patient_id=episode.patient_id,
        detail={"fields": sorted(changes)},
    )
    return fracture


def remove_fracture(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    fracture_id: uuid.UUID,
    *,
    expected_version: int | None,
    via_if_match: bool = True,
) -> None:
    actor.require(Permission.EDIT_PATIENTS, "record fractures")
    episode, fracture = _load_fracture(session, actor, episode_id, fracture_id)
    check_version("fracture", fracture.version, expected_version, via_if_match=via_if_match)
    session.delete(fracture)
    session.flush()
    audit.record(
        session,
        actor,
        "delete",
        "fracture",
        fracture_id,
        patient_id=episode.patient_id,
        detail={"level": fracture.level},
    )


def update_task(
    session: Session,
    actor: Actor,
    task_id: uuid.UUID,
    data: TaskUpdate,
    *,
    if_match_version: int | None = None,
    now: datetime | None = None,
) -> Task:
    actor.require(Permission.WORK_TASKS, "work on tasks")
    task = in_clinic(session, actor, Task, task_id, "task")
    expected = if_match_version if if_match_version is not None else data.version
    check_version("task", task.version, expected, via_if_match=if_match_version is not None)
    changes: dict[str, object] = {}
    if data.status is not None and data.status != task.status:
        if data.status == tasks.TaskStatus.DONE:
            tasks.complete_task(task, actor, now or utc_now())
        elif data.status == tasks.TaskStatus.CANCELLED:
            tasks.cancel_task(task)
        else:
            tasks.reopen_task(task, task.due_at)
        changes["status"] = data.status
    if data.unassign:
        task.assignee_id = None
        changes["assignee_id"] = None
    elif data.assignee_id is not None:
        assignee = session.get(User, data.assignee_id)
        if assignee is None or assignee.clinic_id != actor.clinic_id:
            raise InvalidInput([FieldError("assignee_id", "no such user in this clinic")])
        task.assignee_id = assignee.id
        changes["assignee_id"] = str(assignee.id)
    session.flush()
    audit.record(
        session,
        actor,
        "update",
        "task",
        task.id,
        patient_id=task.episode.patient_id,
        detail=changes,
    )
    return task
