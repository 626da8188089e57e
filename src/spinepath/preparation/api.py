"""JSON routes of the preparation planner.

- ``POST /preparation/plan``: the planner on a JSON document, stored nowhere; answers exactly the
  object ``spinepath prep`` prints, and the same field errors (a 422 problem).
- ``GET/POST /episodes/{id}/preparation``: an episode's stored inputs and plan.
- ``POST /episodes/{id}/preparation/medications/{n}/decision``: a physician's decision on the
  plan's medicine ``n`` (0-based), or ``{"action": "withdraw"}`` to remove it.
- ``POST /episodes/{id}/preparation/sign``: a physician signs the current plan (refused while a
  medicine in review has no decision).
- ``GET /episodes/{id}/preparation/signatures/{number}``: what exactly was signed.
- ``GET /episodes/{id}/preparation/plan.pdf`` and ``plan.ics``: the patient's copies (signed
  plans only).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from spinepath.api.deps import api_work, etag, if_match_version
from spinepath.api.openapi import model_body
from spinepath.clinical.preparation.inputs import PlanIn
from spinepath.preparation import outputs, service
from spinepath.preparation.models import SIGNED, PreparationPlan, PreparationSignature
from spinepath.preparation.schemas import (
    OutputLinks,
    PreparationOut,
    SignatureDetailOut,
    SignatureOut,
    SignIn,
)

router = APIRouter(tags=["preparation"])

_PLAN_DOC: dict[int | str, dict[str, Any]] = {
    "200": {
        "description": (
            "The plan: medications (action hold / continue / review, stop window, last dose, "
            "restart), labs, fasting, edition, sources, warnings; the same JSON object the "
            "command line prints."
        ),
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}
_PLAN_BODY = model_body(
    PlanIn,
    "procedure_start (ISO 8601 with a UTC offset, in the future), time_zone (IANA, optional), "
    "edition, creatinine_clearance_ml_min, medications [{name, frequency, rxnorm, dose_times}], "
    "labs {inr, platelets_10e9_per_l, hemoglobin_g_dl, fibrinogen_mg_dl}, clinic_policy. "
    "Beyond the schema: procedure_end is after procedure_start and within 24 hours of it.",
)
_EPISODE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "The planner's input (as POST /preparation/plan; time_zone is the clinic's) plus "
            "arrival_at, follow_up_at (optional) and version (when a plan is stored; or If-Match)"
        ),
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


def links(episode_id: uuid.UUID) -> OutputLinks:
    return OutputLinks(
        patient_page=f"/episodes/{episode_id}/preparation/patient",
        pdf=f"/api/v1/episodes/{episode_id}/preparation/plan.pdf",
        ics=f"/api/v1/episodes/{episode_id}/preparation/plan.ics",
    )


def signature_out(signature: PreparationSignature) -> SignatureOut:
    return SignatureOut(
        number=signature.number,
        plan_version=signature.plan_version,
        signed_at=signature.signed_at,
        signed_by=signature.signed_by_name,
        note=signature.note,
    )


def preparation_out(record: PreparationPlan) -> PreparationOut:
    return PreparationOut(
        episode_id=record.episode_id,
        patient_id=record.patient_id,
        status=record.status,
        review_reason=record.review_reason,
        inputs=record.inputs,
        plan=record.plan,
        computed_at=record.computed_at,
        signed_at=record.signed_at,
        signed_by=record.signed_by_name,
        signatures=[signature_out(s) for s in record.signatures],
        outputs=links(record.episode_id) if record.status == SIGNED else None,
        updated_at=record.updated_at,
        updated_by=record.updated_by_name,
        version=record.version,
    )


@router.post("/preparation/plan", responses=_PLAN_DOC, openapi_extra=_PLAN_BODY)
async def compute_plan(request: Request) -> JSONResponse:
    """The preparation plan for a JSON input, stored nowhere. 422 names every invalid field."""
    body = await request.body()
    return JSONResponse(await run_in_threadpool(_compute, request, body))


def _compute(request: Request, body: bytes) -> dict[str, Any]:
    with api_work(request):
        return service.compute_plan_json(body)


@router.get("/episodes/{episode_id}/preparation", response_model=PreparationOut)
def get_preparation(request: Request, response: Response, episode_id: uuid.UUID) -> Any:
    """The episode's stored inputs, its plan and its signatures."""
    with api_work(request) as (session, actor):
        _, record = service.get_preparation(session, actor, episode_id)
        out = preparation_out(record)
    response.headers["ETag"] = etag(out.version)
    return out


@router.post(
    "/episodes/{episode_id}/preparation",
    response_model=PreparationOut,
    responses={201: {"description": "The first plan of this episode was stored"}},
    openapi_extra=_EPISODE_BODY,
)
async def save_preparation(request: Request, episode_id: uuid.UUID) -> Any:
    """Store (or replace) the episode's inputs and the plan computed from them.

    A change to a signed plan puts it back to review (``needs_review``) with the reason.
    """
    body = await request.body()
    return await run_in_threadpool(_save, request, episode_id, body)


def _save(request: Request, episode_id: uuid.UUID, body: bytes) -> JSONResponse:
    with api_work(request) as (session, actor):
        header_version = if_match_version(request)
        raw = service.parse_json(body)
        record, created = service.save_preparation(
            session, actor, episode_id, raw, if_match_version=header_version
        )
        session.flush()
        session.refresh(record)
        out = preparation_out(record)
    headers = {"ETag": etag(out.version)}
    if created:
        headers["Location"] = f"/api/v1/episodes/{episode_id}/preparation"
    return JSONResponse(
        out.model_dump(mode="json"), status_code=201 if created else 200, headers=headers
    )


_DECISION_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "action (hold | follow_suggestion | continue | skip_dose | call_patient | withdraw), "
            "last_dose_at and restart_at (hold), skip_dose_at (skip_dose), instructions (shown "
            "to the patient word for word), note (staff only), version (or If-Match)"
        ),
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.post(
    "/episodes/{episode_id}/preparation/medications/{medicine}/decision",
    response_model=PreparationOut,
    openapi_extra=_DECISION_BODY,
)
async def decide_medicine(request: Request, episode_id: uuid.UUID, medicine: int) -> Any:
    """A physician's decision on one medicine of the plan; a signed plan goes back to review."""
    body = await request.body()
    return await run_in_threadpool(_decide, request, episode_id, medicine, body)


def _decide(request: Request, episode_id: uuid.UUID, medicine: int, body: bytes) -> JSONResponse:
    with api_work(request) as (session, actor):
        header_version = if_match_version(request)
        raw = service.parse_json(body)
        record = service.decide_medicine(
            session, actor, episode_id, medicine, raw, if_match_version=header_version
        )
        session.refresh(record)
        out = preparation_out(record)
    return JSONResponse(out.model_dump(mode="json"), headers={"ETag": etag(out.version)})


@router.post("/episodes/{episode_id}/preparation/sign", response_model=PreparationOut)
def sign_preparation(
    request: Request, response: Response, episode_id: uuid.UUID, data: SignIn | None = None
) -> Any:
    """A physician signs the current plan (send the version reviewed, or If-Match)."""
    data = data or SignIn()
    with api_work(request) as (session, actor):
        header_version = if_match_version(request)
        record = service.sign_preparation(
            session,
            actor,
            episode_id,
            expected_version=header_version if header_version is not None else data.version,
            via_if_match=header_version is not None,
            note=data.note,
        )
        session.refresh(record)
        out = preparation_out(record)
    response.headers["ETag"] = etag(out.version)
    return out


@router.get(
    "/episodes/{episode_id}/preparation/signatures/{number}", response_model=SignatureDetailOut
)
def get_signature(request: Request, episode_id: uuid.UUID, number: int) -> Any:
    """One signature with the exact inputs and plan that were signed."""
    with api_work(request) as (session, actor):
        signature = service.get_signature(session, actor, episode_id, number)
        return SignatureDetailOut(
            **signature_out(signature).model_dump(), inputs=signature.inputs, plan=signature.plan
        )


@router.get(
    "/episodes/{episode_id}/preparation/plan.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def plan_pdf(request: Request, episode_id: uuid.UUID) -> Response:
    """The patient's printable plan (409 until a physician has signed the current plan)."""
    with api_work(request) as (session, actor):
        return outputs.pdf_response(session, actor, episode_id)


@router.get(
    "/episodes/{episode_id}/preparation/plan.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def plan_ics(request: Request, episode_id: uuid.UUID) -> Response:
    """The patient's calendar file (409 until a physician has signed the current plan)."""
    with api_work(request) as (session, actor):
        return outputs.ics_response(session, actor, episode_id)
