"""One patient's recovery as the nurse sees it, and the recovery board of the clinic."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.procedure import alerts as alert_rules
from spinepath.clinical.procedure import discharge as rules
from spinepath.clinical.procedure import monitoring
from spinepath.context import Actor
from spinepath.episodes import service as episodes
from spinepath.episodes.models import Episode
from spinepath.procedures.models import ProcedureRecord
from spinepath.procedures.service import record_of
from spinepath.recovery.models import (
    ObservationSet,
    RecoveryAlert,
    RecoveryScore,
    RecoveryStay,
)
from spinepath.recovery.service import (
    OPEN_STATUSES,
    ClinicRecoverySettings,
    alerts_of,
    derived_item,
    latest_score,
    latest_set,
    observation_sets,
    readiness_of,
    scores_of,
    settings_for,
    stay_of,
)
from spinepath.store.base import utc_now


@dataclass(frozen=True)
class Schedule:
    interval_minutes: int
    next_due_at: datetime
    overdue: bool
    continuous: bool = False  # NEWS2 7 or more: continuous monitoring of vital signs
    rcp: str | None = None  # the RCP frequency for the latest score, in words
    stricter: str = "clinic"  # which of the two set the interval: "clinic" or "rcp"


def schedule_of(
    stay: RecoveryStay,
    latest: ObservationSet | None,
    settings: ClinicRecoverySettings,
    now: datetime,
) -> Schedule:
    """The stricter of the clinic's (or this patient's) interval and the RCP NEWS2 frequency."""
    clinic = stay.observation_interval_minutes or settings.observation_interval_minutes
    shown = monitoring.schedule(latest.news2 if latest else None, clinic)
    interval = int(shown["interval_minutes"])
    since = latest.observed_at if latest else max(stay.started_at, stay.procedure_ended_at)
    due = since + timedelta(minutes=interval)
    return Schedule(
        interval, due, now > due, bool(shown["continuous"]), shown["rcp"], str(shown["stricter"])
    )


@dataclass
class RecoveryView:
    episode: Episode
    stay: RecoveryStay | None
    record: ProcedureRecord | None
    sets: list[ObservationSet]
    alerts: list[RecoveryAlert]
    scores: list[RecoveryScore]
    settings: ClinicRecoverySettings
    now: datetime
    readiness: dict[str, Any] | None = None
    schedule: Schedule | None = None
    derivable: dict[str, bool] = field(default_factory=dict)

    @property
    def baseline(self) -> ObservationSet | None:
        return latest_set(self.sets, "baseline")

    @property
    def latest(self) -> ObservationSet | None:
        return latest_set(self.sets, "recovery")

    @property
    def open_alerts(self) -> list[RecoveryAlert]:
        return [alert for alert in self.alerts if alert.status == "open"]

    def latest_score(self, instrument: str) -> RecoveryScore | None:
        return latest_score(self.scores, instrument)


def recovery_view(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    *,
    now: datetime | None = None,
    audited: bool = True,
) -> RecoveryView:
    """One patient's recovery. ``audited=False`` only for answering a write already audited."""
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = episodes.load_episode(session, actor, episode_id)
    now = now or utc_now()
    stay = stay_of(session, episode.id)
    view = RecoveryView(
        episode=episode,
        stay=stay,
        record=record_of(session, episode.id),
        sets=observation_sets(session, episode.id),
        alerts=alerts_of(session, episode.id),
        scores=scores_of(session, episode.id),
        settings=settings_for(session, episode.clinic_id),
        now=now,
    )
    if stay is not None:
        latest = view.latest
        view.readiness = readiness_of(
            stay,
            view.scores,
            len(view.open_alerts),
            view.settings,
            now,
            latest_news2=latest.news2_total if latest is not None else None,
        )
        view.schedule = schedule_of(stay, view.latest, view.settings, now)
        view.derivable = {
            item.item: derived_item(item, view.sets) is not None for item in rules.DERIVED_ITEMS
        }
    if audited:
        audit.record(session, actor, "read", "recovery", episode.id, patient_id=episode.patient_id)
    return view


@dataclass(frozen=True)
class BoardRow:
    stay: RecoveryStay
    minutes_since_procedure: int
    latest: ObservationSet | None
    open_alerts: list[RecoveryAlert]
    readiness: dict[str, Any]
    schedule: Schedule

    @property
    def colour(self) -> str | None:
        return alert_rules.colour_of(self.latest.news2_risk) if self.latest else None

    @property
    def still_needed(self) -> list[str]:
        return [item["label"] for item in self.readiness["items"] if item["status"] == "unmet"]


def _latest_per_episode(
    session: Session, episode_ids: list[uuid.UUID], kind: str
) -> dict[uuid.UUID, ObservationSet]:
    if not episode_ids:
        return {}
    ranked = (
        select(
            ObservationSet.id,
            func.row_number()
            .over(
                partition_by=ObservationSet.episode_id,
                order_by=(ObservationSet.observed_at.desc(), ObservationSet.recorded_at.desc()),
            )
            .label("rank"),
        )
        .where(ObservationSet.episode_id.in_(episode_ids), ObservationSet.kind == kind)
        .subquery()
    )
    found = session.scalars(
        select(ObservationSet)
        .join(ranked, ranked.c.id == ObservationSet.id)
        .where(ranked.c.rank == 1)
    )
    return {item.episode_id: item for item in found}


def _total(latest: ObservationSet | None) -> int | None:
    return latest.news2_total if latest is not None else None


def board(session: Session, actor: Actor, *, now: datetime | None = None) -> list[BoardRow]:
    """Every patient in recovery (or admitted overnight from it) in the actor's clinic, the most
    severe first."""
    actor.require(Permission.READ_PATIENTS, "read patient records")
    now = now or utc_now()
    stays = list(
        session.scalars(
            select(RecoveryStay)
            .where(
                RecoveryStay.clinic_id == actor.clinic_id,
                RecoveryStay.status.in_(OPEN_STATUSES),
            )
            .order_by(RecoveryStay.procedure_ended_at, RecoveryStay.id)
        )
    )
    episode_ids = [stay.episode_id for stay in stays]
    latest = _latest_per_episode(session, episode_ids, "recovery")
    open_alerts: dict[uuid.UUID, list[RecoveryAlert]] = {}
    scores: dict[uuid.UUID, list[RecoveryScore]] = {}
    if episode_ids:
        for alert in session.scalars(
            select(RecoveryAlert)
            .where(RecoveryAlert.episode_id.in_(episode_ids), RecoveryAlert.status == "open")
            .order_by(RecoveryAlert.raised_at.desc())
        ):
            open_alerts.setdefault(alert.episode_id, []).append(alert)
        for score in session.scalars(
            select(RecoveryScore)
            .where(RecoveryScore.episode_id.in_(episode_ids))
            .order_by(RecoveryScore.scored_at.desc())
        ):
            scores.setdefault(score.episode_id, []).append(score)
    settings = settings_for(session, actor.clinic_id)
    rows = [
        BoardRow(
            stay=stay,
            minutes_since_procedure=max(
                0, int((now - stay.procedure_ended_at).total_seconds() // 60)
            ),
            latest=latest.get(stay.episode_id),
            open_alerts=open_alerts.get(stay.episode_id, []),
            readiness=readiness_of(
                stay,
                scores.get(stay.episode_id, []),
                len(open_alerts.get(stay.episode_id, [])),
                settings,
                now,
                latest_news2=_total(latest.get(stay.episode_id)),
            ),
            schedule=schedule_of(stay, latest.get(stay.episode_id), settings, now),
        )
        for stay in stays
    ]
    # Most severe first (highest open alert, then the latest NEWS2); then the longest in recovery.
    rows.sort(
        key=lambda row: alert_rules.severity_key(
            _total(row.latest), [alert.level for alert in row.open_alerts]
        )
    )
    audit.record(
        session,
        actor,
        "read",
        "recovery_board",
        None,
        detail={"patient_ids": [str(stay.patient_id) for stay in stays]},
    )
    return rows
