"""What the time-out shows of the patient's preparation plan."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from spinepath.preparation.signed_plan import plan_status

NO_SIGNED_PLAN = "no signed plan recorded"


@dataclass(frozen=True)
class PreparationStatus:
    signed: bool
    summary: str
    signed_at: datetime | None = None
    signed_by: str | None = None
    labs: list[dict[str, Any]] = field(default_factory=list)


def preparation_status(session: Session, episode_id: uuid.UUID) -> PreparationStatus:
    found = plan_status(session, episode_id)
    if found.signed:
        when = found.signed_at.strftime("%d %b %Y %H:%M UTC") if found.signed_at else ""
        text = (
            "signed"
            + (f" by {found.signed_by}" if found.signed_by else "")
            + (f" on {when}" if when else "")
        )
        return PreparationStatus(True, text, found.signed_at, found.signed_by, found.labs)
    if found.needs_review:
        reason = found.review_reason
        text = "changed after signing, needs a new signature" + (f": {reason}" if reason else "")
        return PreparationStatus(False, text, labs=found.labs)
    if found.status == "none":
        return PreparationStatus(False, NO_SIGNED_PLAN)
    return PreparationStatus(False, "plan prepared, not signed yet", labs=found.labs)
