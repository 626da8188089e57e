"""How preparation reacts to the schedule: a moved procedure sends its plan back to review."""

from __future__ import annotations

from sqlalchemy.orm import Session

from spinepath.context import Actor
from spinepath.episodes.models import AppointmentKind
from spinepath.events import AppointmentBooked, EventBus
from spinepath.preparation import service


def follow_procedure_time(session: Session, actor: Actor, event: AppointmentBooked) -> None:
    if event.kind == AppointmentKind.PROCEDURE.value:
        service.procedure_moved(session, actor, event.episode_id, event.starts_at)


def subscribe(bus: EventBus) -> None:
    bus.subscribe(AppointmentBooked, follow_procedure_time)
