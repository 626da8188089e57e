"""How follow-up reacts to the pathway: discharge or conservative treatment starts the plan,
an ended episode stops its reminders, a booked follow-up visit moves the planned visit to it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from spinepath.context import Actor
from spinepath.episodes.models import AppointmentKind, Episode
from spinepath.episodes.pathway import Stage
from spinepath.events import AppointmentBooked, EventBus, StageEntered
from spinepath.follow_up import plans


def follow_stage(session: Session, actor: Actor, event: StageEntered) -> None:
    episode = session.get(Episode, event.episode_id)
    if episode is not None:
        plans.on_stage_entered(session, actor, episode, Stage(event.to_stage), event.occurred_at)


def follow_booked_visit(session: Session, actor: Actor, event: AppointmentBooked) -> None:
    if event.kind == AppointmentKind.FOLLOW_UP.value:
        plans.take_booked_visit(
            session, actor, event.episode_id, event.starts_at, event.occurred_at
        )


def subscribe(bus: EventBus) -> None:
    bus.subscribe(StageEntered, follow_stage)
    bus.subscribe(AppointmentBooked, follow_booked_visit)
