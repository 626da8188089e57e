"""All web pages, gathered from their domains."""

from __future__ import annotations

from fastapi import APIRouter

from spinepath.accounts.web import router as clinic_pages
from spinepath.assessments.web import router as assessment_pages
from spinepath.audit.web import router as audit_pages
from spinepath.calculators.web import router as calculator_pages
from spinepath.episodes.appointment_pages import router as appointment_pages
from spinepath.episodes.web import router as episode_pages
from spinepath.follow_up.web import router as follow_up_pages
from spinepath.patients.web import router as patient_pages
from spinepath.preparation.web import router as preparation_pages
from spinepath.procedures.web import router as procedure_pages
from spinepath.recovery.web import router as recovery_pages
from spinepath.web.auth_pages import router as auth_pages

router = APIRouter(include_in_schema=False)
for pages in (
    auth_pages,
    episode_pages,
    appointment_pages,
    patient_pages,
    audit_pages,
    clinic_pages,
    calculator_pages,
    assessment_pages,
    preparation_pages,
    procedure_pages,
    recovery_pages,
    follow_up_pages,
):
    router.include_router(pages)
