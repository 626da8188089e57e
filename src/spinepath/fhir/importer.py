"""Importing FHIR data into a clinic, streamed, saved whole or not at all.

``submit`` records the import (a job row) the moment it is received. ``run`` then reads it in
two passes over the files, holding one line and one batch in memory, never the whole input:

1. the Patient and Medication resources (the ones others refer to), checked and kept;
2. every other resource, mapped to the facts spinepath uses and staged in batches of
   :data:`BATCH_FACTS` (each batch a short transaction that also reports progress). Resource
   types spinepath does not use are recognised from a line's first bytes and counted unread.

A malformed input is refused whole (InvalidInput naming every problem): the staged rows are
deleted and the job says why. Otherwise one transaction creates or updates the patients and
moves the staged facts into place (see :mod:`spinepath.fhir.staging`); an unchanged fact is
left alone, so importing the same data again changes nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from spinepath.accounts.roles import Permission
from spinepath.audit import service as audit
from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.context import Actor
from spinepath.fhir import import_patients, staging
from spinepath.fhir.bundle import check_resource
from spinepath.fhir.import_patients import PatientEntry
from spinepath.fhir.mapping import (
    SUPPORTING_TYPES,
    USED_TYPES,
    map_resource,
    read_patient,
    subject_reference,
)
from spinepath.fhir.models import FhirImport, FhirImportJob
from spinepath.fhir.reading import Problems
from spinepath.fhir.stream import Budget, ImportFile, Line, is_ndjson, read_lines
from spinepath.store.base import utc_now
from spinepath.unit_of_work import UnitOfWork

Progress = Callable[[str, int, int], None]
BATCH_FACTS = 2000
MAX_EXAMPLES = 5
SOURCE_MAX = 400
_FIRST_PASS_TYPES = ("Patient", *SUPPORTING_TYPES)


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


@dataclass
class _Skipped:
    """Resources not used, by reason: a count and the first few."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, reason: str, resource: str | Callable[[], str]) -> None:
        self.counts[reason] += 1
        if len(self.examples[reason]) < MAX_EXAMPLES:
            self.examples[reason].append(resource if isinstance(resource, str) else resource())

    def add_many(self, reason: str, count: int, examples: list[str]) -> None:
        self.counts[reason] += count
        room = MAX_EXAMPLES - len(self.examples[reason])
        self.examples[reason].extend(examples[: max(room, 0)])

    def report(self) -> list[dict[str, Any]]:
        return [
            {"reason": reason, "count": count, "examples": self.examples[reason]}
            for reason, count in sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))
        ]


@dataclass
class _Index:
    """The Patients and Medications of the import, and how references reach them."""

    patients: dict[str, PatientEntry] = field(default_factory=dict)
    medications: dict[str, dict[str, Any]] = field(default_factory=dict)
    external: dict[str, None] = field(default_factory=dict)  # Patient references not in it
    _patient_by_ref: dict[str, str] = field(default_factory=dict)

    def add_patient(self, entry: PatientEntry, resource: dict[str, Any], line: Line) -> None:
        self.patients[entry.key] = entry
        for ref in _refs(resource, line):
            self._patient_by_ref[ref] = entry.key

    def add_medication(self, resource: dict[str, Any], line: Line) -> None:
        for ref in _refs(resource, line):
            self.medications[ref] = resource

    def patient_key(self, reference: str) -> str | None:
        return _lookup(self._patient_by_ref, reference)

    def medication(self, reference: str | None) -> dict[str, Any] | None:
        return _lookup(self.medications, reference) if reference else None


def _refs(resource: dict[str, Any], line: Line) -> list[str]:
    refs = [line.full_url] if line.full_url else []
    rid = resource.get("id")
    if isinstance(rid, str) and rid:
        refs.append(f"{resource.get('resourceType')}/{rid}")
    return refs


_T = TypeVar("_T")


def _lookup(table: dict[str, _T], reference: str) -> _T | None:
    if reference in table:
        return table[reference]
    parts = reference.rstrip("/").split("/")  # an absolute URL ending in Type/id
    return table.get(f"{parts[-2]}/{parts[-1]}") if len(parts) >= 2 else None


def _resource_id(resource: dict[str, Any], line: Line) -> str:
    """The resource's id, or (without one) its fullUrl's last segment, or where it is."""
    rid = resource.get("id")
    if isinstance(rid, str) and rid:
        return rid
    if line.full_url:
        return line.full_url.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return line.location


@dataclass
class _Reading:
    files: list[ImportFile]
    budget: Budget
    problems: Problems = field(default_factory=Problems)
    kinds: list[str] = field(default_factory=list)
    resources: int = 0
    _ndjson: dict[int, bool] = field(default_factory=dict)
    _seen: set[tuple[str, str]] = field(default_factory=set)  # a line read in both passes

    def problem(self, error: FieldError) -> None:
        if (error.field, error.message) not in self._seen:
            self._seen.add((error.field, error.message))
            self.problems.add(error.field, error.message)

    def lines(self, *, first_pass: bool) -> Iterator[Line]:
        """Every resource of every file, in order; a pass starts the byte budget afresh."""
        self.budget.used_bytes = 0
        for number, file in enumerate(self.files):
            if number not in self._ndjson:
                self._ndjson[number] = file.ndjson if file.ndjson is not None else is_ndjson(file)
            kinds = self.kinds if first_pass else []
            yield from read_lines(file, self.budget, self._ndjson[number], kinds)

    def parsed(self, line: Line) -> dict[str, Any] | None:
        """The line's resource, checked; None (the problem recorded) when it is malformed."""
        try:
            resource = line.resource()
        except InvalidInput as invalid:
            for error in invalid.errors:
                self.problem(error)
            return None
        errors = check_resource(resource, line.location)
        for error in errors:
            self.problem(error)
        return None if errors else resource


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
    reading = _Reading(files, Budget(budget_bytes))
    try:
        index = _first_pass(reading, progress)
        skipped = _Skipped()
        _second_pass(factory, actor, job_id, reading, index, skipped, progress)
        if reading.problems:
            raise InvalidInput(reading.problems.items)
        _set_status(factory, actor, job_id, "saving")
        return _save(factory, actor, job_id, reading, index, skipped, progress)
    except BaseException as error:
        _fail(factory, actor, job_id, error)
        raise


def _first_pass(reading: _Reading, progress: Progress) -> _Index:
    index = _Index()
    for line in reading.lines(first_pass=True):
        reading.resources += 1
        if reading.resources % 1000 == 0:
            progress("reading", reading.resources, 0)
        if line.resource_type is not None and line.resource_type not in _FIRST_PASS_TYPES:
            continue
        resource = reading.parsed(line)
        if resource is None:
            continue
        kind = resource.get("resourceType")
        if kind == "Patient":
            facts = read_patient(resource, line.location, reading.problems)
            entry = PatientEntry(
                f"entry:{line.location}", line.location, _resource_id(resource, line), facts
            )
            index.add_patient(entry, resource, line)
        elif kind in SUPPORTING_TYPES:
            index.add_medication(resource, line)
    return index


def _second_pass(
    factory: sessionmaker[Session],
    actor: Actor,
    job_id: uuid.UUID,
    reading: _Reading,
    index: _Index,
    skipped: _Skipped,
    progress: Progress,
) -> None:
    batch: list[dict[str, Any]] = []
    done = staged = 0
    for line in reading.lines(first_pass=False):
        done += 1
        kind = line.resource_type
        if kind in _FIRST_PASS_TYPES:
            continue
        if kind is not None and kind not in USED_TYPES:
            skipped.add(f"{kind} resources are not used by spinepath", _example(line))
            continue
        resource = reading.parsed(line)
        if resource is None or resource.get("resourceType") in _FIRST_PASS_TYPES:
            continue
        _check_subject(resource, line, index, reading.problems)
        rows = _facts_of(resource, line, index, skipped, reading.problems, job_id)
        if not reading.problems:
            batch.extend(rows)
        elif len(reading.problems.items) >= reading.problems.limit:
            break  # enough to show what is wrong
        if len(batch) >= BATCH_FACTS:
            staged += len(batch)
            _stage(factory, actor, job_id, batch, reading, done, staged)
            batch = []
            progress("reading", done, reading.resources)
    if batch and not reading.problems:
        staged += len(batch)
        _stage(factory, actor, job_id, batch, reading, done, staged)
    progress("reading", done, reading.resources)


def _example(line: Line) -> Callable[[], str]:
    return lambda: _ref(line)


def _ref(line: Line) -> str:
    """A skipped line's Type/id, read only for the report's first few examples."""
    try:
        resource = line.resource()
    except InvalidInput:
        return line.location
    if not isinstance(resource, dict):
        return line.location
    return f"{resource.get('resourceType')}/{_resource_id(resource, line)}"


def _check_subject(resource: dict[str, Any], line: Line, index: _Index, problems: Problems) -> None:
    for name in ("subject", "patient"):
        value = resource.get(name)
        if value is not None and not (
            isinstance(value, dict) and isinstance(value.get("reference", ""), str)
        ):
            problems.add(f"{line.location}.{name}", "must be a Reference object")
    reference = subject_reference(resource)
    if (
        reference
        and reference.startswith("urn:")
        and line.parsed is None  # a Bundle's own references were checked as it was read
        and index.patient_key(reference) is None
    ):
        name = "subject" if "subject" in resource else "patient"
        problems.add(
            f"{line.location}.{name}.reference", f"{reference} is not an entry of this bundle"
        )


def _facts_of(
    resource: dict[str, Any],
    line: Line,
    index: _Index,
    skipped: _Skipped,
    problems: Problems,
    job_id: uuid.UUID,
) -> list[dict[str, Any]]:
    resource_id = _resource_id(resource, line)
    mapped = map_resource(resource, resource_id, line.location, problems, index.medication)
    for skip in mapped.skipped:
        skipped.add(skip.reason, skip.resource)
    if not mapped.facts:
        return []
    ref = f"{resource.get('resourceType')}/{resource_id}"
    subject = subject_reference(resource)
    key = index.patient_key(subject) if subject else None
    if key is None and subject and _is_patient_reference(subject):
        key = f"ref:{subject}"
        index.external.setdefault(subject)
    if key is None:
        skipped.add("it names no patient (subject or patient reference)", ref)
        return []
    return [staging.staged_row(job_id, key, fact) for fact in mapped.facts]


def _is_patient_reference(reference: str) -> bool:
    parts = reference.rstrip("/").split("/")
    return len(parts) >= 2 and parts[-2] == "Patient"


def _stage(
    factory: sessionmaker[Session],
    actor: Actor,
    job_id: uuid.UUID,
    rows: list[dict[str, Any]],
    reading: _Reading,
    done: int,
    staged: int,
) -> None:
    with UnitOfWork(factory, actor) as work:
        staging.stage(work.session, rows)
        work.session.execute(
            update(FhirImportJob)
            .where(FhirImportJob.id == job_id)
            .values(
                status="reading",
                bytes_read=reading.budget.used_bytes,
                resources_read=done,
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
    from sqlalchemy.exc import IntegrityError

    if isinstance(error, IntegrityError):
        return (
            "another import changed the same records at the same moment; nothing was saved, "
            "send it again"
        )
    return "the import stopped on an unexpected error; nothing was saved, send it again"


def _save(
    factory: sessionmaker[Session],
    actor: Actor,
    job_id: uuid.UUID,
    reading: _Reading,
    index: _Index,
    skipped: _Skipped,
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
        rows, resolved, notes = _patients(session, actor, job_id, index, skipped, source)
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
            "skipped": skipped.report(),
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
    session: Session,
    actor: Actor,
    job_id: uuid.UUID,
    index: _Index,
    skipped: _Skipped,
    source: str,
) -> tuple[list[dict[str, Any]], dict[str, uuid.UUID], list[str]]:
    """Match or create each patient: the report's rows, patient key → id, and notes."""
    rows: list[dict[str, Any]] = []
    resolved: dict[str, uuid.UUID] = {}
    notes: list[str] = []
    matches: list[tuple[str, import_patients.Matched, str | None]] = [
        (
            key,
            import_patients.for_entry(session, actor, entry, source),
            f"Patient/{entry.resource_id}",
        )
        for key, entry in index.patients.items()
    ]
    matches += [
        (f"ref:{ref}", import_patients.for_reference(session, actor, ref, source), None)
        for ref in index.external
    ]
    for key, matched, resource_ref in matches:
        notes += matched.notes
        if matched.patient is not None and matched.row is not None:
            resolved[key] = matched.patient.id
            rows.append(matched.row)
            continue
        reason = matched.refusal or "the patient cannot be stored"
        count, examples = staging.resources_of(session, job_id, key)
        if resource_ref is not None:
            skipped.add(reason, resource_ref)
            reason = f"its patient was not imported ({resource_ref})"
        skipped.add_many(reason, count, examples)
    return rows, resolved, notes
