"""JSON routes for episodes, fractures, transitions, tasks and the worklist."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from spinepath.api.deps import api_work, etag, if_match_version
from spinepath.episodes import appointments, pathway, service
from spinepath.episodes.models import Appointment, Episode, Fracture, StageTransition, Task
from spinepath.episodes.pathway import Stage
from spinepath.episodes.schemas import (
    AppointmentIn,
    AppointmentUpdate,
    EpisodeIn,
    FractureIn,
    FractureUpdate,
    TaskUpdate,
    TransitionIn,
)
from spinepath.episodes.worklist import SORT_PATTERN, WorklistFilters, worklist
from spinepath.errors import FieldError, InvalidInput
from spinepath.paging import MAX_PAGE
from spinepath.patients.schemas import PatientOut, patient_out

router = APIRouter(tags=["episodes"])


class FractureOut(BaseModel):
    id: uuid.UUID
    level: str
    onset_date: date | None
    etiology: str
    notes: str | None
    version: int


class TransitionOut(BaseModel):
    from_stage: str | None
    to_stage: str
    occurred_at: datetime
    actor_name: str | None
    reason: str | None
    event_date: date | None = None
    overridden: list[dict[str, Any]] | None = None
    override_reason: str | None = None


class RequirementOut(BaseModel):
    code: str
    needed: str
    met: bool
    found: str


class MoveOut(BaseModel):
    to_stage: str
    label: str
    reason_required: bool
    date_required: bool
    ready: bool = Field(description="the caller may make this move now")
    may_make: bool = Field(description="the caller's role may make this move")
    may_override: bool = Field(description="the caller may override unmet clinical requirements")
    roles: list[str]
    requirements: list[RequirementOut]


class AppointmentOut(BaseModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    kind: str
    starts_at: datetime
    duration_minutes: int
    place: str | None
    with_whom: str | None
    note: str | None
    status: str
    booked_by_name: str | None
    version: int


class TaskOut(BaseModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    stage: str
    code: str
    title: str
    owner_role: str
    assignee_id: uuid.UUID | None
    due_at: datetime
    status: str
    completed_at: datetime | None
    completed_by_id: uuid.UUID | None = None
    version: int


class EpisodeOut(BaseModel):
    id: uuid.UUID
    patient: PatientOut
    stage: str
    stage_label: str
    stage_entered_at: datetime
    opened_at: datetime
    closed_at: datetime | None
    referral_source: str | None
    summary: str | None
    next_stage: str | None
    allowed_transitions: list[str]
    fractures: list[FractureOut]
    transitions: list[TransitionOut]
    tasks: list[TaskOut]
    version: int


def fracture_out(fracture: Fracture) -> FractureOut:
    return FractureOut.model_validate(fracture, from_attributes=True)


def task_out(task: Task) -> TaskOut:
    return TaskOut.model_validate(task, from_attributes=True)


def transition_out(transition: StageTransition) -> TransitionOut:
    return TransitionOut.model_validate(transition, from_attributes=True)


def episode_out(episode: Episode) -> EpisodeOut:
    stage = Stage(episode.stage)
    following = pathway.next_main_stage(stage)
    return EpisodeOut(
        id=episode.id,
        patient=patient_out(episode.patient),
        stage=stage.value,
        stage_label=pathway.STAGE_LABELS[stage],
        stage_entered_at=episode.stage_entered_at,
        opened_at=episode.opened_at,
        closed_at=episode.closed_at,
        referral_source=episode.referral_source,
        summary=episode.summary,
        next_stage=following.value if following else None,
        allowed_transitions=[s.value for s in pathway.allowed_transitions(stage)],
        fractures=[fracture_out(f) for f in episode.fractures],
        transitions=[transition_out(t) for t in episode.transitions],
        tasks=[task_out(t) for t in episode.tasks],
        version=episode.version,
    )


@router.post("/episodes", status_code=201, response_model=EpisodeOut, tags=["episodes"])
def open_episode(request: Request, response: Response, data: EpisodeIn) -> EpisodeOut:
    with api_work(request) as (session, actor):
        episode = service.open_episode(session, actor, data)
        session.refresh(episode)
        out = episode_out(episode)
    response.headers["ETag"] = etag(out.version)
    response.headers["Location"] = f"/api/v1/episodes/{out.id}"
    return out


@router.get("/episodes/{episode_id}", response_model=EpisodeOut)
def get_episode(request: Request, response: Response, episode_id: uuid.UUID) -> EpisodeOut:
    with api_work(request) as (session, actor):
        out = episode_out(service.get_episode(session, actor, episode_id))
    response.headers["ETag"] = etag(out.version)
    return out


@router.get("/patients/{patient_id}/episodes", response_model=list[EpisodeOut])
def episodes_of_patient(request: Request, patient_id: uuid.UUID) -> list[EpisodeOut]:
    with api_work(request) as (session, actor):
        return [episode_out(e) for e in service.episodes_of_patient(session, actor, patient_id)]


@router.post("/episodes/{episode_id}/transitions", response_model=EpisodeOut)
def transition_episode(
    request: Request, response: Response, episode_id: uuid.UUID, data: TransitionIn
) -> EpisodeOut:
    """Move the episode to another stage. Refused (409) when the pathway does not allow it, or
    when the stage's gate is unmet: the problem lists each unmet requirement (``unmet``). A
    physician may override clinical requirements with ``override_reason``."""
    with api_work(request) as (session, actor):
        episode = service.transition_episode(
            session, actor, episode_id, data, if_match_version=if_match_version(request)
        )
        out = episode_out(episode)
    response.headers["ETag"] = etag(out.version)
    return out


def appointment_out(appointment: Appointment) -> AppointmentOut:
    return AppointmentOut.model_validate(appointment, from_attributes=True)


@router.post(
    "/episodes/{episode_id}/appointments",
    status_code=201,
    response_model=AppointmentOut,
    tags=["appointments"],
)
def book_appointment(
    request: Request, response: Response, episode_id: uuid.UUID, data: AppointmentIn
) -> AppointmentOut:
    """Book a consultation, imaging, procedure or follow-up appointment. The booking closes the
    task that asks for it; the preparation plan and the follow-up schedule read it."""
    with api_work(request) as (session, actor):
        out = appointment_out(appointments.book_appointment(session, actor, episode_id, data))
    response.headers["ETag"] = etag(out.version)
    return out


@router.get(
    "/episodes/{episode_id}/appointments",
    response_model=list[AppointmentOut],
    tags=["appointments"],
)
def list_appointments(request: Request, episode_id: uuid.UUID) -> list[AppointmentOut]:
    with api_work(request) as (session, actor):
        return [
            appointment_out(a) for a in appointments.appointments_of(session, actor, episode_id)
        ]


@router.patch(
    "/appointments/{appointment_id}", response_model=AppointmentOut, tags=["appointments"]
)
def update_appointment(
    request: Request, response: Response, appointment_id: uuid.UUID, data: AppointmentUpdate
) -> AppointmentOut:
    """Move, change or cancel (``"cancel": true``) an appointment, against its version."""
    with api_work(request) as (session, actor):
        out = appointment_out(
            appointments.update_appointment(
                session, actor, appointment_id, data, if_match_version=if_match_version(request)
            )
        )
    response.headers["ETag"] = etag(out.version)
    return out


@router.get(
    "/appointments/{appointment_id}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
    tags=["appointments"],
)
def appointment_calendar(request: Request, appointment_id: uuid.UUID) -> Response:
    with api_work(request) as (session, actor):
        body = appointments.appointment_calendar(session, actor, appointment_id)
    return Response(
        body,
        media_type="text/calendar",
        headers={
            "Content-Disposition": 'attachment; filename="appointment.ics"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/episodes/{episode_id}/moves", response_model=list[MoveOut])
def list_moves(request: Request, episode_id: uuid.UUID) -> list[MoveOut]:
    """The moves the pathway allows from the current stage, each with what its gate still needs
    and whether the caller may make it (or override it)."""
    with api_work(request) as (session, actor):
        episode = service.get_episode(session, actor, episode_id)
        return [
            MoveOut(
                to_stage=option.stage.value,
                label=option.label,
                reason_required=option.reason_required,
                date_required=option.date_required,
                ready=option.ready,
                may_make=option.may_make,
                may_override=option.may_override,
                roles=option.roles,
                requirements=[
                    RequirementOut(code=r.code, needed=r.needed, met=r.met, found=r.found)
                    for r in option.requirements
                ],
            )
            for option in service.move_options(session, actor, episode)
        ]


@router.get("/episodes/{episode_id}/transitions", response_model=list[TransitionOut])
def list_transitions(request: Request, episode_id: uuid.UUID) -> list[TransitionOut]:
    with api_work(request) as (session, actor):
        episode = service.get_episode(session, actor, episode_id)
        return [transition_out(t) for t in episode.transitions]


@router.post("/episodes/{episode_id}/fractures", status_code=201, response_model=FractureOut)
def add_fracture(
    request: Request, response: Response, episode_id: uuid.UUID, data: FractureIn
) -> FractureOut:
    with api_work(request) as (session, actor):
        out = fracture_out(service.add_fracture(session, actor, episode_id, data))
    response.headers["ETag"] = etag(out.version)
    return out


@router.patch("/episodes/{episode_id}/fractures/{fracture_id}", response_model=FractureOut)
def update_fracture(
    request: Request,
    response: Response,
    episode_id: uuid.UUID,
    fracture_id: uuid.UUID,
    data: FractureUpdate,
) -> FractureOut:
    with api_work(request) as (session, actor):
        fracture = service.update_fracture(
            session,
            actor,
            episode_id,
            fracture_id,
            data,
            if_match_version=if_match_version(request),
        )
        out = fracture_out(fracture)
    response.headers["ETag"] = etag(out.version)
    return out


@router.delete("/episodes/{episode_id}/fractures/{fracture_id}", status_code=204)
def remove_fracture(
    request: Request,
    episode_id: uuid.UUID,
    fracture_id: uuid.UUID,
    version: int | None = Query(default=None, ge=1),
) -> Response:
    header_version = if_match_version(request)
    with api_work(request) as (session, actor):
        service.remove_fracture(
            session,
            actor,
            episode_id,
            fracture_id,
            expected_version=header_version if header_version is not None else version,
            via_if_match=header_version is not None,
        )
    return Response(status_code=204)


@router.patch("/tasks/{task_id}", response_model=TaskOut, tags=["tasks"])
def update_task(
    request: Request, response: Response, task_id: uuid.UUID, data: TaskUpdate
) -> TaskOut:
    """Complete, reopen, cancel or (un)assign a task."""
    with api_work(request) as (session, actor):
        task = service.update_task(
            session, actor, task_id, data, if_match_version=if_match_version(request)
        )
        out = task_out(task)
    response.headers["ETag"] = etag(out.version)
    return out


class WorklistAppointmentOut(BaseModel):
    on: date = Field(description="The day, in the clinic's zone")
    what: str = Field(description="e.g. '09:00 procedure', '6-week phone call'")


class WorklistItem(BaseModel):
    episode_id: uuid.UUID
    patient: PatientOut
    stage: str
    stage_label: str
    stage_entered_at: datetime
    open_tasks: int
    overdue_tasks: int
    next_task: TaskOut | None
    age: int = Field(description="The patient's age in years, on the clinic's date")
    levels: list[str] = Field(description="The fractured levels, from the top of the spine down")
    next_appointment: WorklistAppointmentOut | None = Field(
        description="The next planned follow-up contact or the planned procedure time"
    )
    latest_news2: int | None = Field(description="The latest NEWS2 total recorded, if any")


class WorklistOut(BaseModel):
    items: list[WorklistItem]
    total: int
    page: int
    per_page: int
    pages: int


# Empty (anyone), 'me', or a user id written as a UUID.
_ASSIGNEE_PATTERN = (
    "^(|me|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)


@router.get("/worklist", response_model=WorklistOut, tags=["worklist"])
def get_worklist(
    request: Request,
    stage: list[Stage] = Query(default=[], description="Only these stages (repeatable)"),
    assignee: str | None = Query(
        default=None,
        description="Episodes with an open task assigned to this user id, or 'me'",
        json_schema_extra={"pattern": _ASSIGNEE_PATTERN},
    ),
    owner_role: str | None = Query(default=None, description="Open tasks owned by this role"),
    overdue: bool = Query(default=False, description="Only episodes with an overdue task"),
    include_ended: bool = Query(default=False, description="Include closed episodes"),
    q: str | None = Query(default=None, max_length=100, description="Name or MRN contains"),
    page: int = Query(default=1, ge=1, le=MAX_PAGE),
    per_page: int = Query(default=25, ge=1, le=100),
    sort: str = Query(
        default="due",
        pattern=SORT_PATTERN,
        description="due, name, age, level, appointment, news2 or stage_entered; "
        "a leading '-' sorts the other way (empty values always last)",
    ),
) -> WorklistOut:
    with api_work(request) as (session, actor):
        filters = WorklistFilters(
            stages=tuple(stage),
            assignee_id=_assignee(assignee, actor.user_id),
            owner_role=owner_role,
            overdue_only=overdue,
            include_ended=include_ended,
            text=q,
            page=page,
            per_page=per_page,
            sort=sort,
        )
        found = worklist(session, actor, filters)
        return WorklistOut(
            items=[
                WorklistItem(
                    episode_id=row.episode.id,
                    patient=patient_out(row.patient),
                    stage=row.episode.stage,
                    stage_label=pathway.STAGE_LABELS[Stage(row.episode.stage)],
                    stage_entered_at=row.episode.stage_entered_at,
                    open_tasks=row.open_tasks,
                    overdue_tasks=row.overdue_tasks,
                    next_task=task_out(row.next_task) if row.next_task else None,
                    age=row.age,
                    levels=list(row.levels),
                    next_appointment=(
                        WorklistAppointmentOut(
                            on=row.next_appointment.on, what=row.next_appointment.what
                        )
                        if row.next_appointment
                        else None
                    ),
                    latest_news2=row.news2,
                )
                for row in found.rows
            ],
            total=found.total,
            page=found.page,
            per_page=found.per_page,
            pages=found.pages,
        )


def _assignee(raw: str | None, me: uuid.UUID | None) -> uuid.UUID | None:
    if raw is None or raw == "":
        return None
    if raw == "me":
        return me
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise InvalidInput([FieldError("assignee", "a user id or 'me'")]) from None


class PathwayOut(BaseModel):
    stages: list[dict[str, str]]
    main_line: list[str]
    terminal: list[str]
    reason_required: list[str]
    transitions: dict[str, list[str]]


@router.get("/pathway", response_model=PathwayOut, tags=["pathway"])
def get_pathway() -> PathwayOut:
    """The care pathway's stages and allowed moves (no patient data)."""
    return PathwayOut(
        stages=[{"id": s.value, "label": pathway.STAGE_LABELS[s]} for s in Stage],
        main_line=[s.value for s in pathway.MAIN_LINE],
        terminal=sorted(s.value for s in pathway.TERMINAL),
        reason_required=sorted(s.value for s in pathway.REASON_REQUIRED),
        transitions={s.value: [t.value for t in pathway.TRANSITIONS[s]] for s in Stage},
    )
