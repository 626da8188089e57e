"""Use cases for FHIR data: import a Bundle or NDJSON into a clinic, read a patient's facts.

``import_fhir`` is one unit of work: it reads and checks everything first (a malformed input is
refused whole with every problem named, before anything is written), then creates or updates
each patient (matched by identifier, MRN or source resource id within the actor's clinic) and
stores each fact keyed to the patient and its source resource. A fact whose content has not
changed is left alone, so importing the same data again changes nothing. Every stored version
is kept with the import that wrote it, and the import is audited per patient.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.context import Actor
from spinepath.fhir.bundle import Entry, ImportInput
from spinepath.fhir.mapping import (
    SUPPORTING_TYPES,
    Fact,
    PatientFacts,
    map_resource,
    read_patient,
    subject_reference,
)
from spinepath.fhir.models import FhirFact, FhirFactVersion, FhirImport, FhirPatientLink
from spinepath.fhir.reading import Problems
from spinepath.fhir.summary import summarise
from spinepath.patients import service as patients
from spinepath.patients.models import Patient
from spinepath.patients.schemas import PatientIn, PatientUpdate

Progress = Callable[[str, int, int], None]
MAX_EXAMPLES = 5
SOURCE_MAX = 400


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


@dataclass
class _PatientGroup:
    key: str
    entry: Entry | None  # the Patient resource in this import, if any
    external_ref: str | None  # a Patient reference not in this import
    facts: dict[tuple[str, str, str], Fact] = field(default_factory=dict)
    resources: list[str] = field(default_factory=list)


@dataclass
class _Report:
    skipped: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    used: Counter[str] = field(default_factory=Counter)
    outcome: Counter[str] = field(default_factory=Counter)
    review: list[dict[str, Any]] = field(default_factory=list)
    patients: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def skip(self, resource: str, reason: str) -> None:
        self.skipped[reason].append(resource)


def import_fhir(
    session: Session,
    actor: Actor,
    data: ImportInput,
    *,
    source: str = "",
    progress: Progress = _no_progress,
) -> dict[str, Any]:
    """Import ``data`` for the actor's clinic; return the report (see module docstring)."""
    actor.require(Permission.EDIT_PATIENTS, "import patient records")
    assert actor.clinic_id is not None
    source = source.strip().rstrip("/")
    if len(source) > SOURCE_MAX:
        raise InvalidInput([FieldError("source", f"must be at most {SOURCE_MAX} characters")])

    report = _Report()
    groups = _read_everything(data, report, progress)

    record = FhirImport(
        id=uuid.uuid4(),
        clinic_id=actor.clinic_id,
        imported_by_id=actor.user_id,
        imported_by_name=actor.full_name,
        source=source,
        input_kinds=list(data.kinds),
        resource_count=len(data.entries),
        changed=False,
        report={},
    )
    session.add(record)
    session.flush()

    total = sum(len(g.facts) for g in groups)
    done = 0
    for group in groups:
        patient = _patient_for(session, actor, group, source, report)
        if patient is None:
            done += len(group.facts)
            progress("saving", done, total)
            continue
        counts = _store_facts(session, actor, patient, group, source, record.id, report)
        done += len(group.facts)
        progress("saving", done, total)
        report.patients[-1]["facts"] = counts
        audit.record(
            session,
            actor,
            "import",
            "patient",
            patient.id,
            patient_id=patient.id,
            detail={"import_id": str(record.id), "facts": counts, "source": source or None},
        )

    changed = report.outcome["created"] + report.outcome["updated"] > 0 or any(
        p["outcome"] in ("created", "updated") for p in report.patients
    )
    result = {
        "import_id": str(record.id),
        "source": source,
        "input": {"kinds": list(data.kinds), "resources": len(data.entries)},
        "changed": changed,
        "patients": report.patients,
        "facts": {
            "created": report.outcome["created"],
            "updated": report.outcome["updated"],
            "unchanged": report.outcome["unchanged"],
            "by_category": dict(sorted(report.used.items())),
        },
        "review": report.review,
        "skipped": [
            {
                "reason": reason,
                "count": len(resources),
                "examples": resources[:MAX_EXAMPLES],
            }
            for reason, resources in sorted(
                report.skipped.items(), key=lambda item: (-len(item[1]), item[0])
            )
        ],
        "notes": list(dict.fromkeys(report.notes)),
    }
    record.changed = changed
    record.report = result
    session.flush()
    audit.record(
        session,
        actor,
        "import",
        "fhir_import",
        record.id,
        detail={
            "patients": [p.get("patient_id") for p in report.patients],
            "facts": result["facts"],
            "resources": len(data.entries),
            "changed": changed,
        },
    )
    return result


# ---- reading (no writes) -------------------------------------------------------------------
def _read_everything(data: ImportInput, report: _Report, progress: Progress) -> list[_PatientGroup]:
    problems = Problems()
    groups: dict[str, _PatientGroup] = {}
    patient_entries = [e for e in data.entries if e.resource_type == "Patient"]
    for entry in patient_entries:
        key = f"entry:{entry.location}"
        groups[key] = _PatientGroup(key, entry, None)
        read_patient(entry.resource, entry.location, problems)  # checks the elements used

    total = len(data.entries)
    seen_keys: set[tuple[str, str, str, str]] = set()
    for index, entry in enumerate(data.entries, start=1):
        if index % 50 == 0 or index == total:
            progress("reading", index, total)
        kind = entry.resource_type
        ref = f"{kind}/{entry.resource_id}"
        if kind == "Patient" or kind in SUPPORTING_TYPES:
            continue
        mapped = map_resource(
            entry.resource, entry.resource_id, entry.location, problems, data.resolve_resource
        )
        for skip in mapped.skipped:
            report.skip(skip.resource, skip.reason)
        if not mapped.facts:
            continue
        subject = subject_reference(entry.resource)
        target = data.resolve(subject)
        if target is not None and target.resource_type == "Patient":
            key = f"entry:{target.location}"
        elif subject and _is_patient_reference(subject):
            key = f"ref:{subject}"
            groups.setdefault(key, _PatientGroup(key, None, subject))
        else:
            report.skip(ref, "it names no patient (subject or patient reference)")
            continue
        group = groups[key]
        for fact in mapped.facts:
            full_key = (key, *fact.key)
            if full_key in seen_keys:
                report.notes.append(
                    f"{ref} appears more than once in this import; the later entry was used"
                )
            seen_keys.add(full_key)
            group.facts[fact.key] = fact
        group.resources.append(ref)
    if problems:
        raise InvalidInput(problems.items)
    return list(groups.values())


def _is_patient_reference(reference: str) -> bool:
    parts = reference.rstrip("/").split("/")
    return len(parts) >= 2 and parts[-2] == "Patient"


# ---- patients ------------------------------------------------------------------------------
def _patient_for(
    session: Session, actor: Actor, group: _PatientGroup, source: str, report: _Report
) -> Patient | None:
    assert actor.clinic_id is not None
    if group.entry is None:
        assert group.external_ref is not None
        resource_id = group.external_ref.rstrip("/").split("/")[-1]
        patient = _linked_patient(session, actor.clinic_id, [], resource_id, source)
        if patient is None:
            reason = (
                f"its patient ({group.external_ref}) is not in this import and was not "
                f"imported before from source {source!r}"
            )
            for ref in group.resources:
                report.skip(ref, reason)
            return None
        report.patients.append(
            {
                "patient_id": str(patient.id),
                "mrn": patient.mrn,
                "resource": group.external_ref,
                "outcome": "matched",
                "matched_by": "source resource id",
            }
        )
        return patient

    entry = group.entry
    problems = Problems()
    facts = read_patient(entry.resource, entry.location, problems)
    resource_ref = f"Patient/{entry.resource_id}"
    identifiers = [(system, value) for system, value, _ in facts.identifiers]
    candidates = _candidates(
        session, actor.clinic_id, identifiers, facts.mrn, entry.resource_id, source
    )
    if len(candidates) > 1:
        reason = (
            f"{resource_ref} matches more than one spinepath patient "
            f"({', '.join(sorted(p.mrn for p in candidates))}): resolve the records by hand"
        )
        _skip_group(group, report, resource_ref, reason)
        return None
    if candidates:
        patient = candidates[0]
        outcome = _update_patient(session, actor, patient, facts, report)
        matched_by = "identifier"
    else:
        created, refusal = _create_patient(session, actor, facts, resource_ref, report)
        if created is None:
            _skip_group(group, report, resource_ref, refusal or "the Patient cannot be stored")
            return None
        patient, outcome, matched_by = created, "created", "new"
    _link(session, actor.clinic_id, patient, identifiers, entry.resource_id, source)
    report.patients.append(
        {
            "patient_id": str(patient.id),
            "mrn": patient.mrn,
            "resource": resource_ref,
            "outcome": outcome,
            "matched_by": matched_by,
        }
    )
    return patient


def _skip_group(group: _PatientGroup, report: _Report, resource_ref: str, reason: str) -> None:
    report.skip(resource_ref, reason)
    for ref in group.resources:
        report.skip(ref, f"its patient was not imported ({resource_ref})")


def _linked_patient(
    session: Session,
    clinic_id: uuid.UUID,
    identifiers: list[tuple[str, str]],
    resource_id: str,
    source: str,
) -> Patient | None:
    found = _candidates(session, clinic_id, identifiers, None, resource_id, source)
    return found[0] if len(found) == 1 else None


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


def _valid_optional(values: dict[str, Any], report: _Report, resource_ref: str) -> dict[str, Any]:
    """Drop a phone or email spinepath cannot store, saying so."""
    kept = dict(values)
    for name in ("phone", "email"):
        if name not in kept:
            continue
        try:
            PatientUpdate.model_validate({name: kept[name]})
        except ValidationError:
            report.notes.append(f"{resource_ref}: the {name} was not kept (not valid)")
            kept.pop(name)
    return kept


def _create_patient(
    session: Session, actor: Actor, facts: PatientFacts, resource_ref: str, report: _Report
) -> tuple[Patient | None, str | None]:
    values = _valid_optional(_demographics(facts), report, resource_ref)
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
    session: Session, actor: Actor, patient: Patient, facts: PatientFacts, report: _Report
) -> str:
    values = _valid_optional(_demographics(facts), report, f"Patient for MRN {patient.mrn}")
    if values.get("sex") == "unknown" and patient.sex != "unknown":
        values.pop("sex")  # an unknown never overwrites a recorded sex
    changes = {name: value for name, value in values.items() if getattr(patient, name) != value}
    if not changes:
        return "unchanged"
    try:
        update = PatientUpdate.model_validate({"version": patient.version, **changes})
    except ValidationError as error:
        fields = ", ".join(str(item["loc"][0]) for item in error.errors() if item["loc"])
        report.notes.append(f"MRN {patient.mrn}: {fields} not updated (cannot be stored)")
        return "unchanged"
    patients.update_patient(session, actor, patient.id, update)
    return "updated"


# ---- facts ---------------------------------------------------------------------------------
def _store_facts(
    session: Session,
    actor: Actor,
    patient: Patient,
    group: _PatientGroup,
    source: str,
    import_id: uuid.UUID,
    report: _Report,
) -> dict[str, int]:
    existing = {
        (fact.resource_type, fact.resource_id, fact.part): fact
        for fact in session.scalars(
            select(FhirFact).where(FhirFact.patient_id == patient.id, FhirFact.source == source)
        )
    }
    counts: Counter[str] = Counter()
    written: list[FhirFact] = []
    for key, fact in group.facts.items():
        report.used[f"{fact.kind}:{fact.category}"] += 1
        if fact.review:
            report.review.append(
                {
                    "patient_id": str(patient.id),
                    "resource": fact.reference,
                    "display": fact.display,
                    "status": fact.status,
                    "reason": fact.details.get("review_reason"),
                }
            )
        digest = fact.content_hash()
        row = existing.get(key)
        if row is not None and row.content_hash == digest:
            counts["unchanged"] += 1
            continue
        if row is None:
            row = FhirFact(
                clinic_id=patient.clinic_id,
                patient_id=patient.id,
                source=source,
                resource_type=fact.resource_type,
                resource_id=fact.resource_id,
                part=fact.part,
            )
            session.add(row)
            counts["created"] += 1
        else:
            counts["updated"] += 1
        _assign(row, fact, digest, import_id)
        written.append(row)
    session.flush()
    for row in written:
        session.add(
            FhirFactVersion(
                fact_id=row.id,
                version=row.version,
                import_id=import_id,
                content=_stored_content(row),
            )
        )
    session.flush()
    report.outcome.update(counts)
    return {name: counts[name] for name in ("created", "updated", "unchanged")}


def _assign(row: FhirFact, fact: Fact, digest: str, import_id: uuid.UUID) -> None:
    row.kind = fact.kind
    row.category = fact.category
    row.code_system = fact.code_system
    row.code = (fact.code or "")[:64] or None
    row.display = fact.display
    row.status = fact.status
    row.effective = fact.effective
    row.effective_at = fact.effective_at
    row.value_num = fact.value_num
    row.value_unit = fact.value_unit
    row.value_text = fact.value_text
    row.review = fact.review
    row.details = fact.details
    row.content_hash = digest
    row.import_id = import_id


def _stored_content(row: FhirFact) -> dict[str, Any]:
    return as_fact(row).content()


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


def get_import(session: Session, actor: Actor, import_id: uuid.UUID) -> FhirImport:
    actor.require(Permission.READ_PATIENTS, "read patient records")
    record = session.get(FhirImport, import_id)
    if record is None or record.clinic_id != actor.clinic_id:
        from spinepath.errors import NotFound

        raise NotFound("import", import_id)
    audit.record(session, actor, "read", "fhir_import", record.id)
    return record
