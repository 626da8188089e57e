"""The procedure day in the episode export: one Procedure per treated vertebra with its CPT code
and SNOMED CT body site, the vital-signs panels with NEWS2, and the Aldrete and PADSS scores;
references inside the bundle resolve and ids are stable."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from spinepath.accounts.roles import Role
from tests.fhir.conftest import R4Schema
from tests.fhir.test_export import assert_valid, export, resources
from tests.procedures.builders import (
    in_recovery,
    iso,
    level_payload,
    minutes_ago,
    prepared_episode,
    procedure_done,
    record_payload,
    record_vitals,
    save_plan,
    time_out_payload,
)
from tests.support import ClinicUsers

CPT = "http://www.ama-assn.org/go/cpt"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
TEAM = "Dr Osler (operator), RN Nightingale, RT Curie"
ALDRETE_ENTERED = {"activity": 2, "respiration": 2, "consciousness": 1, "oxygen_saturation": 2}
PADSS_ENTERED = {"ambulation": 1, "nausea_vomiting": 2, "pain": 2, "surgical_bleeding": 2}


# ---- helpers -----------------------------------------------------------------------------------
def _treated(
    client: Any,
    fracture_levels: list[str],
    levels: list[dict[str, Any]],
    **record_changes: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An episode with fractures at ``fracture_levels`` and a record of the ``levels`` given."""
    episode = prepared_episode(client, tuple(fracture_levels))
    treated = [level["level"] for level in levels]
    save_plan(client, episode["id"], treated)
    record_vitals(client, episode["id"], "baseline", observed_at=iso(minutes_ago(210)))
    answer = client.post(
        f"/api/v1/episodes/{episode['id']}/time-outs", json=time_out_payload(treated)
    )
    assert answer.status_code == 201, answer.text
    answer = client.post(
        f"/api/v1/episodes/{episode['id']}/procedure-record",
        json=record_payload(levels, **record_changes),
    )
    assert answer.status_code == 201, answer.text
    return episode, dict(answer.json())


def _by_level(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["bodySite"][0]["text"].split()[0]: p for p in resources(bundle, "Procedure")}


def _codings(concept: dict[str, Any]) -> list[tuple[str, str]]:
    return [(coding["system"], coding["code"]) for coding in concept.get("coding", [])]


def _second(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).replace(microsecond=0)


def _references(value: Any) -> list[str]:
    """Every Reference.reference anywhere in a resource."""
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [ref for item in value.values() for ref in _references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _references(item)]
    return []


def _assert_references_resolve(bundle: dict[str, Any], exported: list[dict[str, Any]]) -> None:
    """Every reference of the ``exported`` resources is a urn:uuid entry of the bundle."""
    full_urls = {entry["fullUrl"] for entry in bundle["entry"]}
    references = _references(exported)
    assert references
    assert {ref for ref in references if ref not in full_urls} == set()
    assert all(ref.startswith("urn:uuid:") for ref in references)


def _patient_url(bundle: dict[str, Any]) -> str:
    [patient] = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    return str(patient["fullUrl"])


def _observations_by_code(bundle: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [
        o
        for o in resources(bundle, "Observation")
        if code in [c["code"] for c in o["code"].get("coding", [])]
    ]


# ---- Procedures --------------------------------------------------------------------------------
def test_each_treated_level_is_one_procedure_with_its_cpt_code_vertebra_and_fracture(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    levels = [
        level_payload("T12", "kyphoplasty"),
        level_payload("L1", leakage=["disc", "venous"], cement_volume_ml=3.0),
        level_payload("S1", approach="unipedicular", needle=None),
    ]
    with clinic.client(Role.PHYSICIAN) as client:
        episode, record = _treated(
            client,
            ["T12", "L1"],
            levels,
            complications=["fever", "other"],
            complication_details="Transient hypotension",
            notes="Uneventful; patient comfortable.",
        )
        bundle = export(client, episode["id"])
    assert_valid(bundle, r4_schema)
    _assert_references_resolve(bundle, resources(bundle, "Procedure"))
    assert record["cpt"]["codes"] == ["22511", "22512", "22513"]
    record_code_by_level = {
        level: line["code"] for line in record["cpt"]["lines"] for level in line["levels"]
    }
    procedures = _by_level(bundle)
    assert {level: _codings(p["code"]) for level, p in procedures.items()} == {
        "T12": [(CPT, "22513")],  # augmentation, thoracic: primary
        "L1": [(CPT, "22511")],  # vertebroplasty, lumbosacral: primary
        "S1": [(CPT, "22512")],  # vertebroplasty: add-on for the further level
    }
    assert {level: _codings(p["code"])[0][1] for level, p in procedures.items()} == (
        record_code_by_level
    )
    assert {level: p["code"]["text"] for level, p in procedures.items()} == {
        "T12": "Vertebral augmentation (kyphoplasty), T12",
        "L1": "Vertebroplasty, L1",
        "S1": "Vertebroplasty, S1",
    }
    assert {level: p["bodySite"] for level, p in procedures.items()} == {
        "T12": [
            {
                "coding": [{"system": SNOMED, "code": "23215003", "display": "T12 vertebra"}],
                "text": "T12 vertebra",
            }
        ],
        "L1": [
            {
                "coding": [{"system": SNOMED, "code": "66794005", "display": "L1 vertebra"}],
                "text": "L1 vertebra",
            }
        ],
        "S1": [{"text": "S1 vertebra"}],  # CID 7603 has no sacral segments: text only
    }
    fracture_url = {f["level"]: f"urn:uuid:{f['id']}" for f in episode["fractures"]}
    assert {level: p.get("reasonReference") for level, p in procedures.items()} == {
        "T12": [{"reference": fracture_url["T12"]}],
        "L1": [{"reference": fracture_url["L1"]}],
        "S1": None,  # no fracture recorded at S1
    }
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    assert by_url[fracture_url["L1"]]["resourceType"] == "Condition"
    assert by_url[fracture_url["L1"]]["bodySite"][0]["text"] == "L1 vertebra"
    l1 = procedures["L1"]
    assert l1["status"] == "completed"
    assert l1["subject"] == {"reference": _patient_url(bundle)}
    assert _second(l1["performedPeriod"]["start"]) == _second(record["started_at"])
    assert _second(l1["performedPeriod"]["end"]) == _second(record["ended_at"])
    assert l1["performer"] == [{"actor": {"display": TEAM}}]
    assert l1["recorder"] == {"display": f"Physician of {clinic.slug}"}
    assert l1["complication"] == [{"text": "Fever"}, {"text": "Other: Transient hypotension"}]
    assert [n["text"] for n in l1["note"]] == [
        "Bipedicular approach; needle 11 G bone access needle.",
        "Cement: PMMA (polymethylmethacrylate), 3 mL.",
        "Cement leakage: Disc, Venous or pulmonary.",
        "Uneventful; patient comfortable.",
    ]
    assert [n["text"] for n in procedures["T12"]["note"]][:3] == [
        "Bipedicular approach; needle 11 G bone access needle; balloon 15 mm inflatable bone tamp.",
        "Cement: PMMA (polymethylmethacrylate), 4.5 mL.",
        "Cement leakage: none.",
    ]
    assert procedures["S1"]["note"][0]["text"] == "Unipedicular approach."


@pytest.mark.parametrize(
    ("technique", "levels", "coded_sites"),
    [
        # One technique in two regions: which level is the primary is the coder's choice.
        ("vertebroplasty", ("T12", "L1"), {"T12": "23215003", "L1": "66794005"}),
        # Sacral augmentation has no code in 22513-22515.
        ("kyphoplasty", ("S1",), {"S1": None}),
    ],
)
def test_a_level_whose_code_the_record_left_to_the_coder_is_exported_without_a_cpt_code(
    clinic: ClinicUsers,
    r4_schema: R4Schema,
    technique: str,
    levels: tuple[str, ...],
    coded_sites: dict[str, str | None],
) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        done = procedure_done(client, levels, technique=technique)
        bundle = export(client, done["episode"]["id"])
    assert_valid(bundle, r4_schema)
    cpt = done["record"]["cpt"]
    assert cpt["complete"] is False
    [review] = cpt["review"]
    procedures = _by_level(bundle)
    assert sorted(procedures) == sorted(levels)
    for level, procedure in procedures.items():
        assert "coding" not in procedure["code"]
        assert procedure["code"]["text"].endswith(f", {level}")
        notes = [note["text"] for note in procedure["note"]]
        assert f"CPT code not determined: {review['reason']}." in notes
        site = procedure["bodySite"][0]
        expected_code = coded_sites[level]
        assert _codings(site) == ([(SNOMED, expected_code)] if expected_code else [])


def test_an_edited_record_keeps_its_procedure_ids(clinic: ClinicUsers, r4_schema: R4Schema) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        done = procedure_done(client, ("L1", "L2"))
        episode_id = done["episode"]["id"]
        before = export(client, episode_id)
        record = done["record"]
        payload = record_payload(
            [level_payload("L1"), level_payload("L2", cement_volume_ml=2.5)],
            started_at=record["started_at"],
            ended_at=record["ended_at"],
            version=record["version"],
        )
        answer = client.put(f"/api/v1/episodes/{episode_id}/procedure-record", json=payload)
        assert answer.status_code == 200, answer.text
        after = export(client, episode_id)
    assert_valid(after, r4_schema)
    assert {lv: p["id"] for lv, p in _by_level(before).items()} == {
        lv: p["id"] for lv, p in _by_level(after).items()
    }
    assert _by_level(before)["L2"]["note"][1]["text"] == (
        "Cement: PMMA (polymethylmethacrylate), 4.5 mL."
    )
    assert _by_level(after)["L2"]["note"][1]["text"] == (
        "Cement: PMMA (polymethylmethacrylate), 2.5 mL."
    )
    assert {lv: _codings(p["code"]) for lv, p in _by_level(after).items()} == {
        "L1": [(CPT, "22511")],
        "L2": [(CPT, "22512")],
    }


def test_an_episode_without_a_procedure_exports_no_procedure(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = prepared_episode(client, ("L1",))
        baseline = record_vitals(client, episode["id"], "baseline")
        bundle = export(client, episode["id"])
    assert_valid(bundle, r4_schema)
    assert resources(bundle, "Procedure") == []
    [panel] = _observations_by_code(bundle, "85353-1")
    assert panel["id"] == baseline["id"]
    _assert_references_resolve(bundle, [panel])


# ---- Vital signs and NEWS2 ---------------------------------------------------------------------
def test_vital_signs_and_news2_are_exported_with_references_inside_the_bundle(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        recovery = record_vitals(client, episode_id, respiratory_rate=22, diastolic_bp_mmhg=...)
        sets = client.get(f"/api/v1/episodes/{episode_id}/observations").json()
        bundle = export(client, episode_id)
    assert_valid(bundle, r4_schema)
    [baseline] = [s for s in sets if s["kind"] == "baseline"]
    reported_news2 = {s["id"]: s["news2"]["total"] for s in sets}
    assert reported_news2 == {baseline["id"]: 0, recovery["id"]: 2}
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    panels = {p["id"]: p for p in _observations_by_code(bundle, "85353-1")}
    assert sorted(panels) == sorted([baseline["id"], recovery["id"]])
    patient_url = _patient_url(bundle)
    for set_out in (baseline, recovery):
        panel = panels[set_out["id"]]
        assert panel["category"][0]["coding"][0]["code"] == "vital-signs"
        assert _second(panel["effectiveDateTime"]) == _second(set_out["observed_at"])
        _assert_references_resolve(bundle, [panel])
        members = [by_url[m["reference"]] for m in panel["hasMember"]]
        _assert_references_resolve(bundle, members)
        assert {m["subject"]["reference"] for m in [panel, *members]} == {patient_url}
        assert {m["effectiveDateTime"] for m in members} == {panel["effectiveDateTime"]}
        assert [_codings(m["code"])[0] for m in members] == [
            (LOINC, "9279-1"),
            (LOINC, "2708-6"),
            (LOINC, "8867-4"),
            (LOINC, "8310-5"),
            (LOINC, "85354-9"),
        ]
        [news2] = [
            o
            for o in _observations_by_code(bundle, "1104051000000101")
            if o["derivedFrom"] == panel["hasMember"]
        ]
        _assert_references_resolve(bundle, [news2])
        assert _codings(news2["code"]) == [(SNOMED, "1104051000000101")]
        assert news2["valueQuantity"]["value"] == reported_news2[set_out["id"]]
        assert news2["category"][0]["coding"][0]["code"] == "survey"
    pressures = {
        panel_id: by_url[panel["hasMember"][-1]["reference"]] for panel_id, panel in panels.items()
    }
    assert [
        (_codings(c["code"])[0][1], c["valueQuantity"]["value"], c["valueQuantity"]["code"])
        for c in pressures[baseline["id"]]["component"]
    ] == [("8480-6", 130, "mm[Hg]"), ("8462-4", 78, "mm[Hg]")]
    assert [_codings(c["code"])[0][1] for c in pressures[recovery["id"]]["component"]] == [
        "8480-6"
    ]  # this set was taken without a diastolic pressure
    rate = by_url[panels[recovery["id"]]["hasMember"][0]["reference"]]
    assert rate["valueQuantity"] == {
        "value": 22,
        "unit": "breaths/min",
        "system": "http://unitsofmeasure.org",
        "code": "/min",
    }
    assert rate["performer"] == [{"display": f"Nurse of {clinic.slug}"}]


def test_aldrete_and_padss_are_exported_by_name_with_their_items(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client)["episode_id"]
        recovery = record_vitals(client, episode_id)
        recovery_url = f"/api/v1/episodes/{episode_id}/recovery"
        aldrete = client.post(f"{recovery_url}/aldrete", json=ALDRETE_ENTERED)
        padss = client.post(f"{recovery_url}/padss", json=PADSS_ENTERED)
        assert (aldrete.status_code, padss.status_code) == (201, 201), aldrete.text + padss.text
        sets = client.get(f"/api/v1/episodes/{episode_id}/observations").json()
        bundle = export(client, episode_id)
    assert_valid(bundle, r4_schema)
    [baseline] = [s for s in sets if s["kind"] == "baseline"]
    by_id = {o["id"]: o for o in resources(bundle, "Observation")}
    exported_aldrete = by_id[aldrete.json()["id"]]
    exported_padss = by_id[padss.json()["id"]]
    _assert_references_resolve(bundle, [exported_aldrete, exported_padss])
    # No LOINC or SNOMED CT code for either score is checked in spinepath: named only.
    assert exported_aldrete["code"] == {"text": "Modified Aldrete score"}
    assert exported_padss["code"] == {
        "text": "Modified Post-Anaesthetic Discharge Scoring System (PADSS)"
    }
    assert exported_aldrete["valueInteger"] == aldrete.json()["total"] == 9
    assert exported_padss["valueInteger"] == padss.json()["total"] == 9
    assert [(c["code"]["text"], c["valueInteger"]) for c in exported_aldrete["component"]] == [
        ("Activity", 2),
        ("Respiration", 2),
        ("Circulation", 2),  # derived: the same normal vitals before and after
        ("Consciousness", 1),
        ("Oxygen saturation", 2),
    ]
    assert [(c["code"]["text"], c["valueInteger"]) for c in exported_padss["component"]] == [
        ("Vital signs", 2),
        ("Ambulation", 1),
        ("Nausea and vomiting", 2),
        ("Pain", 2),
        ("Surgical bleeding", 2),
    ]
    derived_from = [
        {"reference": f"urn:uuid:{baseline['id']}"},
        {"reference": f"urn:uuid:{recovery['id']}"},
    ]
    for score in (exported_aldrete, exported_padss):
        assert score["category"][0]["coding"][0]["code"] == "survey"
        assert score["subject"] == {"reference": _patient_url(bundle)}
        assert score["derivedFrom"] == derived_from
        assert score["performer"] == [{"display": f"Nurse of {clinic.slug}"}]
    assert exported_aldrete["note"] == [
        {"text": "Circulation derived from the baseline and recovery vital signs."}
    ]


# ---- Stable ids --------------------------------------------------------------------------------
def test_exporting_twice_gives_the_same_resource_ids(
    clinic: ClinicUsers, r4_schema: R4Schema
) -> None:
    with clinic.client(Role.NURSE) as client:
        episode_id = in_recovery(client, levels=("T12", "L1"))["episode_id"]
        record_vitals(client, episode_id)
        first = export(client, episode_id)
        second = export(client, episode_id)
    assert_valid(second, r4_schema)

    def ids(bundle: dict[str, Any]) -> list[tuple[str, str]]:
        # Each export adds its own AuditEvent; everything else must be the same.
        return [
            (e["resource"]["resourceType"], e["resource"]["id"])
            for e in bundle["entry"]
            if e["resource"]["resourceType"] != "AuditEvent"
        ]

    assert ids(first) == ids(second)
    assert [kind for kind, _ in ids(first)].count("Procedure") == 2
    assert len(_observations_by_code(first, "85353-1")) == 2  # baseline and recovery sets
    assert len(_observations_by_code(first, "1104051000000101")) == 2
    assert resources(first, "AuditEvent")[0]["id"] != resources(second, "AuditEvent")[0]["id"]
