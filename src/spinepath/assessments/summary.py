"""The episode summary's consultation and decision block, and the timeline's assessments and
decisions, read from this package's own tables."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.assessments.gates import latest_decision
from spinepath.assessments.models import Assessment, AssessmentDecision, CaseFacts
from spinepath.assessments.schemas import DECISION_LABELS, Decision
from spinepath.assessments.web import ACTION_LABELS
from spinepath.episodes.summary import (
    Fact,
    Link,
    SummaryBlock,
    SummaryContext,
    SummaryRegistry,
    TimelineEntry,
)


def _decision_label(value: str) -> str:
    try:
        return DECISION_LABELS[Decision(value)]
    except ValueError:
        return value


def _assessments(session: Session, context: SummaryContext) -> list[Assessment]:
    return list(
        session.scalars(
            select(Assessment)
            .where(Assessment.episode_id == context.episode.id)
            .order_by(Assessment.number.desc())
        )
    )


def _block(session: Session, context: SummaryContext) -> Iterable[SummaryBlock]:
    assessments = _assessments(session, context)
    facts: list[Fact] = []
    if assessments:
        latest = assessments[0]
        facts.append(
            Fact(
                "Latest assessment",
                f"{ACTION_LABELS.get(latest.action, latest.action)} "
                f"(assessment {latest.number}, {latest.assessment_date.strftime('%d %b %Y')})",
                code="assessment",
            )
        )
    decision = latest_decision(session, context.episode)
    if decision is not None:
        technique = f", {decision.procedure}" if decision.procedure else ""
        who = decision.decided_by_name or "physician"
        facts.append(
            Fact(
                "Decision",
                f"{_decision_label(decision.decision)}{technique} "
                f"({who}, {context.local(decision.decided_at)})",
                code="decision",
            )
        )
    elif assessments:
        facts.append(Fact("Decision", "not recorded yet", code="decision"))
    recorded = session.scalar(select(CaseFacts).where(CaseFacts.episode_id == context.episode.id))
    allergy = (recorded.facts if recorded else {}).get("screening", {}) or {}
    if allergy.get("cement_or_contrast_allergy") is True:
        facts.append(Fact("Cement or contrast", "allergic", flag=True, code="cement-allergy"))
    links = [Link("Consultation facts", f"{context.base}/consultation", "consultation-link")]
    if assessments:
        links += [
            Link("Latest assessment", f"{context.base}/assessment", "assessment-link"),
            Link("Payer checklist", f"{context.base}/assessment/checklist"),
        ]
    yield SummaryBlock(
        code="assessment",
        title="Assessment and decision",
        facts=tuple(facts),
        links=tuple(links),
        empty="No candidacy assessment yet.",
        order=30,
    )


def _timeline(session: Session, context: SummaryContext) -> Iterable[TimelineEntry]:
    for assessment in _assessments(session, context):
        yield TimelineEntry(
            occurred_at=assessment.created_at,
            title=f"Assessment {assessment.number}",
            kind="assessment",
            detail=ACTION_LABELS.get(assessment.action, assessment.action),
            actor=assessment.created_by_name,
            link=Link("Assessment", f"{context.base}/assessment"),
        )
    decisions = session.scalars(
        select(AssessmentDecision).where(AssessmentDecision.episode_id == context.episode.id)
    )
    for decision in decisions:
        technique = f" ({decision.procedure})" if decision.procedure else ""
        yield TimelineEntry(
            occurred_at=decision.decided_at,
            title=f"Decision: {_decision_label(decision.decision)}{technique}",
            kind="decision",
            detail=decision.rationale,
            actor=decision.decided_by_name,
        )


def subscribe(registry: SummaryRegistry) -> None:
    registry.block(_block)
    registry.events(_timeline)
