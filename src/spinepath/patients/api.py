"""JSON routes for patients."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Request, Response

from spinepath.api.deps import api_work, etag, if_match_version
from spinepath.paging import MAX_PAGE
from spinepath.patients import service
from spinepath.patients.schemas import (
    PatientIn,
    PatientList,
    PatientOut,
    PatientUpdate,
    patient_out,
)

router = APIRouter(prefix="/patients", tags=["patients"])


@router.get("", response_model=PatientList)
def list_patients(
    request: Request,
    q: str | None = Query(default=None, max_length=100, description="Name or MRN contains"),
    page: int = Query(default=1, ge=1, le=MAX_PAGE),
    per_page: int = Query(default=25, ge=1, le=100),
) -> PatientList:
    with api_work(request) as (session, actor):
        found = service.search_patients(session, actor, text=q, page=page, per_page=per_page)
        return PatientList(
            items=[patient_out(p) for p in found.items],
            total=found.total,
            page=page,
            per_page=per_page,
        )


@router.post("", status_code=201, response_model=PatientOut)
def create_patient(request: Request, response: Response, data: PatientIn) -> PatientOut:
    with api_work(request) as (session, actor):
        patient = service.create_patient(session, actor, data)
        out = patient_out(patient)
    response.headers["ETag"] = etag(out.version)
    response.headers["Location"] = f"/api/v1/patients/{out.id}"
    return out


@router.get("/{patient_id}", response_model=PatientOut)
def get_patient(request: Request, response: Response, patient_id: uuid.UUID) -> PatientOut:
    with api_work(request) as (session, actor):
        out = patient_out(service.get_patient(session, actor, patient_id))
    response.headers["ETag"] = etag(out.version)
    return out


@router.patch("/{patient_id}", response_model=PatientOut)
def update_patient(
    request: Request, response: Response, patient_id: uuid.UUID, data: PatientUpdate
) -> PatientOut:
    """Send the version you loaded (If-Match: "vN" or a ``version`` field)."""
    with api_work(request) as (session, actor):
        patient = service.update_patient(
            session, actor, patient_id, data, if_match_version=if_match_version(request)
        )
        out = patient_out(patient)
    response.headers["ETag"] = etag(out.version)
    return out
