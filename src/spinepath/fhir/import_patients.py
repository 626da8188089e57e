"""The patients of an import: each Patient matched to a spinepath patient of the clinic (by
identifier, MRN or the source's resource id) and updated, or registered when new; a reference
to a Patient not in the import is matched to one imported before from the same source."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from spinepath.context import Actor
from spinepath.fhir.mapping import PatientFacts
from spinepath.fhir.models import FhirPatientLink
from spinepath.patients import service as patients
from spinepath.patients.models import Patient
from spinepath.patients.schemas import PatientIn, PatientUpdate


@dataclass(frozen=True)
class PatientEntry:
    """A Patient resource of the import, as read in its first pass."""

    key: str
    location: str
    resource_id: str
    facts: PatientFacts


@dataclass(frozen=True)
class Matched:
    patient: Patient | None
    row: dict[str, Any] | None  # the report's line for the patient, when there is one
    refusal: str | None = None  # why the patient's facts are not kept
    notes: list[str] = field(default_factory=list)


def for_entry(session: Session, actor: Actor, entry: PatientEntry, source: str) -> Matched:
    """The spinepath patient of a Patient in the import: matched and updated, or created."""
    assert actor.clinic_id is not None
    notes: list[str] = []
    facts = entry.facts
    resource_ref = f"Patient/{entry.resource_id}"
    identifiers = [(system, value) for system, value, _ in facts.identifiers]
    candidates = _candidates(
        session, actor.clinic_id, identifiers, facts.mrn, entry.resource_id, source
    )
    if len(candidates) > 1:
        return Matched(
            None,
            None,
            f"{resource_ref} matches more than one spinepath patient "
            f"({', '.join(sorted(p.mrn for p in candidates))}): resolve the records by hand",
        )
    if candidates:
        patient = candidates[0]
        outcome = _update_patient(session, actor, patient, facts, notes)
        matched_by = "identifier"
    else:
        created, refusal = _create_patient(session, actor, facts, resource_ref, notes)
        if created is None:
            return Matched(None, None, refusal or "the Patient cannot be stored", notes)
        patient, outcome, matched_by = created, "created", "new"
    _link(session, actor.clinic_id, patient, identifiers, entry.resource_id, source)
    row = {
        "patient_id": str(patient.id),
        "mrn": patient.mrn,
        "resource": resource_ref,
        "outcome": outcome,
        "matched_by": matched_by,
    }
    return Matched(patient, row, None, notes)


def for_reference(session: Session, actor: Actor, reference: str, source: str) -> Matched:
    """The spinepath patient a reference to a Patient not in the import names: one imported
    before from the same source."""
    assert actor.clinic_id is not None
    resource_id = reference.rstrip("/").split("/")[-1]
    found = _candidates(session, actor.clinic_id, [], None, resource_id, source)
    if len(found) != 1:
        return Matched(
            None,
            None,
            f"its patient ({reference}) is not in this import and was not imported before "
            f"from source {source!r}",
        )
    patient = found[0]
    row = {
        "patient_id": str(patient.id),
        "mrn": patient.mrn,
        "resource": reference,
        "outcome": "matched",
        "matched_by": "source resource id",
    }
    return Matched(patient, row)


def _candidates(
    session: Session,
    clinic_id: uuid.UUID,
    identifiers: list[tuple[str, str]],
    mrn: str | None,
    resource_id: str,
    source: str,
) -> list[Patient]:
    clauses = [
        and_(
            FhirPatientLink.kind == "identifier",
            FhirPatientLink.system == system,
            FhirPatientLink.value == value,
        )
        for system, value in identifiers
    ]
    clauses.append(
        and_(
            FhirPatientLink.kind == "resource",
            FhirPatientLink.system == source,
            FhirPatientLink.value == resource_id,
        )
    )
    ids = set(
        session.scalars(
            select(FhirPatientLink.patient_id).where(
                FhirPatientLink.clinic_id == clinic_id, or_(*clauses)
            )
        )
    )
    if mrn:
        by_mrn = session.scalar(
            select(Patient.id).where(Patient.clinic_id == clinic_id, Patient.mrn == mrn)
        )
        if by_mrn is not None:
            ids.add(by_mrn)
    return [p for p in (session.get(Patient, pid) for pid in sorted(ids)) if p is not None]


def _link(
    session: Session,
    clinic_id: uuid.UUID,
    patient: Patient,
    identifiers: list[tuple[str, str]],
    resource_id: str,
    source: str,
) -> None:
    wanted = [("identifier", system, value) for system, value in identifiers]
    wanted.append(("resource", source, resource_id))
    existing = {
        (link.kind, link.system, link.value)
        for link in session.scalars(
            select(FhirPatientLink).where(
                FhirPatientLink.clinic_id == clinic_id,
                FhirPatientLink.patient_id == patient.id,
            )
        )
    }
    for kind, system, value in wanted:
        if (kind, system, value) in existing:
            continue
        if len(system) > 400 or len(value) > 400:
            continue
        session.add(
            FhirPatientLink(
                clinic_id=clinic_id, patient_id=patient.id, kind=kind, system=system, value=value
            )
        )
        existing.add((kind, system, value))
    session.flush()


def _demographics(facts: PatientFacts) -> dict[str, Any]:
    found: dict[str, Any] = {
        "family_name": facts.family_name,
        "given_name": facts.given_name,
        "birth_date": facts.birth_date,
        "sex": facts.sex,
        "phone": facts.phone,
        "email": facts.email,
    }
    return {k: v for k, v in found.items() if v is not None}


def _valid_optional(values: dict[str, Any], notes: list[str], resource_ref: str) -> dict[str, Any]:
    """Drop a phone or email spinepath cannot store, saying so."""
    kept = dict(values)
    for name in ("phone", "email"):
        if name not in kept:
            continue
        try:
            PatientUpdate.model_validate({name: kept[name]})
        except ValidationError:
            notes.append(f"{resource_ref}: the {name} was not kept (not valid)")
            kept.pop(name)
    return kept


def _create_patient(
    session: Session, actor: Actor, facts: PatientFacts, resource_ref: str, notes: list[str]
) -> tuple[Patient | None, str | None]:
    values = _valid_optional(_demographics(facts), notes, resource_ref)
    values.setdefault("sex", "unknown")
    mrn = facts.mrn
    missing = [
        label
        for label, present in (
            ("an identifier (MRN)", bool(mrn)),
            ("a family name", "family_name" in values),
            ("a given name", "given_name" in values),
            ("a full birth date", "birth_date" in values),
        )
        if not present
    ]
    if missing:
        return None, (
            f"the Patient lacks {', '.join(missing)}: spinepath needs these to register a patient"
        )
    try:
        data = PatientIn.model_validate({"mrn": mrn, **values})
    except ValidationError as error:
        fields = ", ".join(str(item["loc"][0]) for item in error.errors() if item["loc"])
        return None, f"the Patient's {fields} cannot be stored by spinepath"
    return patients.create_patient(session, actor, data), None


def _update_patient(
    session: Session, actor: Actor, patient: Patient, facts: PatientFacts, notes: list[str]
) -> str:
    values = _valid_optional(_demographics(facts), notes, f"Patient for MRN {patient.mrn}")
    if values.get("sex") == "unknown" and patient.sex != "unknown":
        values.pop("sex")  # an unknown never overwrites a recorded sex
    changes = {name: value for name, value in values.items() if getattr(patient, name) != value}
    if not changes:
        return "unchanged"
    try:
        update = PatientUpdate.model_validate({"version": patient.version, **changes})
    except ValidationError as error:
        fields = ", ".join(str(item["loc"][0]) for item in error.errors() if item["loc"])
        notes.append(f"MRN {patient.mrn}: {fields} not updated (cannot be stored)")
        return "unchanged"
    patients.update_patient(session, actor, patient.id, update)
    return "updated"
