"""What the preparation plan must show before an episode is Prepared."""

from __future__ import annotations

from sqlalchemy.orm import Session

from spinepath.episodes.gates import GateRegistry, Move, Requirement
from spinepath.episodes.models import Episode
from spinepath.episodes.pathway import Stage
from spinepath.preparation.signed_plan import plan_status


def signed_current_plan(session: Session, episode: Episode, _move: Move) -> Requirement:
    found = plan_status(session, episode.id)
    if found.signed:
        shown = ""
    elif found.needs_review:
        shown = "the plan changed after it was signed" + (
            f": {found.review_reason}" if found.review_reason else ""
        )
    elif found.status == "none":
        shown = "no preparation plan"
    else:
        shown = "the plan is not signed yet"
    return Requirement(
        "signed_preparation_plan", "a signed, current preparation plan", found.signed, shown
    )


def subscribe(registry: GateRegistry) -> None:
    registry.require(Stage.PREPARED, signed_current_plan)
