"""The episode summary's blocks from follow-up (pain and function at baseline and since, the
next contact, bone health) and the timeline's follow-up events, read from this package's own
tables; and the worklist's next appointment from the follow-up schedule."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, String, cast, select
from sqlalchemy.orm import Session

from spinepath.clinical.follow_up import kpi as kpis
from spinepath.clinical.follow_up.schedule import BASELINE
from spinepath.episodes.models import Episode
from spinepath.episodes.summary import (
    Fact,
    Link,
    SummaryBlock,
    SummaryContext,
    SummaryRegistry,
    TimelineEntry,
    WorklistContext,
)
from spinepath.follow_up.fracture_liaison import liaison_facts, liaison_of
from spinepath.follow_up.models import (
    FollowUpContact,
    FollowUpEvent,
    FollowUpPlan,
    OutcomeRecord,
)
from spinepath.follow_up.records import plan_of

KPI_STATUS = {"met": "met", "not_met": "not met", "pending": "pending", "no_data": "no data"}
EVENT_LABELS = {
    "new_vertebral_fracture": "New vertebral fracture",
    "complication": "Complication",
    "readmission": "Readmission",
    "death": "Death",
}


def _scores(record: OutcomeRecord) -> str:
    parts = []
    if record.nrs is not None:
        parts.append(f"pain {record.nrs}/10")
    if record.odi_tenths is not None:
        parts.append(f"ODI {record.odi_tenths / 10:g} %")
    if record.rmdq_score is not None:
        parts.append(f"RMDQ {record.rmdq_score}/24")
    return ", ".join(parts) or "no scores"


def _responder(record: OutcomeRecord) -> str:
    said = [
        f"{name} {'responder' if value else 'not a responder'}"
        for name, value in (
            ("pain", record.nrs_responder),
            ("ODI", record.odi_responder),
            ("RMDQ", record.rmdq_responder),
        )
        if value is not None
    ]
    return ", ".join(said)


def _records(session: Session, context: SummaryContext) -> list[OutcomeRecord]:
    return list(
        session.scalars(
            select(OutcomeRecord)
            .where(OutcomeRecord.episode_id == context.episode.id)
            .order_by(OutcomeRecord.collected_on)
        )
    )


def _contacts(session: Session, plan: FollowUpPlan | None) -> list[FollowUpContact]:
    if plan is None:
        return []
    return list(
        session.scalars(
            select(FollowUpContact)
            .where(FollowUpContact.plan_id == plan.id)
            .order_by(FollowUpContact.due_date, FollowUpContact.sequence)
        )
    )


def _outcomes_block(session: Session, context: SummaryContext) -> Iterable[SummaryBlock]:
    records = _records(session, context)
    baseline = next((r for r in records if r.time_point == BASELINE), None)
    later = [r for r in records if r.time_point != BASELINE]
    facts = []
    if baseline is not None:
        facts.append(
            Fact(
                "Baseline",
                f"{_scores(baseline)} ({baseline.collected_on.strftime('%d %b %Y')})",
                code="baseline",
            )
        )
    else:
        facts.append(Fact("Baseline", "not recorded yet", flag=True, code="baseline"))
    if later:
        latest = later[-1]
        plan = plan_of(session, context.episode.id)
        labels = {c.code: c.label for c in _contacts(session, plan)}
        when = labels.get(latest.time_point, latest.time_point.replace("_", " "))
        facts.append(
            Fact(
                "Latest",
                f"{_scores(latest)} ({when}, {latest.collected_on.strftime('%d %b %Y')})",
                code="latest-outcome",
            )
        )
        facts.append(Fact("Responder", _responder(latest) or "not yet known", code="responder"))
    yield SummaryBlock(
        code="outcomes",
        title="Pain and function",
        facts=tuple(facts),
        links=(Link("Questionnaires and outcomes", f"{context.base}/follow-up#trajectory"),),
        order=20,
    )


def _follow_up_block(session: Session, context: SummaryContext) -> Iterable[SummaryBlock]:
    plan = plan_of(session, context.episode.id)
    if plan is None:
        return
    contacts = _contacts(session, plan)
    facts = []
    upcoming = next((c for c in contacts if c.status == "planned"), None)
    if upcoming is not None:
        overdue = upcoming.window_end < context.today
        facts.append(
            Fact(
                "Next contact",
                f"{upcoming.label} ({upcoming.mode}), due "
                f"{upcoming.due_date.strftime('%d %b %Y')}" + (" — overdue" if overdue else ""),
                flag=overdue,
                code="next-contact",
            )
        )
    else:
        facts.append(Fact("Next contact", "none planned", code="next-contact"))
    done = sum(1 for c in contacts if c.status == "done")
    facts.append(Fact("Contacts", f"{done} of {len(contacts)} done", code="contacts"))
    links = [Link("Follow-up", f"{context.base}/follow-up", "follow-up-link")]
    liaison = liaison_of(session, context.episode.id)
    if liaison is not None:
        for result in kpis.evaluate(liaison_facts(liaison), context.today):
            facts.append(
                Fact(
                    result.title,
                    f"{KPI_STATUS.get(result.status, result.status)} "
                    f"(by {result.deadline.strftime('%d %b %Y')})",
                    flag=result.status == "not_met",
                    code=f"liaison-{result.code}",
                )
            )
        letter = (
            f"printed {context.local(liaison.letter_printed_at, '%d %b %Y')}"
            if liaison.letter_printed_at
            else "not printed yet"
        )
        facts.append(Fact("Bone health letter", letter, code="liaison-letter"))
        links.append(Link("Bone health letter", f"{context.base}/fracture-liaison/letter"))
    yield SummaryBlock(
        code="follow-up",
        title="Follow-up and bone health",
        facts=tuple(facts),
        links=tuple(links),
        order=70,
    )


def _timeline(session: Session, context: SummaryContext) -> Iterable[TimelineEntry]:
    link = Link("Follow-up", f"{context.base}/follow-up")
    plan = plan_of(session, context.episode.id)
    labels = {BASELINE: "Baseline"}
    if plan is not None:
        yield TimelineEntry(plan.started_at, "Follow-up started", "follow-up", link=link)
        for contact in _contacts(session, plan):
            labels[contact.code] = contact.label
            if contact.completed_at and contact.status == "done":
                yield TimelineEntry(
                    contact.completed_at, f"Follow-up contact done: {contact.label}", "follow-up"
                )
    for record in _records(session, context):
        yield TimelineEntry(
            context.day_moment(record.collected_on),
            f"Questionnaire: {labels.get(record.time_point, record.time_point)}",
            "questionnaire",
            detail=_scores(record),
            actor=record.recorded_by_name,
            date_only=True,
            link=link,
        )
    events = session.scalars(
        select(FollowUpEvent).where(FollowUpEvent.episode_id == context.episode.id)
    )
    for event in events:
        detail = ", ".join(
            part
            for part in (
                event.level or "",
                (event.complication or "").replace("_", " "),
                event.description or "",
            )
            if part
        )
        yield TimelineEntry(
            context.day_moment(event.occurred_on),
            EVENT_LABELS.get(event.kind, event.kind),
            "event",
            detail=detail,
            actor=event.recorded_by_name,
            flag=True,
            date_only=True,
            link=link,
        )
    liaison = liaison_of(session, context.episode.id)
    if liaison is not None and liaison.letter_printed_at:
        yield TimelineEntry(liaison.letter_printed_at, "Bone health letter printed", "follow-up")


def _next_contact(_context: WorklistContext) -> ColumnElement[Any]:
    """The earliest contact still planned (an overdue one too: it is still to be made)."""
    return (
        select(cast(FollowUpContact.due_date, String) + " " + FollowUpContact.label)
        .where(FollowUpContact.episode_id == Episode.id, FollowUpContact.status == "planned")
        .order_by(FollowUpContact.due_date, FollowUpContact.sequence)
        .limit(1)
        .correlate(Episode)
        .scalar_subquery()
    )


def subscribe(registry: SummaryRegistry) -> None:
    registry.block(_outcomes_block)
    registry.block(_follow_up_block)
    registry.events(_timeline)
    registry.appointment(_next_contact)
