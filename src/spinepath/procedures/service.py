"""Use cases before recovery: plan the procedure, hold the time-out, record the procedure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.levels import level_index
from spinepath.clinical.procedure import cpt
from spinepath.clinical.procedure.level_check import LevelCheck, check_levels
from spinepath.context import Actor
from spinepath.episodes import pathway
from spinepath.episodes import service as episodes
from spinepath.episodes.models import Episode
from spinepath.episodes.pathway import Stage
from spinepath.episodes.schemas import TransitionIn
from spinepath.errors import Conflict, FieldError, InvalidInput, NotFound
from spinepath.events import ProcedureRecorded, TimeOutCompleted
from spinepath.procedures.models import ProcedureLevel, ProcedurePlan, ProcedureRecord, TimeOut
from spinepath.procedures.preparation_link import PreparationStatus, preparation_status
from spinepath.procedures.schemas import PlanIn, RecordIn, TimeOutIn
from spinepath.store.base import utc_now
from spinepath.unit_of_work import AuditedRefusal, publish
from spinepath.versioning import check_version

# Stages in which the plan may still change: the main line up to the procedure itself.
PLANNING_STAGES = frozenset(pathway.MAIN_LINE[: pathway.MAIN_LINE.index(Stage.PROCEDURE) + 1])
TIME_OUT_STAGES = frozenset({Stage.PREPARED, Stage.PROCEDURE})
RECORD_STAGES = frozenset({Stage.PROCEDURE, Stage.RECOVERY, Stage.DISCHARGED, Stage.FOLLOW_UP})


class NotNow(Conflict):
    """The episode is not at a stage where this can be done; nothing was changed."""


class LevelMismatch(InvalidInput):
    """The levels to treat differ from the plan and no reason was given: nothing recorded."""

    def __init__(self, check: LevelCheck, patient_id: uuid.UUID) -> None:
        super().__init__(
            [
                FieldError(
                    "level_mismatch_reason",
                    f"{check.describe()}. Nothing was recorded: correct the levels, or give "
                    "the reason for treating these levels",
                )
            ]
        )
        self.check = check
        self.patient_id = patient_id

    @property
    def audited(self) -> AuditedRefusal:
        """A refused wrong-level time-out stays on record even though nothing was saved."""
        return AuditedRefusal(
            action="create",
            entity_type="time_out",
            entity_id=None,
            patient_id=self.patient_id,
            detail={
                "refused": "level mismatch without a reason",
                "planned_levels": list(self.check.planned),
                "levels_to_treat": list(self.check.to_treat),
            },
        )


def _stage(episode: Episode) -> Stage:
    return Stage(episode.stage)


def _label(stage: Stage) -> str:
    return pathway.STAGE_LABELS[stage]


def plan_of(session: Session, episode_id: uuid.UUID) -> ProcedurePlan | None:
    return session.scalar(select(ProcedurePlan).where(ProcedurePlan.episode_id == episode_id))


def time_outs_of(session: Session, episode_id: uuid.UUID) -> list[TimeOut]:
    return list(
        session.scalars(
            select(TimeOut)
            .where(TimeOut.episode_id == episode_id)
            .order_by(TimeOut.performed_at.desc(), TimeOut.id)
        )
    )


def record_of(session: Session, episode_id: uuid.UUID) -> ProcedureRecord | None:
    return session.scalar(select(ProcedureRecord).where(ProcedureRecord.episode_id == episode_id))


# ---- Plan ---------------------------------------------------------------------------------------


def get_plan(session: Session, actor: Actor, episode_id: uuid.UUID) -> ProcedurePlan | None:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = episodes.load_episode(session, actor, episode_id)
    plan = plan_of(session, episode.id)
    audit.record(
        session, actor, "read", "procedure_plan", episode.id, patient_id=episode.patient_id
    )
    return plan


def save_plan(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: PlanIn,
    *,
    if_match_version: int | None = None,
) -> ProcedurePlan:
    """Record the planned technique and levels; an update names the version it was made on."""
    actor.require(Permission.EDIT_PATIENTS, "plan procedures")
    episode = episodes.load_episode(session, actor, episode_id)
    stage = _stage(episode)
    if stage not in PLANNING_STAGES:
        raise NotNow(f"the plan cannot change once the episode is at {_label(stage)}")
    if time_outs_of(session, episode.id):
        raise NotNow(
            "a time-out has been recorded against this plan; record any difference at a new "
            "time-out instead of changing the plan"
        )
    plan = plan_of(session, episode.id)
    if plan is None:
        plan = ProcedurePlan(clinic_id=episode.clinic_id, episode_id=episode.id)
        session.add(plan)
        action = "create"
    else:
        expected = if_match_version if if_match_version is not None else data.version
        via_if_match = if_match_version is not None
        check_version("procedure plan", plan.version, expected, via_if_match=via_if_match)
        action = "update"
    plan.technique = data.technique
    plan.levels = list(data.levels)
    plan.notes = data.notes
    plan.planned_by_id = actor.user_id
    plan.planned_by_name = actor.full_name
    session.flush()
    audit.record(
        session,
        actor,
        action,
        "procedure_plan",
        plan.id,
        patient_id=episode.patient_id,
        detail={"technique": plan.technique, "levels": plan.levels},
    )
    return plan


# ---- Time-out -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeOutSheet:
    """Everything the team reads aloud before the first needle."""

    episode: Episode
    plan: ProcedurePlan | None
    preparation: PreparationStatus
    time_outs: list[TimeOut]
    record: ProcedureRecord | None

    @property
    def latest(self) -> TimeOut | None:
        return self.time_outs[0] if self.time_outs else None


def time_out_sheet(session: Session, actor: Actor, episode_id: uuid.UUID) -> TimeOutSheet:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = episodes.load_episode(session, actor, episode_id)
    sheet = TimeOutSheet(
        episode=episode,
        plan=plan_of(session, episode.id),
        preparation=preparation_status(session, episode.id),
        time_outs=time_outs_of(session, episode.id),
        record=record_of(session, episode.id),
    )
    audit.record(session, actor, "read", "time_out", episode.id, patient_id=episode.patient_id)
    return sheet


def record_time_out(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: TimeOutIn,
    *,
    now: datetime | None = None,
) -> TimeOut:
    """Record the team's time-out. A level mismatch without a reason records nothing."""
    actor.require(Permission.EDIT_PATIENTS, "record the time-out")
    episode = episodes.load_episode(session, actor, episode_id)
    stage = _stage(episode)
    if stage not in TIME_OUT_STAGES:
        raise NotNow(
            f"the time-out is held on the day of the procedure (Prepared or Procedure); this "
            f"episode is at {_label(stage)}"
        )
    plan = plan_of(session, episode.id)
    if plan is None:
        raise NotNow("record the planned procedure and levels before the time-out")
    check = check_levels(plan.levels, data.levels_to_treat)
    reason = (data.level_mismatch_reason or "").strip() or None
    if not check.matches and reason is None:
        raise LevelMismatch(check, episode.patient_id)
    now = now or utc_now()
    performed_at = data.performed_at or now
    if performed_at > now:
        raise InvalidInput([FieldError("performed_at", "cannot be in the future")])
    status = preparation_status(session, episode.id)
    time_out = TimeOut(
        clinic_id=episode.clinic_id,
        episode_id=episode.id,
        patient_id=episode.patient_id,
        performed_at=performed_at,
        recorded_by_id=actor.user_id,
        recorded_by_name=actor.full_name,
        team=data.team,
        identity_confirmed=data.identity_confirmed,
        procedure_confirmed=data.procedure_confirmed,
        consent_confirmed=data.consent_confirmed,
        labs_reviewed=data.labs_reviewed,
        labs_note=data.labs_note,
        allergies=data.allergies,
        preparation_status=status.summary[:300],
        planned_technique=plan.technique,
        planned_levels=list(check.planned),
        levels_to_treat=list(check.to_treat),
        level_mismatch=not check.matches,
        mismatch_reason=reason if not check.matches else None,
    )
    session.add(time_out)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "time_out",
        time_out.id,
        patient_id=episode.patient_id,
        detail={
            "planned_levels": list(check.planned),
            "levels_to_treat": list(check.to_treat),
            "level_mismatch": not check.matches,
            **({"mismatch_reason": reason} if not check.matches else {}),
        },
    )
    publish(
        session,
        actor,
        TimeOutCompleted(
            clinic_id=episode.clinic_id,
            episode_id=episode.id,
            occurred_at=now,
            time_out_id=time_out.id,
            consent_confirmed=time_out.consent_confirmed,
        ),
    )
    if stage is Stage.PREPARED:
        episodes.transition_episode(
            session,
            actor,
            episode.id,
            TransitionIn(
                to_stage=Stage.PROCEDURE, reason="time-out completed", version=episode.version
            ),
            now=now,
        )
    return time_out


def list_time_outs(session: Session, actor: Actor, episode_id: uuid.UUID) -> list[TimeOut]:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = episodes.load_episode(session, actor, episode_id)
    found = time_outs_of(session, episode.id)
    audit.record(session, actor, "read", "time_out", episode.id, patient_id=episode.patient_id)
    return found


# ---- Procedure record ---------------------------------------------------------------------------


def get_record(session: Session, actor: Actor, episode_id: uuid.UUID) -> ProcedureRecord | None:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    episode = episodes.load_episode(session, actor, episode_id)
    record = record_of(session, episode.id)
    audit.record(
        session,
        actor,
        "read",
        "procedure_record",
        record.id if record else episode.id,
        patient_id=episode.patient_id,
    )
    return record


def _record_errors(data: RecordIn, time_out: TimeOut, now: datetime) -> list[FieldError]:
    errors = data.cross_field_errors()
    confirmed = set(time_out.levels_to_treat)
    for index, level in enumerate(data.levels):
        if level.level not in confirmed:
            errors.append(
                FieldError(
                    f"levels.{index}.level",
                    f"{level.level} was not confirmed at the time-out "
                    f"({', '.join(time_out.levels_to_treat)}); hold a new time-out first",
                )
            )
    time_out_minute = time_out.performed_at.replace(second=0, microsecond=0)
    if data.started_at < time_out_minute:
        errors.append(FieldError("started_at", "the procedure cannot start before the time-out"))
    if data.ended_at > now:
        errors.append(FieldError("ended_at", "cannot be in the future"))
    return errors


def _apply(record: ProcedureRecord, data: RecordIn) -> None:
    record.started_at = data.started_at
    record.ended_at = data.ended_at
    record.sedation = data.sedation
    record.fluoroscopy_time_min = data.fluoroscopy_time_min
    record.air_kerma_mgy = data.air_kerma_mgy
    record.dose_area_product_gy_cm2 = data.dose_area_product_gy_cm2
    record.complications = list(data.complications)
    record.complication_details = data.complication_details
    record.notes = data.notes
    record.levels = [
        ProcedureLevel(
            level=level.level,
            level_order=level_index(level.level),
            technique=level.technique,
            approach=level.approach,
            needle=level.needle,
            balloon=level.balloon,
            cement_type=level.cement_type,
            cement_volume_ml=level.cement_volume_ml,
            leakage=list(level.leakage),
        )
        for level in data.levels
    ]
    record.cpt = cpt.derive(
        cpt.CptInput(
            levels=[
                cpt.TreatedLevel(level=level.level, technique=level.technique)
                for level in data.levels
            ]
        )
    )


def save_record(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    data: RecordIn,
    *,
    if_match_version: int | None = None,
    now: datetime | None = None,
    expect_new: bool | None = None,
) -> ProcedureRecord:
    """Create the record after the time-out, or update it against the version the caller saw.

    ``expect_new`` True refuses when a record exists (create), False when none does (update).
    """
    actor.require(Permission.EDIT_PATIENTS, "record procedures")
    episode = episodes.load_episode(session, actor, episode_id)
    stage = _stage(episode)
    if stage not in RECORD_STAGES:
        raise NotNow(
            f"the procedure is recorded after the time-out; this episode is at {_label(stage)}"
        )
    latest = next(iter(time_outs_of(session, episode.id)), None)
    if latest is None:
        raise NotNow("hold the time-out before recording the procedure")
    now = now or utc_now()
    record = record_of(session, episode.id)
    if expect_new is True and record is not None:
        raise Conflict("the procedure is already recorded; update the record instead")
    if expect_new is False and record is None:
        raise NotFound("procedure record", episode.id)
    if record is not None:
        expected = if_match_version if if_match_version is not None else data.version
        check_version(
            "procedure record", record.version, expected, via_if_match=if_match_version is not None
        )
    errors = _record_errors(data, latest, now)
    if errors:
        raise InvalidInput(errors)
    if record is None:
        record = ProcedureRecord(
            clinic_id=episode.clinic_id,
            episode_id=episode.id,
            patient_id=episode.patient_id,
            time_out_id=latest.id,
            recorded_by_id=actor.user_id,
            recorded_by_name=actor.full_name,
        )
        action = "create"
    else:
        action = "update"
        # Old levels go first, so a level kept in the new list never meets itself twice.
        record.levels.clear()
        session.flush()
    _apply(record, data)
    record.time_out_id = latest.id
    record.updated_by_name = actor.full_name
    record.updated_at = now  # every save is a new version, even when only the levels changed
    if action == "create":
        session.add(record)
    session.flush()
    audit.record(
        session,
        actor,
        action,
        "procedure_record",
        record.id,
        patient_id=episode.patient_id,
        detail={"levels": [level.level for level in data.levels], "codes": record.cpt["codes"]},
    )
    if action == "create":
        publish(
            session,
            actor,
            ProcedureRecorded(
                clinic_id=episode.clinic_id,
                episode_id=episode.id,
                occurred_at=now,
                procedure_record_id=record.id,
            ),
        )
    return record
