"""An episode's stored plan over real HTTP, on SQLite and PostgreSQL: saved, signed, changed,
sent back to review; other clinics cannot see it; bad input is named and nothing is saved."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from spinepath.accounts.roles import Role
from spinepath.errors import Conflict
from spinepath.preparation import service
from tests.api.helpers import error_fields
from tests.preparation.builders import (
    decide_awaiting,
    episode_payload,
    new_episode,
    next_weekday_at,
)
from tests.support import ClinicUsers


def _url(episode: dict[str, Any], tail: str = "") -> str:
    return f"/api/v1/episodes/{episode['id']}/preparation{tail}"


def _save(client: httpx.Client, episode: dict[str, Any], payload: dict[str, Any]) -> httpx.Response:
    return client.post(_url(episode), json=payload)


def _sign(client: httpx.Client, episode: dict[str, Any], version: int) -> httpx.Response:
    return client.post(_url(episode, "/sign"), json={"version": version, "note": "Reviewed"})


@pytest.fixture
def start() -> datetime:
    return next_weekday_at(1, time(9, 0))


def test_a_coordinator_stores_the_inputs_and_the_plan_they_give(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode = new_episode(clinic)
    payload = episode_payload(start)
    with clinic.client(Role.COORDINATOR) as client:
        saved = _save(client, episode, payload)
        assert saved.status_code == 201, saved.text
        assert saved.headers["ETag"] == '"v1"'
        assert saved.headers["Location"] == _url(episode)
        body = saved.json()
        assert body["status"] == "draft"
        assert body["signatures"] == [] and body["outputs"] is None
        # The stored plan is the planner's plan for the same input in the clinic's zone.
        core = {k: v for k, v in payload.items() if k not in ("arrival_at", "follow_up_at")}
        stateless = client.post(
            "/api/v1/preparation/plan", json={**core, "time_zone": clinic.time_zone}
        ).json()
        assert body["plan"] == stateless
        assert body["inputs"]["arrival_at"] == payload["arrival_at"]
        assert body["inputs"]["time_zone"] == "America/Chicago"
        assert [m["name"] for m in body["inputs"]["medications"]] == [
            m["name"] for m in payload["medications"]
        ]
        read = client.get(_url(episode))
    assert read.status_code == 200
    assert read.json() == body
    actions = {m["input"]: m["action"] for m in body["plan"]["medications"]}
    assert actions == {
        "Eliquis 5 mg": "hold",
        "Plavix 75 mg": "hold",
        "Lipitor 20 mg": "continue",
        "Coumadin 5 mg": "hold",
    }
    warfarin = body["plan"]["medications"][3]
    assert warfarin["review_flags"] and warfarin["review_flags"][0].startswith("bridging")
    assert body["plan"]["needs_review"] is True and body["plan"]["awaiting_decision"] == []


def test_a_physician_signs_and_the_signature_keeps_what_was_signed(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode = new_episode(clinic)
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = _save(coordinator, episode, episode_payload(start)).json()
    with clinic.client(Role.PHYSICIAN) as physician:
        signed = _sign(physician, episode, saved["version"])
        assert signed.status_code == 200, signed.text
        body = signed.json()
        assert body["status"] == "signed"
        assert body["signed_by"] == f"Physician of {clinic.slug}"
        assert body["signatures"][0] | {"signed_at": None} == {
            "number": 1,
            "plan_version": saved["version"],
            "signed_at": None,
            "signed_by": f"Physician of {clinic.slug}",
            "note": "Reviewed",
        }
        assert body["outputs"]["pdf"] == _url(episode, "/plan.pdf")
        detail = physician.get(_url(episode, "/signatures/1")).json()
        assert detail["inputs"] == saved["inputs"]
        assert detail["plan"] == saved["plan"]
        again = _sign(physician, episode, body["version"])
    assert again.status_code == 409


def test_signing_with_if_match_needs_no_body_and_a_stale_one_is_refused(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode = new_episode(clinic)
    with clinic.client(Role.COORDINATOR) as coordinator:
        first = _save(coordinator, episode, episode_payload(start)).json()
        second = _save(
            coordinator, episode, {**episode_payload(start, edition="asra-2018"), "version": 1}
        ).json()
    with clinic.client(Role.PHYSICIAN) as physician:
        stale = physician.post(
            _url(episode, "/sign"), headers={"If-Match": f'"v{first["version"]}"'}
        )
        assert stale.status_code == 412
        unsaid = physician.post(_url(episode, "/sign"), json={})
        assert unsaid.status_code == 428
        decided = decide_awaiting(physician, episode, second)  # ASRA: DOACs not verified
        signed = physician.post(
            _url(episode, "/sign"), headers={"If-Match": f'"v{decided["version"]}"'}
        )
        assert signed.status_code == 200, signed.text
        assert signed.headers["ETag"] == f'"v{signed.json()["version"]}"'
        assert signed.json()["signatures"][0]["plan_version"] == decided["version"]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.NURSE, Role.QUALITY_LEAD])
def test_only_a_physician_can_sign(clinic: ClinicUsers, start: datetime, role: Role) -> None:
    episode = new_episode(clinic)
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = _save(coordinator, episode, episode_payload(start)).json()
    with clinic.client(role) as client:
        refused = _sign(client, episode, saved["version"])
        assert refused.status_code == 403
        assert client.get(_url(episode)).json()["status"] == "draft"


def test_changing_a_medicine_after_signing_sends_the_plan_back_to_review(
    clinic: ClinicUsers,
    start: datetime,
) -> None:
    episode = new_episode(clinic)
    payload = episode_payload(start)
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = _save(coordinator, episode, payload).json()
    with clinic.client(Role.PHYSICIAN) as physician:
        signed = _sign(physician, episode, saved["version"]).json()

    changed = episode_payload(start)
    changed["medications"][1]["dose_times"] = ["07:00"]  # Plavix now taken at 07:00
    changed["medications"].append(
        {"name": "Aspirin 81 mg", "frequency": "once daily", "dose_times": ["08:00"]}
    )
    with clinic.client(Role.COORDINATOR) as coordinator:
        answer = _save(coordinator, episode, {**changed, "version": signed["version"]})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["status"] == "needs_review"
        assert body["signed_at"] is None and body["outputs"] is None
        assert "changed Plavix 75 mg (dose_times)" in body["review_reason"]
        assert "added Aspirin 81 mg" in body["review_reason"]
        assert len(body["signatures"]) == 1  # the earlier signature is kept
        # The patient's copies wait for a new signature.
        assert coordinator.get(_url(episode, "/plan.pdf")).status_code == 409
        assert coordinator.get(_url(episode, "/plan.ics")).status_code == 409
    with clinic.client(Role.PHYSICIAN) as physician:
        body = decide_awaiting(physician, episode, body)  # aspirin under SIR: a decision
        resigned = _sign(physician, episode, body["version"]).json()
    assert resigned["status"] == "signed"
    assert [s["number"] for s in resigned["signatures"]] == [1, 2]
    assert resigned["review_reason"] is None


def test_changing_any_other_input_after_signing_also_needs_review(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode = new_episode(clinic)
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = _save(coordinator, episode, episode_payload(start)).json()
    with clinic.client(Role.PHYSICIAN) as physician:
        signed = _sign(physician, episode, saved["version"]).json()
    changed = episode_payload(start, labs={"inr": 1.6, "platelets_10e9_per_l": 210})
    with clinic.client(Role.COORDINATOR) as coordinator:
        body = _save(coordinator, episode, {**changed, "version": signed["version"]}).json()
    assert body["status"] == "needs_review"
    assert "labs (" in body["review_reason"] and "inr 1.1 → 1.6" in body["review_reason"]
    assert "hemoglobin_g_dl 12.9 → none" in body["review_reason"]


def test_saving_the_same_inputs_again_keeps_the_signature(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode = new_episode(clinic)
    payload = episode_payload(start)
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = _save(coordinator, episode, payload).json()
    with clinic.client(Role.PHYSICIAN) as physician:
        signed = _sign(physician, episode, saved["version"]).json()
    with clinic.client(Role.COORDINATOR) as coordinator:
        again = _save(coordinator, episode, {**payload, "version": signed["version"]})
    assert again.status_code == 200
    assert again.json()["status"] == "signed"
    assert again.json()["version"] == signed["version"]


def test_a_stale_or_missing_version_is_refused_and_changes_nothing(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode = new_episode(clinic)
    with clinic.client(Role.COORDINATOR) as client:
        first = _save(client, episode, episode_payload(start)).json()
        second = _save(
            client,
            episode,
            {**episode_payload(start, creatinine_clearance_ml_min=40), "version": 1},
        ).json()
        assert second["version"] == 2
        stale = _save(client, episode, {**episode_payload(start), "version": first["version"]})
        assert stale.status_code == 409
        by_header = client.post(
            _url(episode), json=episode_payload(start), headers={"If-Match": '"v1"'}
        )
        assert by_header.status_code == 412
        missing = _save(client, episode, episode_payload(start))
        assert missing.status_code == 428
        assert client.get(_url(episode)).json() == second


def test_invalid_input_names_every_field_and_saves_nothing(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode = new_episode(clinic)
    bad = episode_payload(
        start - timedelta(days=30),  # in the past
        time_zone="Europe/Paris",
        arrival_at="soon",
        follow_up_at=(start - timedelta(days=40)).isoformat(),
        creatinine_clearance_ml_min=-3,
        medications=[{"name": "Eliquis", "dose_times": ["08:00", "24:30"]}, {"name": " "}],
    )
    with clinic.client(Role.COORDINATOR) as client:
        answer = _save(client, episode, bad)
        assert answer.status_code == 422
        assert error_fields(answer) >= {
            "procedure_start",
            "time_zone",
            "arrival_at",
            "follow_up_at",
            "creatinine_clearance_ml_min",
            "medications.0.dose_times.1",
            "medications.1.name",
        }
        assert client.get(_url(episode)).status_code == 404  # nothing was saved

        saved = _save(client, episode, episode_payload(start)).json()
        late_arrival = episode_payload(start, arrival_at=(start + timedelta(hours=1)).isoformat())
        refused = _save(client, episode, {**late_arrival, "version": saved["version"]})
        assert refused.status_code == 422
        assert error_fields(refused) == {"arrival_at"}
        not_json = client.post(
            _url(episode), content=b"[1,", headers={"content-type": "application/json"}
        )
        assert not_json.status_code == 422 and error_fields(not_json) == {"(input)"}
        assert client.get(_url(episode)).json() == saved  # unchanged


def test_another_clinics_episode_is_not_found(
    clinic: ClinicUsers,
    other_clinic: ClinicUsers,
    start: datetime,
) -> None:
    episode = new_episode(clinic)
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = _save(coordinator, episode, episode_payload(start)).json()
    with other_clinic.client(Role.PHYSICIAN) as stranger:
        assert stranger.get(_url(episode)).status_code == 404
        assert _save(stranger, episode, episode_payload(start)).status_code == 404
        assert _sign(stranger, episode, saved["version"]).status_code == 404
        assert stranger.get(_url(episode, "/plan.pdf")).status_code == 404
        assert stranger.get(_url(episode, "/plan.ics")).status_code == 404
    with clinic.client(Role.COORDINATOR) as coordinator:
        assert coordinator.get(_url(episode)).json() == saved


def test_reads_writes_and_signatures_are_audited(clinic: ClinicUsers, start: datetime) -> None:
    episode = new_episode(clinic)
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = _save(coordinator, episode, episode_payload(start)).json()
        coordinator.get(_url(episode))
    with clinic.client(Role.PHYSICIAN) as physician:
        signed = _sign(physician, episode, saved["version"]).json()
        assert physician.get(_url(episode, "/plan.pdf")).status_code == 200
        assert physician.get(_url(episode, "/plan.ics")).status_code == 200
    with clinic.client(Role.ADMIN) as admin:
        events = admin.get(
            "/api/v1/audit-events", params={"patient_id": signed["patient_id"], "per_page": 500}
        ).json()["items"]
    mine = [e for e in events if e["entity_type"] == "preparation_plan"]
    seen = sorted((e["action"], (e["detail"] or {}).get("output", "")) for e in mine)
    assert seen == sorted(
        [("create", ""), ("read", ""), ("sign", ""), ("read", "pdf"), ("read", "ics")]
    )
    assert {e["actor_username"] for e in mine if e["action"] == "sign"} == {
        clinic.username(Role.PHYSICIAN)
    }


def test_an_ended_episode_keeps_its_plan_unchanged(clinic: ClinicUsers, start: datetime) -> None:
    episode = new_episode(clinic)
    with clinic.client(Role.COORDINATOR) as client:
        saved = _save(client, episode, episode_payload(start)).json()
        ended = client.post(
            f"/api/v1/episodes/{episode['id']}/transitions",
            json={"to_stage": "cancelled", "reason": "Moved away", "version": episode["version"]},
        )
        assert ended.status_code == 200
        answer = _save(client, episode, {**episode_payload(start), "version": saved["version"]})
        assert answer.status_code == 409
        assert client.get(_url(episode)).json() == saved


def test_a_signature_row_cannot_be_changed_in_the_database(
    clinic: ClinicUsers, start: datetime
) -> None:
    episode = new_episode(clinic)
    with clinic.client(Role.COORDINATOR) as coordinator:
        saved = _save(coordinator, episode, episode_payload(start)).json()
    with clinic.client(Role.PHYSICIAN) as physician:
        assert _sign(physician, episode, saved["version"]).status_code == 200
    with clinic.server.session_factory() as session:
        with pytest.raises(DBAPIError, match="cannot be changed"):
            session.execute(text("UPDATE preparation_signatures SET note = 'edited'"))
            session.flush()
        session.rollback()


def test_a_plan_whose_stop_time_has_passed_cannot_be_signed_until_saved_again(
    clinic: ClinicUsers,
    start: datetime,
) -> None:
    """Through the service with an explicit clock: the plan was computed a week ago, and the
    Eliquis stop time has passed since; signing is refused, saving again sends it to review."""
    episode = new_episode(clinic)
    computed_at = start - timedelta(days=7)
    now = start - timedelta(hours=12)
    coordinator, physician = clinic.actor(Role.COORDINATOR), clinic.actor(Role.PHYSICIAN)
    episode_id = uuid.UUID(episode["id"])
    with clinic.server.session_factory() as session, session.begin():
        record, _ = service.save_preparation(
            session, coordinator, episode_id, episode_payload(start), now=computed_at
        )
        version = record.version
    with (
        clinic.server.session_factory() as session,
        session.begin(),
        pytest.raises(Conflict, match="differently when computed now"),
    ):
        service.sign_preparation(
            session,
            physician,
            episode_id,
            expected_version=version,
            via_if_match=False,
            now=now,
        )
    with clinic.server.session_factory() as session, session.begin():
        record, _ = service.save_preparation(
            session,
            coordinator,
            episode_id,
            {**episode_payload(start), "version": version},
            now=now,
        )
        eliquis = record.plan["medications"][0]
        assert eliquis["action"] == "review"
        assert "already passed" in eliquis["reason"]
        assert record.status == "draft"
