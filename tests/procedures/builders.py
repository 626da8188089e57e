"""Builders for procedure-day tests: an episode on the day, a plan, a time-out, a record, a
patient in recovery. Valid payloads that tests change one field at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.api.helpers import create_patient, move, open_episode

ROAD_TO_PREPARED = ("consultation", "decision", "scheduled", "prepared")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def minutes_ago(minutes: float) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)


def prepared_episode(
    client: httpx.Client, levels: tuple[str, ...] = ("L1",), **patient: Any
) -> dict[str, Any]:
    """A patient with an episode at Prepared, with a fracture at each level."""
    created = create_patient(client, **patient)
    episode = open_episode(
        client,
        created["id"],
        fractures=[{"level": level, "etiology": "osteoporotic"} for level in levels],
    )
    for stage in ROAD_TO_PREPARED:
        episode = move(client, episode, stage)
    return episode


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
    **patient: Any,
) -> dict[str, Any]:
    """An episode at Procedure with a plan, a matching time-out, baseline vitals and a record."""
    episode = prepared_episode(client, levels, **patient)
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
