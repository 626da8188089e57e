"""Follow-up in the FHIR export: patient-reported outcomes and the follow-up schedule.

``outcomes``: each answer set (baseline or a contact) becomes
- a QuestionnaireResponse with the ten ODI v2.1a section points (items ``odi-1`` … ``odi-10``,
  headed by the section names the ODI module gives; the copyrighted statement wording is never
  exported). spinepath publishes no Questionnaire, so ``questionnaire`` is left out and the
  instrument is named in the narrative. An unanswered section has no item: R4 allows a question
  item without an answer, but later FHIR versions forbid it and receivers differ;
- an ODI score Observation, LOINC 97909-6 "Oswestry disability index score ODI" (a percent;
  member of panel 97908-8), derived from that QuestionnaireResponse, with the band;
- a pain Observation, LOINC 72514-3 (pain severity 0-10 verbal numeric rating, as imported);
- an RMDQ score Observation with text only: no code for it has been verified.

``follow_up_schedule``: the follow-up plan as a CarePlan, part of the pathway CarePlan, with one
Appointment activity per contact and the outcome resources recorded at that contact.
"""

from __future__ import annotations

import html
import uuid
from typing import Any

from sqlalchemy import select

from spinepath.clinical.instruments import odi, rmdq
from spinepath.fhir import codes
from spinepath.fhir.export import ExportContext, Section, instant
from spinepath.follow_up.models import FollowUpContact, FollowUpPlan, OutcomeRecord

RMDQ_SCORE_TEXT = "Roland-Morris Disability Questionnaire score"
XHTML = "http://www.w3.org/1999/xhtml"

# Contact status → R4 CarePlanActivityStatus. A planned contact has its due date and window in
# the clinic's schedule (a booking not yet begun: "scheduled"). A missed contact never started,
# so it is not "stopped" (ended after it was started) but "cancelled" (withdrawn: it will not
# take place); statusReason tells a missed contact from a cancelled one.
ACTIVITY_STATUS = {
    "planned": "scheduled",
    "done": "completed",
    "missed": "cancelled",
    "cancelled": "cancelled",
}
ACTIVITY_STATUS_REASON = {
    "missed": "Missed: the contact did not take place",
    "cancelled": "Cancelled",
}
CLOSED_CONTACT_STATUSES = frozenset({"done", "missed", "cancelled"})
MODE_TEXT = {"phone": "By phone.", "visit": "At a clinic visit."}
PLAN_KIND_TEXT = {
    "post_procedure": "Follow-up after vertebral augmentation",
    "conservative": "Follow-up after conservative treatment",
}
METHOD_TEXT = {
    "patient_link": "Answered by the patient through a personal link",
    "phone": "Asked by phone and entered by staff",
    "visit": "Asked at a visit and entered by staff",
}


ODI_SECTION_HEADINGS = tuple(name.capitalize() for name in odi.SECTION_HEADINGS)


def _outcome_records(ctx: ExportContext) -> list[OutcomeRecord]:
    return list(
        ctx.session.scalars(
            select(OutcomeRecord)
            .where(OutcomeRecord.episode_id == ctx.episode.id)
            .order_by(OutcomeRecord.collected_on, OutcomeRecord.time_point)
        )
    )


def _response_id(ctx: ExportContext, record: OutcomeRecord) -> str:
    return ctx.derived_id("odi-questionnaire-response", record.id)


# ---- outcomes --------------------------------------------------------------------------------
def questionnaire_response(ctx: ExportContext, record: OutcomeRecord) -> dict[str, Any]:
    sections = record.odi_sections or []
    by_patient = record.method == "patient_link"
    return {
        "resourceType": "QuestionnaireResponse",
        "id": _response_id(ctx, record),
        "text": {
            "status": "generated",
            "div": (
                f'<div xmlns="{XHTML}">{html.escape(odi.INSTRUMENT.title)}, '
                f"{html.escape(record.time_point)}: the points of each section (the "
                "questionnaire wording is not included).</div>"
            ),
        },
        "status": "completed",
        "subject": ctx.patient_reference,
        "authored": record.collected_on.isoformat(),
        "author": ctx.patient_reference if by_patient else {"display": record.recorded_by_name},
        "source": ctx.patient_reference if by_patient else None,
        "item": [
            {
                "linkId": f"odi-{number}",
                "text": heading,
                "answer": [{"valueInteger": points}],
            }
            for number, (heading, points) in enumerate(
                zip(ODI_SECTION_HEADINGS, sections, strict=True), start=1
            )
            if points is not None
        ],
    }


def _observation(
    ctx: ExportContext, record: OutcomeRecord, kind: str, code: dict[str, Any]
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": ctx.derived_id(kind, record.id),
        "status": "final",
        "category": [codes.SURVEY_CATEGORY],
        "code": code,
        "subject": ctx.patient_reference,
        "effectiveDateTime": record.collected_on.isoformat(),
        "method": {"text": METHOD_TEXT.get(record.method, record.method)},
    }


def _loinc(code: tuple[str, str], text: str) -> dict[str, Any]:
    return {"coding": [{"system": codes.LOINC, "code": code[0], "display": code[1]}], "text": text}


def odi_observation(ctx: ExportContext, record: OutcomeRecord) -> dict[str, Any]:
    assert record.odi_tenths is not None and record.odi_sections is not None
    unanswered = [n for n, points in enumerate(record.odi_sections, start=1) if points is None]
    answered = len(record.odi_sections) - len(unanswered)
    notes = [
        f"Section {n} ({ODI_SECTION_HEADINGS[n - 1].lower()}) unanswered: scored over the "
        f"{answered} sections answered."
        for n in unanswered
    ]
    return {
        **_observation(
            ctx, record, "odi-score", _loinc(codes.LOINC_ODI_SCORE, f"{odi.INSTRUMENT.title} score")
        ),
        "valueQuantity": {
            "value": record.odi_tenths / 10,
            "unit": "%",
            "system": codes.UCUM,
            "code": "%",
        },
        "interpretation": [{"text": f"ODI band: {record.odi_band}"}],
        "note": [{"text": text} for text in notes],
        "derivedFrom": [{"reference": ctx.full_url(_response_id(ctx, record))}],
    }


def pain_observation(ctx: ExportContext, record: OutcomeRecord) -> dict[str, Any]:
    return {
        **_observation(
            ctx, record, "pain-score", _loinc(codes.LOINC_PAIN_SEVERITY, "Pain now (0-10)")
        ),
        "valueInteger": record.nrs,
    }


def rmdq_observation(ctx: ExportContext, record: OutcomeRecord) -> dict[str, Any]:
    return {
        **_observation(ctx, record, "rmdq-score", {"text": RMDQ_SCORE_TEXT}),
        "valueInteger": record.rmdq_score,
        "note": [{"text": f"Statements ticked of the {rmdq.ITEMS} (RMDQ-24)."}],
    }


def outcome_resources(ctx: ExportContext, record: OutcomeRecord) -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = []
    if record.odi_sections is not None:
        resources.append(questionnaire_response(ctx, record))
        if record.odi_tenths is not None:  # stored answers are always scorable; checked anyway
            resources.append(odi_observation(ctx, record))
    if record.nrs is not None:
        resources.append(pain_observation(ctx, record))
    if record.rmdq_score is not None:
        resources.append(rmdq_observation(ctx, record))
    return resources


def outcomes_section(ctx: ExportContext) -> list[dict[str, Any]]:
    return [
        resource for record in _outcome_records(ctx) for resource in outcome_resources(ctx, record)
    ]


# ---- follow-up schedule ----------------------------------------------------------------------
def _activity(contact: FollowUpContact, outcome_urls: list[str]) -> dict[str, Any]:
    description = MODE_TEXT.get(contact.mode, contact.mode)
    if contact.due_date != contact.planned_due_date:
        description += f" Moved from {contact.planned_due_date.isoformat()}"
        description += f": {contact.reschedule_reason}." if contact.reschedule_reason else "."
    reason = ACTIVITY_STATUS_REASON.get(contact.status)
    return {
        "outcomeReference": [{"reference": url} for url in outcome_urls],
        "detail": {
            "kind": "Appointment",
            "code": {"text": contact.label},
            "status": ACTIVITY_STATUS.get(contact.status, "unknown"),
            "statusReason": {"text": reason} if reason else None,
            "scheduledPeriod": {
                "start": contact.due_date.isoformat(),
                "end": contact.window_end.isoformat(),
            },
            "description": description,
        },
    }


def follow_up_schedule_section(ctx: ExportContext) -> list[dict[str, Any]]:
    plan = ctx.session.scalar(select(FollowUpPlan).where(FollowUpPlan.episode_id == ctx.episode.id))
    if plan is None:
        return []
    contacts = list(
        ctx.session.scalars(
            select(FollowUpContact)
            .where(FollowUpContact.plan_id == plan.id)
            .order_by(FollowUpContact.due_date, FollowUpContact.sequence)
        )
    )
    outcome_urls: dict[uuid.UUID, list[str]] = {}
    for record in _outcome_records(ctx):
        if record.contact_id is not None:
            urls = [ctx.full_url(r["id"]) for r in outcome_resources(ctx, record)]
            outcome_urls.setdefault(record.contact_id, []).extend(urls)
    finished = bool(contacts) and all(c.status in CLOSED_CONTACT_STATUSES for c in contacts)
    return [
        {
            "resourceType": "CarePlan",
            "id": str(plan.id),
            "status": "completed" if finished else "active",
            "intent": "plan",
            "title": "Follow-up schedule",
            "description": PLAN_KIND_TEXT.get(plan.kind, plan.kind),
            "partOf": [{"reference": ctx.full_url(ctx.derived_id("careplan", ctx.episode.id))}],
            "subject": ctx.patient_reference,
            "period": {"start": plan.anchor_date.isoformat()},
            "created": instant(plan.started_at),
            "activity": [_activity(c, outcome_urls.get(c.id, [])) for c in contacts],
        }
    ]


FHIR_SECTIONS: tuple[Section, ...] = (
    Section(
        "outcomes",
        "Patient-reported outcomes (QuestionnaireResponse, Observation: ODI, pain, RMDQ)",
        outcomes_section,
    ),
    Section("follow_up_schedule", "Follow-up contacts (CarePlan)", follow_up_schedule_section),
)
