"""How follow-up reacts to the pathway: discharge or conservative treatment starts the plan,
an ended episode stops its reminders."""

from __future__ import annotations

from sqlalchemy.orm import Session

from spinepath.context import Actor
from spinepath.episodes.models import Episode
from spinepath.episodes.pathway import Stage
from spinepath.events import EventBus, StageEntered
from spinepath.follow_up import plans


def follow_stage(session: Session, actor: Actor, event: StageEntered) -> None:
    episode = session.get(Episode, event.episode_id)
    if episode is not None:
        plans.on_stage_entered(session, actor, episode, Stage(event.to_stage), event.occurred_at)


def subscribe(bus: EventBus) -> None:
    bus.subscribe(StageEntered, follow_stage)
