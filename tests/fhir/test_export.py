"""Exporting an episode as a FHIR R4 Bundle; every resource checked against the R4 JSON Schema."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from spinepath.accounts.models import User, UserRole
from spinepath.accounts.roles import Role
from spinepath.fhir import sections as base_sections
from spinepath.fhir.export import ExportContext, Section, checked_sections, export_episode
from spinepath.fhir.export_sections import ALL_SECTIONS
from spinepath.unit_of_work import UnitOfWork
from tests.api.helpers import create_patient, move, open_episode
from tests.fhir.conftest import R4Schema, no_empty_values
from tests.fhir.test_import_api import imported
from tests.support import PASSWORD, ClinicUsers, _password_hash

FRACTURES = [
    {"level": "L1", "onset_date": "2026-10-10", "etiology": "osteoporotic"},
    {"level": "T12", "onset_date": "2026-09-01", "etiology": "neoplastic", "notes": "myeloma"},
    {"level": "T8", "etiology": "unknown"},
    {"level": "C5", "etiology": "traumatic"},
    {"level": "S1", "etiology": "unknown"},
]


def export(client: Any, episode_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/episodes/{episode_id}/fhir")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/fhir+json")
    return dict(answer.json())


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def assert_valid(bundle: dict[str, Any], schema: R4Schema) -> None:
    problems = {
        f"{e['resource']['resourceType']}/{e['resource']['id']}": schema.errors(e["resource"])
        for e in bundle["entry"]
    }
    assert {key: errors for key, errors in problems.items() if errors} == {}
    assert schema.errors(bundle) == []
    assert no_empty_values(bundle) == []
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(full_urls) == len(set(full_urls))


def test_every_exported_resource_validates_against_the_r4_schema(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client, mrn="EXP-1")
        episode = open_episode(client, patient["id"], fractures=FRACTURES)
        move(client, episode, "consultation")
        bundle = export(client, episode["id"])
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    assert_valid(bundle, r4_schema)
    kinds = sorted({e["resource"]["resourceType"] for e in bundle["entry"]})
    assert kinds == ["AuditEvent", "CarePlan", "Condition", "Patient"]


def test_conditions_carry_icd10cm_by_cause_and_the_level_as_body_site(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        patient = create_patient(client, mrn="EXP-2")
        episode = open_episode(client, patient["id"], fractures=FRACTURES)
        bundle = export(client, episode["id"])
    assert_valid(bundle, r4_schema)
    by_site = {
        c["bodySite"][0]["text"]: [(x["system"], x["code"]) for x in c["code"].get("coding", [])]
        for c in resources(bundle, "Condition")
    }
    icd = "http://hl7.org/fhir/sid/icd-10-cm"
    assert by_site == {
        "L1 vertebra": [(icd, "M80.08XA")],
        "T12 vertebra": [(icd, "M84.58XA")],
        "T8 vertebra": [(icd, "M48.54XA")],
        "C5 vertebra": [],  # traumatic: an injury code needs details not recorded; text only
        "S1 vertebra": [(icd, "M48.58XA")],
    }
    patient_url = next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert {c["subject"]["reference"] for c in resources(bundle, "Condition")} == {patient_url}
    sites = {
        c["bodySite"][0]["text"]: [x["code"] for x in c["bodySite"][0].get("coding", [])]
        for c in resources(bundle, "Condition")
    }
    assert sites == {  # SNOMED CT from DICOM CID 7603; the sacrum has no code there
        "L1 vertebra": ["66794005"],
        "T12 vertebra": ["23215003"],
        "T8 vertebra": ["11068009"],
        "C5 vertebra": ["36978003"],
        "S1 vertebra": [],
    }
    [l1] = [c for c in resources(bundle, "Condition") if c["bodySite"][0]["text"] == "L1 vertebra"]
    assert l1["onsetDateTime"] == "2026-10-10"
    assert l1["clinicalStatus"]["coding"][0]["code"] == "active"


def test_the_care_plan_lists_the_open_tasks(clinic: ClinicUsers, r4_schema: R4Schema) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        patient = create_patient(client, mrn="EXP-3")
        episode = open_episode(client, patient["id"])
        episode = move(client, episode, "consultation")
        open_titles = sorted(t["title"] for t in episode["tasks"] if t["status"] == "open")
        bundle = export(client, episode["id"])
    assert_valid(bundle, r4_schema)
    [plan] = resources(bundle, "CarePlan")
    assert plan["status"] == "active" and plan["intent"] == "plan"
    assert sorted(a["detail"]["description"] for a in plan["activity"]) == open_titles
    assert {a["detail"]["status"] for a in plan["activity"]} == {"not-started"}
    assert len(plan["addresses"]) == len(resources(bundle, "Condition"))


def _audit_reader(clinic: ClinicUsers) -> str:
    """A user who is both physician and administrator (may read patients and the audit)."""
    username = f"dual.{uuid.uuid4().hex[:8]}"
    with clinic.server.session_factory() as session, session.begin():
        session.add(
            User(
                clinic_id=clinic.clinic_id,
                username=username,
                full_name="Dual Role",
                password_hash=_password_hash(),
                role_rows=[UserRole(role="physician"), UserRole(role="admin")],
            )
        )
    with clinic.server.client() as client:
        answer = client.post(
            "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
        )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def test_the_export_is_audited_and_the_history_goes_only_to_audit_readers(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        patient = create_patient(client, mrn="EXP-4")
        episode = open_episode(client, patient["id"])
        client.get(f"/api/v1/patients/{patient['id']}")
        care_team = export(client, episode["id"])
    with clinic.server.client(_audit_reader(clinic)) as client:
        auditor = export(client, episode["id"])
    assert_valid(care_team, r4_schema)
    assert_valid(auditor, r4_schema)
    [own] = resources(care_team, "AuditEvent")
    assert own["outcomeDesc"] == "export episode: success"
    assert own["agent"][0]["who"]["display"] == clinic.username(Role.PHYSICIAN)
    history = resources(auditor, "AuditEvent")
    descriptions = [event["outcomeDesc"] for event in history]
    assert "create patient: success" in descriptions
    assert "read patient: success" in descriptions
    assert descriptions.count("export episode: success") == 2
    assert {event["action"] for event in history} >= {"C", "R", "E"}


def test_imported_identifiers_are_exported_with_the_patient(
    clinic: ClinicUsers, lonnie_bytes: bytes, r4_schema: R4Schema
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        report = imported(client, lonnie_bytes)
        episode = open_episode(client, report["patients"][0]["patient_id"])
        bundle = export(client, episode["id"])
    assert_valid(bundle, r4_schema)
    [patient] = resources(bundle, "Patient")
    systems = {i.get("system") for i in patient["identifier"]}
    assert {
        "https://github.com/synthetichealth/synthea",
        "http://hl7.org/fhir/sid/us-ssn",
    } <= systems
    assert patient["identifier"][0]["type"]["coding"][0]["code"] == "MR"


def test_other_clinics_and_roles_without_patient_access_cannot_export(
    clinic: ClinicUsers, other_clinic: ClinicUsers
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        episode = open_episode(client, create_patient(client, mrn="EXP-5")["id"])
    with other_clinic.client(Role.PHYSICIAN) as client:
        elsewhere = client.get(f"/api/v1/episodes/{episode['id']}/fhir")
    with clinic.client(Role.ADMIN) as client:
        admin = client.get(f"/api/v1/episodes/{episode['id']}/fhir")
    assert elsewhere.status_code == 404
    assert admin.status_code == 403


# ---- the section registry --------------------------------------------------------------------
def _pain_section() -> Section:
    def build(ctx: ExportContext) -> list[dict[str, Any]]:
        return [
            {
                "resourceType": "Observation",
                "id": ctx.derived_id("pain", ctx.episode.id),
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
                "subject": ctx.patient_reference,
                "valueInteger": 7,
                "note": [],
            }
        ]

    return Section("pain", "Pain scores", build)


def test_a_package_adds_its_section_to_the_export(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    with clinic.client(Role.COORDINATOR) as client:
        episode = open_episode(client, create_patient(client, mrn="EXP-6")["id"])
    sections = checked_sections([*base_sections.FHIR_SECTIONS, _pain_section()])
    assert [s.name for s in sections] == ["patient", "conditions", "care_plan", "audit", "pain"]
    with UnitOfWork(clinic.server.session_factory) as work:
        bundle = export_episode(
            work.session,
            clinic.actor(Role.PHYSICIAN),
            uuid.UUID(episode["id"]),
            sections=sections,
        )
    assert_valid(bundle, r4_schema)
    [pain] = resources(bundle, "Observation")
    assert pain["valueInteger"] == 7 and "note" not in pain  # empty elements are dropped


def test_the_export_has_every_package_section_once() -> None:
    assert [s.name for s in ALL_SECTIONS] == [
        "patient",
        "conditions",
        "care_plan",
        "audit",
        "medicine_holds",
        "procedures",
        "vital_signs",
        "recovery_scores",
        "recovery_alerts",
        "outcomes",
        "follow_up_schedule",
    ]
    with pytest.raises(RuntimeError, match="named twice: pain"):
        checked_sections([_pain_section(), _pain_section()])
