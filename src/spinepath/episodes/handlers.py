"""How episodes react to what other domains record: the task the work stands for is done."""

from __future__ import annotations

from sqlalchemy.orm import Session

from spinepath.context import Actor
from spinepath.episodes import tasks
from spinepath.episodes.task_rules import completed_task_codes, completing_events
from spinepath.events import DomainEvent, EventBus


def complete_tasks_for(session: Session, actor: Actor, event: DomainEvent) -> None:
    codes = completed_task_codes(event)
    tasks.complete_open_tasks(session, actor, event.episode_id, codes, event.occurred_at)


def subscribe(bus: EventBus) -> None:
    for event_type in completing_events():
        bus.subscribe(event_type, complete_tasks_for)
