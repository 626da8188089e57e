"""Stage gates over HTTP: each move is refused until its record exists, a physician may override
with a written reason, and the tasks the records stand for close themselves."""

from __future__ import annotations

from typing import Any

import httpx

from spinepath.accounts.roles import Role
from tests.api.helpers import create_patient, move, open_episode
from tests.assessments.helpers import facts_of, save_facts
from tests.clinical.candidacy.builders import QUALIFYING
from tests.procedures.builders import (
    in_recovery,
    iso,
    level_payload,
    minutes_ago,
    record_decision,
    record_payload,
    record_vitals,
    save_plan,
    sign_preparation,
    time_out_payload,
)
from tests.support import ClinicUsers


def _try(client: httpx.Client, episode: dict[str, Any], to_stage: str, **extra: Any) -> Any:
    current = client.get(f"/api/v1/episodes/{episode['id']}").json()
    return client.post(
        f"/api/v1/episodes/{episode['id']}/transitions",
        json={"to_stage": to_stage, "version": current["version"], **extra},
    )


def _unmet(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 409, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    return [item["code"] for item in answer.json()["unmet"]]


def _episode(client: httpx.Client, id_: str) -> dict[str, Any]:
    return dict(client.get(f"/api/v1/episodes/{id_}").json())


def _task(episode: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [t for t in episode["tasks"] if t["code"] == code]


def test_each_gate_refuses_the_move_until_its_record_exists(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode = open_episode(client, create_patient(client)["id"])
        episode = move(client, move(client, episode, "consultation"), "decision")

        assert _unmet(_try(client, episode, "scheduled")) == ["decision_to_proceed"]
        record_decision(client, episode["id"])
        episode = move(client, _episode(client, episode["id"]), "scheduled")

        assert _unmet(_try(client, episode, "prepared")) == ["signed_preparation_plan"]
        sign_preparation(client, episode["id"])
        episode = move(client, _episode(client, episode["id"]), "prepared")

        assert _unmet(_try(client, episode, "procedure")) == ["completed_time_out"]
        save_plan(client, episode["id"], ["L1"])
        record_vitals(client, episode["id"], "baseline", observed_at=iso(minutes_ago(200)))
        answer = client.post(
            f"/api/v1/episodes/{episode['id']}/time-outs", json=time_out_payload(["L1"])
        )
        assert answer.status_code == 201, answer.text
        assert _episode(client, episode["id"])["stage"] == "procedure"  # the time-out moves it

        assert _unmet(_try(client, episode, "recovery")) == ["procedure_record"]
        answer = client.post(
            f"/api/v1/episodes/{episode['id']}/procedure-record",
            json=record_payload([level_payload("L1")], ended_minutes_ago=90),
        )
        assert answer.status_code == 201, answer.text
        assert client.post(f"/api/v1/episodes/{episode['id']}/recovery").status_code == 201
        assert _episode(client, episode["id"])["stage"] == "recovery"

        refused = _try(client, episode, "discharged")
        assert _unmet(refused) == ["discharge_readiness"]
        assert refused.json()["may_override"] is True  # a physician asking
        assert "still needed" in refused.json()["detail"]


def test_a_physician_overrides_a_clinical_gate_with_a_reason_kept_in_the_timeline_and_audit(
    clinic: ClinicUsers,
) -> None:
    reason = "Decision taken at the multidisciplinary meeting; it is recorded on paper"
    with clinic.client(Role.PHYSICIAN) as client:
        episode = open_episode(client, create_patient(client)["id"])
        episode = move(client, move(client, episode, "consultation"), "decision")
        moved = _try(client, episode, "scheduled", override_reason=reason)
        assert moved.status_code == 200, moved.text
        [last] = moved.json()["transitions"][-1:]
    assert last["to_stage"] == "scheduled"
    assert last["override_reason"] == reason
    assert [item["code"] for item in last["overridden"]] == ["decision_to_proceed"]
    with clinic.client(Role.ADMIN) as admin:
        events = admin.get("/api/v1/audit-events", params={"per_page": 100}).json()["items"]
    [audited] = [
        e for e in events if e["action"] == "transition" and e["detail"]["to"] == "scheduled"
    ]
    assert audited["detail"]["overridden"] == ["decision_to_proceed"]
    assert audited["detail"]["override_reason"] == reason


def test_only_a_physician_overrides_and_no_one_overrides_a_missing_date_of_death(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.COORDINATOR) as coordinator:
        episode = open_episode(coordinator, create_patient(coordinator)["id"])
        episode = move(coordinator, move(coordinator, episode, "consultation"), "decision")
        refused = _try(coordinator, episode, "scheduled", override_reason="I think it is fine")
        assert refused.status_code == 403, refused.text
        plain = _try(coordinator, episode, "scheduled")
        assert plain.json()["may_override"] is False
    with clinic.client(Role.PHYSICIAN) as physician:
        no_date = _try(physician, episode, "died", reason="Died at home", override_reason="x")
        assert _unmet(no_date) == ["date_of_death"]
        assert no_date.json()["may_override"] is False
        dated = _try(physician, episode, "died", reason="Died at home", event_date="2026-11-30")
        assert dated.status_code == 200, dated.text
    assert dated.json()["transitions"][-1]["event_date"] == "2026-11-30"


def test_who_may_make_a_move_is_one_table(clinic: ClinicUsers) -> None:
    with clinic.client(Role.COORDINATOR) as coordinator:
        episode = open_episode(coordinator, create_patient(coordinator)["id"])
        episode = move(coordinator, episode, "consultation")
        at_consultation = coordinator.get(f"/api/v1/episodes/{episode['id']}/moves").json()
        episode = move(coordinator, episode, "conservative_care")
        refused = _try(coordinator, episode, "treated_conservatively", reason="settled")
        moves = coordinator.get(f"/api/v1/episodes/{episode['id']}/moves").json()
    assert refused.status_code == 403
    assert "physician" in refused.json()["detail"]
    conservative = next(m for m in at_consultation if m["to_stage"] == "conservative_care")
    assert conservative["ready"] is True and conservative["requirements"] == []
    treated = next(m for m in moves if m["to_stage"] == "treated_conservatively")
    assert (treated["may_make"], treated["ready"], treated["roles"]) == (
        False,
        False,
        ["physician"],
    )


def test_the_moves_list_says_what_each_move_still_needs(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode = open_episode(client, create_patient(client)["id"])
        episode = move(client, move(client, episode, "consultation"), "decision")
        before = client.get(f"/api/v1/episodes/{episode['id']}/moves").json()
        record_decision(client, episode["id"])
        after = client.get(f"/api/v1/episodes/{episode['id']}/moves").json()
    scheduled = next(m for m in before if m["to_stage"] == "scheduled")
    assert before[0]["to_stage"] == "scheduled"  # the usual next stage comes first
    assert scheduled["ready"] is False and scheduled["may_override"] is True
    assert [(r["code"], r["met"]) for r in scheduled["requirements"]] == [
        ("decision_to_proceed", False)
    ]
    assert scheduled["requirements"][0]["found"] == "no treatment decision recorded"
    assert next(m for m in after if m["to_stage"] == "scheduled")["ready"] is True


def test_every_default_task_is_closed_by_the_record_it_asks_for(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        physician_id = client.get("/api/v1/me").json()["id"]
        created = create_patient(
            client,
            birth_date=QUALIFYING["patient"]["birth_date"],
            sex=QUALIFYING["patient"]["sex"],
        )
        fractures = [
            {"level": f["level"], "onset_date": f["symptom_onset"], "etiology": f["etiology"]}
            for f in QUALIFYING["fractures"]
        ]
        episode = move(
            client, open_episode(client, created["id"], fractures=fractures), "consultation"
        )
        save_facts(client, episode["id"], facts_of(QUALIFYING))
        at_consultation = _episode(client, episode["id"])
        episode = move(client, move(client, at_consultation, "imaging"), "decision")
        record_decision(client, episode["id"])
        episode = move(client, _episode(client, episode["id"]), "scheduled")
        sign_preparation(client, episode["id"])
        signed = _episode(client, episode["id"])
    for code in ("record_conservative_care", "record_pain_function"):
        [task] = _task(at_consultation, code)
        assert (task["status"], task["completed_by_id"]) == ("done", physician_id), code
    for code in ("record_decision", "prepare_plan"):
        [task] = _task(signed, code)
        assert (task["status"], task["completed_by_id"]) == ("done", physician_id), code
    [consent] = _task(signed, "obtain_consent")
    assert consent["status"] == "open"  # it closes at the time-out, where consent is confirmed


def test_moving_back_and_forward_never_duplicates_an_open_task(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode = open_episode(client, create_patient(client)["id"])
        episode = move(client, move(client, episode, "consultation"), "decision")
        record_decision(client, episode["id"])
        episode = move(client, _episode(client, episode["id"]), "scheduled")
        episode = move(client, episode, "decision")
        episode = move(client, episode, "scheduled")
    for code in ("prepare_plan", "obtain_consent"):
        assert [t["status"] for t in _task(episode, code)] == ["open"], code


def test_the_procedure_day_closes_consent_arrival_record_recovery_and_discharge_tasks(
    clinic: ClinicUsers,
) -> None:
    from tests.procedures.builders import discharged_episode

    with clinic.client(Role.NURSE) as client:
        episode = discharged_episode(client)
    for code in (
        "obtain_consent",
        "confirm_arrival",
        "complete_procedure_record",
        "record_recovery",
        "assess_discharge",
    ):
        assert [t["status"] for t in _task(episode, code)] == ["done"], code


def test_leaving_the_pathway_cancels_the_work_that_no_longer_applies(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode = open_episode(client, create_patient(client)["id"])
        episode = move(client, move(client, episode, "consultation"), "conservative_care")
        episode = move(client, episode, "treated_conservatively", "Pain settled with medicines")
    statuses = {t["code"]: t["status"] for t in episode["tasks"]}
    assert statuses["record_conservative_care"] == "cancelled"
    assert statuses["review_conservative_care"] == "cancelled"
    assert statuses["book_follow_up"] == "open"  # the exit's own work
    assert statuses["osteoporosis_referral"] == "open"


def test_the_outcome_report_counts_the_episodes_moved_by_override(clinic: ClinicUsers) -> None:
    from tests.procedures.builders import discharged_episode, in_recovery

    with clinic.client(Role.NURSE) as nurse:
        discharged_episode(nurse)
        forced = in_recovery(nurse)
    with clinic.client(Role.PHYSICIAN) as physician:
        episode = physician.get(f"/api/v1/episodes/{forced['episode_id']}").json()
        answer = _try(
            physician,
            episode,
            "discharged",
            override_reason="Left before the checklist was finished; safety-netted by phone",
        )
        assert answer.status_code == 200, answer.text
        report = physician.get("/api/v1/reports/outcomes").json()
    assert (report["episodes"], report["gate_overrides"]) == (2, 1)


def test_an_override_to_discharged_closes_the_recovery_stay_and_clears_the_board(
    clinic: ClinicUsers,
) -> None:
    reason = "Patient transferred to the ward by the anaesthetist; discharge checks done on paper"
    with clinic.client(Role.PHYSICIAN) as client:
        episode_id = str(in_recovery(client)["episode_id"])
        before = client.get("/api/v1/recovery/board").json()
        assert episode_id in [str(item["episode_id"]) for item in before["items"]]
        moved = _try(client, {"id": episode_id}, "discharged", override_reason=reason)
        assert moved.status_code == 200, moved.text
        after = client.get("/api/v1/recovery/board").json()
        stay = client.get(f"/api/v1/episodes/{episode_id}/recovery").json()["stay"]
    assert episode_id not in [str(item["episode_id"]) for item in after["items"]]
    assert stay["status"] == "discharged"
    with clinic.client(Role.ADMIN) as admin:
        events = admin.get("/api/v1/audit-events", params={"per_page": 100}).json()["items"]
    [closed] = [e for e in events if e["action"] == "close" and e["entity_type"] == "recovery_stay"]
    assert "outside the recovery discharge" in closed["detail"]["reason"]
