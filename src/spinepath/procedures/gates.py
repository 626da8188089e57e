"""What the procedure-day records must show before an episode enters Procedure or Recovery."""

from __future__ import annotations

from sqlalchemy.orm import Session

from spinepath.episodes.gates import GateRegistry, Move, Requirement
from spinepath.episodes.models import Episode
from spinepath.episodes.pathway import Stage
from spinepath.procedures.service import record_of, time_outs_of


def completed_time_out(session: Session, episode: Episode, _move: Move) -> Requirement:
    done = bool(time_outs_of(session, episode.id))
    return Requirement(
        "completed_time_out",
        "a completed time-out, with the level check",
        done,
        "" if done else "no time-out recorded",
    )


def procedure_record(session: Session, episode: Episode, _move: Move) -> Requirement:
    done = record_of(session, episode.id) is not None
    return Requirement(
        "procedure_record",
        "the procedure record",
        done,
        "" if done else "no procedure record",
    )


def subscribe(registry: GateRegistry) -> None:
    registry.require(Stage.PROCEDURE, completed_time_out)
    registry.require(Stage.RECOVERY, procedure_record)
