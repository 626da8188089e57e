"""JSON routes for candidacy decision support.

- ``GET/PUT /episodes/{id}/case-facts``: the consultation facts (versioned; errors name
  ``facts.…``).
- ``POST/GET /episodes/{id}/assessments``, ``GET /assessments/{id}``: evaluate the stored facts
  and keep the assessment; list and read them.
- ``POST /assessments/{id}/decision``: the physician's decision (physicians only).
- ``POST /assessments/evaluate``: a case in the body, its result out, stored nowhere; exactly
  what ``spinepath assess`` prints.
- ``GET/PUT /assessments/criteria-sets``: the criteria sets the clinic applies.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from spinepath.api.deps import api_work, etag, if_match_version
from spinepath.api.openapi import model_body
from spinepath.assessments import service
from spinepath.assessments.models import Assessment, AssessmentDecision
from spinepath.assessments.schemas import (
    DECISION_LABELS,
    CriteriaSetChoiceIn,
    Decision,
    DecisionIn,
    EvaluateEpisodeIn,
    FactsUpdate,
    criteria_sets_schema,
)
from spinepath.clinical.candidacy import CRITERIA_SETS
from spinepath.clinical.candidacy.case import Case
from spinepath.errors import FieldError, InvalidInput

router = APIRouter(tags=["assessments"])


class FactsOut(BaseModel):
    episode_id: uuid.UUID
    version: int = Field(description="0 while no facts are recorded")
    facts: dict[str, Any] = Field(description="Fractures keyed by level; null is unknown")
    updated_at: datetime | None
    updated_by: str | None


class DecisionOut(BaseModel):
    id: uuid.UUID
    assessment_id: uuid.UUID
    decision: str
    decision_label: str
    procedure: str | None
    rationale: str
    suggested_action: str
    decided_at: datetime
    decided_by: str | None


class AssessmentOut(BaseModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    patient_id: uuid.UUID
    number: int = Field(description="1, 2, 3 … within the episode")
    facts_version: int
    assessment_date: date
    assessment_date_source: str = Field(description="facts, or clinic_today")
    engine: str
    engine_edition: str
    criteria_sets: list[dict[str, str]]
    action: str
    created_at: datetime
    created_by: str | None
    case: dict[str, Any] = Field(description="The exact case the result was computed from")
    provenance: dict[str, Any] = Field(description="Where each part of the case came from")
    result: dict[str, Any] = Field(description="The clinical core's result, as computed")
    decision: DecisionOut | None


class CriteriaSetOut(BaseModel):
    name: str
    title: str
    edition: str
    sources: list[str]
    chosen: bool


class CriteriaSetChoiceOut(BaseModel):
    criteria_sets: list[str]
    version: int
    is_default: bool
    available: list[CriteriaSetOut]


def facts_out(view: service.FactsView) -> FactsOut:
    return FactsOut(
        episode_id=view.episode.id,
        version=view.version,
        facts=view.facts,
        updated_at=view.updated_at,
        updated_by=view.updated_by_name,
    )


def decision_out(decision: AssessmentDecision) -> DecisionOut:
    return DecisionOut(
        id=decision.id,
        assessment_id=decision.assessment_id,
        decision=decision.decision,
        decision_label=DECISION_LABELS[Decision(decision.decision)],
        procedure=decision.procedure,
        rationale=decision.rationale,
        suggested_action=decision.suggested_action,
        decided_at=decision.decided_at,
        decided_by=decision.decided_by_name,
    )


def assessment_out(assessment: Assessment) -> AssessmentOut:
    return AssessmentOut(
        id=assessment.id,
        episode_id=assessment.episode_id,
        patient_id=assessment.patient_id,
        number=assessment.number,
        facts_version=assessment.facts_version,
        assessment_date=assessment.assessment_date,
        assessment_date_source=assessment.assessment_date_source,
        engine=assessment.engine,
        engine_edition=assessment.engine_edition,
        criteria_sets=assessment.criteria_sets,
        action=assessment.action,
        created_at=assessment.created_at,
        created_by=assessment.created_by_name,
        case=assessment.evaluated_case,
        provenance=assessment.provenance,
        result=assessment.result,
        decision=decision_out(assessment.decision) if assessment.decision else None,
    )


def _in_facts(invalid: InvalidInput) -> InvalidInput:
    """Field errors about facts named where they are in the request body (``facts.pain.nrs``)."""
    named = []
    for error in invalid.errors:
        if error.field.startswith("criteria_sets"):
            named.append(error)
        elif error.field == service.INPUT_FIELD:
            named.append(FieldError("facts", error.message))
        else:
            named.append(FieldError(f"facts.{error.field}", error.message))
    return InvalidInput(named)


def _choice_out(view: service.CriteriaSetChoiceView) -> CriteriaSetChoiceOut:
    return CriteriaSetChoiceOut(
        criteria_sets=list(view.criteria_sets),
        version=view.version,
        is_default=view.is_default,
        available=[
            CriteriaSetOut(
                name=cs.name,
                title=cs.title,
                edition=cs.edition,
                sources=list(cs.source_ids),
                chosen=cs.name in view.criteria_sets,
            )
            for cs in CRITERIA_SETS.values()
        ],
    )


# --- Consultation facts --------------------------------------------------------------------


@router.get("/episodes/{episode_id}/case-facts", response_model=FactsOut)
def get_facts(request: Request, response: Response, episode_id: uuid.UUID) -> FactsOut:
    """The episode's consultation facts (all unknown, version 0, before any are recorded)."""
    with api_work(request) as (session, actor):
        out = facts_out(service.get_facts(session, actor, episode_id))
    response.headers["ETag"] = etag(out.version)
    return out


@router.put("/episodes/{episode_id}/case-facts", response_model=FactsOut)
def put_facts(
    request: Request, response: Response, episode_id: uuid.UUID, data: FactsUpdate
) -> FactsOut:
    """Replace the facts. Send the version you saw (0 the first time) or If-Match. 422 names
    every invalid fact (``facts.fractures.L1.mri_edema``) and saves nothing."""
    header = if_match_version(request)
    with api_work(request) as (session, actor):
        try:
            view = service.save_facts(
                session,
                actor,
                episode_id,
                data.facts,
                expected_version=header if header is not None else data.version,
                via_if_match=header is not None,
            )
        except InvalidInput as invalid:
            raise _in_facts(invalid) from None
        out = facts_out(view)
    response.headers["ETag"] = etag(out.version)
    return out


# --- The clinic's criteria sets (before /assessments/{id}) ----------------------------------


@router.get("/assessments/criteria-sets", response_model=CriteriaSetChoiceOut)
def get_criteria_sets(request: Request) -> CriteriaSetChoiceOut:
    """The criteria sets this clinic applies, and every set it could choose."""
    with api_work(request) as (session, actor):
        return _choice_out(service.criteria_set_choice(session, actor))


@router.put("/assessments/criteria-sets", response_model=CriteriaSetChoiceOut)
def put_criteria_sets(request: Request, data: CriteriaSetChoiceIn) -> CriteriaSetChoiceOut:
    """Choose the sets (physician or administrator). Version 0 while the default applies."""
    header = if_match_version(request)
    with api_work(request) as (session, actor):
        view = service.choose_criteria_sets(
            session,
            actor,
            data,
            via_if_match=header is not None,
            if_match_version=header,
        )
        return _choice_out(view)


# --- Evaluating a case given in the body ---------------------------------------------------

_RESULT_DOC: dict[int | str, dict[str, Any]] = {
    "200": {
        "description": "The result (criteria_sets, contraindications, recommendation, "
        "documentation_gaps, …): the JSON object `spinepath assess` prints.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}
_CASE_DOC = model_body(Case, "The case (see docs/decision-support.md; absent or null = unknown).")


@router.post("/assessments/evaluate", responses=_RESULT_DOC, openapi_extra=_CASE_DOC)
async def evaluate(
    request: Request,
    criteria_set: list[str] = Query(
        default=[],
        description="Criteria sets to apply (repeatable, each once); every set when none",
        json_schema_extra=criteria_sets_schema,
    ),
) -> JSONResponse:
    """Evaluate a case; nothing is stored. 422 names every invalid field."""
    body = await request.body()
    result = await run_in_threadpool(_evaluate, request, body, criteria_set)
    return JSONResponse(result)


def _evaluate(request: Request, body: bytes, criteria_sets: list[str]) -> dict[str, Any]:
    with api_work(request):
        return service.evaluate_json(body, criteria_sets or None)


# --- Assessments of an episode -------------------------------------------------------------


@router.post("/episodes/{episode_id}/assessments", status_code=201, response_model=AssessmentOut)
def create_assessment(
    request: Request,
    response: Response,
    episode_id: uuid.UUID,
    data: EvaluateEpisodeIn | None = Body(default=None),
) -> AssessmentOut:
    """Evaluate the episode's stored facts with the clinic's criteria sets, and keep it."""
    with api_work(request) as (session, actor):
        try:
            assessment = service.evaluate_episode(
                session, actor, episode_id, facts_version=data.facts_version if data else None
            )
        except InvalidInput as invalid:
            raise _in_facts(invalid) from None
        out = assessment_out(assessment)
    response.headers["Location"] = f"/api/v1/assessments/{out.id}"
    return out


@router.get("/episodes/{episode_id}/assessments", response_model=list[AssessmentOut])
def list_assessments(request: Request, episode_id: uuid.UUID) -> list[AssessmentOut]:
    """The episode's assessments, newest first, each with its decision."""
    with api_work(request) as (session, actor):
        return [assessment_out(a) for a in service.list_assessments(session, actor, episode_id)]


@router.get("/assessments/{assessment_id}", response_model=AssessmentOut)
def get_assessment(request: Request, assessment_id: uuid.UUID) -> AssessmentOut:
    with api_work(request) as (session, actor):
        return assessment_out(service.get_assessment(session, actor, assessment_id))


@router.post("/assessments/{assessment_id}/decision", status_code=201, response_model=DecisionOut)
def record_decision(request: Request, assessment_id: uuid.UUID, data: DecisionIn) -> DecisionOut:
    """The physician's decision on the latest assessment; one per assessment, never edited."""
    with api_work(request) as (session, actor):
        return decision_out(service.record_decision(session, actor, assessment_id, data))
