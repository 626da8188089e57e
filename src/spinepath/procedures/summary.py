"""The episode summary's procedure-day block (the time-out and the procedure record), the
patient's allergies as asked at the time-out, and the timeline's time-outs and procedures, read
from this package's own tables."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.clinical.procedure.record import COMPLICATIONS
from spinepath.episodes.pathway import Stage
from spinepath.episodes.summary import (
    Fact,
    Link,
    SummaryBlock,
    SummaryContext,
    SummaryRegistry,
    TimelineEntry,
)
from spinepath.procedures.models import ProcedureRecord, TimeOut

# The stages at which the team may hold the time-out, so its page is offered.
TIME_OUT_STAGES = frozenset({Stage.PREPARED.value, Stage.PROCEDURE.value})


def _time_outs(session: Session, context: SummaryContext) -> list[TimeOut]:
    return list(
        session.scalars(
            select(TimeOut)
            .where(TimeOut.episode_id == context.episode.id)
            .order_by(TimeOut.performed_at.desc())
        )
    )


def _records(session: Session, context: SummaryContext) -> list[ProcedureRecord]:
    return list(
        session.scalars(
            select(ProcedureRecord)
            .where(ProcedureRecord.episode_id == context.episode.id)
            .order_by(ProcedureRecord.started_at.desc())
        )
    )


def _levels(record: ProcedureRecord) -> str:
    return ", ".join(f"{level.level} {level.technique}" for level in record.levels)


def _allergies(session: Session, context: SummaryContext) -> Iterable[Fact]:
    time_outs = _time_outs(session, context)
    if time_outs:
        latest = time_outs[0]
        known = latest.allergies.strip()
        yield Fact(
            "Allergies",
            f"{known} (at the time-out, {context.local(latest.performed_at, '%d %b %Y')})",
            flag=bool(known) and known.lower() not in ("none", "none known", "nkda", "no"),
            code="allergies",
        )
    else:
        yield Fact("Allergies", "not recorded (asked at the time-out)", code="allergies")


def _block(session: Session, context: SummaryContext) -> Iterable[SummaryBlock]:
    time_outs = _time_outs(session, context)
    records = _records(session, context)
    facts: list[Fact] = []
    if records:
        record = records[0]
        complications = ", ".join(COMPLICATIONS.get(c, c) for c in record.complications) or "none"
        facts.append(
            Fact(
                "Procedure",
                f"{context.local(record.started_at)} · {_levels(record)}",
                code="procedure-date",
            )
        )
        facts.append(
            Fact(
                "Complications",
                complications,
                flag=bool(record.complications),
                code="complications",
            )
        )
    if time_outs:
        time_out = time_outs[0]
        levels = ", ".join(time_out.levels_to_treat)
        note = " (levels differ from the plan)" if time_out.level_mismatch else ""
        facts.append(
            Fact(
                "Time-out",
                f"{context.local(time_out.performed_at)}, levels {levels}{note}",
                flag=time_out.level_mismatch,
                code="time-out",
            )
        )
    links: list[Link] = []
    if time_outs or context.episode.stage in TIME_OUT_STAGES:
        links.append(Link("Time-out", f"{context.base}/time-out", "time-out-link"))
    if time_outs:
        links.append(Link("Procedure record", f"{context.base}/procedure", "procedure-link"))
    yield SummaryBlock(
        code="procedure",
        title="Procedure",
        facts=tuple(facts),
        links=tuple(links),
        empty="No time-out or procedure recorded yet.",
        order=50,
    )


def _timeline(session: Session, context: SummaryContext) -> Iterable[TimelineEntry]:
    for time_out in _time_outs(session, context):
        yield TimelineEntry(
            occurred_at=time_out.performed_at,
            title="Time-out completed",
            kind="time-out",
            detail=f"levels {', '.join(time_out.levels_to_treat)}"
            + (
                f"; levels differ from the plan: {time_out.mismatch_reason}"
                if time_out.level_mismatch
                else ""
            ),
            actor=time_out.recorded_by_name,
            flag=time_out.level_mismatch,
            link=Link("Time-out", f"{context.base}/time-out"),
        )
    for record in _records(session, context):
        yield TimelineEntry(
            occurred_at=record.started_at,
            title="Procedure performed",
            kind="procedure",
            detail=_levels(record),
            actor=record.recorded_by_name,
            flag=bool(record.complications),
            link=Link("Procedure record", f"{context.base}/procedure"),
        )


def subscribe(registry: SummaryRegistry) -> None:
    registry.facts(_allergies)
    registry.block(_block)
    registry.events(_timeline)
