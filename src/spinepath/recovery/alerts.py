"""NEWS2 alerts in recovery: raised by a set that crosses a threshold, resolved by a later set
that scores below it, acknowledged by a clinician with what was done. Every alert is kept: the
recovery page, the episode timeline and the FHIR export show the whole history."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.procedure import alerts as alert_rules
from spinepath.context import Actor
from spinepath.episodes import tasks
from spinepath.episodes.models import Episode
from spinepath.errors import Conflict, InvalidInput
from spinepath.events import AlertAcknowledged
from spinepath.recovery.models import ObservationSet, RecoveryAlert, RecoveryStay
from spinepath.recovery.schemas import AcknowledgeIn
from spinepath.store.base import utc_now
from spinepath.store.lookups import in_clinic
from spinepath.unit_of_work import publish
from spinepath.versioning import check_version

ALERT_TASK_CODE = "news2_alert"
# An alert still waiting for a response: open, or resolved by a lower score but never answered.
ANSWERABLE = ("open", "resolved")


def alerts_of(session: Session, episode_id: uuid.UUID) -> list[RecoveryAlert]:
    """Every alert of the episode, newest first: the alert history."""
    return list(
        session.scalars(
            select(RecoveryAlert)
            .where(RecoveryAlert.episode_id == episode_id)
            .order_by(RecoveryAlert.raised_at.desc())
        )
    )


def episode_of_alert(session: Session, actor: Actor, alert_id: uuid.UUID) -> uuid.UUID:
    """The episode an alert of the actor's clinic belongs to (another clinic's: not found)."""
    return in_clinic(session, actor, RecoveryAlert, alert_id, "alert").episode_id


def open_alert_count(session: Session, episode_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(RecoveryAlert)
            .where(RecoveryAlert.episode_id == episode_id, RecoveryAlert.status == "open")
        )
        or 0
    )


def resolve_alerts(
    session: Session,
    episode_id: uuid.UUID,
    score: Mapping[str, Any],
    now: datetime,
) -> list[RecoveryAlert]:
    """Open alerts whose threshold the new score is below end as resolved (kept in the history;
    their task stays open until a clinician records the response)."""
    resolved = []
    for alert in session.scalars(
        select(RecoveryAlert).where(
            RecoveryAlert.episode_id == episode_id, RecoveryAlert.status == "open"
        )
    ):
        if alert_rules.resolved_by(alert.level, score):
            alert.status = "resolved"
            alert.resolved_at = now
            alert.resolved_news2_total = int(score["total"])
            resolved.append(alert)
    return resolved


def raise_alert(
    session: Session,
    episode: Episode,
    stay: RecoveryStay,
    observation_set: ObservationSet,
    score: Mapping[str, Any],
    now: datetime,
) -> RecoveryAlert | None:
    crossing = alert_rules.alert_for(score)
    if crossing is None:
        return None
    open_levels = session.scalars(
        select(RecoveryAlert.level).where(
            RecoveryAlert.episode_id == episode.id, RecoveryAlert.status == "open"
        )
    ).all()
    if not alert_rules.should_raise(crossing["level"], open_levels):
        return None
    response = crossing["response"]
    task = tasks.add_task(
        session,
        episode,
        code=ALERT_TASK_CODE,
        title=f"NEWS2 {crossing['total']} in recovery: {response['response_level']}"[:200],
        owner_role="physician",
        due_at=now,
        assignee_id=stay.responsible_clinician_id,
    )
    alert = RecoveryAlert(
        clinic_id=episode.clinic_id,
        episode_id=episode.id,
        patient_id=episode.patient_id,
        observation_set_id=observation_set.id,
        level=crossing["level"],
        news2_total=crossing["total"],
        risk=crossing["risk"],
        label=crossing["label"],
        response=response,
        raised_at=now,
        task_id=task.id,
        status="open",
    )
    session.add(alert)
    session.flush()
    return alert


def acknowledge_alert(
    session: Session,
    actor: Actor,
    alert_id: uuid.UUID,
    data: AcknowledgeIn,
    *,
    if_match_version: int | None = None,
    now: datetime | None = None,
) -> RecoveryAlert:
    """A clinician records the response: for an urgent or emergency alert the action taken, and
    for an emergency the time the responder arrived. The alert leaves the board, its task is
    done, and it stays in the history."""
    actor.require(Permission.ACKNOWLEDGE_ALERTS, "acknowledge alerts")
    alert = in_clinic(session, actor, RecoveryAlert, alert_id, "alert")
    if alert.status not in ANSWERABLE:
        raise Conflict(
            f"this alert was already acknowledged by {alert.acknowledged_by_name or 'someone'}"
        )
    expected = if_match_version if if_match_version is not None else data.version
    check_version("alert", alert.version, expected, via_if_match=if_match_version is not None)
    now = now or utc_now()
    errors = alert_rules.acknowledgement_errors(
        alert.level, data.action_taken, data.responder_arrived_at, alert.raised_at, now
    )
    if errors:
        raise InvalidInput(errors)
    alert.status = "acknowledged"
    alert.acknowledged_at = now
    alert.acknowledged_by_id = actor.user_id
    alert.acknowledged_by_name = actor.full_name
    alert.acknowledgement_note = data.note
    alert.action_taken = data.action_taken
    alert.responder_arrived_at = data.responder_arrived_at
    task = tasks.task_by_id(session, alert.task_id)
    if task is not None:
        tasks.complete_task(task, actor, now)
    session.flush()
    publish(
        session,
        actor,
        AlertAcknowledged(
            clinic_id=alert.clinic_id,
            episode_id=alert.episode_id,
            occurred_at=now,
            alert_id=alert.id,
        ),
    )
    audit.record(
        session,
        actor,
        "acknowledge",
        "recovery_alert",
        alert.id,
        patient_id=alert.patient_id,
        detail={
            "level": alert.level,
            "news2_total": alert.news2_total,
            "action_recorded": bool(data.action_taken),
            "responder_arrival_recorded": data.responder_arrived_at is not None,
        },
    )
    return alert
