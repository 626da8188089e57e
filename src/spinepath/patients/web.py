"""Web pages: register a patient, the patient page, open an episode."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from spinepath.clinical.errors import InvalidInput, parse_input
from spinepath.context import Actor
from spinepath.episodes import service as episodes
from spinepath.episodes.schemas import EpisodeIn
from spinepath.patients import service
from spinepath.patients.schemas import PatientIn, Sex
from spinepath.unit_of_work import attempt
from spinepath.web.forms import csrf_from, form_data, parse_form
from spinepath.web.render import page
from spinepath.web.session import check_csrf, web_work

router = APIRouter()

PATIENT_FIELDS = ("mrn", "family_name", "given_name", "birth_date", "sex", "phone", "email")


@router.get("/patients/new", response_class=HTMLResponse)
def new_patient_form(request: Request) -> Response:
    with web_work(request) as (_, __, token):
        return page(
            request,
            "patient_new.html",
            {"csrf_token": token.csrf_token, "errors": {}, "form": {}, "sexes": list(Sex)},
        )


@router.post("/patients")
async def create_patient(request: Request) -> Response:
    data = await form_data(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, data))
        try:
            with attempt(session):
                patient = service.create_patient(
                    session, actor, parse_form(PatientIn, data, PATIENT_FIELDS)
                )
        except InvalidInput as invalid:
            return page(
                request,
                "patient_new.html",
                {
                    "csrf_token": token.csrf_token,
                    "errors": {e.field: e.message for e in invalid.errors},
                    "form": data,
                    "sexes": list(Sex),
                },
                status_code=422,
            )
        patient_id = patient.id
    return RedirectResponse(f"/patients/{patient_id}", status_code=303)


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(request: Request, patient_id: uuid.UUID) -> Response:
    with web_work(request) as (session, actor, token):
        return _render_patient(request, session, actor, patient_id, token.csrf_token, {}, {}, 200)


def _render_patient(
    request: Request,
    session: Session,
    actor: Actor,
    patient_id: uuid.UUID,
    csrf: str | None,
    errors: dict[str, str],
    form: dict[str, str],
    status: int,
) -> Response:
    patient = service.get_patient(session, actor, patient_id)
    episode_list = episodes.episodes_of_patient(session, actor, patient_id)
    return page(
        request,
        "patient.html",
        {
            "patient": patient,
            "episodes": episode_list,
            "csrf_token": csrf,
            "errors": errors,
            "form": form,
            "today": date.today(),
            "etiologies": ["osteoporotic", "neoplastic", "traumatic", "unknown"],
        },
        status_code=status,
    )


@router.post("/patients/{patient_id}/episodes")
async def open_episode(request: Request, patient_id: uuid.UUID) -> Response:
    data = await form_data(request)
    with web_work(request) as (session, actor, token):
        check_csrf(token, csrf_from(request, data))
        raw: dict[str, object] = {"patient_id": str(patient_id)}
        for name in ("referral_source", "summary"):
            if data.get(name, "").strip():
                raw[name] = data[name].strip()
        if data.get("level", "").strip():
            fracture = {
                name: data[name].strip()
                for name in ("level", "onset_date", "etiology")
                if data.get(name, "").strip()
            }
            raw["fractures"] = [fracture]
        try:
            with attempt(session):
                episode = episodes.open_episode(session, actor, parse_input(EpisodeIn, raw))
        except InvalidInput as invalid:
            errors = {e.field.replace("fractures.0.", ""): e.message for e in invalid.errors}
            return _render_patient(
                request, session, actor, patient_id, token.csrf_token, errors, data, 422
            )
        episode_id = episode.id
    return RedirectResponse(f"/episodes/{episode_id}", status_code=303)
