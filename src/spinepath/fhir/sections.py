"""The export sections spinepath's core records give: Patient, Condition, CarePlan, AuditEvent.

Condition codes (ICD-10-CM, checked as recorded in docs/fhir.md): an osteoporotic fracture is
M80.08XA (age-related osteoporosis with current pathological fracture, vertebra(e)); a
neoplastic one M84.58XA (pathological fracture in neoplastic disease, other site: the code for a
vertebra); a fracture of unknown cause M48.5-XA (collapsed vertebra NEC) by region. A traumatic
fracture is an injury code (S12/S22.0/S32.0) that depends on details spinepath does not record,
so it is exported with its text only. Each fracture is one Condition with its level as body site
(SNOMED CT for C1-L5, text for the sacrum).

AuditEvents: the export itself is always included. The patient's earlier audit history is
included only for a user who may read the audit trail (the permission table is not widened by
exporting).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from spinepath.accounts.roles import Permission
from spinepath.audit.models import AuditEvent
from spinepath.episodes import pathway
from spinepath.episodes.models import Fracture
from spinepath.episodes.pathway import Stage
from spinepath.fhir import codes
from spinepath.fhir.export import ExportContext, Section, instant
from spinepath.fhir.models import FhirPatientLink

AUDIT_HISTORY_LIMIT = 1000

_ETIOLOGY_TEXT = {
    "osteoporotic": "Osteoporotic vertebral compression fracture",
    "neoplastic": "Pathological vertebral fracture in neoplastic disease",
    "traumatic": "Traumatic vertebral fracture",
    "unknown": "Vertebral compression fracture, cause not recorded",
}


# ---- Patient ---------------------------------------------------------------------------------
def patient_section(ctx: ExportContext) -> list[dict[str, Any]]:
    patient = ctx.patient
    identifiers: list[dict[str, Any]] = [
        {
            "use": "usual",
            "type": {
                "coding": [
                    {"system": codes.V2_0203, "code": "MR", "display": "Medical record number"}
                ],
                "text": "MRN",
            },
            "value": patient.mrn,
        }
    ]
    links = ctx.session.scalars(
        select(FhirPatientLink)
        .where(
            FhirPatientLink.patient_id == patient.id,
            FhirPatientLink.clinic_id == ctx.actor.clinic_id,
            FhirPatientLink.kind == "identifier",
        )
        .order_by(FhirPatientLink.created_at, FhirPatientLink.system, FhirPatientLink.value)
    )
    for link in links:
        identifiers.append({"system": link.system or None, "value": link.value})
    return [
        {
            "resourceType": "Patient",
            "id": str(patient.id),
            "identifier": identifiers,
            "name": [
                {
                    "use": "official",
                    "family": patient.family_name,
                    "given": [patient.given_name],
                }
            ],
            "telecom": [
                {"system": "phone", "value": patient.phone} if patient.phone else None,
                {"system": "email", "value": patient.email} if patient.email else None,
            ],
            "gender": patient.sex,
            "birthDate": patient.birth_date.isoformat(),
        }
    ]


# ---- Condition -------------------------------------------------------------------------------
def condition_code(fracture: Fracture) -> dict[str, Any]:
    text = f"{_ETIOLOGY_TEXT.get(fracture.etiology, 'Vertebral fracture')}, {fracture.level}"
    coding: tuple[str, str] | None
    if fracture.etiology == "osteoporotic":
        coding = codes.ICD_OSTEOPOROTIC_VERTEBRAL_FRACTURE
    elif fracture.etiology == "neoplastic":
        coding = codes.ICD_NEOPLASTIC_FRACTURE
    elif fracture.etiology == "unknown":
        region = codes.collapsed_vertebra_region(fracture.level)
        coding = codes.ICD_COLLAPSED_VERTEBRA_BY_REGION[region]
    else:
        coding = None  # traumatic: an injury code needs details spinepath does not record
    concept: dict[str, Any] = {"text": text}
    if coding is not None:
        concept["coding"] = [{"system": codes.ICD10CM, "code": coding[0], "display": coding[1]}]
    return concept


def condition_section(ctx: ExportContext) -> list[dict[str, Any]]:
    closed = ctx.episode.closed_at is not None
    resources = []
    for fracture in ctx.episode.fractures:
        resources.append(
            {
                "resourceType": "Condition",
                "id": str(fracture.id),
                "clinicalStatus": {
                    "coding": [
                        {
                            "system": codes.CONDITION_CLINICAL,
                            "code": "inactive" if closed else "active",
                        }
                    ]
                },
                "verificationStatus": {
                    "coding": [{"system": codes.CONDITION_VERIFICATION, "code": "confirmed"}]
                },
                "category": [
                    {
                        "coding": [
                            {
                                "system": codes.CONDITION_CATEGORY,
                                "code": "encounter-diagnosis",
                                "display": "Encounter Diagnosis",
                            }
                        ]
                    }
                ],
                "code": condition_code(fracture),
                "bodySite": [codes.vertebra_body_site(fracture.level)],
                "subject": ctx.patient_reference,
                "onsetDateTime": fracture.onset_date.isoformat() if fracture.onset_date else None,
                "recordedDate": instant(fracture.created_at),
                "note": [{"text": fracture.notes}] if fracture.notes else None,
            }
        )
    return resources


# ---- CarePlan --------------------------------------------------------------------------------
def care_plan_section(ctx: ExportContext) -> list[dict[str, Any]]:
    episode = ctx.episode
    stage = Stage(episode.stage)
    open_tasks = [task for task in episode.tasks if task.status == "open"]
    activities = [
        {
            "detail": {
                "kind": "Task",
                "code": {"text": task.code},
                "status": "not-started",
                "description": task.title,
                "scheduledPeriod": {"end": instant(task.due_at)},
                "performer": [{"display": task.owner_role.replace("_", " ")}],
            }
        }
        for task in open_tasks
    ]
    return [
        {
            "resourceType": "CarePlan",
            "id": ctx.derived_id("careplan", episode.id),
            "status": "completed" if episode.closed_at is not None else "active",
            "intent": "plan",
            "title": "Vertebral compression fracture care pathway",
            "description": (
                f"Stage: {pathway.STAGE_LABELS[stage]}. Open tasks: {len(open_tasks)}."
            ),
            "subject": ctx.patient_reference,
            "period": {
                "start": instant(episode.opened_at),
                "end": instant(episode.closed_at) if episode.closed_at else None,
            },
            "created": instant(episode.opened_at),
            "addresses": [
                {"reference": ctx.full_url(str(fracture.id))} for fracture in episode.fractures
            ],
            "activity": activities,
        }
    ]


# ---- AuditEvent ------------------------------------------------------------------------------
_ACTION_CODE = {"create": "C", "read": "R", "update": "U", "transition": "U", "delete": "D"}
_OUTCOME_CODE = {"success": "0", "denied": "4", "failed": "8"}
_SUBTYPE = {"create": "create", "read": "read", "update": "update", "delete": "delete"}


def audit_event_resource(ctx: ExportContext, event: AuditEvent) -> dict[str, Any]:
    subtype = _SUBTYPE.get(event.action)
    agent: dict[str, Any] = {
        "who": {"display": event.actor_username or "spinepath"},
        "requestor": True,
    }
    if event.client_address:
        agent["network"] = {"address": event.client_address, "type": "2"}
    return {
        "resourceType": "AuditEvent",
        "id": ctx.derived_id("audit", event.id),
        "type": {"system": codes.AUDIT_EVENT_TYPE, "code": "rest", "display": "RESTful Operation"},
        "subtype": ([{"system": codes.RESTFUL_INTERACTION, "code": subtype}] if subtype else None),
        "action": _ACTION_CODE.get(event.action, "E"),
        "recorded": instant(event.occurred_at),
        "outcome": _OUTCOME_CODE.get(event.outcome, "4"),
        "outcomeDesc": f"{event.action} {event.entity_type}: {event.outcome}",
        "agent": [agent],
        "source": {"observer": {"display": "spinepath"}},
        "entity": [
            {
                "what": ctx.patient_reference,
                "description": f"{event.entity_type} {event.entity_id or ''}".strip(),
            }
        ],
    }


def audit_section(ctx: ExportContext) -> list[dict[str, Any]]:
    query = select(AuditEvent).where(
        AuditEvent.clinic_id == ctx.actor.clinic_id, AuditEvent.patient_id == ctx.patient.id
    )
    if not ctx.actor.can(Permission.READ_AUDIT):
        query = query.where(AuditEvent.id == ctx.export_audit_event_id)
    events = ctx.session.scalars(query.order_by(AuditEvent.id.desc()).limit(AUDIT_HISTORY_LIMIT))
    return [audit_event_resource(ctx, event) for event in events]


FHIR_SECTIONS: tuple[Section, ...] = (
    Section("patient", "Patient", patient_section),
    Section("conditions", "Vertebral fractures (Condition, ICD-10-CM)", condition_section),
    Section("care_plan", "Care pathway with open tasks (CarePlan)", care_plan_section),
    Section("audit", "Access to the record (AuditEvent)", audit_section),
)
