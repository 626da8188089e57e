"""The patients of an import: each Patient matched to a spinepath patient of the clinic (by
identifier, MRN or the source's resource id) and updated, or registered when new; a reference
to a Patient not in the import is matched to one imported before from the same source."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, tuple_
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


LinkKey = tuple[str, str, str]  # kind, system, value
_CHUNK = 400


@dataclass
class Known:
    """The clinic's patient links and MRNs an import's patients could match, read in bulk
    (a few queries for the whole import, not a few per patient) and kept up to date as the
    import links and registers patients."""

    clinic_id: uuid.UUID
    source: str
    links: dict[LinkKey, set[uuid.UUID]] = field(default_factory=dict)
    mrns: dict[str, uuid.UUID] = field(default_factory=dict)

    def matches(self, wanted: list[LinkKey], mrn: str | None) -> set[uuid.UUID]:
        found = {pid for key in wanted for pid in self.links.get(key, ())}
        if mrn and mrn in self.mrns:
            found.add(self.mrns[mrn])
        return found


def _wanted(entry: PatientEntry, source: str) -> list[LinkKey]:
    keys = [("identifier", system, value) for system, value, _ in entry.facts.identifiers]
    return [*keys, ("resource", source, entry.resource_id)]


def _resource_key(reference: str, source: str) -> LinkKey:
    return ("resource", source, reference.rstrip("/").split("/")[-1])


def known_for(
    session: Session,
    clinic_id: uuid.UUID,
    source: str,
    entries: list[PatientEntry],
    references: list[str],
) -> Known:
    known = Known(clinic_id, source)
    wanted = {key for entry in entries for key in _wanted(entry, source)}
    wanted |= {_resource_key(reference, source) for reference in references}
    keys = sorted(wanted)
    for start in range(0, len(keys), _CHUNK):
        rows = session.execute(
            select(
                FhirPatientLink.kind,
                FhirPatientLink.system,
                FhirPatientLink.value,
                FhirPatientLink.patient_id,
            ).where(
                FhirPatientLink.clinic_id == clinic_id,
                tuple_(FhirPatientLink.kind, FhirPatientLink.system, FhirPatientLink.value).in_(
                    keys[start : start + _CHUNK]
                ),
            )
        )
        for kind, system, value, patient_id in rows:
            known.links.setdefault((kind, system, value), set()).add(patient_id)
    mrns = sorted({entry.facts.mrn for entry in entries if entry.facts.mrn})
    for start in range(0, len(mrns), _CHUNK):
        for mrn, patient_id in session.execute(
            select(Patient.mrn, Patient.id).where(
                Patient.clinic_id == clinic_id, Patient.mrn.in_(mrns[start : start + _CHUNK])
            )
        ):
            known.mrns[mrn] = patient_id
    ids = sorted(
        {pid for found in known.links.values() for pid in found} | set(known.mrns.values())
    )
    for start in range(0, len(ids), _CHUNK):  # into the session, so each match is a lookup
        list(session.scalars(select(Patient).where(Patient.id.in_(ids[start : start + _CHUNK]))))
    return known


def for_entry(session: Session, actor: Actor, entry: PatientEntry, known: Known) -> Matched:
    """The spinepath patient of a Patient in the import: matched and updated, or created."""
    notes: list[str] = []
    facts = entry.facts
    resource_ref = f"Patient/{entry.resource_id}"
    wanted = _wanted(entry, known.source)
    candidates = [
        p
        for p in (session.get(Patient, pid) for pid in sorted(known.matches(wanted, facts.mrn)))
        if p is not None
    ]
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
        known.mrns[patient.mrn] = patient.id
    _link(session, known, patient, wanted)
    row = {
        "patient_id": str(patient.id),
        "mrn": patient.mrn,
        "resource": resource_ref,
        "outcome": outcome,
        "matched_by": matched_by,
    }
    return Matched(patient, row, None, notes)


def for_reference(session: Session, reference: str, known: Known) -> Matched:
    """The spinepath patient a reference to a Patient not in the import names: one imported
    before from the same source."""
    found = known.links.get(_resource_key(reference, known.source), set())
    patient = session.get(Patient, next(iter(found))) if len(found) == 1 else None
    if patient is None:
        return Matched(
            None,
            None,
            f"its patient ({reference}) is not in this import and was not imported before "
            f"from source {known.source!r}",
        )
    row = {
        "patient_id": str(patient.id),
        "mrn": patient.mrn,
        "resource": reference,
        "outcome": "matched",
        "matched_by": "source resource id",
    }
    return Matched(patient, row)


def _link(session: Session, known: Known, patient: Patient, wanted: list[LinkKey]) -> None:
    for kind, system, value in wanted:
        holders = known.links.setdefault((kind, system, value), set())
        if patient.id in holders or len(system) > 400 or len(value) > 400:
            continue
        session.add(
            FhirPatientLink(
                clinic_id=known.clinic_id,
                patient_id=patient.id,
                kind=kind,
                system=system,
                value=value,
            )
        )
        holders.add(patient.id)


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
