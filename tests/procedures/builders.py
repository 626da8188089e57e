"""Builders for procedure-day tests: an episode on the day, a plan, a time-out, a record, a
patient in recovery, a patient discharged. Valid payloads that tests change one field at a time.

Episodes reach each stage through its gate, with the record the gate asks for made over HTTP:
the physician's decision before Scheduled, a signed preparation plan before Prepared, the
time-out before Procedure, the procedure record before Recovery, a discharge with every
readiness criterion met before Discharged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from spinepath.accounts.roles import Role
from tests.api.helpers import colleague, create_patient, move, open_episode

ALDRETE_10 = {"activity": 2, "respiration": 2, "consciousness": 2, "oxygen_saturation": 2}
PADSS_10 = {"ambulation": 2, "nausea_vomiting": 2, "pain": 2, "surgical_bleeding": 2}
CHECKLIST_DONE = {
    "escort_confirmed": True,
    "escort_name": "Daughter, Ada",
    "pain_relief_given": True,
    "antibiotics_prescribed": True,
    "antibiotics_given": True,
    "instructions_given": True,
    "follow_up_booked": True,
    "follow_up_note": "Clinic in 2 weeks",
}
DECIDE_TO_PROCEED = {
    "decision": "proceed_to_vertebral_augmentation",
    "procedure": "vertebroplasty",
    "rationale": "Painful acute fracture with oedema on MRI despite medicines.",
}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def minutes_ago(minutes: float) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)


def record_decision(
    client: httpx.Client, episode_id: str, decision: dict[str, Any] = DECIDE_TO_PROCEED
) -> dict[str, Any]:
    """An assessment of the episode's facts and the physician's decision on it."""
    with colleague(client, Role.PHYSICIAN) as physician:
        assessment = physician.post(f"/api/v1/episodes/{episode_id}/assessments")
        assert assessment.status_code == 201, assessment.text
        answer = physician.post(
            f"/api/v1/assessments/{assessment.json()['id']}/decision", json=decision
        )
        assert answer.status_code == 201, answer.text
        return dict(answer.json())


def sign_preparation(client: httpx.Client, episode_id: str) -> dict[str, Any]:
    """A preparation plan (one medicine with no hold) saved and signed by the physician."""
    start = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    plan = {
        "procedure_start": start.isoformat(),
        "arrival_at": (start - timedelta(minutes=90)).isoformat(),
        "edition": "sir-2019",
        "creatinine_clearance_ml_min": 70,
        "medications": [
            {"name": "Lipitor 20 mg", "frequency": "once daily", "dose_times": ["21:00"]}
        ],
        "labs": {"inr": 1.0, "platelets_10e9_per_l": 230, "hemoglobin_g_dl": 13.1},
    }
    with colleague(client, Role.PHYSICIAN) as physician:
        saved = physician.post(f"/api/v1/episodes/{episode_id}/preparation", json=plan)
        assert saved.status_code in (200, 201), saved.text
        signed = physician.post(
            f"/api/v1/episodes/{episode_id}/preparation/sign",
            json={"version": saved.json()["version"], "note": "Reviewed"},
        )
        assert signed.status_code == 200, signed.text
        return dict(signed.json())


def walk_to_prepared(client: httpx.Client, episode: dict[str, Any]) -> dict[str, Any]:
    """Consultation, decision (recorded), Scheduled, a signed plan, Prepared."""
    for stage in ("consultation", "decision"):
        episode = move(client, episode, stage)
    record_decision(client, episode["id"])
    episode = move(client, episode, "scheduled")
    sign_preparation(client, episode["id"])
    return move(client, episode, "prepared")


def prepared_episode(
    client: httpx.Client,
    levels: tuple[str, ...] = ("L1",),
    *,
    fractures: list[dict[str, Any]] | None = None,
    **patient: Any,
) -> dict[str, Any]:
    """A patient with an episode at Prepared, with a fracture at each level."""
    created = create_patient(client, **patient)
    episode = open_episode(
        client,
        created["id"],
        fractures=fractures or [{"level": level, "etiology": "osteoporotic"} for level in levels],
    )
    return walk_to_prepared(client, episode)


def save_plan(
    client: httpx.Client,
    episode_id: str,
    levels: list[str],
    technique: str = "vertebroplasty",
) -> dict[str, Any]:
    answer = client.put(
        f"/api/v1/episodes/{episode_id}/procedure-plan",
        json={"technique": technique, "levels": levels},
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def time_out_payload(levels: list[str], **changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "levels_to_treat": levels,
        "identity_confirmed": True,
        "procedure_confirmed": True,
        "consent_confirmed": True,
        "labs_reviewed": True,
        "allergies": "None known",
        "team": "Dr Osler (operator), RN Nightingale, RT Curie",
        "performed_at": iso(minutes_ago(150)),
    }
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not ...}


def level_payload(level: str, technique: str = "vertebroplasty", **changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "level": level,
        "technique": technique,
        "approach": "bipedicular",
        "needle": "11 G bone access needle",
        "balloon": "15 mm inflatable bone tamp" if technique == "kyphoplasty" else None,
        "cement_type": "pmma",
        "cement_volume_ml": 4.5,
        "leakage": [],
    }
    payload.update(changes)
    return payload


def record_payload(
    levels: list[dict[str, Any]], *, ended_minutes_ago: float = 90, **changes: Any
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "levels": levels,
        "started_at": iso(minutes_ago(ended_minutes_ago + 40)),
        "ended_at": iso(minutes_ago(ended_minutes_ago)),
        "sedation": "moderate",
        "fluoroscopy_time_min": 3.2,
        "air_kerma_mgy": 110.0,
        "dose_area_product_gy_cm2": 14.5,
        "complications": [],
        "notes": None,
    }
    payload.update(changes)
    return payload


def vitals(**changes: Any) -> dict[str, Any]:
    """A normal set of vital signs (NEWS2 0)."""
    payload: dict[str, Any] = {
        "respiratory_rate": 16,
        "spo2_percent": 97,
        "on_oxygen": False,
        "systolic_bp_mmhg": 130,
        "diastolic_bp_mmhg": 78,
        "pulse_per_min": 72,
        "consciousness": "A",
        "temperature_c": 36.8,
    }
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not ...}


def record_vitals(
    client: httpx.Client, episode_id: str, kind: str = "recovery", **changes: Any
) -> dict[str, Any]:
    answer = client.post(
        f"/api/v1/episodes/{episode_id}/observations", json={"kind": kind, **vitals(**changes)}
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def procedure_done(
    client: httpx.Client,
    levels: tuple[str, ...] = ("L1",),
    *,
    technique: str = "vertebroplasty",
    ended_minutes_ago: float = 90,
    sedation: str = "moderate",
    baseline: dict[str, Any] | None = None,
    episode: dict[str, Any] | None = None,
    **patient: Any,
) -> dict[str, Any]:
    """An episode at Procedure with a plan, a matching time-out, baseline vitals and a record
    (a new patient's, or ``episode`` walked on from where it is)."""
    if episode is None:
        episode = prepared_episode(client, levels, **patient)
    else:
        episode = walk_to_prepared(client, episode)
    levels = tuple(f["level"] for f in episode["fractures"])
    save_plan(client, episode["id"], list(levels), technique)
    before = iso(minutes_ago(ended_minutes_ago + 120))
    record_vitals(client, episode["id"], "baseline", observed_at=before, **(baseline or {}))
    answer = client.post(
        f"/api/v1/episodes/{episode['id']}/time-outs", json=time_out_payload(list(levels))
    )
    assert answer.status_code == 201, answer.text
    answer = client.post(
        f"/api/v1/episodes/{episode['id']}/procedure-record",
        json=record_payload(
            [level_payload(level, technique) for level in levels],
            ended_minutes_ago=ended_minutes_ago,
            sedation=sedation,
        ),
    )
    assert answer.status_code == 201, answer.text
    return {"episode": episode, "record": answer.json()}


def in_recovery(client: httpx.Client, **options: Any) -> dict[str, Any]:
    """A patient received in recovery; returns the recovery view."""
    done = procedure_done(client, **options)
    answer = client.post(f"/api/v1/episodes/{done['episode']['id']}/recovery")
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def ready_for_discharge(client: httpx.Client, **options: Any) -> str:
    """A patient in recovery with every discharge criterion met; returns the episode id."""
    episode_id = str(in_recovery(client, **options)["episode_id"])
    record_vitals(client, episode_id)
    recovery = f"/api/v1/episodes/{episode_id}/recovery"
    assert client.post(f"{recovery}/aldrete", json=ALDRETE_10).status_code == 201
    assert client.post(f"{recovery}/padss", json=PADSS_10).status_code == 201
    version = client.get(recovery).json()["stay"]["version"]
    answer = client.patch(recovery, json={**CHECKLIST_DONE, "version": version})
    assert answer.status_code == 200, answer.text
    return episode_id


def discharged_episode(client: httpx.Client, **options: Any) -> dict[str, Any]:
    """A patient (or ``episode=``) walked through the procedure day and discharged from
    recovery."""
    episode_id = ready_for_discharge(client, **options)
    recovery = f"/api/v1/episodes/{episode_id}/recovery"
    version = client.get(recovery).json()["stay"]["version"]
    answer = client.post(f"{recovery}/discharge", json={"version": version})
    assert answer.status_code == 200, answer.text
    episode = client.get(f"/api/v1/episodes/{episode_id}")
    assert episode.json()["stage"] == "discharged", episode.text
    return dict(episode.json())
