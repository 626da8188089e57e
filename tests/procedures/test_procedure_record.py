"""The procedure record over HTTP: per-level details, derived codes, named errors, versions."""

from __future__ import annotations

from typing import Any

import pytest

from spinepath.accounts.roles import Role
from tests.api.helpers import error_fields
from tests.procedures.builders import (
    level_payload,
    prepared_episode,
    record_payload,
    save_plan,
    time_out_payload,
)
from tests.support import ClinicUsers


def _after_time_out(client: Any, levels: list[str], technique: str = "vertebroplasty") -> str:
    episode = prepared_episode(client, tuple(levels))
    save_plan(client, episode["id"], levels, technique)
    answer = client.post(
        f"/api/v1/episodes/{episode['id']}/time-outs", json=time_out_payload(levels)
    )
    assert answer.status_code == 201, answer.text
    return str(episode["id"])


def _record(client: Any, episode_id: str, payload: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/episodes/{episode_id}/procedure-record", json=payload)


@pytest.mark.parametrize(
    ("technique", "levels", "codes"),
    [
        ("vertebroplasty", ["T8"], ["22510"]),
        ("vertebroplasty", ["L1"], ["22511"]),
        ("vertebroplasty", ["L1", "L2", "L3"], ["22511", "22512", "22512"]),
        ("kyphoplasty", ["T11"], ["22513"]),
        ("kyphoplasty", ["L2"], ["22514"]),
        ("kyphoplasty", ["T11", "T12"], ["22513", "22515"]),
    ],
)
def test_codes_are_derived_from_the_recorded_levels(
    clinic: ClinicUsers, technique: str, levels: list[str], codes: list[str]
) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode_id = _after_time_out(client, levels, technique)
        answer = _record(
            client,
            episode_id,
            record_payload([level_payload(level, technique) for level in levels]),
        )
        fetched = client.get(f"/api/v1/episodes/{episode_id}/procedure-record")
    assert answer.status_code == 201, answer.text
    assert answer.json()["cpt"]["codes"] == codes
    assert fetched.json()["cpt"]["codes"] == codes
    assert fetched.headers["ETag"] == '"v1"'


def test_the_record_keeps_every_detail_per_level_and_completes_its_task(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode_id = _after_time_out(client, ["T12", "L1"], "kyphoplasty")
        payload = record_payload(
            [
                level_payload(
                    "T12",
                    "kyphoplasty",
                    approach="unipedicular",
                    cement_volume_ml=3.5,
                    leakage=["disc", "venous"],
                ),
                level_payload("L1", "kyphoplasty", approach="extrapedicular"),
            ],
            sedation="general",
            complications=["fever", "other"],
            complication_details="Transient hypotension",
        )
        answer = _record(client, episode_id, payload)
        tasks = client.get(f"/api/v1/episodes/{episode_id}").json()["tasks"]
    assert answer.status_code == 201, answer.text
    body = answer.json()
    t12, l1 = body["levels"]
    assert (t12["level"], t12["approach"], t12["leakage"]) == (
        "T12",
        "unipedicular",
        ["disc", "venous"],
    )
    assert t12["balloon"] == "15 mm inflatable bone tamp"
    assert (l1["approach"], l1["leakage"]) == ("extrapedicular", [])
    assert body["total_cement_ml"] == 8.0
    assert body["duration_min"] == 40
    assert (body["sedation"], body["fluoroscopy_time_min"]) == ("general", 3.2)
    assert body["complications"] == ["fever", "other"]
    assert body["cpt"]["lines"][0]["alternatives"] == ["22513", "22514"]
    assert body["cpt"]["codes"] == ["22515"]
    assert body["cpt"]["review"] == [
        {
            "levels": ["T12", "L1"],
            "technique": "kyphoplasty",
            "reason": body["cpt"]["review"][0]["reason"],
        }
    ]
    done = {t["code"]: t["status"] for t in tasks}
    assert done["complete_procedure_record"] == "done"


def test_every_invalid_field_is_named_and_nothing_is_saved(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode_id = _after_time_out(client, ["T12", "L1"], "kyphoplasty")
        payload = record_payload(
            [
                level_payload("T12", "kyphoplasty", balloon=None, cement_volume_ml=0),
                level_payload("L1", "vertebroplasty", balloon="10 mm", leakage=["lungs"]),
            ],
            complications=["other"],
            sedation="hypnosis",
        )
        payload["ended_at"], payload["started_at"] = payload["started_at"], payload["ended_at"]
        structural = _record(client, episode_id, payload)
        payload = record_payload(
            [
                level_payload("T12", "kyphoplasty", balloon=None),
                level_payload("L1", "vertebroplasty", balloon="10 mm"),
            ],
            complications=["other"],
        )
        payload["ended_at"], payload["started_at"] = payload["started_at"], payload["ended_at"]
        cross_field = _record(client, episode_id, payload)
        missing = client.get(f"/api/v1/episodes/{episode_id}/procedure-record")
    assert structural.status_code == 422
    assert error_fields(structural) == {
        "levels.0.cement_volume_ml",
        "levels.1.leakage.0",
        "sedation",
    }
    assert cross_field.status_code == 422
    assert error_fields(cross_field) == {
        "ended_at",
        "complication_details",
        "levels.0.balloon",
        "levels.1.balloon",
    }
    assert missing.status_code == 404


def test_a_level_not_confirmed_at_the_time_out_is_refused(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode_id = _after_time_out(client, ["L1"])
        answer = _record(
            client, episode_id, record_payload([level_payload("L1"), level_payload("L2")])
        )
    assert answer.status_code == 422
    assert error_fields(answer) == {"levels.1.level"}
    assert "L2 was not confirmed at the time-out (L1)" in answer.json()["errors"][0]["message"]


def test_the_procedure_cannot_be_recorded_before_a_time_out(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode = prepared_episode(client)
        answer = _record(client, episode["id"], record_payload([level_payload("L1")]))
    assert answer.status_code == 409


def test_the_procedure_cannot_start_before_the_time_out_or_end_in_the_future(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode_id = _after_time_out(client, ["L1"])
        answer = _record(
            client,
            episode_id,
            record_payload([level_payload("L1")], ended_minutes_ago=-30),
        )
        early = record_payload([level_payload("L1")], ended_minutes_ago=200)
        too_early = _record(client, episode_id, early)
    assert answer.status_code == 422
    assert error_fields(answer) == {"ended_at"}
    assert too_early.status_code == 422
    assert error_fields(too_early) == {"started_at"}


def test_a_second_physician_saving_an_old_version_is_told_it_changed(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.PHYSICIAN) as first:
        episode_id = _after_time_out(first, ["L1"])
        created = _record(first, episode_id, record_payload([level_payload("L1")]))
        assert created.status_code == 201
    with clinic.client(Role.NURSE) as second:
        seen = second.get(f"/api/v1/episodes/{episode_id}/procedure-record").json()
    with clinic.client(Role.PHYSICIAN) as first:
        update = record_payload(
            [level_payload("L1", cement_volume_ml=5.5)], version=seen["version"]
        )
        saved = first.put(f"/api/v1/episodes/{episode_id}/procedure-record", json=update)
    with clinic.client(Role.NURSE) as second:
        stale = record_payload(
            [level_payload("L1", leakage=["paravertebral"])], version=seen["version"]
        )
        refused = second.put(f"/api/v1/episodes/{episode_id}/procedure-record", json=stale)
        refused_header = second.put(
            f"/api/v1/episodes/{episode_id}/procedure-record",
            json={**stale, "version": None},
            headers={"If-Match": f'"v{seen["version"]}"'},
        )
        unversioned = second.put(
            f"/api/v1/episodes/{episode_id}/procedure-record", json={**stale, "version": None}
        )
        after = second.get(f"/api/v1/episodes/{episode_id}/procedure-record").json()
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == seen["version"] + 1
    assert refused.status_code == 409
    assert "changed since you loaded it" in refused.json()["detail"]
    assert refused_header.status_code == 412
    assert unversioned.status_code == 428
    assert after["levels"][0]["cement_volume_ml"] == 5.5
    assert after["levels"][0]["leakage"] == []


def test_a_changed_level_alone_makes_a_new_version(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode_id = _after_time_out(client, ["L1"])
        payload = record_payload([level_payload("L1")])
        created = _record(client, episode_id, payload).json()
        again = client.put(
            f"/api/v1/episodes/{episode_id}/procedure-record",
            json={
                **payload,
                "levels": [level_payload("L1", leakage=["epidural"])],
                "version": created["version"],
            },
        )
        twice = _record(client, episode_id, payload)
    assert again.status_code == 200
    assert again.json()["version"] == created["version"] + 1
    assert again.json()["levels"][0]["leakage"] == ["epidural"]
    assert twice.status_code == 409
