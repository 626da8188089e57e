"""Assessments: the stored facts evaluated, kept as computed, numbered, reproducible."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from spinepath.accounts.roles import Role
from spinepath.clinical.candidacy import CRITERIA_SETS, evaluate_case
from tests.api.helpers import error_fields
from tests.assessments.helpers import (
    assessed,
    audit_events,
    episode_for,
    evaluate,
    facts_of,
    put_facts,
    save_facts,
)
from tests.clinical.candidacy.builders import QUALIFYING, case
from tests.support import ClinicUsers, LiveServer


def test_evaluating_keeps_the_case_the_result_the_sets_and_who(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode, assessment = assessed(client)
    assert assessment["number"] == 1 and assessment["facts_version"] == 1
    assert assessment["episode_id"] == episode["id"]
    assert assessment["created_by"] == f"Physician of {clinic.slug}"
    assert assessment["assessment_date"] == "2026-11-20"
    assert assessment["assessment_date_source"] == "facts"
    assert [s["name"] for s in assessment["criteria_sets"]] == list(CRITERIA_SETS)
    assert {s["name"]: s["edition"] for s in assessment["criteria_sets"]} == {
        name: cs.edition for name, cs in CRITERIA_SETS.items()
    }
    assert (assessment["engine"], assessment["engine_edition"]) == ("candidacy", "1")
    result = assessment["result"]
    assert result["recommendation"]["action"] == "refer_for_vertebral_augmentation"
    assert assessment["action"] == "refer_for_vertebral_augmentation"
    assert {n: b["status"] for n, b in result["criteria_sets"].items()} == {
        "cms_lcd_l38201": "met",
        "nice_ta279": "met",
    }
    assert assessment["decision"] is None


def test_the_stored_case_is_the_core_case_of_the_episode_and_its_facts(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode, assessment = assessed(client)
    stored = assessment["case"]
    expected = evaluate_case(QUALIFYING)["case"]
    # The record's part comes from the patient and the episode; the rest from the facts.
    assert evaluate_case(stored)["case"] == expected
    assert stored["patient"]["birth_date"] == "1944-03-02"
    assert stored["fractures"][0]["symptom_onset"] == "2026-10-10"
    assert (
        assessment["provenance"]["fractures"][0]["fracture_id"] == (episode["fractures"][0]["id"])
    )
    assert assessment["provenance"]["assessment_date"]["source"] == "facts"


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"fractures[0].mri_edema": None, "pain.trend": "improving"},
        {"screening": None, "osteoporosis_care.bmd_referral": False, "setting": "inpatient"},
        {"fractures[0].etiology": "neoplastic", "fractures[0].osteolytic_lesion": True},
    ],
    ids=["qualifying", "imaging-unknown", "unscreened", "neoplastic"],
)
def test_re_evaluating_a_stored_case_gives_the_stored_result(
    clinic: ClinicUsers, changes: dict[str, object]
) -> None:
    with clinic.client(Role.NURSE) as client:
        _, assessment = assessed(client, case(changes))
        stored = client.get(f"/api/v1/assessments/{assessment['id']}").json()
        again = client.post(
            "/api/v1/assessments/evaluate",
            json=stored["case"],
            params={"criteria_set": [s["name"] for s in stored["criteria_sets"]]},
        )
    names = [s["name"] for s in stored["criteria_sets"]]
    assert stored["result"] == assessment["result"]
    assert evaluate_case(stored["case"], names) == stored["result"]
    assert again.status_code == 200 and again.json() == stored["result"]


def test_without_an_assessment_date_today_in_the_clinic_zone_is_used_and_said(
    clinic: ClinicUsers,
) -> None:
    facts = facts_of(case({"assessment_date": None}))
    with clinic.client(Role.NURSE) as client:
        episode = episode_for(client)
        save_facts(client, episode["id"], facts)
        assessment = evaluate(client, episode["id"])
    today = datetime.now(ZoneInfo(clinic.time_zone)).date().isoformat()
    assert assessment["assessment_date"] == today
    assert assessment["case"]["assessment_date"] == today
    assert assessment["assessment_date_source"] == "clinic_today"
    said = assessment["provenance"]["assessment_date"]
    assert said["source"] == "clinic_today" and said["time_zone"] == clinic.time_zone
    assert clinic.time_zone in said["note"]


def test_each_evaluation_is_kept_and_numbered(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode, first = assessed(client)
        save_facts(
            client,
            episode["id"],
            facts_of(case({"pain.trend": "improving", "pain.nrs": 3})),
            version=1,
        )
        second = evaluate(client, episode["id"])
        listed = client.get(f"/api/v1/episodes/{episode['id']}/assessments").json()
    assert [a["number"] for a in listed] == [2, 1]
    assert listed[1] == first
    assert second["facts_version"] == 2
    assert second["action"] == "continue_conservative_care"
    assert first["action"] == "refer_for_vertebral_augmentation"


def test_unknown_facts_become_questions_never_no(clinic: ClinicUsers) -> None:
    unknown_imaging = case({"fractures[0].mri_edema": None})
    with clinic.client(Role.NURSE) as client:
        _, assessment = assessed(client, unknown_imaging)
    result = assessment["result"]
    assert result["recommendation"]["action"] == "obtain_advanced_imaging"
    assert "fractures[0].mri_edema" in result["recommendation"]["questions"]
    assert result["criteria_sets"]["cms_lcd_l38201"]["status"] == "unknown"


def test_an_episode_without_facts_is_evaluated_as_all_unknown(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = episode_for(client)
        assessment = evaluate(client, episode["id"])
    assert assessment["facts_version"] == 0
    assert assessment["action"] != "refer_for_vertebral_augmentation"
    assert assessment["result"]["criteria_sets"]["cms_lcd_l38201"]["status"] == "unknown"


def test_evaluating_facts_that_changed_since_you_saw_them_is_refused(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = episode_for(client)
        save_facts(client, episode["id"], facts_of(QUALIFYING))
        stale = client.post(
            f"/api/v1/episodes/{episode['id']}/assessments", json={"facts_version": 0}
        )
        current = client.post(
            f"/api/v1/episodes/{episode['id']}/assessments", json={"facts_version": 1}
        )
    assert stale.status_code == 409 and current.status_code == 201


def test_the_clinics_chosen_criteria_sets_are_applied(clinic: ClinicUsers) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        default = client.get("/api/v1/assessments/criteria-sets").json()
        chosen = client.put(
            "/api/v1/assessments/criteria-sets",
            json={"criteria_sets": ["nice_ta279"], "version": 0},
        )
        unknown = client.put(
            "/api/v1/assessments/criteria-sets",
            json={"criteria_sets": ["nice_ta279", "aetna_2099"], "version": 1},
        )
        _, assessment = assessed(client)
    with clinic.client(Role.NURSE) as nurse:
        refused = nurse.put(
            "/api/v1/assessments/criteria-sets",
            json={"criteria_sets": ["cms_lcd_l38201"], "version": 1},
        )
    assert default["is_default"] and default["criteria_sets"] == list(CRITERIA_SETS)
    assert chosen.status_code == 200 and chosen.json()["criteria_sets"] == ["nice_ta279"]
    assert unknown.status_code == 422 and error_fields(unknown) == {"criteria_sets.1"}
    assert refused.status_code == 403
    assert [s["name"] for s in assessment["criteria_sets"]] == ["nice_ta279"]
    assert list(assessment["result"]["criteria_sets"]) == ["nice_ta279"]


def test_evaluating_is_audited(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode, assessment = assessed(client)
    with clinic.client(Role.ADMIN) as admin:
        events = audit_events(admin)
    created = [e for e in events if e["entity_type"] == "assessment" and e["action"] == "create"]
    assert len(created) == 1
    assert created[0]["entity_id"] == assessment["id"]
    assert created[0]["patient_id"] == episode["patient"]["id"]
    assert created[0]["detail"]["action"] == "refer_for_vertebral_augmentation"


def test_stored_facts_made_invalid_by_the_record_are_named_and_nothing_is_stored(
    clinic: ClinicUsers,
) -> None:
    with clinic.client(Role.PHYSICIAN) as client:
        episode = episode_for(client)
        save_facts(client, episode["id"], facts_of(QUALIFYING))  # assessed on 2026-11-20
        fracture = episode["fractures"][0]
        moved = client.patch(
            f"/api/v1/episodes/{episode['id']}/fractures/{fracture['id']}",
            json={"onset_date": "2026-11-21", "version": fracture["version"]},
        )
        refused = client.post(f"/api/v1/episodes/{episode['id']}/assessments")
        listed = client.get(f"/api/v1/episodes/{episode['id']}/assessments").json()
    assert moved.status_code == 200
    assert refused.status_code == 422
    assert error_fields(refused) == {"facts.fractures.L1.symptom_onset"}
    assert listed == []


def test_the_database_refuses_to_change_an_assessment(
    server: LiveServer, clinic: ClinicUsers
) -> None:
    with clinic.client(Role.NURSE) as client:
        _, assessment = assessed(client)
    row_id = assessment["id"].replace("-", "") if server.backend == "sqlite" else assessment["id"]
    for statement in (
        "UPDATE assessments SET action = 'tampered' WHERE id = :id",
        "DELETE FROM assessments WHERE id = :id",
    ):
        with server.session_factory() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                session.execute(text(statement), {"id": row_id})
                session.flush()
            session.rollback()
    with clinic.client(Role.NURSE) as client:
        again = client.get(f"/api/v1/assessments/{assessment['id']}").json()
    assert again["action"] == "refer_for_vertebral_augmentation"


def test_put_facts_then_put_again_with_the_etag(clinic: ClinicUsers) -> None:
    with clinic.client(Role.NURSE) as client:
        episode = episode_for(client)
        first = put_facts(client, episode["id"], facts_of(QUALIFYING), 0)
        second = client.put(
            f"/api/v1/episodes/{episode['id']}/case-facts",
            json={"facts": facts_of(case({"pain.nrs": 6}))},
            headers={"If-Match": first.headers["ETag"]},
        )
    assert second.status_code == 200 and second.json()["version"] == 2
