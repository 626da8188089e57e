"""How recovery reacts to the pathway: an episode moved to Discharged or Died by another route
than the recovery discharge (a physician's override of the discharge gate) closes its open
recovery stay, so the board never lists a patient who has left."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.audit import service as audit
from spinepath.context import Actor
from spinepath.episodes.pathway import Stage
from spinepath.events import EventBus, StageEntered
from spinepath.recovery.models import RecoveryStay
from spinepath.recovery.service import mark_discharged

_LEAVING = {Stage.DISCHARGED.value, Stage.DIED.value}
_OPEN = ("in_recovery", "admitted")


def close_stay_on_leaving(session: Session, actor: Actor, event: StageEntered) -> None:
    if event.to_stage not in _LEAVING:
        return
    stay = session.scalars(
        select(RecoveryStay).where(
            RecoveryStay.episode_id == event.episode_id, RecoveryStay.status.in_(_OPEN)
        )
    ).one_or_none()
    if stay is None:
        return  # discharged from recovery already, or never there
    mark_discharged(stay, actor, event.occurred_at)
    session.flush()
    audit.record(
        session,
        actor,
        "close",
        "recovery_stay",
        stay.id,
        patient_id=stay.patient_id,
        detail={"reason": f"the episode moved to {event.to_stage} outside the recovery discharge"},
    )


def subscribe(bus: EventBus) -> None:
    bus.subscribe(StageEntered, close_stay_on_leaving)
