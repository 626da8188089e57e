"""The episode summary's recovery block (the latest NEWS2, open alerts, discharge), the
timeline's recovery events (received, alerts and their acknowledgements, admission, discharge),
and the worklist's latest NEWS2, read from this package's own tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from spinepath.episodes.models import Episode
from spinepath.episodes.summary import (
    Fact,
    Link,
    SummaryBlock,
    SummaryContext,
    SummaryRegistry,
    TimelineEntry,
    WorklistColumn,
    WorklistContext,
)
from spinepath.recovery.models import ObservationSet, RecoveryAlert, RecoveryStay

KIND_LABELS = {"baseline": "before the procedure,", "recovery": "in recovery,"}
STAY_LABELS = {
    "in_recovery": "in recovery",
    "admitted": "admitted overnight",
    "discharged": "discharged",
}


def _latest(session: Session, context: SummaryContext) -> ObservationSet | None:
    return session.scalar(
        select(ObservationSet)
        .where(ObservationSet.episode_id == context.episode.id)
        .order_by(ObservationSet.observed_at.desc(), ObservationSet.recorded_at.desc())
        .limit(1)
    )


def _alerts(session: Session, context: SummaryContext) -> list[RecoveryAlert]:
    return list(
        session.scalars(
            select(RecoveryAlert)
            .where(RecoveryAlert.episode_id == context.episode.id)
            .order_by(RecoveryAlert.raised_at)
        )
    )


def _stay(session: Session, context: SummaryContext) -> RecoveryStay | None:
    return session.scalar(select(RecoveryStay).where(RecoveryStay.episode_id == context.episode.id))


def _block(session: Session, context: SummaryContext) -> Iterable[SummaryBlock]:
    latest = _latest(session, context)
    stay = _stay(session, context)
    facts: list[Fact] = []
    if latest is not None:
        facts.append(
            Fact(
                "Latest NEWS2",
                f"{latest.news2_total} ({latest.news2_risk} risk) · "
                f"{KIND_LABELS.get(latest.kind, latest.kind)} {context.local(latest.observed_at)}",
                flag=latest.news2_risk not in ("low", "none"),
                code="news2",
            )
        )
    open_alerts = [a for a in _alerts(session, context) if a.status == "open"]
    for alert in open_alerts:
        facts.append(
            Fact(
                "Open alert",
                f"{alert.label} (NEWS2 {alert.news2_total}, raised "
                f"{context.local(alert.raised_at)})",
                flag=True,
                code="open-alert",
            )
        )
    if latest is not None and not open_alerts:
        facts.append(Fact("Alerts", "none open", code="open-alert"))
    if stay is not None:
        status = STAY_LABELS.get(stay.status, stay.status)
        if stay.status == "discharged":
            who = f" by {stay.discharged_by_name}" if stay.discharged_by_name else ""
            status += f" {context.local(stay.discharged_at)}{who}"
        elif stay.status == "admitted" and stay.admission_reason:
            status += f": {stay.admission_reason}"
        facts.append(Fact("Discharge", status, code="discharge"))
    links = (
        (Link("Recovery", f"{context.base}/recovery", "recovery-link"),)
        if latest is not None or stay
        else ()
    )
    yield SummaryBlock(
        code="recovery",
        title="Recovery",
        facts=tuple(facts),
        links=links,
        empty="No vital signs recorded yet.",
        order=60,
    )


def _timeline(session: Session, context: SummaryContext) -> Iterable[TimelineEntry]:
    link = Link("Recovery", f"{context.base}/recovery")
    stay = _stay(session, context)
    if stay is not None:
        yield TimelineEntry(stay.started_at, "Received in recovery", "recovery", link=link)
        if stay.admitted_at:
            yield TimelineEntry(
                stay.admitted_at,
                "Admitted overnight",
                "recovery",
                detail=stay.admission_reason or "",
                link=link,
            )
        if stay.discharged_at:
            yield TimelineEntry(
                stay.discharged_at,
                "Discharged from recovery",
                "discharge",
                actor=stay.discharged_by_name,
                link=link,
            )
    for alert in _alerts(session, context):
        yield TimelineEntry(
            alert.raised_at,
            f"Alert: {alert.label}",
            "alert",
            detail=f"NEWS2 {alert.news2_total} ({alert.risk} risk)",
            flag=alert.status == "open",
            link=link,
        )
        if alert.acknowledged_at:
            response = [
                f"action taken: {alert.action_taken}" if alert.action_taken else "",
                f"responder arrived {context.local(alert.responder_arrived_at)}"
                if alert.responder_arrived_at
                else "",
                alert.acknowledgement_note or "",
            ]
            yield TimelineEntry(
                alert.acknowledged_at,
                f"Alert acknowledged: {alert.label}",
                "alert-acknowledged",
                detail="; ".join(part for part in response if part),
                actor=alert.acknowledged_by_name,
                link=link,
            )
        if alert.resolved_at:
            yield TimelineEntry(
                alert.resolved_at,
                f"Alert resolved: {alert.label}",
                "alert-resolved",
                detail=f"a later NEWS2 of {alert.resolved_news2_total} is below its threshold"
                if alert.resolved_news2_total is not None
                else "",
                link=link,
            )


def latest_news2(_context: WorklistContext) -> ColumnElement[Any]:
    return (
        select(ObservationSet.news2_total)
        .where(ObservationSet.episode_id == Episode.id)
        .order_by(ObservationSet.observed_at.desc(), ObservationSet.recorded_at.desc())
        .limit(1)
        .correlate(Episode)
        .scalar_subquery()
    )


def latest_news2_risk(_context: WorklistContext) -> ColumnElement[Any]:
    return (
        select(ObservationSet.news2_risk)
        .where(ObservationSet.episode_id == Episode.id)
        .order_by(ObservationSet.observed_at.desc(), ObservationSet.recorded_at.desc())
        .limit(1)
        .correlate(Episode)
        .scalar_subquery()
    )


def subscribe(registry: SummaryRegistry) -> None:
    registry.block(_block)
    registry.events(_timeline)
    registry.column(WorklistColumn("news2", "Latest NEWS2", latest_news2))
    registry.column(WorklistColumn("news2_risk", "Latest NEWS2 risk", latest_news2_risk))
