"""JSON routes for the procedure plan, the time-out and the procedure record."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from spinepath.api.deps import api_work, etag, if_match_version
from spinepath.errors import NotFound
from spinepath.patients.schemas import PatientOut, patient_out
from spinepath.procedures import service
from spinepath.procedures.models import ProcedurePlan, ProcedureRecord, TimeOut
from spinepath.procedures.schemas import PlanIn, RecordIn, TimeOutIn

router = APIRouter(tags=["procedure"])


class PlanOut(BaseModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    technique: str
    levels: list[str]
    notes: str | None
    planned_by_name: str | None
    updated_at: datetime
    version: int


class TimeOutOut(BaseModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    performed_at: datetime
    recorded_by_name: str | None
    team: str
    identity_confirmed: bool
    procedure_confirmed: bool
    consent_confirmed: bool
    labs_reviewed: bool
    labs_note: str | None
    allergies: str
    preparation_status: str
    planned_technique: str
    planned_levels: list[str]
    levels_to_treat: list[str]
    level_mismatch: bool
    mismatch_reason: str | None


class PreparationOut(BaseModel):
    signed: bool
    summary: str
    labs: list[dict[str, Any]]


class TimeOutSheetOut(BaseModel):
    episode_id: uuid.UUID
    stage: str
    patient: PatientOut
    plan: PlanOut | None
    preparation: PreparationOut
    time_outs: list[TimeOutOut]
    procedure_recorded: bool


class LevelOut(BaseModel):
    level: str
    technique: str
    approach: str
    needle: str | None
    balloon: str | None
    cement_type: str
    cement_volume_ml: float
    leakage: list[str]


class RecordOut(BaseModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    time_out_id: uuid.UUID
    started_at: datetime
    ended_at: datetime
    duration_min: int
    sedation: str
    fluoroscopy_time_min: float
    air_kerma_mgy: float | None
    dose_area_product_gy_cm2: float | None
    complications: list[str]
    complication_details: str | None
    notes: str | None
    levels: list[LevelOut]
    cpt: dict[str, Any]
    total_cement_ml: float
    recorded_by_name: str | None
    updated_by_name: str | None
    version: int


def plan_out(plan: ProcedurePlan) -> PlanOut:
    return PlanOut.model_validate(plan, from_attributes=True)


def time_out_out(time_out: TimeOut) -> TimeOutOut:
    return TimeOutOut.model_validate(time_out, from_attributes=True)


def record_out(record: ProcedureRecord) -> RecordOut:
    return RecordOut(
        id=record.id,
        episode_id=record.episode_id,
        time_out_id=record.time_out_id,
        started_at=record.started_at,
        ended_at=record.ended_at,
        duration_min=int((record.ended_at - record.started_at).total_seconds() // 60),
        sedation=record.sedation,
        fluoroscopy_time_min=record.fluoroscopy_time_min,
        air_kerma_mgy=record.air_kerma_mgy,
        dose_area_product_gy_cm2=record.dose_area_product_gy_cm2,
        complications=list(record.complications),
        complication_details=record.complication_details,
        notes=record.notes,
        levels=[LevelOut.model_validate(level, from_attributes=True) for level in record.levels],
        cpt=dict(record.cpt),
        total_cement_ml=round(sum(level.cement_volume_ml for level in record.levels), 2),
        recorded_by_name=record.recorded_by_name,
        updated_by_name=record.updated_by_name,
        version=record.version,
    )


@router.get("/episodes/{episode_id}/procedure-plan", response_model=PlanOut)
def get_plan(request: Request, response: Response, episode_id: uuid.UUID) -> PlanOut:
    with api_work(request) as (session, actor):
        plan = service.get_plan(session, actor, episode_id)
        if plan is None:
            raise NotFound("procedure plan for episode", episode_id)
        out = plan_out(plan)
    response.headers["ETag"] = etag(out.version)
    return out


@router.put("/episodes/{episode_id}/procedure-plan", response_model=PlanOut)
def save_plan(request: Request, response: Response, episode_id: uuid.UUID, data: PlanIn) -> PlanOut:
    """Record the planned technique and levels. Changing a plan sends its version."""
    with api_work(request) as (session, actor):
        plan = service.save_plan(
            session, actor, episode_id, data, if_match_version=if_match_version(request)
        )
        session.refresh(plan)
        out = plan_out(plan)
    response.headers["ETag"] = etag(out.version)
    return out


@router.get("/episodes/{episode_id}/time-out", response_model=TimeOutSheetOut)
def get_time_out_sheet(request: Request, episode_id: uuid.UUID) -> TimeOutSheetOut:
    """What the team confirms before the first needle: identity, plan, preparation, history."""
    with api_work(request) as (session, actor):
        sheet = service.time_out_sheet(session, actor, episode_id)
        return TimeOutSheetOut(
            episode_id=sheet.episode.id,
            stage=sheet.episode.stage,
            patient=patient_out(sheet.episode.patient),
            plan=plan_out(sheet.plan) if sheet.plan else None,
            preparation=PreparationOut(
                signed=sheet.preparation.signed,
                summary=sheet.preparation.summary,
                labs=sheet.preparation.labs,
            ),
            time_outs=[time_out_out(t) for t in sheet.time_outs],
            procedure_recorded=sheet.record is not None,
        )


@router.post("/episodes/{episode_id}/time-outs", status_code=201, response_model=TimeOutOut)
def record_time_out(
    request: Request, response: Response, episode_id: uuid.UUID, data: TimeOutIn
) -> TimeOutOut:
    """Record the time-out. Levels that differ from the plan need ``level_mismatch_reason``:
    without it the answer is 422 naming that field, and nothing is recorded (the refusal is
    audited)."""
    with api_work(request) as (session, actor):
        out = time_out_out(service.record_time_out(session, actor, episode_id, data))
    response.headers["Location"] = f"/api/v1/episodes/{episode_id}/time-outs"
    return out


@router.get("/episodes/{episode_id}/time-outs", response_model=list[TimeOutOut])
def list_time_outs(request: Request, episode_id: uuid.UUID) -> list[TimeOutOut]:
    with api_work(request) as (session, actor):
        return [time_out_out(t) for t in service.list_time_outs(session, actor, episode_id)]


@router.get("/episodes/{episode_id}/procedure-record", response_model=RecordOut)
def get_record(request: Request, response: Response, episode_id: uuid.UUID) -> RecordOut:
    with api_work(request) as (session, actor):
        record = service.get_record(session, actor, episode_id)
        if record is None:
            raise NotFound("procedure record for episode", episode_id)
        out = record_out(record)
    response.headers["ETag"] = etag(out.version)
    return out


@router.post("/episodes/{episode_id}/procedure-record", status_code=201, response_model=RecordOut)
def create_record(
    request: Request, response: Response, episode_id: uuid.UUID, data: RecordIn
) -> RecordOut:
    """Record the procedure per level; the CPT codes are derived from the levels."""
    with api_work(request) as (session, actor):
        record = service.save_record(session, actor, episode_id, data, expect_new=True)
        session.refresh(record)
        out = record_out(record)
    response.headers["ETag"] = etag(out.version)
    response.headers["Location"] = f"/api/v1/episodes/{episode_id}/procedure-record"
    return out


@router.put("/episodes/{episode_id}/procedure-record", response_model=RecordOut)
def update_record(
    request: Request, response: Response, episode_id: uuid.UUID, data: RecordIn
) -> RecordOut:
    """Replace the record; send the version you saw (If-Match or ``version``)."""
    with api_work(request) as (session, actor):
        record = service.save_record(
            session,
            actor,
            episode_id,
            data,
            if_match_version=if_match_version(request),
            expect_new=False,
        )
        session.refresh(record)
        out = record_out(record)
    response.headers["ETag"] = etag(out.version)
    return out
