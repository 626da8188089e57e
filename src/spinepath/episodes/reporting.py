"""What reports may know of the episodes' moves, read through this module only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from spinepath.episodes.models import StageTransition


def had_gate_override(episode_id: Any) -> Any:
    """A condition on an episode-id column: some move of that episode overrode a stage gate."""
    return exists(
        select(StageTransition.id).where(
            StageTransition.episode_id == episode_id, StageTransition.override_reason.is_not(None)
        )
    )
