"""Reading an import in one pass: each resource mapped to facts as it comes, facts staged in
batches, the Patients and Medications (the resources others refer to) kept by reference.

A fact is staged under its subject reference as written; which patient that is (an entry of
the import, or one imported before from the same source) is decided once everything is read.
A MedicationRequest naming a Medication not yet read waits in a spool file on disk and is
mapped at the end, when every Medication is known. Resource types spinepath does not use are
recognised from a line's first bytes and counted unread.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

from spinepath.clinical.errors import FieldError, InvalidInput
from spinepath.fhir import staging
from spinepath.fhir.bundle import check_resource
from spinepath.fhir.import_patients import PatientEntry
from spinepath.fhir.mapping import (
    SUPPORTING_TYPES,
    USED_TYPES,
    map_resource,
    read_patient,
    subject_reference,
)
from spinepath.fhir.reading import Problems
from spinepath.fhir.stream import Budget, ImportFile, Line, is_ndjson, read_lines

BATCH_FACTS = 2000
MAX_EXAMPLES = 5
NO_PATIENT = "it names no patient (subject or patient reference)"
_REFERRED_TYPES = ("Patient", *SUPPORTING_TYPES)
_T = TypeVar("_T")

Stage = Callable[[list[dict[str, Any]], int, int], None]  # rows, resources read, bytes read


@dataclass
class Skipped:
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
class Index:
    """The Patients and Medications of the import, and the subject references facts name."""

    patients: dict[str, PatientEntry] = field(default_factory=dict)
    medications: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Each subject reference facts were staged under, and where it was first seen.
    subjects: dict[str, str] = field(default_factory=dict)
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


def _lookup(table: dict[str, _T], reference: str) -> _T | None:
    if reference in table:
        return table[reference]
    parts = reference.rstrip("/").split("/")  # an absolute URL ending in Type/id
    return table.get(f"{parts[-2]}/{parts[-1]}") if len(parts) >= 2 else None


def resource_id_of(resource: dict[str, Any], line: Line) -> str:
    """The resource's id, or (without one) its fullUrl's last segment, or where it is."""
    rid = resource.get("id")
    if isinstance(rid, str) and rid:
        return rid
    if line.full_url:
        return line.full_url.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return line.location


def is_patient_reference(reference: str) -> bool:
    parts = reference.rstrip("/").split("/")
    return len(parts) >= 2 and parts[-2] == "Patient"


@dataclass
class Reading:
    """One import being read: its files, byte budget, problems and what it found."""

    files: list[ImportFile]
    budget: Budget
    job_id: uuid.UUID
    problems: Problems = field(default_factory=Problems)
    kinds: list[str] = field(default_factory=list)
    resources: int = 0
    index: Index = field(default_factory=Index)
    skipped: Skipped = field(default_factory=Skipped)
    _seen: set[tuple[str, str]] = field(default_factory=set)

    def problem(self, error: FieldError) -> None:
        if (error.field, error.message) not in self._seen:
            self._seen.add((error.field, error.message))
            self.problems.add(error.field, error.message)

    @property
    def enough_problems(self) -> bool:
        return len(self.problems.items) >= self.problems.limit

    def read(self, stage: Stage) -> None:
        """Read every file, staging facts in batches through ``stage``; problems are kept in
        ``problems`` (nothing more is staged once there is one)."""
        batch: list[dict[str, Any]] = []
        with tempfile.TemporaryFile("w+b") as waiting:
            waited = 0
            for line in self._lines():
                self.resources += 1
                resource = self._resource(line)
                if resource is None:
                    continue
                if _names_unread_medication(resource, self.index):
                    waiting.write(json.dumps([line.location, line.full_url, resource]).encode())
                    waiting.write(b"\n")
                    waited += 1
                    continue
                batch += self._facts_of(resource, line)
                if self.enough_problems:
                    break
                if len(batch) >= BATCH_FACTS:
                    self._stage(stage, batch)
                    batch = []
            if waited and not self.enough_problems:
                waiting.seek(0)
                for line in _waiting_lines(waiting):
                    batch += self._facts_of(line.parsed or {}, line)
                    if len(batch) >= BATCH_FACTS:
                        self._stage(stage, batch)
                        batch = []
        self._check_subjects()
        self._stage(stage, batch)

    def _lines(self) -> Iterator[Line]:
        for file in self.files:
            ndjson = file.ndjson if file.ndjson is not None else is_ndjson(file)
            yield from read_lines(file, self.budget, ndjson, self.kinds)

    def _resource(self, line: Line) -> dict[str, Any] | None:
        """The line's resource when it carries facts (a Patient or Medication is indexed);
        None for one skipped, indexed or malformed (the problem recorded)."""
        kind = line.resource_type
        if kind is not None and kind not in USED_TYPES and kind not in SUPPORTING_TYPES:
            self.skipped.add(f"{kind} resources are not used by spinepath", _example(line))
            return None
        try:
            resource = line.resource()
        except InvalidInput as invalid:
            for error in invalid.errors:
                self.problem(error)
            return None
        errors = check_resource(resource, line.location)
        for error in errors:
            self.problem(error)
        if errors:
            return None
        kind = resource.get("resourceType")
        if kind == "Patient":
            facts = read_patient(resource, line.location, self.problems)
            entry = PatientEntry(
                f"entry:{line.location}", line.location, resource_id_of(resource, line), facts
            )
            self.index.add_patient(entry, resource, line)
            return None
        if kind in SUPPORTING_TYPES:
            self.index.add_medication(resource, line)
            return None
        _check_reference_objects(resource, line, self.problems)
        found: dict[str, Any] = resource
        return found

    def _facts_of(self, resource: dict[str, Any], line: Line) -> list[dict[str, Any]]:
        resource_id = resource_id_of(resource, line)
        mapped = map_resource(
            resource, resource_id, line.location, self.problems, self.index.medication
        )
        for skip in mapped.skipped:
            self.skipped.add(skip.reason, skip.resource)
        if not mapped.facts:
            return []
        subject = subject_reference(resource)
        if not subject:
            self.skipped.add(NO_PATIENT, f"{resource.get('resourceType')}/{resource_id}")
            return []
        # A Bundle's own urn: references were checked as it was read: no place to check again.
        place = _subject_place(resource, line) if line.parsed is None else ""
        self.index.subjects.setdefault(subject, place)
        if self.problems:
            return []
        return [staging.staged_row(self.job_id, subject, fact) for fact in mapped.facts]

    def _stage(self, stage: Stage, batch: list[dict[str, Any]]) -> None:
        if batch and not self.problems:
            stage(batch, self.resources, self.budget.used_bytes)

    def _check_subjects(self) -> None:
        """A urn: subject must be an entry of the import (a Bundle checked its own)."""
        for subject, place in self.index.subjects.items():
            if place and subject.startswith("urn:") and self.index.patient_key(subject) is None:
                self.problem(FieldError(place, f"{subject} is not an entry of this bundle"))


def _subject_place(resource: dict[str, Any], line: Line) -> str:
    name = "subject" if "subject" in resource else "patient"
    return f"{line.location}.{name}.reference"


def _check_reference_objects(resource: dict[str, Any], line: Line, problems: Problems) -> None:
    for name in ("subject", "patient"):
        value = resource.get(name)
        if value is not None and not (
            isinstance(value, dict) and isinstance(value.get("reference", ""), str)
        ):
            problems.add(f"{line.location}.{name}", "must be a Reference object")


def _names_unread_medication(resource: dict[str, Any], index: Index) -> bool:
    """Whether the resource names a Medication (not contained) this import has not read yet."""
    value = resource.get("medicationReference")
    if not isinstance(value, dict):
        return False
    reference = value.get("reference")
    return (
        isinstance(reference, str)
        and not reference.startswith("#")
        and index.medication(reference) is None
    )


def _waiting_lines(waiting: IO[bytes]) -> Iterator[Line]:
    for text in waiting:
        location, full_url, resource = json.loads(text)
        yield Line(location, resource.get("resourceType"), parsed=resource, full_url=full_url)


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
    return f"{resource.get('resourceType')}/{resource_id_of(resource, line)}"
