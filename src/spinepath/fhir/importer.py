"""Importing FHIR data into a clinic, streamed, saved whole or not at all.

``submit`` records the import (a job row) the moment it is received. ``run`` then reads it in
one pass (:mod:`spinepath.fhir.import_reading`), holding one line and one batch of facts in
memory, never the whole input; each batch is staged in a short transaction that also reports
progress.

A malformed input is refused whole (InvalidInput naming every problem): the staged rows are
deleted and the job says why. Otherwise one transaction creates or updates the patients and
moves the staged facts into place (see :mod:`spinepath.fhir.staging`); an unchanged fact is
left alone, so importing the same data again changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.context import Actor
from spinepath.fhir import import_patients, staging
from spinepath.fhir.import_reading import NO_PATIENT, Reading, is_patient_reference
from spinepath.fhir.models import FhirImport, FhirImportJob
from spinepath.fhir.stream import Budget, ImportFile
from spinepath.store.base import utc_now
from spinepath.unit_of_work import UnitOfWork

Progress = Callable[[str, int, int], None]
SOURCE_MAX = 400
CONFLICT_MESSAGE = (
    "another import changed the same records at the same moment; nothing was saved, send it again"
)


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


def submit(
    session: Session,
    actor: Actor,
    files: list[str],
    *,
    source: str = "",
    background: bool = False,
) -> FhirImportJob:
    """Record an import as received (queued); ``run`` does the work."""
    actor.require(Permission.EDIT_PATIENTS, "import patient records")
    assert actor.clinic_id is not None
    source = source.strip().rstrip("/")
    if len(source) > SOURCE_MAX:
        raise InvalidInput([FieldError("source", f"must be at most {SOURCE_MAX} characters")])
    job = FhirImportJob(
        id=uuid.uuid4(),
        clinic_id=actor.clinic_id,
        submitted_by_id=actor.user_id,
        submitted_by_name=actor.full_name,
        source=source,
        files=files,
        background=background,
        status="queued",
    )
    session.add(job)
    session.flush()
    return job


def run(
    factory: sessionmaker[Session],
    actor: Actor,
    job_id: uuid.UUID,
    files: list[ImportFile],
    *,
    budget_bytes: int,
    progress: Progress = _no_progress,
) -> dict[str, Any]:
    """Read, check and save the import ``job_id``; its report, or InvalidInput (nothing kept)."""
    reading = Reading(files, Budget(budget_bytes), job_id)
    staged = 0

    def stage(rows: list[dict[str, Any]], resources: int, bytes_read: int) -> None:
        nonlocal staged
        staged += len(rows)
        _stage(factory, actor, job_id, rows, resources, bytes_read, staged)
        progress("reading", resources, 0)

    try:
        reading.read(stage)
        if reading.problems:
            raise InvalidInput(reading.problems.items)
        _set_status(factory, actor, job_id, "saving")
        return _save(factory, actor, job_id, reading, progress)
    except BaseException as error:
        _fail(factory, actor, job_id, error)
        raise


def _stage(
    factory: sessionmaker[Session],
    actor: Actor,
    job_id: uuid.UUID,
    rows: list[dict[str, Any]],
    resources: int,
    bytes_read: int,
    staged: int,
) -> None:
    with UnitOfWork(factory, actor) as work:
        staging.stage(work.session, rows)
        work.session.execute(
            update(FhirImportJob)
            .where(FhirImportJob.id == job_id)
            .values(
                status="reading",
                bytes_read=bytes_read,
                resources_read=resources,
                facts_staged=staged,
                updated_at=utc_now(),
            )
        )


def _set_status(
    factory: sessionmaker[Session], actor: Actor, job_id: uuid.UUID, status: str
) -> None:
    with UnitOfWork(factory, actor) as work:
        work.session.execute(
            update(FhirImportJob)
            .where(FhirImportJob.id == job_id)
            .values(status=status, updated_at=utc_now())
        )


def _fail(
    factory: sessionmaker[Session], actor: Actor, job_id: uuid.UUID, error: BaseException
) -> None:
    """Delete what the import staged and say why it failed."""
    if isinstance(error, InvalidInput):
        errors = [{"field": e.field, "message": e.message} for e in error.errors]
    else:
        errors = [{"field": "(import)", "message": _failure_message(error)}]
    with UnitOfWork(factory, actor) as work:
        staging.discard(work.session, job_id)
        now = utc_now()
        work.session.execute(
            update(FhirImportJob)
            .where(FhirImportJob.id == job_id)
            .values(status="failed", errors=errors, updated_at=now, finished_at=now)
        )


def _failure_message(error: BaseException) -> str:
    if isinstance(error, IntegrityError):
        return CONFLICT_MESSAGE
    return "the import stopped on an unexpected error; nothing was saved, send it again"


def _save(
    factory: sessionmaker[Session],
    actor: Actor,
    job_id: uuid.UUID,
    reading: Reading,
    progress: Progress,
) -> dict[str, Any]:
    assert actor.clinic_id is not None
    with UnitOfWork(factory, actor) as work:
        session = work.session
        job = session.get(FhirImportJob, job_id)
        assert job is not None
        source = job.source
        record = FhirImport(
            id=job_id,
            clinic_id=actor.clinic_id,
            imported_by_id=actor.user_id,
            imported_by_name=actor.full_name,
            source=source,
            input_kinds=list(reading.kinds),
            resource_count=reading.resources,
            changed=False,
            report={},
        )
        session.add(record)
        session.flush()
        rows, resolved, notes = _patients(session, actor, job_id, reading, source)
        progress("saving", 0, 1)
        saved = staging.save(
            session, job_id, clinic_id=actor.clinic_id, source=source, patients=resolved
        )
        for row in rows:
            counts = saved.by_patient.get(
                uuid.UUID(row["patient_id"]), {"created": 0, "updated": 0, "unchanged": 0}
            )
            row["facts"] = counts
            audit.record(
                session,
                actor,
                "import",
                "patient",
                uuid.UUID(row["patient_id"]),
                patient_id=uuid.UUID(row["patient_id"]),
                detail={"import_id": str(job_id), "facts": counts, "source": source or None},
            )
        notes += [
            f"{ref} appears more than once in this import; the later entry was used"
            for ref in saved.repeated
        ]
        if saved.review_total > len(saved.review):
            notes.append(
                f"{saved.review_total} facts need review; the first {len(saved.review)} are "
                "listed here, every one is flagged on its patient's imported facts"
            )
        changed = saved.outcome["created"] + saved.outcome["updated"] > 0 or any(
            row["outcome"] in ("created", "updated") for row in rows
        )
        result = {
            "import_id": str(job_id),
            "source": source,
            "input": {"kinds": list(reading.kinds), "resources": reading.resources},
            "changed": changed,
            "patients": rows,
            "facts": {
                "created": saved.outcome["created"],
                "updated": saved.outcome["updated"],
                "unchanged": saved.outcome["unchanged"],
                "by_category": saved.by_category,
            },
            "review": saved.review,
            "skipped": reading.skipped.report(),
            "notes": list(dict.fromkeys(notes)),
        }
        record.changed = changed
        record.report = result
        now = utc_now()
        job.status, job.updated_at, job.finished_at = "done", now, now
        job.resources_read = reading.resources
        session.flush()
        audit.record(
            session,
            actor,
            "import",
            "fhir_import",
            record.id,
            detail={
                "patients": [row["patient_id"] for row in rows],
                "facts": result["facts"],
                "resources": reading.resources,
                "changed": changed,
            },
        )
    progress("saving", 1, 1)
    return result


def _patients(
    session: Session, actor: Actor, job_id: uuid.UUID, reading: Reading, source: str
) -> tuple[list[dict[str, Any]], dict[str, uuid.UUID], list[str]]:
    """Match or create each patient: the report's rows, subject reference → patient id (the
    key facts were staged under), and notes."""
    index, skipped = reading.index, reading.skipped
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    by_entry: dict[str, uuid.UUID] = {}
    refused: dict[str, str] = {}  # entry key → Patient/id, for the facts it leaves out
    assert actor.clinic_id is not None
    external = [s for s in index.subjects if index.patient_key(s) is None]
    known = import_patients.known_for(
        session, actor.clinic_id, source, list(index.patients.values()), external
    )
    for key, entry in index.patients.items():
        matched = import_patients.for_entry(session, actor, entry, known)
        notes += matched.notes
        if matched.patient is not None and matched.row is not None:
            by_entry[key] = matched.patient.id
            rows.append(matched.row)
        else:
            resource_ref = f"Patient/{entry.resource_id}"
            skipped.add(matched.refusal or "the Patient cannot be stored", resource_ref)
            refused[key] = resource_ref
    resolved: dict[str, uuid.UUID] = {}
    for subject in index.subjects:
        entry_key = index.patient_key(subject)
        reason: str | None = None
        if entry_key is not None:
            if entry_key in by_entry:
                resolved[subject] = by_entry[entry_key]
                continue
            reason = f"its patient was not imported ({refused.get(entry_key, subject)})"
        elif is_patient_reference(subject):
            matched = import_patients.for_reference(session, subject, known)
            if matched.patient is not None and matched.row is not None:
                resolved[subject] = matched.patient.id
                rows.append(matched.row)
                continue
            reason = matched.refusal
        count, examples = staging.resources_of(session, job_id, subject)
        skipped.add_many(reason or NO_PATIENT, count, examples)
    session.flush()
    return rows, resolved, notes
