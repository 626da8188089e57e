"""The worklist: active episodes with their stage, the tasks that are due, and the columns a
coordinator sorts by (age, the fractured level, the next appointment, the latest NEWS2). The
columns other domains own come from their providers (``episodes.summary``) as correlated
subqueries, so sorting and paging stay in SQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, null, or_, select
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.context import Actor
from spinepath.episodes import pathway
from spinepath.episodes.models import Episode, Fracture, Task
from spinepath.episodes.pathway import Stage
from spinepath.episodes.summary import (
    WorklistContext,
    first_level_order,
    installed_summary,
    next_appointment,
)
from spinepath.paging import LIKE_ESCAPE, contains_pattern
from spinepath.patients.models import Patient
from spinepath.store.base import utc_now

MAX_PER_PAGE = 100
# What the worklist sorts by; "-" before a key sorts it the other way. Empty values sort last.
SortKey = Literal["due", "name", "age", "level", "appointment", "news2", "stage_entered"]
SORT_KEYS: tuple[str, ...] = SortKey.__args__  # type: ignore[attr-defined]
SORT_VALUES = tuple(k for key in SORT_KEYS for k in (key, f"-{key}"))
SORT_PATTERN = "^-?(" + "|".join(SORT_KEYS) + ")$"


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
    sort: str = "due"  # one of SORT_VALUES


@dataclass(frozen=True)
class Appointment:
    on: date
    what: str  # e.g. "09:00 procedure", "6-week phone call"


@dataclass(frozen=True)
class WorklistRow:
    episode: Episode
    patient: Patient
    open_tasks: int
    overdue_tasks: int
    next_task: Task | None
    age: int = 0
    levels: tuple[str, ...] = ()
    next_appointment: Appointment | None = None
    columns: dict[str, Any] = field(default_factory=dict)  # the providers' columns by code

    @property
    def news2(self) -> int | None:
        value = self.columns.get("news2")
        return int(value) if value is not None else None


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _appointment(text: str | None) -> Appointment | None:
    """The providers' "YYYY-MM-DD what" text (see ``SummaryRegistry.appointments``)."""
    if not text:
        return None
    try:
        on = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return Appointment(on, text[10:].strip())


@dataclass(frozen=True)
class WorklistPage:
    rows: list[WorklistRow]
    total: int
    page: int
    per_page: int
    filters: WorklistFilters = field(default_factory=WorklistFilters)
    today: date = field(default_factory=date.today)  # the clinic's date the page was made on

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
    today = now.astimezone(ZoneInfo(actor.clinic_time_zone)).date()
    bind = session.get_bind()
    context = WorklistContext(
        today=today, now=now, time_zone=actor.clinic_time_zone, dialect=bind.dialect.name
    )
    columns = installed_summary().columns
    extra = [column.value(context).label(f"col_{code}") for code, column in columns.items()]
    appointment = next_appointment(context)
    appointment_column = (appointment if appointment is not None else null()).label("appointment")
    level_column = first_level_order().label("first_level")
    query = (
        select(
            Episode,
            Patient,
            open_tasks.c.open_count,
            open_tasks.c.overdue_count,
            appointment_column,
            *extra,
        )
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

    # Counted without the clinical columns: their subqueries only matter for the rows shown.
    counted = query.with_only_columns(Episode.id, maintain_column_froms=True)
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    per_page = max(1, min(filters.per_page, MAX_PER_PAGE))
    descending = filters.sort.startswith("-")
    key = filters.sort.lstrip("-")
    sort_by: dict[str, Any] = {
        "due": open_tasks.c.next_due,
        "name": func.lower(Patient.family_name + " " + Patient.given_name),
        # The older patient (the earlier birth date) has the greater age.
        "age": Patient.birth_date,
        "level": level_column,
        "appointment": appointment_column,
        "news2": columns["news2"].value(context) if "news2" in columns else null(),
        "stage_entered": Episode.stage_entered_at,
    }
    primary = sort_by.get(key, open_tasks.c.next_due)
    if key == "age":
        descending = not descending
    ordering = [primary.is_(None), primary.desc() if descending else primary.asc()]
    results = session.execute(
        query.order_by(
            *ordering,
            open_tasks.c.next_due.is_(None),
            open_tasks.c.next_due,
            Episode.stage_entered_at,
            Episode.id,
        )
        .offset((max(filters.page, 1) - 1) * per_page)
        .limit(per_page)
    ).all()
    episode_ids = [row[0].id for row in results]
    next_tasks = _next_tasks(session, episode_ids)
    levels = _levels(session, episode_ids)
    codes = list(columns)
    rows = [
        WorklistRow(
            episode=row[0],
            patient=row[1],
            open_tasks=row[2] or 0,
            overdue_tasks=row[3] or 0,
            next_task=next_tasks.get(row[0].id),
            age=age_on(row[1].birth_date, today),
            levels=levels.get(row[0].id, ()),
            next_appointment=_appointment(row[4]),
            columns={code: row[5 + i] for i, code in enumerate(codes)},
        )
        for row in results
    ]
    audit.record(
        session,
        actor,
        "read",
        "worklist",
        detail={"patient_ids": sorted({str(row.patient.id) for row in rows})},
    )
    return WorklistPage(rows, total, max(filters.page, 1), per_page, filters, today)


def _levels(session: Session, episode_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[str, ...]]:
    found: dict[uuid.UUID, list[str]] = {}
    if episode_ids:
        rows = session.execute(
            select(Fracture.episode_id, Fracture.level)
            .where(Fracture.episode_id.in_(episode_ids))
            .order_by(Fracture.level_order)
        )
        for episode_id, level in rows:
            found.setdefault(episode_id, []).append(level)
    return {k: tuple(v) for k, v in found.items()}


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
