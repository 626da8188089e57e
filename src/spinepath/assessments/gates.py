"""What the treatment decision must show before an episode is Scheduled or referred for surgery."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.assessments.models import AssessmentDecision
from spinepath.assessments.schemas import DECISION_LABELS, Decision
from spinepath.episodes.gates import GateCheck, GateRegistry, Move, Requirement
from spinepath.episodes.models import Episode
from spinepath.episodes.pathway import Stage


def latest_decision(session: Session, episode: Episode) -> AssessmentDecision | None:
    return session.scalar(
        select(AssessmentDecision)
        .where(AssessmentDecision.episode_id == episode.id)
        .order_by(AssessmentDecision.decided_at.desc())
        .limit(1)
    )


def _decided(wanted: Decision | None, code: str, needed: str) -> GateCheck:
    def check(session: Session, episode: Episode, _move: Move) -> Requirement:
        decision = latest_decision(session, episode)
        if decision is None:
            return Requirement(code, needed, False, "no treatment decision recorded")
        met = wanted is None or decision.decision == wanted.value
        shown = "" if met else f"the decision recorded is: {_label(decision.decision)}"
        return Requirement(code, needed, met, shown)

    return check


def _label(value: str) -> str:
    try:
        return DECISION_LABELS[Decision(value)]
    except ValueError:
        return value


def subscribe(registry: GateRegistry) -> None:
    registry.require(
        Stage.SCHEDULED,
        _decided(
            Decision.PROCEED,
            "decision_to_proceed",
            "a recorded decision to proceed to vertebral augmentation",
        ),
    )
    registry.require(
        Stage.REFERRED_FOR_SURGERY,
        _decided(
            Decision.SURGICAL,
            "decision_to_refer",
            "a recorded decision to refer for surgical evaluation",
        ),
    )
