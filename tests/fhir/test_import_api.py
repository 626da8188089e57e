"""Importing FHIR R4 over HTTP: the Synthea records, re-imports, malformed input, NDJSON."""

from __future__ import annotations

import copy
import gzip
import json
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from spinepath.accounts.roles import Role
from spinepath.audit.models import AuditEvent
from spinepath.fhir.models import FhirFact, FhirFactVersion, FhirImport
from spinepath.patients.models import Patient
from tests.api.helpers import create_patient
from tests.fhir.conftest import to_ndjson
from tests.support import ClinicUsers

IMPORT = "/api/v1/fhir/import"
HALLIE_MRN = "62a0b57c-4129-43d9-b787-bcf7ad4fa654"
LONNIE_MRN = "28fbf0c8-5a9c-4781-b79f-f6118c3e2816"


def post_import(
    client: httpx.Client,
    content: bytes | str,
    content_type: str = "application/fhir+json",
    source: str | None = None,
) -> httpx.Response:
    params = {"source": source} if source is not None else None
    return client.post(
        IMPORT, content=content, headers={"Content-Type": content_type}, params=params
    )


def imported(client: httpx.Client, content: bytes | str, **kwargs: Any) -> dict[str, Any]:
    answer = post_import(client, content, **kwargs)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def facts_of(client: httpx.Client, patient_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/patients/{patient_id}/imported-facts")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def count(clinic: ClinicUsers, model: Any) -> int:
    with clinic.server.session_factory() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(model).where(model.clinic_id == clinic.clinic_id)
            )
            or 0
        )


def test_hallie_imports_with_osteoporosis_warfarin_recognised_and_her_dxa_t_score(
    clinic: ClinicUsers, hallie_bytes: bytes
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        report = imported(client, hallie_bytes)
        [patient] = report["patients"]
        facts = facts_of(client, patient["patient_id"])
        person = client.get(f"/api/v1/patients/{patient['patient_id']}").json()
    assert patient["outcome"] == "created"
    assert patient["mrn"] == HALLIE_MRN
    assert (person["family_name"], person["given_name"], person["birth_date"], person["sex"]) == (
        "Hoeger",
        "Hallie",
        "1926-06-06",
        "female",
    )
    summary = facts["summary"]
    assert summary["osteoporosis"]["present"] is True
    warfarin = [m for m in summary["current_medications"] if m["recognised_as"] == "warfarin"]
    assert [(m["rxnorm"], m["review"]) for m in warfarin] == [("855332", False)]
    dxa = summary["latest"]["dxa_t_score"]
    assert round(dxa["value"], 2) == -3.31
    t_scores = sorted(round(f["value"], 2) for f in facts["facts"] if f["code"] == "38265-5")
    assert t_scores == [-3.31, -0.02]
    assert report["changed"] is True


def test_lonnie_imports_with_osteoporosis_and_alendronate(
    clinic: ClinicUsers, lonnie_bytes: bytes
) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        report = imported(client, lonnie_bytes)
        [patient] = report["patients"]
        summary = facts_of(client, patient["patient_id"])["summary"]
    assert patient["mrn"] == LONNIE_MRN
    assert summary["osteoporosis"]["present"] is True
    assert [m["recognised_as"] for m in summary["osteoporosis_treatment"]] == ["alendronate"]
    # A known combination is recognised as itself, not as one of its ingredients.
    [known] = [m for m in summary["current_medications"] if "HYDROcodone" in (m["name"] or "")]
    assert (known["recognised_as"], known["review"]) == ("hydrocodone_acetaminophen", False)


def test_no_news2_and_no_vertebral_fracture_are_invented(
    clinic: ClinicUsers, hallie_bytes: bytes
) -> None:
    with clinic.client(Role.NURSE) as client:
        report = imported(client, hallie_bytes)
        summary = facts_of(client, report["patients"][0]["patient_id"])["summary"]
    news2 = summary["latest_news2"]
    assert news2["status"] == "insufficient_data"
    assert "result" not in news2
    missing = " ".join(news2["missing"])
    assert "respiratory rate" in missing and "oxygen saturation" in missing
    # Synthea's "pathological fracture due to osteoporosis" has no site: not a vertebral one.
    assert summary["vertebral_fractures"] == []
    assert [f["display"] for f in summary["fragility_fractures"]] == [
        "Pathological fracture due to osteoporosis (disorder)"
    ]
    assert summary["active_infections"] == []
    assert summary["latest"]["inr"] is None


def test_importing_the_same_data_again_changes_nothing(
    clinic: ClinicUsers, hallie_bytes: bytes
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        first = imported(client, hallie_bytes)
        patient_id = first["patients"][0]["patient_id"]
        before = facts_of(client, patient_id)
        version_before = client.get(f"/api/v1/patients/{patient_id}").json()["version"]
        versions_before = count(clinic, FhirFact)
        second = imported(client, hallie_bytes)
        after = facts_of(client, patient_id)
        version_after = client.get(f"/api/v1/patients/{patient_id}").json()["version"]
    assert first["facts"]["created"] > 100
    assert second["changed"] is False
    assert second["patients"][0]["outcome"] == "unchanged"
    assert second["patients"][0]["patient_id"] == patient_id
    assert second["facts"] == {
        **first["facts"],
        "created": 0,
        "updated": 0,
        "unchanged": first["facts"]["created"],
    }
    assert version_after == version_before
    assert after["facts"] == before["facts"]
    assert count(clinic, FhirFact) == versions_before
    with clinic.server.session_factory() as session:
        history = session.scalar(
            select(func.count())
            .select_from(FhirFactVersion)
            .join(FhirFact, FhirFact.id == FhirFactVersion.fact_id)
            .where(FhirFact.clinic_id == clinic.clinic_id)
        )
    assert history == first["facts"]["created"]


def test_a_changed_resource_gets_a_new_version_and_the_old_one_is_kept(
    clinic: ClinicUsers, hallie_bundle: dict[str, Any]
) -> None:
    bundle = copy.deepcopy(hallie_bundle)
    with clinic.client(Role.COORDINATOR) as client:
        imported(client, json.dumps(bundle))
        dxa = next(
            e["resource"]
            for e in bundle["entry"]
            if e["resource"]["resourceType"] == "Observation"
            and e["resource"]["code"]["coding"][0]["code"] == "38265-5"
            and e["resource"]["valueQuantity"]["value"] < -3
        )
        dxa["valueQuantity"]["value"] = -2.9
        report = imported(client, json.dumps(bundle))
        facts = facts_of(client, report["patients"][0]["patient_id"])["facts"]
    assert (report["facts"]["created"], report["facts"]["updated"]) == (0, 1)
    [changed] = [f for f in facts if f["resource"] == f"Observation/{dxa['id']}"]
    assert (changed["value"], changed["version"]) == (-2.9, 2)
    with clinic.server.session_factory() as session:
        kept = session.scalars(
            select(FhirFactVersion.content)
            .where(FhirFactVersion.fact_id == uuid.UUID(changed["id"]))
            .order_by(FhirFactVersion.version)
        ).all()
    assert [round(c["value_num"], 2) for c in kept] == [-3.31, -2.9]


def test_a_malformed_bundle_is_refused_whole_and_nothing_is_written(
    clinic: ClinicUsers, hallie_bundle: dict[str, Any]
) -> None:
    bundle = copy.deepcopy(hallie_bundle)
    bundle["entry"][0]["resource"]["birthDate"] = "1926-13-45"
    pain_scores = [
        i
        for i, e in enumerate(bundle["entry"])
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == "72514-3"
    ]
    last = pain_scores[-1]
    bundle["entry"][last]["resource"]["valueQuantity"] = {"value": "high", "unit": "kg"}
    with clinic.client(Role.COORDINATOR) as client:
        answer = post_import(client, json.dumps(bundle))
        listing = client.get("/api/v1/patients").json()
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    fields = {error["field"] for error in answer.json()["errors"]}
    assert fields == {
        "entry[0].resource.birthDate",
        f"entry[{last}].resource.valueQuantity.value",
    }
    assert listing["total"] == 0
    assert count(clinic, FhirFact) == 0
    assert count(clinic, FhirImport) == 0


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda b: b.update(type="document"), "type", "not accepted"),
        (lambda b: b.update(resourceType="Patient"), "resourceType", "must be Bundle"),
        (
            lambda b: b["entry"][1].update(request={"method": "DELETE", "url": "X"}),
            "entry[1].request.method",
            "not imported",
        ),
        (
            lambda b: b["entry"][1]["resource"].update(subject={"reference": "urn:uuid:nowhere"}),
            "entry[1].resource.subject.reference",
            "not an entry of this bundle",
        ),
        (
            lambda b: b["entry"][2].update(fullUrl=b["entry"][1]["fullUrl"]),
            "entry[2].fullUrl",
            "repeats",
        ),
        (
            lambda b: b["entry"][1]["resource"].update(id="not an id!"),
            "entry[1].resource.id",
            "FHIR id",
        ),
    ],
)
def test_structural_problems_are_named_and_refused(
    clinic: ClinicUsers, hallie_bundle: dict[str, Any], change: Any, field: str, words: str
) -> None:
    bundle = copy.deepcopy(hallie_bundle)
    change(bundle)
    with clinic.client(Role.COORDINATOR) as client:
        answer = post_import(client, json.dumps(bundle))
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert any(e["field"] == field and words in e["message"] for e in errors), errors
    assert count(clinic, Patient) == 0


def test_input_that_is_not_json_or_too_large_is_refused(clinic: ClinicUsers) -> None:
    bomb = gzip.compress(b" " * (65 * 1024 * 1024))
    with clinic.client(Role.COORDINATOR) as client:
        not_json = post_import(client, b"{not json")
        empty = post_import(client, b"")
        too_big = post_import(client, bomb, content_type="application/gzip")
    assert not_json.status_code == 422 and "not valid JSON" in not_json.text
    assert empty.status_code == 422 and "empty" in empty.text
    assert too_big.status_code == 422 and "larger than" in too_big.text


def test_ndjson_bulk_data_imports_the_same_facts_as_the_bundle(
    clinic: ClinicUsers,
    other_clinic: ClinicUsers,
    hallie_bytes: bytes,
    hallie_bundle: dict[str, Any],
) -> None:
    with other_clinic.client(Role.COORDINATOR) as client:
        from_bundle = imported(client, hallie_bytes)
    with clinic.client(Role.COORDINATOR) as client:
        from_ndjson = imported(
            client,
            to_ndjson(hallie_bundle),
            content_type="application/fhir+ndjson",
            source="https://ehr.example/fhir",
        )
    assert from_ndjson["input"]["kinds"] == ["ndjson"]
    assert from_ndjson["facts"] == from_bundle["facts"]
    assert from_ndjson["patients"][0]["mrn"] == HALLIE_MRN


def test_bulk_data_files_sent_together_resolve_their_patient_references(
    clinic: ClinicUsers, hallie_bundle: dict[str, Any]
) -> None:
    patients = to_ndjson(hallie_bundle, lambda r: r["resourceType"] == "Patient")
    observations = to_ndjson(hallie_bundle, lambda r: r["resourceType"] == "Observation")
    files = [
        ("file", ("Patient.ndjson", patients.encode(), "application/fhir+ndjson")),
        (
            "file",
            ("Observation.ndjson.gz", gzip.compress(observations.encode()), "application/gzip"),
        ),
    ]
    with clinic.client(Role.COORDINATOR) as client:
        answer = client.post(IMPORT, files=files)
        report = answer.json()
        summary = facts_of(client, report["patients"][0]["patient_id"])["summary"]
    assert answer.status_code == 200, answer.text
    assert report["input"]["kinds"] == ["ndjson", "ndjson"]
    assert round(summary["latest"]["dxa_t_score"]["value"], 2) == -3.31


def test_later_files_attach_to_a_patient_imported_before_from_the_same_source(
    clinic: ClinicUsers, hallie_bundle: dict[str, Any]
) -> None:
    patients = to_ndjson(hallie_bundle, lambda r: r["resourceType"] == "Patient")
    conditions = to_ndjson(hallie_bundle, lambda r: r["resourceType"] == "Condition")
    with clinic.client(Role.COORDINATOR) as client:
        imported(client, patients, content_type="application/fhir+ndjson", source="https://a/fhir")
        elsewhere = imported(
            client, conditions, content_type="application/fhir+ndjson", source="https://b/fhir"
        )
        same = imported(
            client, conditions, content_type="application/fhir+ndjson", source="https://a/fhir"
        )
    assert elsewhere["patients"] == []
    assert any("not in this import" in s["reason"] for s in elsewhere["skipped"])
    assert same["patients"][0]["outcome"] == "matched"
    assert same["facts"]["by_category"]["condition:osteoporosis"] == 1


def test_unrecognised_medicines_are_kept_and_flagged_for_review(
    clinic: ClinicUsers, lonnie_bytes: bytes
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        report = imported(client, lonnie_bytes)
        facts = facts_of(client, report["patients"][0]["patient_id"])["facts"]
    flagged = {item["display"] for item in report["review"]}
    assert any("Dextromethorphan" in display for display in flagged)
    assert "Ibuprofen 200 MG Oral Tablet" not in flagged
    kept = {f["display"] for f in facts if f["kind"] == "medication" and f["review"]}
    assert flagged <= kept


def test_the_report_says_what_was_skipped_and_why(clinic: ClinicUsers, hallie_bytes: bytes) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        report = imported(client, hallie_bytes)
    reasons = {item["reason"]: item["count"] for item in report["skipped"]}
    assert reasons["Claim resources are not used by spinepath"] == 126
    assert reasons["Encounter resources are not used by spinepath"] == 71
    assert "not an observation spinepath uses (LOINC 2093-3)" in reasons
    total_used = report["facts"]["created"]
    assert sum(report["facts"]["by_category"].values()) == total_used


def test_an_existing_patient_is_matched_by_mrn_in_the_importing_clinic_only(
    clinic: ClinicUsers, other_clinic: ClinicUsers, hallie_bytes: bytes
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        existing = create_patient(
            client, mrn=HALLIE_MRN, family_name="Hoeger", given_name="Hal", birth_date="1926-06-06"
        )
        report = imported(client, hallie_bytes)
        after = client.get(f"/api/v1/patients/{existing['id']}").json()
    with other_clinic.client(Role.COORDINATOR) as client:
        elsewhere = imported(client, hallie_bytes)
    assert report["patients"][0]["patient_id"] == existing["id"]
    assert report["patients"][0]["outcome"] == "updated"
    assert (after["given_name"], after["version"]) == ("Hallie", existing["version"] + 1)
    assert elsewhere["patients"][0]["outcome"] == "created"
    assert elsewhere["patients"][0]["patient_id"] != existing["id"]


def test_another_clinics_imported_facts_are_not_found(
    clinic: ClinicUsers, other_clinic: ClinicUsers, lonnie_bytes: bytes
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        report = imported(client, lonnie_bytes)
    with other_clinic.client(Role.PHYSICIAN) as client:
        answer = client.get(
            f"/api/v1/patients/{report['patients'][0]['patient_id']}/imported-facts"
        )
        import_read = client.get(f"/api/v1/fhir/imports/{report['import_id']}")
    assert answer.status_code == 404
    assert import_read.status_code == 404


def test_only_the_care_team_may_import(clinic: ClinicUsers, lonnie_bytes: bytes) -> None:
    with clinic.client(Role.QUALITY_LEAD) as client:
        refused = post_import(client, lonnie_bytes)
    with clinic.server.client() as anonymous:
        unauthenticated = post_import(anonymous, lonnie_bytes)
    assert refused.status_code == 403
    assert unauthenticated.status_code == 401
    assert count(clinic, Patient) == 0


def test_an_import_is_audited_and_its_report_can_be_read_again(
    clinic: ClinicUsers, lonnie_bytes: bytes
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        report = imported(client, lonnie_bytes)
        again = client.get(f"/api/v1/fhir/imports/{report['import_id']}").json()
    assert again["report"] == report
    patient_id = report["patients"][0]["patient_id"]
    with clinic.server.session_factory() as session:
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.clinic_id == clinic.clinic_id, AuditEvent.action == "import"
            )
        ).all()
    assert {(e.entity_type, str(e.patient_id) if e.patient_id else None) for e in events} == {
        ("patient", patient_id),
        ("fhir_import", None),
    }


def _observation(oid: str, code: str, when: str, **value: Any) -> dict[str, Any]:
    return {
        "fullUrl": f"urn:uuid:{oid}",
        "resource": {
            "resourceType": "Observation",
            "id": oid,
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "subject": {"reference": "urn:uuid:p1"},
            "effectiveDateTime": when,
            **value,
        },
    }


def _vitals_bundle(times: list[str]) -> dict[str, Any]:
    def quantity(v: float, unit: str) -> dict[str, Any]:
        return {
            "valueQuantity": {
                "value": v,
                "unit": unit,
                "system": "http://unitsofmeasure.org",
                "code": unit,
            }
        }

    readings = [
        ("9279-1", quantity(22, "/min")),
        ("59408-5", quantity(95, "%")),
        ("3151-8", quantity(0, "L/min")),
        ("8480-6", quantity(105, "mm[Hg]")),
        ("8867-4", quantity(115, "/min")),
        ("67775-7", {"valueCodeableConcept": {"text": "Alert"}}),
        ("8310-5", quantity(38.5, "Cel")),
    ]
    patient = {
        "fullUrl": "urn:uuid:p1",
        "resource": {
            "resourceType": "Patient",
            "id": "p1",
            "identifier": [{"system": "urn:test:mrn", "value": "NEWS-1"}],
            "name": [{"family": "Vitals", "given": ["Vera"]}],
            "birthDate": "1940-02-02",
            "gender": "female",
        },
    }
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [patient]
        + [
            _observation(f"o{i}", code, times[i], **value)
            for i, (code, value) in enumerate(readings)
        ],
    }


def test_latest_news2_is_computed_only_from_one_complete_set_of_observations(
    clinic: ClinicUsers,
) -> None:
    together = [f"2026-11-20T10:{minute:02d}:00Z" for minute in range(7)]
    apart = [*together[:6], "2026-11-20T06:00:00Z"]
    with clinic.client(Role.NURSE) as client:
        report = imported(client, json.dumps(_vitals_bundle(together)))
        complete = facts_of(client, report["patients"][0]["patient_id"])["summary"]
        report = imported(client, json.dumps(_vitals_bundle(apart)))
        spread = facts_of(client, report["patients"][0]["patient_id"])["summary"]
    news2 = complete["latest_news2"]
    assert news2["status"] == "computed"
    # RCP Chart 1: RR 22 → 2, SpO2 95 → 1, air → 0, SBP 105 → 1, pulse 115 → 2, alert → 0,
    # 38.5 °C → 1: total 7, high risk.
    assert news2["input"] == {
        "respiratory_rate": 22,
        "spo2_percent": 95,
        "on_oxygen": False,
        "systolic_bp_mmhg": 105,
        "pulse_per_min": 115,
        "consciousness": "A",
        "temperature_c": 38.5,
    }
    assert (news2["result"]["total"], news2["result"]["risk"]) == (7, "high")
    assert spread["latest_news2"]["status"] == "insufficient_data"
    assert "not one set" in spread["latest_news2"]["detail"]
