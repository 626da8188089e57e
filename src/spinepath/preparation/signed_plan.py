"""What other domains may know of an episode's preparation plan: its signature and its labs.

The time-out shows it; only this package reads its own tables.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.preparation.models import NEEDS_REVIEW, SIGNED, PreparationPlan


@dataclass(frozen=True)
class PlanStatus:
    status: str  # "none", or the stored plan's: draft, signed, needs_review
    signed_at: datetime | None = None
    signed_by: str | None = None
    review_reason: str | None = None
    labs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def signed(self) -> bool:
        return self.status == SIGNED

    @property
    def needs_review(self) -> bool:
        return self.status == NEEDS_REVIEW


def plan_of_episode(session: Session, episode_id: uuid.UUID) -> PreparationPlan | None:
    """The episode's stored preparation plan (one per episode), or None."""
    return session.scalars(
        select(PreparationPlan).where(PreparationPlan.episode_id == episode_id)
    ).one_or_none()


def plan_status(session: Session, episode_id: uuid.UUID) -> PlanStatus:
    stored = plan_of_episode(session, episode_id)
    if stored is None:
        return PlanStatus(status="none")
    plan = stored.plan or {}
    return PlanStatus(
        status=stored.status,
        signed_at=stored.signed_at,
        signed_by=stored.signed_by_name,
        review_reason=stored.review_reason,
        labs=[lab for lab in plan.get("labs", []) if isinstance(lab, dict)],
    )
