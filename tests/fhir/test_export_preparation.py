"""The preparation plan's medicine holds in the FHIR export, over real HTTP: only a signed plan
is exported, one MedicationStatement per medicine, with the hold windows the plan API reports."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import httpx
import pytest

from spinepath.accounts.roles import Role
from tests.fhir.conftest import R4Schema
from tests.fhir.test_export import assert_valid, export, resources
from tests.preparation.builders import (
    decide_awaiting,
    episode_payload,
    new_episode,
    next_weekday_at,
)
from tests.support import ClinicUsers

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
# FHIR R4 MedicationStatement.status (required binding; the JSON Schema only says "code").
R4_MEDICATION_STATEMENT_STATUS = {
    "active",
    "completed",
    "entered-in-error",
    "intended",
    "stopped",
    "on-hold",
    "unknown",
    "not-taken",
}
SIR_MEDICINES = [
    {"name": "Eliquis 5 mg", "frequency": "twice daily", "dose_times": ["08:00", "20:00"]},
    {
        "name": "Coumadin 5 mg",
        "frequency": "once daily",
        "rxnorm": "855332",
        "dose_times": ["18:00"],
    },
    {"name": "acetaminophen 325 mg", "frequency": "once daily", "rxnorm": "313782"},
    {"name": "Grandma's tonic", "frequency": "once daily"},
    # A code the verified list holds for another medicine: the name wins, the code is not sent.
    {
        "name": "Plavix 75 mg",
        "frequency": "once daily",
        "rxnorm": "855332",
        "dose_times": ["09:00"],
    },
]


@pytest.fixture
def start() -> datetime:
    return next_weekday_at(1, time(9, 0))


def _url(episode: dict[str, Any], tail: str = "") -> str:
    return f"/api/v1/episodes/{episode['id']}/preparation{tail}"


def _save(client: httpx.Client, episode: dict[str, Any], payload: dict[str, Any]) -> Any:
    answer = client.post(_url(episode), json=payload)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def _signed(clinic: ClinicUsers, episode: dict[str, Any], payload: dict[str, Any]) -> Any:
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = _save(coordinator, episode, payload)
    with clinic.client(Role.PHYSICIAN) as physician:
        saved = decide_awaiting(physician, episode, saved)
        signed = physician.post(
            _url(episode, "/sign"),
            json={"version": saved["version"], "note": "Bridging not needed"},
        )
    assert signed.status_code == 200, signed.text
    return signed.json()


def _statements(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        s["medicationCodeableConcept"]["text"]: s for s in resources(bundle, "MedicationStatement")
    }


def _instant(value: str) -> str:
    return datetime.fromisoformat(value).isoformat(timespec="seconds").replace("+00:00", "Z")


def _when(value: str) -> str:
    moment = datetime.fromisoformat(value)
    return f"{moment:%A} {moment.day} {moment:%B %Y} at {moment:%H:%M} (America/Chicago time)"


def test_a_signed_plan_exports_each_medicine_with_its_hold_window(
    clinic: ClinicUsers, r4_schema: R4Schema, start: datetime
) -> None:
    episode = new_episode(clinic)
    signed = _signed(clinic, episode, episode_payload(start, medications=SIR_MEDICINES))
    with clinic.client(Role.NURSE) as client:
        bundle = export(client, episode["id"])
        again = export(client, episode["id"])
    assert_valid(bundle, r4_schema)
    plan = {m["input"]: m for m in signed["plan"]["medications"]}
    statements = _statements(bundle)
    assert list(statements) == [m["name"] for m in SIR_MEDICINES]  # in order, none dropped
    assert {s["status"] for s in statements.values()} <= R4_MEDICATION_STATEMENT_STATUS
    assert {name: s["status"] for name, s in statements.items()} == {
        "Eliquis 5 mg": "on-hold",
        "Coumadin 5 mg": "on-hold",  # warfarin: a hold; bridging is a separate review flag
        "acetaminophen 325 mg": "active",
        "Grandma's tonic": "unknown",
        "Plavix 75 mg": "on-hold",
    }

    apixaban = statements["Eliquis 5 mg"]
    assert plan["Eliquis 5 mg"]["recognised_as"] == "apixaban"
    assert apixaban["effectivePeriod"] == {
        "start": plan["Eliquis 5 mg"]["last_dose_at"],
        "end": plan["Eliquis 5 mg"]["restart_at"],
    }
    assert apixaban["dosage"] == [
        {
            "text": f"Take the last dose on {_when(plan['Eliquis 5 mg']['last_dose_at'])}, then "
            "stop. Restart with the usual dose on "
            f"{_when(plan['Eliquis 5 mg']['first_usual_dose_after_restart'])}."
        }
    ]
    assert apixaban["statusReason"] == [{"text": plan["Eliquis 5 mg"]["reason"]}]
    assert "coding" not in apixaban["medicationCodeableConcept"]  # no verified apixaban code
    assert apixaban["note"][0]["text"] == (
        "Hold table row: SIR 2019 Part II, high bleeding risk, apixaban (rule "
        f"{plan['Eliquis 5 mg']['rule_id']}, edition sir-2019, source sir-2019-periprocedural, "
        "confidence S)."
    )
    assert {"text": "Signature note: Bridging not needed"} in apixaban["note"]

    warfarin = statements["Coumadin 5 mg"]
    assert warfarin["medicationCodeableConcept"]["coding"] == [
        {"system": RXNORM, "code": "855332", "display": "Warfarin Sodium 5 MG Oral Tablet"}
    ]
    assert warfarin["effectivePeriod"] == {
        "start": plan["Coumadin 5 mg"]["last_dose_at"],
        "end": plan["Coumadin 5 mg"]["restart_at"],
    }
    assert {"text": f"Review flag: {plan['Coumadin 5 mg']['review_flags'][0]}."} in warfarin[
        "note"
    ]
    assert statements["acetaminophen 325 mg"]["medicationCodeableConcept"]["coding"] == [
        {"system": RXNORM, "code": "313782", "display": "Acetaminophen 325 MG Oral Tablet"}
    ]
    assert statements["acetaminophen 325 mg"]["dosage"] == [{"text": "Keep taking it as usual."}]
    assert "coding" not in statements["Plavix 75 mg"]["medicationCodeableConcept"]

    tonic = statements["Grandma's tonic"]
    assert plan["Grandma's tonic"]["recognised_as"] is None
    assert plan["Grandma's tonic"]["decision"]["action"] == "call_patient"
    assert tonic["statusReason"][0]["text"].startswith("Physician's decision (call_patient) by ")
    assert {
        "text": "Not recognised by the preparation planner: a clinician must review this medicine."
    } in tonic["note"]
    assert tonic["medicationCodeableConcept"] == {"text": "Grandma's tonic"}

    patient_url = next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    [signature] = signed["signatures"]
    for statement in statements.values():
        assert statement["subject"] == {"reference": patient_url}
        assert statement["informationSource"] == {"display": signature["signed_by"]}
        assert statement["dateAsserted"] == _instant(signature["signed_at"])
    assert [s["id"] for s in resources(again, "MedicationStatement")] == [
        s["id"] for s in resources(bundle, "MedicationStatement")
    ]


def test_a_held_medicine_with_a_verified_code_carries_both(
    clinic: ClinicUsers, r4_schema: R4Schema, start: datetime
) -> None:
    episode = new_episode(clinic)
    ibuprofen = {
        "name": "ibuprofen 200 mg",
        "frequency": "three times daily",
        "rxnorm": "310965",
        "dose_times": ["08:00", "14:00", "20:00"],
    }
    payload = episode_payload(start, edition="asra-2018", medications=[ibuprofen])
    signed = _signed(clinic, episode, payload)
    with clinic.client(Role.PHYSICIAN) as client:
        bundle = export(client, episode["id"])
    assert_valid(bundle, r4_schema)
    [planned] = signed["plan"]["medications"]
    [statement] = resources(bundle, "MedicationStatement")
    assert planned["action"] == "hold"
    assert statement["status"] == "on-hold"
    assert statement["medicationCodeableConcept"] == {
        "coding": [{"system": RXNORM, "code": "310965", "display": "Ibuprofen 200 MG Oral Tablet"}],
        "text": "ibuprofen 200 mg",
    }
    assert statement["effectivePeriod"] == {
        "start": planned["last_dose_at"],
        "end": planned["restart_at"],
    }
    assert statement["note"][0]["text"].startswith(
        "Hold table row: ASRA 2018, high-risk pain procedures, NSAIDs: ibuprofen (rule "
        "asra-2018/ibuprofen, edition asra-2018"
    )


def test_a_draft_nobody_signed_exports_no_medicine(
    clinic: ClinicUsers, r4_schema: R4Schema, start: datetime
) -> None:
    episode = new_episode(clinic)
    with clinic.client(Role.COORDINATOR) as coordinator:
        draft = _save(coordinator, episode, episode_payload(start, medications=SIR_MEDICINES))
        bundle = export(coordinator, episode["id"])
    assert draft["status"] == "draft"
    assert_valid(bundle, r4_schema)
    assert resources(bundle, "MedicationStatement") == []


def test_a_plan_changed_after_signing_exports_what_was_signed_with_a_review_note(
    clinic: ClinicUsers, r4_schema: R4Schema, start: datetime
) -> None:
    episode = new_episode(clinic)
    signed = _signed(clinic, episode, episode_payload(start, medications=SIR_MEDICINES[:1]))
    with clinic.client(Role.COORDINATOR) as coordinator:
        before = export(coordinator, episode["id"])
        changed = _save(
            coordinator,
            episode,
            {**episode_payload(start, medications=SIR_MEDICINES[:2]), "version": signed["version"]},
        )
        after = export(coordinator, episode["id"])
    assert changed["status"] == "needs_review"
    assert_valid(after, r4_schema)
    [was_signed] = resources(before, "MedicationStatement")
    [exported] = resources(after, "MedicationStatement")  # the new medicine is not signed
    assert exported["id"] == was_signed["id"]
    assert exported["effectivePeriod"] == was_signed["effectivePeriod"]
    assert exported["note"][-1] == {
        "text": f"The plan {changed['review_reason']}; the new version waits for a "
        "physician's signature."
    }
    assert exported["note"][:-1] == was_signed["note"]
