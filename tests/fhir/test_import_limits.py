"""A streamed import: bounded by one budget of uncompressed bytes however many files it comes
in, refused whole when any line is malformed (nothing staged is left behind), run in the
background on request with a status to follow, and memory that does not grow with the file."""

from __future__ import annotations

import gzip
import json
import time
import tracemalloc
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from spinepath.accounts.roles import Role
from spinepath.clinical.errors import InvalidInput
from spinepath.fhir import importer
from spinepath.fhir.jobs import fail_abandoned
from spinepath.fhir.models import FhirFact, FhirImportJob, FhirStagedFact
from spinepath.fhir.stream import MAX_LINE_BYTES, ImportFile
from spinepath.patients.models import Patient
from spinepath.store.base import utc_now
from spinepath.unit_of_work import UnitOfWork
from tests.support import ClinicUsers

IMPORT = "/api/v1/fhir/import"


def _patient(identifier: str) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": identifier,
        "identifier": [{"system": "urn:mrn", "value": f"MRN-{identifier}"}],
        "name": [{"family": "Streamed", "given": [identifier]}],
        "birthDate": "1941-03-02",
        "gender": "female",
    }


def _observation(patient: str, number: int) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"{patient}-obs-{number}",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"reference": f"Patient/{patient}"},
        "effectiveDateTime": f"2026-01-01T{number % 24:02d}:00:00Z",
        "valueQuantity": {"value": 60 + number % 40, "unit": "/min"},
    }


def _claim(number: int) -> dict[str, Any]:
    return {"resourceType": "Claim", "id": f"claim-{number}", "status": "active"}


def ndjson(resources: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in resources).encode()


def _records(patients: int, observations: int) -> bytes:
    resources: list[dict[str, Any]] = []
    for p in range(patients):
        resources.append(_patient(f"p{p}"))
        resources += [_observation(f"p{p}", n) for n in range(observations)]
        resources += [_claim(p * 1000 + n) for n in range(3)]
    return ndjson(resources)


def _count(clinic: ClinicUsers, model: Any, *where: Any) -> int:
    with clinic.server.session_factory() as session:
        clinic_column = getattr(model, "clinic_id", None)
        filters = [clinic_column == clinic.clinic_id] if clinic_column is not None else []
        return session.scalar(select(func.count()).select_from(model).where(*filters, *where)) or 0


def _run(clinic: ClinicUsers, files: list[ImportFile], budget_bytes: int) -> dict[str, Any]:
    actor = clinic.actor(Role.COORDINATOR)
    with UnitOfWork(clinic.server.session_factory, actor) as work:
        job = importer.submit(work.session, actor, [f.name for f in files])
    return importer.run(
        clinic.server.session_factory, actor, job.id, files, budget_bytes=budget_bytes
    )


def test_files_that_inflate_past_the_budget_together_are_refused_and_nothing_is_kept(
    clinic: ClinicUsers,
) -> None:
    first = gzip.compress(_records(3, 40))
    second = gzip.compress(_records(3, 40))
    budget = len(gzip.decompress(first)) + len(gzip.decompress(second)) // 2
    with pytest.raises(InvalidInput) as refused:
        _run(
            clinic,
            [ImportFile("a.ndjson.gz", content=first), ImportFile("b.ndjson.gz", content=second)],
            budget,
        )
    [error] = refused.value.errors
    assert error.field == "b.ndjson.gz"
    assert "larger than" in error.message
    assert _count(clinic, Patient) == 0
    assert _count(clinic, FhirStagedFact) == 0
    with clinic.server.session_factory() as session:
        job = session.scalars(
            select(FhirImportJob).where(FhirImportJob.clinic_id == clinic.clinic_id)
        ).one()
    assert job.status == "failed" and job.errors and job.errors[0]["field"] == "b.ndjson.gz"


def test_the_same_files_within_the_budget_are_imported(clinic: ClinicUsers) -> None:
    files = [
        ("file", ("first.ndjson.gz", gzip.compress(_records(1, 2)), "application/gzip")),
        ("file", ("second.ndjson", ndjson([_patient("b")]), "application/fhir+ndjson")),
    ]
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(IMPORT, files=files)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["input"] == {"kinds": ["ndjson", "ndjson"], "resources": 7}
    assert report["facts"]["created"] == 2
    [claims] = report["skipped"]
    assert claims["reason"] == "Claim resources are not used by spinepath"
    assert claims["count"] == 3 and claims["examples"][0] == "Claim/claim-0"


def test_a_malformed_line_after_many_good_batches_keeps_nothing(clinic: ClinicUsers) -> None:
    good = _records(4, 1200)  # more facts than several staging batches
    body = good + b'{"resourceType": "Observation", "id": "bad", "status": 7}\n'
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(
            IMPORT, content=body, headers={"Content-Type": "application/fhir+ndjson"}
        )
        assert answer.status_code == 422, answer.text
        [error] = answer.json()["errors"]
        lines = good.count(b"\n") + 1
        assert error["field"] == f"line {lines}.status"
        assert _count(clinic, Patient) == 0
        assert _count(clinic, FhirFact) == 0
        assert _count(clinic, FhirStagedFact) == 0
        with clinic.server.session_factory() as session:
            job_id = session.scalars(
                select(FhirImportJob.id).where(FhirImportJob.clinic_id == clinic.clinic_id)
            ).one()
        status = client.get(f"/api/v1/fhir/imports/{job_id}").json()
    assert status["status"] == "failed"
    assert status["errors"] == [error]


def test_a_line_longer_than_the_limit_is_refused_by_its_number(clinic: ClinicUsers) -> None:
    long_line = (
        b'{"resourceType": "Patient", "id": "x", "text": "' + b"a" * MAX_LINE_BYTES + b'"}\n'
    )
    body = gzip.compress(ndjson([_patient("a")]) + long_line)
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(IMPORT, content=body, headers={"Content-Type": "application/gzip"})
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["field"] == "line 2" and "longer than 16 MB" in error["message"]
    assert _count(clinic, Patient) == 0


def test_an_unused_type_is_counted_without_being_read(clinic: ClinicUsers) -> None:
    body = ndjson([_patient("a")]) + b'{"resourceType": "Claim", "id": "c1", "total": [\n'
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(
            IMPORT, content=body, headers={"Content-Type": "application/fhir+ndjson"}
        )
    assert answer.status_code == 200, answer.text
    [claims] = answer.json()["skipped"]
    # The example is where the line is: it is not JSON, and spinepath does not read Claims.
    assert claims["count"] == 1 and claims["examples"] == ["line 2"]


def _wait_done(client: Any, location: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status: dict[str, Any] = client.get(location).json()
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"import still {status['status']} after 120 s")


def test_an_import_asked_to_run_in_the_background_answers_202_and_reports_when_done(
    clinic: ClinicUsers,
) -> None:
    body = gzip.compress(_records(2, 30))
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(
            IMPORT,
            content=body,
            headers={"Content-Type": "application/gzip", "Prefer": "respond-async"},
        )
        assert answer.status_code == 202, answer.text
        location = answer.headers["content-location"]
        assert answer.json() == {
            "import_id": location.rsplit("/", 1)[-1],
            "status": "queued",
            "status_url": location,
        }
        status = _wait_done(client, location)
        again = client.post(IMPORT, content=body, headers={"Content-Type": "application/gzip"})
    assert status["status"] == "done", status
    assert status["background"] is True
    assert status["progress"]["resources_read"] == 2 * (1 + 30 + 3)
    assert status["report"]["facts"]["created"] == 60
    assert _count(clinic, Patient) == 2
    # The same data again, in the foreground: nothing changes.
    assert again.status_code == 200, again.text
    assert again.json()["changed"] is False
    assert again.json()["facts"] | {"by_category": {}} == {
        "created": 0,
        "updated": 0,
        "unchanged": 60,
        "by_category": {},
    }


def test_a_background_import_that_fails_says_why_and_keeps_nothing(clinic: ClinicUsers) -> None:
    body = ndjson([_patient("a"), {"resourceType": "Patient", "id": "b", "birthDate": 1941}])
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(
            IMPORT,
            content=body,
            headers={"Content-Type": "application/fhir+ndjson", "Prefer": "respond-async"},
        )
        status = _wait_done(client, answer.headers["content-location"])
    assert status["status"] == "failed"
    assert status["errors"] == [{"field": "line 2.birthDate", "message": "must be a string"}]
    assert _count(clinic, Patient) == 0


def test_another_clinic_cannot_see_an_import(
    clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(
            IMPORT,
            content=ndjson([_patient("a")]),
            headers={"Content-Type": "application/fhir+ndjson"},
        )
    import_id = answer.json()["import_id"]
    with other_clinic.client(Role.COORDINATOR) as client:
        assert client.get(f"/api/v1/fhir/imports/{import_id}").status_code == 404
        assert client.get(f"/api/v1/fhir/imports/{uuid.uuid4()}").status_code == 404


def test_an_import_its_server_abandoned_is_marked_failed_and_its_staged_facts_go(
    clinic: ClinicUsers,
) -> None:
    actor = clinic.actor(Role.COORDINATOR)
    factory = clinic.server.session_factory
    with UnitOfWork(factory, actor) as work:
        job = importer.submit(work.session, actor, ["lost.ndjson"])
        work.session.add(
            FhirStagedFact(
                job_id=job.id,
                patient_key="ref:Patient/1",
                fact_id=uuid.uuid4(),
                resource_type="Observation",
                resource_id="o1",
                kind="observation",
                category="vital",
                display="Heart rate",
                details={},
                content={},
                content_hash="0" * 64,
            )
        )
        work.session.flush()
        work.session.execute(
            update(FhirImportJob)
            .where(FhirImportJob.id == job.id)
            .values(status="reading", updated_at=utc_now() - timedelta(hours=1))
        )
    assert fail_abandoned(factory) >= 1
    with factory() as session:
        found = session.get(FhirImportJob, job.id)
        assert found is not None and found.status == "failed"
        assert found.errors and "send it again" in found.errors[0]["message"]
    assert _count(clinic, FhirStagedFact, FhirStagedFact.job_id == job.id) == 0


def _peak_bytes(clinic: ClinicUsers, content: bytes) -> int:
    tracemalloc.start()
    try:
        _run(clinic, [ImportFile("records.ndjson", content=content)], 1 << 34)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_file(clinic: ClinicUsers) -> None:
    small = _records(2, 1500)
    large = _records(8, 1500)
    # Warm up (first imports load code and caches), then measure both sizes the same way.
    _peak_bytes(clinic, _records(1, 10).replace(b'"p0', b'"w0'))
    peak_small = _peak_bytes(clinic, small) - len(small)
    peak_large = _peak_bytes(clinic, large.replace(b'"p', b'"q')) - len(large)
    assert len(large) > 3.9 * len(small)
    # The file itself is in memory here (content=...); what the import adds stays level.
    assert peak_large < 1.5 * peak_small, (peak_small, peak_large)


def test_a_medicine_named_by_a_medication_read_later_is_recognised(clinic: ClinicUsers) -> None:
    request = {
        "resourceType": "MedicationRequest",
        "id": "mr1",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/a"},
        "medicationReference": {"reference": "Medication/m1"},
    }
    medication = {
        "resourceType": "Medication",
        "id": "m1",
        "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                             "code": "855332", "display": "Warfarin Sodium 5 MG Oral Tablet"}]},
    }  # fmt: skip
    body = ndjson([request, _patient("a"), medication])
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(
            IMPORT, content=body, headers={"Content-Type": "application/fhir+ndjson"}
        )
        assert answer.status_code == 200, answer.text
        patient_id = answer.json()["patients"][0]["patient_id"]
        facts = client.get(f"/api/v1/patients/{patient_id}/imported-facts").json()
    [medicine] = [f for f in facts["facts"] if f["kind"] == "medication"]
    assert "Warfarin" in medicine["display"]
    assert medicine["review"] is False
    assert answer.json()["review"] == []


def test_an_ndjson_urn_subject_that_names_no_entry_is_refused(clinic: ClinicUsers) -> None:
    observation = _observation("a", 1) | {"subject": {"reference": "urn:uuid:0000-missing"}}
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(
            IMPORT,
            content=ndjson([_patient("a"), observation]),
            headers={"Content-Type": "application/fhir+ndjson"},
        )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"] == [
        {
            "field": "line 2.subject.reference",
            "message": "urn:uuid:0000-missing is not an entry of this bundle",
        }
    ]
    assert _count(clinic, Patient) == 0
