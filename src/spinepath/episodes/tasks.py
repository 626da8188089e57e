"""The one writer of tasks: open, complete (with who and when), cancel, reopen.

Every domain that puts work on the worklist asks here, by a call or through an event, so that
"complete a task" is written once and always says who completed it and when.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.context import Actor
from spinepath.episodes.models import Episode, Task, TaskStatus

__all__ = ["TaskStatus"]


def open_task(
    session: Session,
    episode: Episode,
    *,
    code: str,
    title: str,
    owner_role: str,
    due_at: datetime,
) -> Task:
    """The episode's open task with ``code``: an existing one is kept (with the new title and
    due time), so re-entering a stage or planning again never makes a second one."""
    task = open_task_with_code(session, episode.id, code)
    if task is None:
        return add_task(
            session, episode, code=code, title=title, owner_role=owner_role, due_at=due_at
        )
    task.title, task.due_at = title, due_at
    return task


def add_task(
    session: Session,
    episode: Episode,
    *,
    code: str,
    title: str,
    owner_role: str,
    due_at: datetime,
    assignee_id: uuid.UUID | None = None,
) -> Task:
    """A new task even when one with ``code`` is open (one per follow-up contact, say)."""
    task = Task(
        clinic_id=episode.clinic_id,
        episode_id=episode.id,
        stage=episode.stage,
        code=code,
        title=title,
        owner_role=owner_role,
        assignee_id=assignee_id,
        due_at=due_at,
        status=TaskStatus.OPEN.value,
    )
    session.add(task)
    session.flush()
    return task


def open_task_with_code(session: Session, episode_id: uuid.UUID, code: str) -> Task | None:
    return session.scalar(
        select(Task)
        .where(
            Task.episode_id == episode_id,
            Task.code == code,
            Task.status == TaskStatus.OPEN.value,
        )
        .order_by(Task.created_at)
        .limit(1)
    )


def complete_task(task: Task, actor: Actor, now: datetime) -> None:
    if task.status != TaskStatus.DONE.value:
        task.status = TaskStatus.DONE.value
        task.completed_at = now
        task.completed_by_id = actor.user_id


def complete_open_tasks(
    session: Session, actor: Actor, episode_id: uuid.UUID, codes: Iterable[str], now: datetime
) -> list[Task]:
    """Complete the episode's open tasks with any of ``codes`` (the work they ask for is done)."""
    wanted = list(codes)
    if not wanted:
        return []
    tasks = list(
        session.scalars(
            select(Task).where(
                Task.episode_id == episode_id,
                Task.code.in_(wanted),
                Task.status == TaskStatus.OPEN.value,
            )
        )
    )
    for task in tasks:
        complete_task(task, actor, now)
    return tasks


def cancel_task(task: Task) -> None:
    if task.status == TaskStatus.OPEN.value:
        task.status = TaskStatus.CANCELLED.value


def reopen_task(task: Task, due_at: datetime) -> None:
    task.status = TaskStatus.OPEN.value
    task.due_at = due_at
    task.completed_at = None
    task.completed_by_id = None


def task_by_id(session: Session, task_id: uuid.UUID | None) -> Task | None:
    return session.get(Task, task_id) if task_id else None
