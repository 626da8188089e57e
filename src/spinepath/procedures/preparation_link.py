"""What the time-out shows of the patient's preparation plan.

The preparation planner is its own domain package, looked up only when it is installed:

1. if ``spinepath.preparation.service.signed_plan_summary(session, episode_id)`` exists, it
   answers ``None`` (no signed plan) or a dict with ``signed_at`` (datetime), ``signed_by``
   (name) and optionally ``labs`` (a list of ``{"test", "value", "threshold", "status"}``);
2. otherwise the episode's ``spinepath.preparation.models.PreparationPlan`` row is read: its
   ``status`` (draft, signed, needs_review), who signed it and when, and the computed plan's
   ``labs``.

Without the package the time-out shows "no signed plan recorded" and the team reviews the labs
from the chart.
"""

from __future__ import annotations

import importlib
import importlib.util
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

NO_SIGNED_PLAN = "no signed plan recorded"


@dataclass(frozen=True)
class PreparationStatus:
    signed: bool
    summary: str
    signed_at: datetime | None = None
    signed_by: str | None = None
    labs: list[dict[str, Any]] = field(default_factory=list)


def _provider() -> Callable[[Session, uuid.UUID], dict[str, Any] | None] | None:
    if importlib.util.find_spec("spinepath.preparation") is None:
        return None
    try:
        module = importlib.import_module("spinepath.preparation.service")
    except ImportError:
        return None
    provider = getattr(module, "signed_plan_summary", None)
    return provider if callable(provider) else None


def _from_stored_plan(session: Session, episode_id: uuid.UUID) -> PreparationStatus | None:
    """Read the preparation package's stored plan, when that package is installed."""
    if importlib.util.find_spec("spinepath.preparation") is None:
        return None
    try:
        models = importlib.import_module("spinepath.preparation.models")
    except ImportError:
        return None
    plan_model = getattr(models, "PreparationPlan", None)
    if plan_model is None:
        return None
    stored = session.scalar(select(plan_model).where(plan_model.episode_id == episode_id))
    if stored is None:
        return PreparationStatus(signed=False, summary=NO_SIGNED_PLAN)
    status = getattr(stored, "status", None)
    plan = getattr(stored, "plan", None) or {}
    labs = [lab for lab in plan.get("labs", []) if isinstance(lab, dict)]
    if status == "signed":
        return _signed(
            getattr(stored, "signed_at", None), getattr(stored, "signed_by_name", None), labs
        )
    if status == "needs_review":
        reason = getattr(stored, "review_reason", None)
        text = "changed after signing, needs a new signature" + (f": {reason}" if reason else "")
        return PreparationStatus(signed=False, summary=text, labs=labs)
    return PreparationStatus(signed=False, summary="plan prepared, not signed yet", labs=labs)


def _signed(signed_at: Any, signed_by: Any, labs: list[dict[str, Any]]) -> PreparationStatus:
    when = signed_at.strftime("%d %b %Y %H:%M UTC") if isinstance(signed_at, datetime) else ""
    text = "signed" + (f" by {signed_by}" if signed_by else "") + (f" on {when}" if when else "")
    return PreparationStatus(
        signed=True,
        summary=text,
        signed_at=signed_at if isinstance(signed_at, datetime) else None,
        signed_by=str(signed_by) if signed_by else None,
        labs=labs,
    )


def preparation_status(session: Session, episode_id: uuid.UUID) -> PreparationStatus:
    provider = _provider()
    if provider is None:
        return _from_stored_plan(session, episode_id) or PreparationStatus(
            signed=False, summary=NO_SIGNED_PLAN
        )
    summary = provider(session, episode_id)
    if not summary:
        return PreparationStatus(signed=False, summary=NO_SIGNED_PLAN)
    return _signed(
        summary.get("signed_at"), summary.get("signed_by"), list(summary.get("labs") or [])
    )
