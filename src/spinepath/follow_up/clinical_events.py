"""Events after treatment: new fractures, complications, readmissions, death."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.clinical.follow_up.schedule import (
    local_date,
)
from spinepath.clinical.levels import level_index, normalise_level
from spinepath.context import Actor
from spinepath.episodes.pathway import TERMINAL, Stage
from spinepath.follow_up.models import (
    FollowUpEvent,
)
from spinepath.follow_up.records import cohort_of, load_episode, no_cohort, plan_of
from spinepath.follow_up.schemas import (
    EventIn,
    EventKind,
)
from spinepath.store.base import utc_now


def record_event(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: EventIn,
    *,
    now: datetime | None = None,
) -> FollowUpEvent:
    """A new vertebral fracture (with its level; adjacent when it touches a level of this
    episode), a complication, a readmission, or a death (which ends the episode)."""
    actor.require(Permission.EDIT_PATIENTS, "record follow-up events")
    episode = load_episode(session, actor, episode_id)
    now = now or utc_now()
    errors: list[FieldError] = []
    level = adjacent = None
    if data.occurred_on > local_date(now, ZoneInfo(actor.clinic_time_zone)):
        errors.append(FieldError("occurred_on", "cannot be in the future"))
    if data.kind is EventKind.NEW_VERTEBRAL_FRACTURE:
        if not data.level:
            errors.append(FieldError("level", "give the level of the new fracture"))
        else:
            try:
                level = normalise_level(data.level)
            except ValueError as bad:
                errors.append(FieldError("level", str(bad)))
            else:
                known = [f.level for f in episode.fractures]
                if level in known:
                    errors.append(FieldError("level", f"{level} is a fracture of this episode"))
                adjacent = any(abs(level_index(level) - level_index(k)) == 1 for k in known)
    elif data.level:
        errors.append(FieldError("level", "only a new fracture has a level"))
    if data.kind is EventKind.COMPLICATION and data.complication is None:
        errors.append(FieldError("complication", "say which complication"))
    if data.kind is not EventKind.COMPLICATION and data.complication is not None:
        errors.append(FieldError("complication", "only a complication has a type"))
    if errors:
        raise InvalidInput(errors)
    plan = plan_of(session, episode.id)
    event = FollowUpEvent(
        **(cohort_of(plan) if plan else no_cohort(episode.clinic_id, data.occurred_on)),
        episode_id=episode.id,
        patient_id=episode.patient_id,
        kind=data.kind.value,
        occurred_on=data.occurred_on,
        level=level,
        adjacent=adjacent,
        complication=data.complication.value if data.complication else None,
        description=data.description,
        recorded_at=now,
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.full_name,
    )
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "follow_up_event",
        event.id,
        patient_id=episode.patient_id,
        detail={"kind": event.kind},
    )
    if data.kind is EventKind.DEATH and Stage(episode.stage) not in TERMINAL:
        from spinepath.episodes import service as episodes
        from spinepath.episodes.schemas import TransitionIn

        episodes.transition_episode(
            session,
            actor,
            episode.id,
            TransitionIn(
                to_stage=Stage.DIED,
                reason=f"death recorded at follow-up ({data.occurred_on.isoformat()})",
                version=episode.version,
                event_date=data.occurred_on,
            ),
            now=now,
        )
    return event
