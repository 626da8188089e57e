"""Reading imported FHIR facts: a patient's facts and what they say, and an import's state.

Importing is :mod:`spinepath.fhir.importer`; this module only reads.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.context import Actor
from spinepath.errors import NotFound
from spinepath.fhir.mapping import Fact
from spinepath.fhir.models import FhirFact, FhirImport, FhirImportJob
from spinepath.fhir.summary import summarise
from spinepath.patients import service as patients


def as_fact(row: FhirFact) -> Fact:
    return Fact(
        row.resource_type,
        row.resource_id,
        row.part,
        row.kind,
        row.category,
        row.code_system,
        row.code,
        row.display,
        row.status,
        row.effective,
        row.effective_at,
        row.value_num,
        row.value_unit,
        row.value_text,
        row.review,
        dict(row.details or {}),
    )


# ---- reading a patient's facts -------------------------------------------------------------
def patient_facts(session: Session, actor: Actor, patient_id: uuid.UUID) -> list[FhirFact]:
    """The imported facts of a patient of the actor's clinic (audited as a read)."""
    actor.require(Permission.READ_PATIENTS, "read patient records")
    patient = patients.load_patient(session, actor, patient_id)
    rows = list(
        session.scalars(
            select(FhirFact)
            .where(FhirFact.patient_id == patient.id)
            .order_by(FhirFact.kind, FhirFact.effective_at.desc(), FhirFact.resource_id)
        )
    )
    audit.record(
        session,
        actor,
        "read",
        "imported_facts",
        patient.id,
        patient_id=patient.id,
        detail={"facts": len(rows)},
    )
    return rows


def patient_summary(session: Session, actor: Actor, patient_id: uuid.UUID) -> dict[str, Any]:
    rows = patient_facts(session, actor, patient_id)
    return {
        "patient_id": str(patient_id),
        "facts": [fact_out(row) for row in rows],
        "summary": summarise([as_fact(row) for row in rows]),
    }


def fact_out(row: FhirFact) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "source": row.source,
        "resource": f"{row.resource_type}/{row.resource_id}",
        "part": row.part or None,
        "kind": row.kind,
        "category": row.category,
        "code_system": row.code_system,
        "code": row.code,
        "display": row.display,
        "status": row.status,
        "effective": row.effective,
        "value": row.value_num,
        "unit": row.value_unit,
        "value_text": row.value_text,
        "review": row.review,
        "details": row.details,
        "version": row.version,
        "import_id": str(row.import_id),
    }


def import_status(session: Session, actor: Actor, import_id: uuid.UUID) -> dict[str, Any]:
    """Where an import is (queued, reading, saving, done, failed), its progress and, once
    done, its report; a failed import says why (nothing of it was saved)."""
    actor.require(Permission.READ_PATIENTS, "read patient records")
    job = session.get(FhirImportJob, import_id)
    record = session.get(FhirImport, import_id)
    clinic = job.clinic_id if job is not None else record.clinic_id if record else None
    if clinic is None or clinic != actor.clinic_id:
        raise NotFound("import", import_id)
    audit.record(session, actor, "read", "fhir_import", import_id)
    found: dict[str, Any] = {"import_id": str(import_id)}
    if job is not None:
        found |= {
            "status": job.status,
            "background": job.background,
            "submitted_at": job.submitted_at.isoformat(),
            "submitted_by": job.submitted_by_name,
            "files": job.files,
            "progress": {
                "bytes_read": job.bytes_read,
                "resources_read": job.resources_read,
                "facts_staged": job.facts_staged,
                "updated_at": job.updated_at.isoformat(),
            },
            "finished_at": job.finished_at.isoformat() if job.finished_at else None,
            "errors": job.errors or [],
        }
    if record is not None:
        found |= {
            "status": "done",
            "imported_at": record.imported_at.isoformat(),
            "imported_by": record.imported_by_name,
            "report": record.report,
        }
    return found
