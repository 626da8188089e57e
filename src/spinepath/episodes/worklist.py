"""The worklist: active episodes with their stage and the tasks that are due."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.context import Actor
from spinepath.episodes import pathway
from spinepath.episodes.models import Episode, Task
from spinepath.episodes.pathway import Stage
from spinepath.paging import LIKE_ESCAPE, contains_pattern
from spinepath.patients.models import Patient
from spinepath.store.base import utc_now

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class WorklistFilters:
    stages: tuple[Stage, ...] = ()
    assignee_id: uuid.UUID | None = None
    owner_role: str | None = None
    overdue_only: bool = False
    include_ended: bool = False
    text: str | None = None
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class WorklistRow:
    episode: Episode
    patient: Patient
    open_tasks: int
    overdue_tasks: int
    next_task: Task | None


@dataclass(frozen=True)
class WorklistPage:
    rows: list[WorklistRow]
    total: int
    page: int
    per_page: int
    filters: WorklistFilters = field(default_factory=WorklistFilters)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def worklist(
    session: Session, actor: Actor, filters: WorklistFilters, *, now: datetime | None = None
) -> WorklistPage:
    actor.require(Permission.READ_PATIENTS, "see the worklist")
    now = now or utc_now()
    open_tasks = (
        select(
            Task.episode_id.label("episode_id"),
            func.count().label("open_count"),
            func.sum(case((Task.due_at < now, 1), else_=0)).label("overdue_count"),
            func.min(Task.due_at).label("next_due"),
        )
        .where(Task.status == "open", Task.clinic_id == actor.clinic_id)
        .group_by(Task.episode_id)
        .subquery()
    )
    query = (
        select(Episode, Patient, open_tasks.c.open_count, open_tasks.c.overdue_count)
        .join(Patient, Patient.id == Episode.patient_id)
        .outerjoin(open_tasks, open_tasks.c.episode_id == Episode.id)
        .where(Episode.clinic_id == actor.clinic_id)
    )
    if filters.stages:
        query = query.where(Episode.stage.in_([stage.value for stage in filters.stages]))
    elif not filters.include_ended:
        query = query.where(Episode.stage.not_in([s.value for s in pathway.TERMINAL]))
    if filters.text:
        like = contains_pattern(filters.text.strip().lower())
        query = query.where(
            or_(
                func.lower(Patient.family_name).like(like, escape=LIKE_ESCAPE),
                func.lower(Patient.given_name).like(like, escape=LIKE_ESCAPE),
                func.lower(Patient.mrn).like(like, escape=LIKE_ESCAPE),
            )
        )
    task_conditions = [Task.episode_id == Episode.id, Task.status == "open"]
    if filters.assignee_id is not None:
        task_conditions.append(Task.assignee_id == filters.assignee_id)
    if filters.owner_role is not None:
        task_conditions.append(Task.owner_role == filters.owner_role)
    if filters.overdue_only:
        task_conditions.append(Task.due_at < now)
    if len(task_conditions) > 2:
        query = query.where(select(Task.id).where(and_(*task_conditions)).exists())

    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    per_page = max(1, min(filters.per_page, MAX_PER_PAGE))
    results = session.execute(
        query.order_by(
            open_tasks.c.next_due.is_(None), open_tasks.c.next_due, Episode.stage_entered_at
        )
        .offset((max(filters.page, 1) - 1) * per_page)
        .limit(per_page)
    ).all()
    next_tasks = _next_tasks(session, [row[0].id for row in results])
    rows = [
        WorklistRow(
            episode=episode,
            patient=patient,
            open_tasks=open_count or 0,
            overdue_tasks=overdue_count or 0,
            next_task=next_tasks.get(episode.id),
        )
        for episode, patient, open_count, overdue_count in results
    ]
    audit.record(
        session,
        actor,
        "read",
        "worklist",
        detail={"patient_ids": sorted({str(row.patient.id) for row in rows})},
    )
    return WorklistPage(rows, total, max(filters.page, 1), per_page, filters)


def _next_tasks(session: Session, episode_ids: list[uuid.UUID]) -> dict[uuid.UUID, Task]:
    if not episode_ids:
        return {}
    found: dict[uuid.UUID, Task] = {}
    tasks = session.scalars(
        select(Task)
        .where(Task.episode_id.in_(episode_ids), Task.status == "open")
        .order_by(Task.due_at, Task.title)
    )
    for task in tasks:
        found.setdefault(task.episode_id, task)
    return found
