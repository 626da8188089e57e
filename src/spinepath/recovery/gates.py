"""What recovery must show before an episode is Discharged."""

from __future__ import annotations

from sqlalchemy.orm import Session

from spinepath.episodes.gates import GateRegistry, Move, Requirement
from spinepath.episodes.models import Episode
from spinepath.episodes.pathway import Stage
from spinepath.recovery.service import stay_of

# Discharge itself is a recovery use case: it checks every readiness criterion first.
_DISCHARGED_OR_ADMITTED = ("discharged", "admitted")


def discharged_from_recovery(session: Session, episode: Episode, _move: Move) -> Requirement:
    stay = stay_of(session, episode.id)
    met = stay is not None and stay.status in _DISCHARGED_OR_ADMITTED
    if stay is None:
        shown = "no recovery record"
    elif not met:
        shown = "still in recovery: discharge from the recovery page once every criterion is met"
    else:
        shown = ""
    return Requirement(
        "discharge_readiness",
        "a discharge from recovery with every readiness criterion met, or an overnight admission",
        met,
        shown,
    )


def subscribe(registry: GateRegistry) -> None:
    registry.require(Stage.DISCHARGED, discharged_from_recovery)
