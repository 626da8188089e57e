"""Patient-reported outcomes: scored answers, the time point they belong to, changes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.clinical.follow_up.responder import Scores, compare, odi_tenths_from_percent
from spinepath.clinical.follow_up.schedule import (
    BASELINE,
    local_date,
)
from spinepath.clinical.instruments.registry import get_instrument
from spinepath.context import Actor
from spinepath.episodes.models import Episode
from spinepath.errors import Conflict
from spinepath.events import OutcomeAnswered
from spinepath.follow_up.models import (
    FollowUpContact,
    FollowUpPlan,
    OutcomeRecord,
)
from spinepath.follow_up.plans import set_status
from spinepath.follow_up.records import cohort_of, contacts_of, load_episode, no_cohort, plan_of
from spinepath.follow_up.schemas import (
    OutcomeIn,
)
from spinepath.store.base import utc_now
from spinepath.unit_of_work import publish


@dataclass
class ScoredAnswers:
    nrs: int | None = None
    odi_sections: list[int | None] | None = None
    odi_tenths: int | None = None
    odi_band: str | None = None
    rmdq_items: list[bool] | None = None
    rmdq_score: int | None = None
    results: dict[str, Any] = field(default_factory=dict)


NRS_MAX = 10  # the 0-10 numeric rating scale


def score_answers(nrs: Any, odi_sections: Any, rmdq_items: Any) -> ScoredAnswers:
    """Score each instrument answered; raises InvalidInput naming every bad answer at once."""
    errors: list[FieldError] = []
    scored = ScoredAnswers()
    if nrs is None and odi_sections is None and rmdq_items is None:
        errors.append(FieldError("nrs", "answer at least one of: nrs, odi_sections, rmdq_items"))
    if nrs is not None:
        if isinstance(nrs, bool) or not isinstance(nrs, int) or not 0 <= nrs <= NRS_MAX:
            errors.append(FieldError("nrs", "a whole number from 0 to 10"))
        else:
            scored.nrs = nrs
            scored.results["nrs"] = {"instrument": "nrs", "score": nrs, "loinc": "72514-3"}
    if odi_sections is not None:
        try:
            odi = get_instrument("odi").run({"sections": odi_sections})
        except InvalidInput as invalid:
            errors += [_renamed(e, "sections", "odi_sections") for e in invalid.errors]
        else:
            if not odi["scorable"]:
                errors.append(FieldError("odi_sections", odi["reason"]))
            else:
                scored.odi_sections = list(odi_sections)
                scored.odi_tenths = odi_tenths_from_percent(odi["score_percent"])
                scored.odi_band = odi["band"]
                scored.results["odi"] = odi
    if rmdq_items is not None:
        try:
            rmdq = get_instrument("rmdq").run({"items": rmdq_items})
        except InvalidInput as invalid:
            errors += [_renamed(e, "items", "rmdq_items") for e in invalid.errors]
        else:
            scored.rmdq_items = list(rmdq_items)
            scored.rmdq_score = int(rmdq["score"])
            scored.results["rmdq"] = rmdq
    if errors:
        raise InvalidInput(errors)
    return scored


def _renamed(error: FieldError, old: str, new: str) -> FieldError:
    if error.field == old or error.field.startswith(old + "."):
        return FieldError(new + error.field[len(old) :], error.message)
    return FieldError(f"{new}.{error.field}", error.message)


def time_points(session: Session, plan: FollowUpPlan | None) -> dict[str, FollowUpContact | None]:
    points: dict[str, FollowUpContact | None] = {BASELINE: None}
    if plan is not None:
        for contact in contacts_of(session, plan):
            points[contact.code] = contact
    return points


def record_outcome(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: OutcomeIn,
    *,
    now: datetime | None = None,
) -> OutcomeRecord:
    """Staff enter answers given by phone or at a visit."""
    actor.require(Permission.EDIT_PATIENTS, "record patient-reported outcomes")
    episode = load_episode(session, actor, episode_id)
    now = now or utc_now()
    zone = ZoneInfo(actor.clinic_time_zone)
    plan = plan_of(session, episode.id)
    points = time_points(session, plan)
    errors: list[FieldError] = []
    if data.time_point not in points:
        known = ", ".join(points)
        errors.append(FieldError("time_point", f"not a time point of this episode ({known})"))
    today = local_date(now, zone)
    collected_on = data.collected_on or today
    if collected_on > today:
        errors.append(FieldError("collected_on", "cannot be in the future"))
    try:
        scored = score_answers(data.nrs, data.odi_sections, data.rmdq_items)
    except InvalidInput as invalid:
        errors += invalid.errors
        scored = ScoredAnswers()
    if errors:
        raise InvalidInput(errors)
    return store_outcome(
        session,
        actor,
        episode,
        plan,
        points[data.time_point],
        data.time_point,
        collected_on,
        data.method,
        scored,
        now,
    )


def store_outcome(
    session: Session,
    actor: Actor,
    episode: Episode,
    plan: FollowUpPlan | None,
    contact: FollowUpContact | None,
    time_point: str,
    collected_on: date,
    method: str,
    scored: ScoredAnswers,
    now: datetime,
) -> OutcomeRecord:
    existing = session.scalar(
        select(OutcomeRecord.id).where(
            OutcomeRecord.episode_id == episode.id, OutcomeRecord.time_point == time_point
        )
    )
    if existing is not None:
        raise Conflict(f"answers for {time_point} are already recorded for this episode")
    record = OutcomeRecord(
        **(cohort_of(plan) if plan else no_cohort(episode.clinic_id, collected_on)),
        episode_id=episode.id,
        patient_id=episode.patient_id,
        contact_id=contact.id if contact else None,
        time_point=time_point,
        collected_on=collected_on,
        method=method,
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.full_name,
        nrs=scored.nrs,
        odi_sections=scored.odi_sections,
        odi_tenths=scored.odi_tenths,
        odi_band=scored.odi_band,
        rmdq_items=scored.rmdq_items,
        rmdq_score=scored.rmdq_score,
        results=scored.results,
    )
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"answers for {time_point} are already recorded for this episode") from None
    _refresh_changes(session, episode.id)
    if contact is not None and contact.status == "planned":
        set_status(session, contact, "done", actor, now)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "outcome_record",
        record.id,
        patient_id=episode.patient_id,
        detail={"time_point": time_point, "method": method},
    )
    publish(
        session,
        actor,
        OutcomeAnswered(
            clinic_id=episode.clinic_id,
            episode_id=episode.id,
            occurred_at=now,
            contact_id=contact.id if contact else None,
        ),
    )
    return record


def _scores(record: OutcomeRecord) -> Scores:
    return Scores(nrs=record.nrs, odi_tenths=record.odi_tenths, rmdq=record.rmdq_score)


def _refresh_changes(session: Session, episode_id: uuid.UUID) -> None:
    """Change from baseline and responder status, for every follow-up record of the episode."""
    records = list(
        session.scalars(select(OutcomeRecord).where(OutcomeRecord.episode_id == episode_id))
    )
    baseline = next((r for r in records if r.time_point == BASELINE), None)
    for record in records:
        if record.time_point == BASELINE:
            continue
        found = compare(_scores(baseline), _scores(record)) if baseline else {}
        nrs, odi, rmdq = found.get("nrs"), found.get("odi"), found.get("rmdq")
        values: dict[str, Any] = {
            "nrs_change": nrs.change if nrs else None,
            "nrs_responder": nrs.responder if nrs else None,
            "odi_change_tenths": odi.change if odi else None,
            "odi_responder": odi.responder if odi else None,
            "rmdq_change": rmdq.change if rmdq else None,
            "rmdq_responder": rmdq.responder if rmdq else None,
        }
        for name, value in values.items():
            if getattr(record, name) != value:
                setattr(record, name, value)
