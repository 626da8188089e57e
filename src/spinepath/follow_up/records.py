"""Lookups the follow-up modules share: the episode, its plan and contacts, the report cohort."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.episodes.service import load_episode
from spinepath.follow_up.models import (
    FollowUpContact,
    FollowUpPlan,
)

NO_PLAN = "none"  # rows recorded before follow-up started; reports leave them out


def plan_of(session: Session, episode_id: uuid.UUID) -> FollowUpPlan | None:
    return session.scalar(select(FollowUpPlan).where(FollowUpPlan.episode_id == episode_id))


def contacts_of(session: Session, plan: FollowUpPlan) -> list[FollowUpContact]:
    return list(
        session.scalars(
            select(FollowUpContact)
            .where(FollowUpContact.plan_id == plan.id)
            .order_by(FollowUpContact.due_date, FollowUpContact.sequence)
        )
    )


def cohort_of(plan: FollowUpPlan) -> dict[str, Any]:
    """The report filters a plan gives the rows of its episode."""
    return {
        "clinic_id": plan.clinic_id,
        "anchor_date": plan.anchor_date,
        "anchor_month": plan.anchor_month,
        "plan_kind": plan.kind,
        "physician_id": plan.physician_id,
    }


def no_cohort(clinic_id: uuid.UUID, day: date) -> dict[str, Any]:
    return {
        "clinic_id": clinic_id,
        "anchor_date": day,
        "anchor_month": day.strftime("%Y-%m"),
        "plan_kind": NO_PLAN,
        "physician_id": None,
    }


__all__ = ["NO_PLAN", "cohort_of", "contacts_of", "load_episode", "no_cohort", "plan_of"]
